package course_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"glc/internal/app/apptest"
)

// TestValidationRefusals: every refusal is 422 with the field named, and nothing changes.
func TestValidationRefusals(t *testing.T) {
	s := apptest.New(t)
	f := newFixture(t, s)
	cpath := fmt.Sprintf("/api/v1/courses/%d", f.course)
	spath := fmt.Sprintf("/api/v1/sections/%d", f.section)
	lpath := fmt.Sprintf("/api/v1/lessons/%d", f.lessons["link"])
	long := string(bytes.Repeat([]byte("x"), 201))
	cases := []struct {
		method, path string
		body         map[string]any
		field        string
	}{
		{"POST", "/api/v1/courses", map[string]any{"summary": "S", "language": "en"}, "title"},
		{"POST", "/api/v1/courses", map[string]any{"title": "T", "summary": "S", "language": "de"}, "language"},
		{"POST", "/api/v1/courses", map[string]any{"title": "T", "summary": "S", "language": "en", "level": "expert"}, "level"},
		{"POST", "/api/v1/courses", map[string]any{"title": "T", "summary": "S", "language": "en", "topic": "astrology"}, "topic"},
		{"POST", "/api/v1/courses", map[string]any{"title": "T", "summary": "S", "language": "en", "slug": "Bad Slug"}, "slug"},
		{"POST", "/api/v1/courses", map[string]any{"title": long, "summary": "S", "language": "en"}, "title"},
		{"POST", "/api/v1/courses", map[string]any{"title": "T", "summary": "S", "language": "en", "unknown": 1}, "unknown"},
		{"POST", "/api/v1/courses", map[string]any{"title": 5, "summary": "S", "language": "en"}, "title"},
		{"PATCH", cpath, map[string]any{"title": ""}, "title"},
		{"PATCH", cpath, map[string]any{"estimated_hours": -1}, "estimated_hours"},
		{"PATCH", cpath, map[string]any{"enrolment_opens_at": "2030-02-01", "enrolment_closes_at": "2030-01-01"}, "enrolment_closes_at"},
		{"PATCH", cpath, map[string]any{"due_at": "next week"}, "due_at"},
		{"PATCH", cpath, map[string]any{"restrict_countries": []string{"France"}}, "restrict_countries"},
		{"PATCH", cpath, map[string]any{"restrict_roles": []string{"chief"}}, "restrict_roles"},
		{"PATCH", cpath, map[string]any{"restrict_org_ids": []int{999}}, "restrict_org_ids"},
		{"PATCH", cpath, map[string]any{"language": "fr", "title": "Titre"}, "language"},
		{"PATCH", cpath, map[string]any{"default_language": "ar"}, "default_language"},
		{"PATCH", cpath, map[string]any{"region": "atlantis"}, "region"},
		{"POST", cpath + "/sections", map[string]any{"title": " "}, "title"},
		{"PATCH", spath, map[string]any{"title": ""}, "title"},
		{"POST", spath + "/lessons", map[string]any{"title": "L", "kind": "podcast"}, "kind"},
		{"POST", spath + "/lessons", map[string]any{"title": "L", "kind": "link"}, "url"},
		{"POST", spath + "/lessons", map[string]any{"title": "L", "kind": "link", "url": "javascript:alert(1)"}, "url"},
		{"POST", spath + "/lessons", map[string]any{"title": "L", "kind": "text", "url": "https://x.org"}, "url"},
		{"POST", spath + "/lessons", map[string]any{"title": "L", "kind": "text", "completion": "watched"}, "completion"},
		{"POST", spath + "/lessons", map[string]any{"title": "L", "kind": "video", "watch_percent": 0}, "watch_percent"},
		{"POST", spath + "/lessons", map[string]any{"title": "L", "kind": "quiz", "quiz": map[string]any{"pass_percent": 180}}, "quiz.pass_percent"},
		{"POST", spath + "/lessons", map[string]any{"title": "L", "kind": "quiz", "quiz": map[string]any{"time_limit_seconds": -1}}, "quiz.time_limit_seconds"},
		{"POST", spath + "/lessons", map[string]any{"title": "L", "kind": "quiz", "quiz": map[string]any{"passmark": 80}}, "quiz"},
		{"POST", spath + "/lessons", map[string]any{"title": "L", "kind": "text", "quiz": map[string]any{"pass_percent": 80}}, "quiz"},
		{"PATCH", lpath, map[string]any{"url": "ftp://x.org/file"}, "url"},
		{"PATCH", lpath, map[string]any{"kind": "text"}, "kind"},
		{"PATCH", lpath, map[string]any{"section_id": 999999}, "section_id"},
		{"POST", cpath + "/sections/order", map[string]any{"ids": []int64{f.section, f.section}}, "ids"},
		{"POST", spath + "/lessons/order", map[string]any{"ids": []int64{f.lessons["text"]}}, "ids"},
		{"POST", cpath + "/enrolments", map[string]any{"user_ids": []int64{999999}}, "user_ids"},
		{"POST", cpath + "/enrolments", map[string]any{"user_ids": []int64{f.owner.ID}, "due_at": "soon"}, "due_at"},
		{"PUT", cpath + "/variants/fr", map[string]any{"title": "", "summary": "S"}, "title"},
		{"PUT", cpath + "/variants/de", map[string]any{"title": "T", "summary": "S"}, "language"},
		{"POST", "/api/v1/cohorts", map[string]any{"name": "C", "starts_on": "2030-02-01", "ends_on": "2030-01-01"}, "ends_on"},
		{"POST", "/api/v1/cohorts", map[string]any{"name": "C", "starts_on": "2030-01-01", "ends_on": "2030-02-01", "user_ids": []int64{999999}}, "user_ids"},
	}
	snapshot := func() string {
		r := must(t, s.Do("GET", cpath, f.owner.Token, nil), 200)
		var n struct{ Total int }
		must(t, s.Do("GET", "/api/v1/me/teaching", f.owner.Token, nil), 200).JSON(t, &n)
		return fmt.Sprintf("%s|%d", r.Body, n.Total)
	}
	before := snapshot()
	for _, c := range cases {
		r := s.Do(c.method, c.path, f.owner.Token, c.body)
		if r.Status != 422 || r.ErrorCode() != "validation_failed" {
			t.Errorf("%s %s %v: %d %s", c.method, c.path, c.body, r.Status, r.Body)
			continue
		}
		var e struct {
			Error struct{ Fields map[string]string }
		}
		r.JSON(t, &e)
		if e.Error.Fields[c.field] == "" {
			t.Errorf("%s %s %v: field %q not named: %s", c.method, c.path, c.body, c.field, r.Body)
		}
	}
	if after := snapshot(); after != before {
		t.Errorf("refused requests changed the course:\n%s\n%s", before, after)
	}
	// Progress and catalogue refusals.
	f.publish(t)
	learner := s.Learner(t)
	f.enrol(t, learner)
	for _, b := range []map[string]any{{"event": "played"}, {"event": "position"}, {"event": "position", "position_seconds": -3}, {"event": "position", "position_seconds": 3, "watched_percent": 120}} {
		if r := s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/progress", f.lessons["video"]), learner.Token, b); r.Status != 422 {
			t.Errorf("progress %v: %d", b, r.Status)
		}
	}
	if p := s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d", f.lessons["video"]), learner.Token, nil).Map(t)["progress"]; p != nil {
		t.Errorf("refused progress stored: %v", p)
	}
	for _, q := range []string{"language=de", "level=expert", "sort=random", "per_page=101", "page=0"} {
		if r := s.Do("GET", "/api/v1/courses?"+q, "", nil); r.Status != 422 {
			t.Errorf("catalogue %s: %d", q, r.Status)
		}
	}
	// Publishing an empty course is refused.
	empty := createCourse(t, s, f.owner, map[string]any{"title": "Empty", "summary": "Nothing", "language": "en"})
	if r := s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", empty), f.owner.Token, nil); r.Status != 422 {
		t.Errorf("publish empty: %d", r.Status)
	}
}

