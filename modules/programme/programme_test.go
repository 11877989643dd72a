package programme_test

import (
	"fmt"
	"strings"
	"testing"

	"glc/internal/app/apptest"
)

func TestApplicationFlowOverHTTP(t *testing.T) {
	s := apptest.New(t)
	admin := s.Admin(t)
	r := s.Do("POST", "/api/v1/courses", admin.Token, map[string]any{"title": "Pre-course module", "summary": "Read before the programme.", "language": "en"})
	if r.Status != 201 {
		t.Fatalf("course: %d %s", r.Status, r.Body)
	}
	courseID := int64(r.Map(t)["id"].(float64))
	r = s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/sections", courseID), admin.Token, map[string]any{"title": "Before you come"})
	if r.Status != 201 {
		t.Fatalf("section: %d %s", r.Status, r.Body)
	}
	sectionID := int64(r.Map(t)["id"].(float64))
	if r := s.Do("POST", fmt.Sprintf("/api/v1/sections/%d/lessons", sectionID), admin.Token, map[string]any{"title": "Welcome", "kind": "text", "body": "Read this first."}); r.Status != 201 {
		t.Fatalf("lesson: %d %s", r.Status, r.Body)
	}
	if r := s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", courseID), admin.Token, nil); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	r = s.Do("POST", "/api/v1/programmes", admin.Token, map[string]any{"title": "NCB staff programme", "published": true, "course_ids": []int64{courseID}, "languages": []string{"en"}})
	if r.Status != 201 {
		t.Fatalf("programme: %d %s", r.Status, r.Body)
	}
	pid := int64(r.Map(t)["id"].(float64))
	r = s.Do("POST", fmt.Sprintf("/api/v1/programmes/%d/sessions", pid), admin.Token, map[string]any{"starts_on": "2031-03-02", "ends_on": "2031-03-13", "place": "Lyon", "language": "en", "seats": 10, "status": "open"})
	if r.Status != 201 {
		t.Fatalf("session: %d %s", r.Status, r.Body)
	}
	base := fmt.Sprintf("/api/v1/programmes/%d/sessions/%d", pid, int64(r.Map(t)["id"].(float64)))
	kenyan := s.Learner(t, apptest.Country("KE"))
	coordKE := s.NewUser(t, []string{"coordinator"}, apptest.Country("KE"))
	coordFR := s.NewUser(t, []string{"coordinator"}, apptest.Country("FR"))
	// The programme page: a visitor is asked to log in, a user sees the form, neither sees an
	// application they do not have.
	page := fmt.Sprintf("/programmes/%d", pid)
	for who, tok := range map[string]string{"anonymous": "", "learner": kenyan.Token} {
		body := string(s.Do("GET", page, tok, nil).Body)
		if strings.Contains(body, "Your application:") {
			t.Errorf("%s sees an application before applying", who)
		}
		if want := map[string]string{"anonymous": "Log in to apply", "learner": `id="apply-`}[who]; !strings.Contains(body, want) {
			t.Errorf("%s: the programme page lacks %q", who, want)
		}
	}
	if r := s.Do("POST", base+"/applications", "", map[string]any{"motivation": "x"}); r.Status != 401 {
		t.Errorf("anonymous applies: %d", r.Status)
	}
	if r := s.Do("POST", base+"/applications", kenyan.Token, map[string]any{"motivation": ""}); r.Status != 422 {
		t.Errorf("empty motivation: %d", r.Status)
	}
	r = s.Do("POST", base+"/applications", kenyan.Token, map[string]any{"motivation": "I train new NCB staff."})
	if r.Status != 201 {
		t.Fatalf("apply: %d %s", r.Status, r.Body)
	}
	app := fmt.Sprintf("%s/applications/%d", base, int64(r.Map(t)["id"].(float64)))
	if body := string(s.Do("GET", page, kenyan.Token, nil).Body); !strings.Contains(body, "Awaiting endorsement") || strings.Contains(body, `id="apply-`) {
		t.Error("after applying, the programme page does not show the application instead of the form")
	}
	if r := s.Do("POST", base+"/applications", kenyan.Token, map[string]any{"motivation": "again"}); r.Status != 409 {
		t.Errorf("applying twice: %d", r.Status)
	}
	if r := s.Do("POST", app+"/decision", admin.Token, map[string]any{"decision": "accept"}); r.Status != 409 {
		t.Errorf("accept before endorsement: %d", r.Status)
	}
	if r := s.Do("POST", app+"/endorse", coordFR.Token, nil); r.Status != 403 {
		t.Errorf("coordinator of another country endorses: %d", r.Status)
	}
	var list struct{ Total int }
	s.Do("GET", base+"/applications", coordFR.Token, nil).JSON(t, &list)
	if list.Total != 0 {
		t.Errorf("other coordinator sees %d applications", list.Total)
	}
	if r := s.Do("POST", app+"/endorse", coordKE.Token, nil); r.Status != 200 || r.Map(t)["status"] != "endorsed" {
		t.Fatalf("endorse: %d %s", r.Status, r.Body)
	}
	if r := s.Do("POST", app+"/decision", coordKE.Token, map[string]any{"decision": "accept"}); r.Status != 403 {
		t.Errorf("coordinator decides: %d", r.Status)
	}
	if r := s.Do("POST", app+"/decision", admin.Token, map[string]any{"decision": "maybe"}); r.Status != 422 {
		t.Errorf("bad decision: %d", r.Status)
	}
	if r := s.Do("POST", app+"/decision", admin.Token, map[string]any{"decision": "accept"}); r.Status != 200 {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	var parts struct {
		Items []struct {
			UserID int64 `json:"user_id"`
		}
	}
	s.Do("GET", base+"/participants", admin.Token, nil).JSON(t, &parts)
	if len(parts.Items) != 1 || parts.Items[0].UserID != kenyan.ID {
		t.Errorf("participants %+v", parts)
	}
	// One action enrols every participant in the linked course (the real course module).
	if r := s.Do("POST", base+"/enrol", admin.Token, nil); r.Status != 200 {
		t.Fatalf("enrol: %d %s", r.Status, r.Body)
	}
	var my struct {
		Total int
		Items []struct {
			ID int64 `json:"id"`
		}
	}
	s.Do("GET", "/api/v1/me/courses", kenyan.Token, nil).JSON(t, &my)
	if my.Total != 1 || my.Items[0].ID != courseID {
		t.Errorf("participant's courses after the cohort enrolment: %+v", my)
	}
	if r := s.Do("POST", base+"/enrol", kenyan.Token, nil); r.Status != 403 {
		t.Errorf("learner enrols: %d", r.Status)
	}
	if r := s.Do("GET", "/api/v1/programmes/999", "", nil); r.Status != 404 {
		t.Errorf("missing programme: %d", r.Status)
	}
}
