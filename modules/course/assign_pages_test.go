package course_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"glc/internal/app/apptest"
)

// TestAssignmentsPage: an admin makes a course mandatory for a country in the browser; a
// coordinator sees only their country's assignments and cannot assign outside it; bad input
// changes nothing.
func TestAssignmentsPage(t *testing.T) {
	s := apptest.New(t)
	admin, teacher := s.Admin(t), s.Instructor(t)
	coord := s.NewUser(t, []string{"coordinator"}, apptest.Country("KE"))
	ke := s.Learner(t, apptest.Country("KE"))
	fr := s.Learner(t, apptest.Country("FR"))
	course := createCourse(t, s, teacher, map[string]any{"title": "Information security awareness", "summary": "Before database access.", "language": "en"})
	sec := id(t, must(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/sections", course), teacher.Token, map[string]any{"title": "Basics"}), 201))
	must(t, s.Do("POST", fmt.Sprintf("/api/v1/sections/%d/lessons", sec), teacher.Token, map[string]any{"title": "Passwords", "kind": "text", "body": "Long ones."}), 201)
	must(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), teacher.Token, nil), 200)
	cid := fmt.Sprint(course)
	assignments := func() (n int64) {
		s.DB.Raw(`SELECT COUNT(*) FROM course_assignments`).Scan(&n)
		return n
	}
	enrolled := func(u apptest.TestUser) (n int64) {
		s.DB.Raw(`SELECT COUNT(*) FROM course_enrolments WHERE course_id = ? AND user_id = ? AND status = 'active'`, course, u.ID).Scan(&n)
		return n
	}

	ab := newBrowser(t, s, &admin)
	p := ab.get("/assignments")
	if p.status != 200 || !strings.Contains(p.body, "Information security awareness") || !strings.Contains(p.body, `value="all"`) {
		t.Fatalf("page: %d %s", p.status, p.body)
	}
	// Refusals: no scope, no course, a date that is not one; nothing stored.
	for _, form := range []url.Values{
		{"course_id": {cid}, "due_at": {"2030-01-31"}},
		{"scope": {"country"}, "country": {"KE"}, "due_at": {"2030-01-31"}},
		{"course_id": {cid}, "scope": {"country"}, "country": {"KE"}, "due_at": {"soon"}},
	} {
		if p := ab.post("/assignments", form); p.status != 422 || !strings.Contains(p.body, `class="field-error"`) {
			t.Errorf("%v: %d", form, p.status)
		}
	}
	if n := assignments(); n != 0 {
		t.Fatalf("refused forms stored %d assignments", n)
	}
	if p := ab.post("/assignments", url.Values{"course_id": {cid}, "scope": {"country"}, "country": {"KE"}, "due_at": {"2030-01-31"}}); p.status != 303 {
		t.Fatalf("assign: %d %s", p.status, p.body)
	}
	if enrolled(ke) != 1 || enrolled(fr) != 0 {
		t.Fatalf("enrolled: KE %d, FR %d", enrolled(ke), enrolled(fr))
	}
	p = ab.get("/assignments")
	if !strings.Contains(p.body, "Kenya") || !strings.Contains(p.body, "<td>2</td>") { // the KE learner and the KE coordinator
		t.Errorf("list after assigning: %s", p.body)
	}

	// The coordinator sees their country's assignment, no "everyone", and cannot assign France.
	cb := newBrowser(t, s, &coord)
	p = cb.get("/assignments")
	if p.status != 200 || !strings.Contains(p.body, "Kenya") || strings.Contains(p.body, `value="all"`) || strings.Contains(p.body, `value="FR"`) {
		t.Errorf("coordinator page: %d", p.status)
	}
	if p := cb.post("/assignments", url.Values{"course_id": {cid}, "scope": {"country"}, "country": {"FR"}, "due_at": {"2030-01-31"}}); p.status != 403 {
		t.Errorf("coordinator assigns France: %d", p.status)
	}
	if p := cb.post("/assignments", url.Values{"course_id": {cid}, "scope": {"all"}, "due_at": {"2030-01-31"}}); p.status != 403 {
		t.Errorf("coordinator assigns everyone: %d", p.status)
	}
	if n := assignments(); n != 1 || enrolled(fr) != 0 {
		t.Fatalf("refusals changed something: %d assignments", n)
	}
	// Another country's coordinator does not see the Kenyan assignment.
	other := s.NewUser(t, []string{"coordinator"}, apptest.Country("FR"))
	if p := newBrowser(t, s, &other).get("/assignments"); strings.Contains(p.body, "Information security awareness</td>") {
		t.Error("a French coordinator sees the Kenyan assignment")
	}
	for _, u := range []*apptest.TestUser{&teacher, &ke} {
		if p := newBrowser(t, s, u).get("/assignments"); p.status != 403 {
			t.Errorf("user %d on /assignments: %d", u.ID, p.status)
		}
	}
	if p := ab.get("/assignments?lang=ar"); !strings.Contains(p.body, "الدورات الإلزامية") {
		t.Error("no Arabic title")
	}
}