// TestLanguageVariants: a French-speaking learner gets the French variant; ?variant= switches;
// progress is shared across variants.
func TestLanguageVariants(t *testing.T) {
	s := apptest.New(t)
	f := newFixture(t, s)
	cpath := fmt.Sprintf("/api/v1/courses/%d", f.course)
	r := must(t, s.Do("PUT", cpath+"/variants/fr", f.owner.Token, map[string]any{"title": "Intercepter la contrebande maritime", "summary": "Arraisonner les navires.",
		"description": "Planifier les opérations en mer.", "tags": []string{"ports"}}), 201)
	if r.Map(t)["language"] != "fr" {
		t.Fatalf("variant: %s", r.Body)
	}
	must(t, s.Do("PUT", cpath+"/variants/fr", f.owner.Token, map[string]any{"title": "Intercepter la contrebande en mer", "summary": "Arraisonner les navires."}), 200)
	must(t, s.Do("PATCH", fmt.Sprintf("/api/v1/sections/%d", f.section), f.owner.Token, map[string]any{"title": "Les bases", "language": "fr"}), 200)
	must(t, s.Do("PATCH", fmt.Sprintf("/api/v1/lessons/%d", f.lessons["text"]), f.owner.Token, map[string]any{"title": "Bienvenue", "body": "Bonjour **à tous**", "language": "fr"}), 200)
	f.publish(t)

	fr := s.Learner(t, apptest.Lang("fr"))
	en := s.Learner(t)
	f.enrol(t, fr)
	f.enrol(t, en)
	c := must(t, s.Do("GET", cpath, fr.Token, nil), 200).Map(t)
	if c["language"] != "fr" || c["title"] != "Intercepter la contrebande en mer" {
		t.Fatalf("French learner got %v %v", c["language"], c["title"])
	}
	secs := c["sections"].([]any)
	if secs[0].(map[string]any)["title"] != "Les bases" {
		t.Errorf("section title %v", secs[0])
	}
	lessons := secs[0].(map[string]any)["lessons"].([]any)
	if lessons[0].(map[string]any)["title"] != "Bienvenue" || lessons[1].(map[string]any)["title"] != "Lesson video" {
		t.Errorf("lesson titles (French, falling back to English): %v", lessons)
	}
	if c := must(t, s.Do("GET", cpath+"?variant=en", fr.Token, nil), 200).Map(t); c["language"] != "en" || c["title"] != "Interdicting Maritime Smuggling" {
		t.Errorf("?variant=en gave %v", c["title"])
	}
	if c := must(t, s.Do("GET", cpath, en.Token, nil), 200).Map(t); c["language"] != "en" {
		t.Errorf("English learner got %v", c["language"])
	}
	// The catalogue shows one entry, in the learner's language.
	l := catalogue(t, s, fr.Token, "")
	if l.Total != 1 || l.Items[0]["title"] != "Intercepter la contrebande en mer" || l.Items[0]["enrolment_status"] != "active" {
		t.Errorf("catalogue for the French learner: %+v", l)
	}
	// Lesson content per language; same lesson ID.
	lp := fmt.Sprintf("/api/v1/lessons/%d", f.lessons["text"])
	lf := must(t, s.Do("GET", lp, fr.Token, nil), 200).Map(t)
	if lf["title"] != "Bienvenue" || lf["language"] != "fr" {
		t.Errorf("French lesson: %v %v", lf["title"], lf["language"])
	}
	// Progress made in the French variant shows in the English one.
	must(t, s.Do("POST", lp+"/progress", fr.Token, map[string]any{"event": "viewed"}), 200)
	le := must(t, s.Do("GET", lp+"?variant=en", fr.Token, nil), 200).Map(t)
	if le["title"] != "Lesson text" || le["progress"].(map[string]any)["status"] != "completed" {
		t.Errorf("English variant of the lesson: %v %v", le["title"], le["progress"])
	}
	ce := must(t, s.Do("GET", cpath+"?variant=en", fr.Token, nil), 200).Map(t)
	first := ce["sections"].([]any)[0].(map[string]any)["lessons"].([]any)[0].(map[string]any)
	if first["status"] != "completed" {
		t.Errorf("outline status in the English variant: %v", first)
	}
	// The default variant cannot be removed; the French one can.
	must(t, s.Do("DELETE", cpath+"/variants/en", f.owner.Token, nil), 409)
	must(t, s.Do("DELETE", cpath+"/variants/fr", f.owner.Token, nil), 204)
	if c := must(t, s.Do("GET", cpath, fr.Token, nil), 200).Map(t); c["language"] != "en" {
		t.Errorf("after removing French: %v", c["language"])
	}
}

