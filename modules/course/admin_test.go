package course_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"glc/internal/app/apptest"
)

// TestAdminCoursesAndTopicsPages checks the admins' list of every course (drafts of any
// instructor included, search and status filter, refusals) and the topic list editor.
func TestAdminCoursesAndTopicsPages(t *testing.T) {
	s := apptest.New(t)
	admin, teacher, other, learner := s.Admin(t), s.Instructor(t), s.Instructor(t), s.Learner(t)
	draft := createCourse(t, s, teacher, map[string]any{"title": "Maritime piracy investigations", "summary": "Boarding and evidence.", "language": "en"})
	pub := createCourse(t, s, other, map[string]any{"title": "Wildlife trafficking routes", "summary": "Ivory and pangolins.", "language": "en"})
	sec := id(t, must(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/sections", pub), other.Token, map[string]any{"title": "Routes"}), 201))
	must(t, s.Do("POST", fmt.Sprintf("/api/v1/sections/%d/lessons", sec), other.Token, map[string]any{"title": "Seizures", "kind": "text", "body": "Read."}), 201)
	must(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", pub), other.Token, nil), 200)

	ab := newBrowser(t, s, &admin)
	p := ab.get("/admin/courses")
	if p.status != 200 || !strings.Contains(p.body, "Maritime piracy investigations") || !strings.Contains(p.body, "Wildlife trafficking routes") {
		t.Fatalf("all courses: %d %s", p.status, p.body)
	}
	if !strings.Contains(p.body, fmt.Sprintf(`href="/teach/courses/%d"`, draft)) {
		t.Error("no link to the draft's editor")
	}
	p = ab.get("/admin/courses?q=PIRACY")
	if !strings.Contains(p.body, "Maritime piracy") || strings.Contains(p.body, "Wildlife trafficking") {
		t.Errorf("search by a title word: %s", p.body)
	}
	p = ab.get("/admin/courses?status=published")
	if strings.Contains(p.body, "Maritime piracy") || !strings.Contains(p.body, "Wildlife trafficking") {
		t.Errorf("status filter: %s", p.body)
	}
	p = ab.get("/admin/courses?q=" + url.QueryEscape("100%_"))
	if p.status != 200 || strings.Contains(p.body, "Maritime piracy") {
		t.Errorf("LIKE wildcards in the query are taken literally: %d", p.status)
	}
	if p := ab.get("/admin/courses?status=lost"); p.status != 422 || !strings.Contains(p.body, "must be draft, published or archived") {
		t.Errorf("bad status: %d", p.status)
	}
	if p := ab.get("/admin/courses?lang=ar"); p.status != 200 || !strings.Contains(p.body, "جميع الدورات") {
		t.Errorf("arabic: %d", p.status)
	}
	for _, u := range []*apptest.TestUser{&teacher, &learner} {
		if p := newBrowser(t, s, u).get("/admin/courses"); p.status != 403 {
			t.Errorf("non-admin on /admin/courses: %d", p.status)
		}
		if p := newBrowser(t, s, u).get("/admin/topics"); p.status != 403 {
			t.Errorf("non-admin on /admin/topics: %d", p.status)
		}
	}
	if p := newBrowser(t, s, nil).get("/admin/courses"); p.status != 303 {
		t.Errorf("anonymous: %d", p.status)
	}

	// Topics: add one, refuse a bad one (nothing stored), rename and hide it.
	count := func() (n int64) {
		s.DB.Raw(`SELECT COUNT(*) FROM course_topics`).Scan(&n)
		return n
	}
	before := count()
	form := url.Values{"slug": {"port-security"}, "name_en": {"Port security"}, "name_fr": {"Sûreté portuaire"}, "name_es": {"Seguridad portuaria"}, "name_ar": {"أمن الموانئ"}}
	if p := ab.post("/admin/topics", form); p.status != 303 {
		t.Fatalf("add topic: %d %s", p.status, p.body)
	}
	bad := url.Values{"slug": {"Port Security!"}, "name_en": {"x"}, "name_fr": {""}, "name_es": {"y"}, "name_ar": {"z"}}
	p = ab.post("/admin/topics", bad)
	if p.status != 422 || !strings.Contains(p.body, "lower-case letters") || !strings.Contains(p.body, `value="Port Security!"`) {
		t.Errorf("bad topic: %d %s", p.status, p.body)
	}
	if n := count(); n != before+1 {
		t.Fatalf("topics %d, want %d", n, before+1)
	}
	var id int64
	s.DB.Raw(`SELECT id FROM course_topics WHERE slug = ?`, "port-security").Scan(&id)
	form.Del("slug")
	form.Set("name_en", "Port and harbour security")
	if p := ab.post(fmt.Sprintf("/admin/topics/%d", id), form); p.status != 303 {
		t.Fatalf("save topic: %d %s", p.status, p.body)
	}
	var row struct {
		NameEn string
		Active bool
	}
	s.DB.Raw(`SELECT name_en, active FROM course_topics WHERE id = ?`, id).Scan(&row)
	if row.NameEn != "Port and harbour security" || row.Active {
		t.Errorf("saved topic: %+v (unchecked box hides it)", row)
	}
	if p := ab.get("/admin/topics"); !strings.Contains(p.body, "Port and harbour security") {
		t.Error("topic page lacks the hidden topic")
	}
	if p := ab.get("/courses"); strings.Contains(p.body, "Port and harbour security") {
		t.Error("hidden topic offered in the catalogue filter")
	}
	if p := newBrowser(t, s, &teacher).post(fmt.Sprintf("/admin/topics/%d", id), form); p.status != 403 {
		t.Errorf("instructor saves a topic: %d", p.status)
	}
	if p := ab.post("/admin/topics/999999", form); p.status != 404 {
		t.Errorf("unknown topic: %d", p.status)
	}
}