// TestStructureEditing: reordering keeps lesson IDs; deleting a lesson with progress needs
// confirmation and keeps the history.
func TestStructureEditing(t *testing.T) {
	s := apptest.New(t)
	f := newFixture(t, s)
	cpath := fmt.Sprintf("/api/v1/courses/%d", f.course)
	s2 := id2(t, s.Do("POST", cpath+"/sections", f.owner.Token, map[string]any{"title": "Advanced"}))
	must(t, s.Do("POST", cpath+"/sections/order", f.owner.Token, map[string]any{"ids": []int64{s2, f.section}}), 204)
	order := []int64{f.lessons["link"], f.lessons["text"], f.lessons["video"], f.lessons["document"], f.lessons["quiz"], f.lessons["package"]}
	must(t, s.Do("POST", fmt.Sprintf("/api/v1/sections/%d/lessons/order", f.section), f.owner.Token, map[string]any{"ids": order}), 204)
	// Move the quiz to the new section with PATCH, and the video to position 1.
	must(t, s.Do("PATCH", fmt.Sprintf("/api/v1/lessons/%d", f.lessons["quiz"]), f.owner.Token, map[string]any{"section_id": s2}), 200)
	must(t, s.Do("PATCH", fmt.Sprintf("/api/v1/lessons/%d", f.lessons["video"]), f.owner.Token, map[string]any{"position": 1}), 200)
	c := must(t, s.Do("GET", cpath, f.owner.Token, nil), 200).Map(t)
	var got []int64
	for _, sec := range c["sections"].([]any) {
		for _, l := range sec.(map[string]any)["lessons"].([]any) {
			got = append(got, int64(l.(map[string]any)["id"].(float64)))
		}
	}
	want := []int64{f.lessons["quiz"], f.lessons["video"], f.lessons["link"], f.lessons["text"], f.lessons["document"], f.lessons["package"]}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	// A section with lessons cannot be deleted.
	must(t, s.Do("DELETE", fmt.Sprintf("/api/v1/sections/%d", s2), f.owner.Token, nil), 409)

	f.publish(t)
	learner := s.Learner(t)
	f.enrol(t, learner)
	lp := fmt.Sprintf("/api/v1/lessons/%d", f.lessons["text"])
	must(t, s.Do("POST", lp+"/progress", learner.Token, map[string]any{"event": "viewed"}), 200)
	// Editing the published lesson keeps its ID and the learner's progress.
	must(t, s.Do("PATCH", lp, f.owner.Token, map[string]any{"title": "Intro (revised)", "body": "New text"}), 200)
	if p := must(t, s.Do("GET", lp, learner.Token, nil), 200).Map(t)["progress"].(map[string]any); p["status"] != "completed" {
		t.Errorf("progress after edit: %v", p)
	}
	r := must(t, s.Do("DELETE", lp, f.owner.Token, nil), 409)
	if r.ErrorCode() != "conflict" {
		t.Errorf("delete without confirm: %s", r.Body)
	}
	must(t, s.Do("DELETE", lp+"?confirm=true", f.owner.Token, nil), 204)
	must(t, s.Do("GET", lp, learner.Token, nil), 404)
	var n int64
	s.DB.Raw("SELECT COUNT(*) FROM lesson_progress WHERE lesson_id = ?", f.lessons["text"]).Scan(&n)
	if n != 1 {
		t.Errorf("progress history lost: %d rows", n)
	}
	// A lesson without progress goes without confirmation.
	must(t, s.Do("DELETE", fmt.Sprintf("/api/v1/lessons/%d", f.lessons["package"]), f.owner.Token, nil), 204)
}

// TestEnrolmentRules: self-enrolment rules, enrolment by instructors, unenrolment keeping history,
// cohorts.
func TestEnrolmentRules(t *testing.T) {
	s := apptest.New(t)
	f := newFixture(t, s)
	f.publish(t)
	cpath := fmt.Sprintf("/api/v1/courses/%d", f.course)
	a, b, c := s.Learner(t), s.Learner(t), s.Learner(t, apptest.Country("KE"))

	// Instructors enrol a list; learners cannot.
	must(t, s.Do("POST", cpath+"/enrolments", a.Token, map[string]any{"user_ids": []int64{b.ID}}), 403)
	var l list
	must(t, s.Do("POST", cpath+"/enrolments", f.owner.Token, map[string]any{"user_ids": []int64{a.ID, b.ID}, "due_at": "2031-01-01"}), 201).JSON(t, &l)
	if l.Total != 2 || l.Items[0]["source"] != "manual" || l.Items[0]["due_at"] != "2031-01-01T00:00:00Z" {
		t.Fatalf("enrolled: %+v", l)
	}
	// By e-mail; a stranger cannot probe e-mail addresses through it.
	x := s.Learner(t)
	must(t, s.Do("POST", cpath+"/enrolments", f.owner.Token, map[string]any{"emails": []string{x.Email}}), 201)
	if r := s.Do("POST", cpath+"/enrolments", a.Token, map[string]any{"emails": []string{"nobody@example.org"}}); r.Status != 403 {
		t.Errorf("learner enrolling by e-mail: %d %s", r.Status, r.Body)
	}
	if r := s.Do("POST", cpath+"/enrolments", f.owner.Token, map[string]any{"emails": []string{"nobody@example.org"}}); r.Status != 422 {
		t.Errorf("unknown e-mail: %d", r.Status)
	}
	// Assigned learners cannot unenrol themselves; instructors can unenrol them; history stays.
	must(t, s.Do("DELETE", fmt.Sprintf("%s/enrolments/%d", cpath, a.ID), a.Token, nil), 403)
	must(t, s.Do("DELETE", fmt.Sprintf("%s/enrolments/%d", cpath, a.ID), b.Token, nil), 403)
	must(t, s.Do("DELETE", fmt.Sprintf("%s/enrolments/%d", cpath, a.ID), f.owner.Token, nil), 204)
	must(t, s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d", f.lessons["text"]), a.Token, nil), 403)
	must(t, s.Do("GET", cpath+"/enrolments?status=unenrolled", f.owner.Token, nil), 200).JSON(t, &l)
	if l.Total != 1 || int64(l.Items[0]["user_id"].(float64)) != a.ID || l.Items[0]["unenrolled_at"] == nil {
		t.Errorf("unenrolled list: %+v", l)
	}
	// Self-enrolment re-activates the row.
	if e := must(t, s.Do("POST", cpath+"/enrolments", a.Token, map[string]any{}), 201).Map(t); e["status"] != "active" || e["source"] != "self" {
		t.Errorf("re-enrol: %v", e)
	}
	must(t, s.Do("DELETE", fmt.Sprintf("%s/enrolments/%d", cpath, a.ID), a.Token, nil), 204)

	// Restrictions and window.
	must(t, s.Do("PATCH", cpath, f.owner.Token, map[string]any{"restrict_countries": []string{"KE", "UG"}}), 200)
	if r := s.Do("POST", cpath+"/enrolments", a.Token, map[string]any{}); r.Status != 403 || r.ErrorCode() != "restricted" {
		t.Errorf("restricted country: %d %s", r.Status, r.Body)
	}
	must(t, s.Do("POST", cpath+"/enrolments", c.Token, map[string]any{}), 201)
	must(t, s.Do("PATCH", cpath, f.owner.Token, map[string]any{"restrict_countries": []string{}, "enrolment_closes_at": "2001-01-01"}), 200)
	if r := s.Do("POST", cpath+"/enrolments", a.Token, map[string]any{}); r.Status != 403 || r.ErrorCode() != "enrolment_window" {
		t.Errorf("closed window: %d %s", r.Status, r.Body)
	}
	must(t, s.Do("PATCH", cpath, f.owner.Token, map[string]any{"enrolment_closes_at": "", "self_enrolment": false}), 200)
	if r := s.Do("POST", cpath+"/enrolments", a.Token, map[string]any{}); r.Status != 403 || r.ErrorCode() != "self_enrolment_closed" {
		t.Errorf("self-enrolment off: %d %s", r.Status, r.Body)
	}

	// Cohorts: enrolling a cohort enrols its members, and members added later.
	d, e := s.Learner(t), s.Learner(t)
	co := must(t, s.Do("POST", "/api/v1/cohorts", f.owner.Token, map[string]any{"name": "East Africa 2031", "starts_on": "2031-03-01", "ends_on": "2031-06-30", "user_ids": []int64{d.ID}}), 201).Map(t)
	coID := int64(co["id"].(float64))
	must(t, s.Do("POST", "/api/v1/cohorts", d.Token, map[string]any{"name": "X", "starts_on": "2031-03-01", "ends_on": "2031-06-30"}), 403)
	must(t, s.Do("POST", cpath+"/enrolments", f.owner.Token, map[string]any{"cohort_id": coID}), 201).JSON(t, &l)
	if l.Total != 1 || l.Items[0]["source"] != "cohort" || l.Items[0]["due_at"] != "2031-06-30T00:00:00Z" {
		t.Errorf("cohort enrolment: %+v", l)
	}
	must(t, s.Do("POST", fmt.Sprintf("/api/v1/cohorts/%d/members", coID), f.owner.Token, map[string]any{"user_ids": []int64{e.ID}}), 200)
	must(t, s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d", f.lessons["text"]), e.Token, nil), 200)
	other := s.Instructor(t)
	must(t, s.Do("POST", fmt.Sprintf("/api/v1/cohorts/%d/members", coID), other.Token, map[string]any{"user_ids": []int64{a.ID}}), 403)
	if v := must(t, s.Do("GET", fmt.Sprintf("/api/v1/cohorts/%d", coID), f.owner.Token, nil), 200).Map(t); len(v["member_ids"].([]any)) != 2 || len(v["course_ids"].([]any)) != 1 {
		t.Errorf("cohort: %v", v)
	}
}

// TestMandatoryAssignment: admins assign to any scope, coordinators within theirs; overdue
// courses show first in My learning.
func TestMandatoryAssignment(t *testing.T) {
	s := apptest.New(t)
	f := newFixture(t, s)
	f.publish(t)
	cpath := fmt.Sprintf("/api/v1/courses/%d", f.course)
	ke1, ke2, fr := s.Learner(t, apptest.Country("KE")), s.Learner(t, apptest.Country("KE")), s.Learner(t, apptest.Country("FR"))
	coord := s.NewUser(t, []string{"coordinator"}, apptest.Country("KE"))
	s.DB.Exec("UPDATE users SET scope_country = 'KE' WHERE id = ?", coord.ID)
	admin := s.Admin(t)
	past := time.Now().UTC().AddDate(0, 0, -3).Format("2006-01-02")

	must(t, s.Do("POST", cpath+"/assignments", ke1.Token, map[string]any{"country": "KE", "due_at": past}), 403)
	must(t, s.Do("POST", cpath+"/assignments", coord.Token, map[string]any{"country": "FR", "due_at": past}), 403)
	must(t, s.Do("POST", cpath+"/assignments", coord.Token, map[string]any{"all": true, "due_at": past}), 403)
	must(t, s.Do("POST", cpath+"/assignments", coord.Token, map[string]any{"country": "KE", "org_id": 1, "due_at": past}), 422)
	a := must(t, s.Do("POST", cpath+"/assignments", coord.Token, map[string]any{"country": "KE", "due_at": past}), 201).Map(t)
	if a["enrolled"].(float64) != 3 { // ke1, ke2 and the coordinator
		t.Errorf("assignment enrolled %v", a["enrolled"])
	}
	var l list
	must(t, s.Do("GET", "/api/v1/me/courses?status=overdue", ke1.Token, nil), 200).JSON(t, &l)
	if l.Total != 1 || l.Items[0]["enrolment"].(map[string]any)["overdue"] != true || l.Items[0]["enrolment"].(map[string]any)["source"] != "assignment" {
		t.Errorf("overdue for ke1: %+v", l)
	}
	must(t, s.Do("GET", "/api/v1/me/courses", fr.Token, nil), 200).JSON(t, &l)
	if l.Total != 0 {
		t.Errorf("FR learner got the KE assignment: %+v", l)
	}
	// Admin: everyone; a newcomer is enrolled by the background sync.
	must(t, s.Do("POST", cpath+"/assignments", admin.Token, map[string]any{"all": true, "due_at": "2040-01-01"}), 201)
	must(t, s.Do("GET", "/api/v1/me/courses", fr.Token, nil), 200).JSON(t, &l)
	if l.Total != 1 {
		t.Errorf("FR learner after global assignment: %+v", l)
	}
	// The KE learners keep the earlier (overdue) due date.
	must(t, s.Do("GET", "/api/v1/me/courses?status=overdue", ke2.Token, nil), 200).JSON(t, &l)
	if l.Total != 1 {
		t.Errorf("ke2 overdue after the later global assignment: %+v", l)
	}
	late := s.Learner(t)
	n, err := s.App.Courses.SyncAssignments(t.Context())
	if err != nil || n != 1 {
		t.Errorf("sync enrolled %d (%v), want 1", n, err)
	}
	must(t, s.Do("GET", "/api/v1/me/courses", late.Token, nil), 200).JSON(t, &l)
	if l.Total != 1 {
		t.Errorf("newcomer after sync: %+v", l)
	}
	var as struct{ Items []any }
	must(t, s.Do("GET", cpath+"/assignments", coord.Token, nil), 200).JSON(t, &as)
	if len(as.Items) != 2 {
		t.Errorf("assignments: %v", as.Items)
	}
}

// TestDuplicateAndTopics: duplicating copies structure and media into a new draft; topics are
// admin-editable.
func TestDuplicateAndTopics(t *testing.T) {
	s := apptest.New(t)
	f := newFixture(t, s)
	other := s.Instructor(t)
	must(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/duplicate", f.course), other.Token, nil), 403)
	d := must(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/duplicate", f.course), f.owner.Token, nil), 201).Map(t)
	if d["status"] != "draft" || d["lesson_count"].(float64) != 6 || d["slug"] != "interdicting-maritime-smuggling-copy" || d["id"].(float64) == float64(f.course) {
		t.Fatalf("duplicate: %v", d)
	}
	vid := int64(d["sections"].([]any)[0].(map[string]any)["lessons"].([]any)[1].(map[string]any)["id"].(float64))
	if vid == f.lessons["video"] {
		t.Fatal("lesson id reused")
	}
	l := must(t, s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d", vid), f.owner.Token, nil), 200).Map(t)
	req := s.Do("GET", l["media"].(map[string]any)["url"].(string), f.owner.Token, nil)
	if req.Status != 200 && req.Status != 302 {
		t.Errorf("copied media: %d", req.Status)
	}
	// Topics.
	var tl struct{ Items []map[string]any }
	must(t, s.Do("GET", "/api/v1/course-topics?lang=fr", "", nil), 200).JSON(t, &tl)
	if len(tl.Items) != 15 || tl.Items[0]["name"] != "Lutte contre le terrorisme" {
		t.Errorf("topics: %d %v", len(tl.Items), tl.Items[0])
	}
	body := map[string]any{"slug": "kidnapping", "name_en": "Kidnapping", "name_fr": "Enlèvement", "name_es": "Secuestro", "name_ar": "الاختطاف"}
	must(t, s.Do("POST", "/api/v1/course-topics", f.owner.Token, body), 403)
	admin := s.Admin(t)
	tid := id2(t, s.Do("POST", "/api/v1/course-topics", admin.Token, body))
	must(t, s.Do("POST", "/api/v1/course-topics", admin.Token, body), 422)
	must(t, s.Do("PATCH", fmt.Sprintf("/api/v1/course-topics/%d", tid), admin.Token, map[string]any{"active": false}), 200)
	must(t, s.Do("GET", "/api/v1/course-topics", "", nil), 200).JSON(t, &tl)
	if len(tl.Items) != 15 {
		t.Errorf("inactive topic listed: %d", len(tl.Items))
	}
	if r := s.Do("POST", "/api/v1/courses", f.owner.Token, map[string]any{"title": "K", "summary": "S", "language": "en", "topic": "kidnapping"}); r.Status != 422 {
		t.Errorf("inactive topic accepted: %d", r.Status)
	}
}
