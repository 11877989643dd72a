package progress_test

import (
	"fmt"
	"strings"
	"testing"

	"glc/internal/app/apptest"
	"glc/internal/testkit"
)

func must(t *testing.T, r *apptest.Response, status int) *apptest.Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}

func idOf(t *testing.T, r *apptest.Response) int64 {
	t.Helper()
	return int64(r.Map(t)["id"].(float64))
}

// TestLearnerCompletesCourseThroughThePlayer builds a course through the course API, lets a
// learner take it through the lesson player's progress events, and follows the completion
// into progress, the enrolment, the certificate (PDF and verification) and the instructor's
// learner list. A required lesson added afterwards does not take the completion away.
func TestLearnerCompletesCourseThroughThePlayer(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	owner := s.Instructor(t)
	learner := s.Learner(t, apptest.Name("Yusuf Al-Amin"))
	course := idOf(t, must(t, s.Do("POST", "/api/v1/courses", owner.Token, map[string]any{"title": "Document fraud basics", "summary": "Spotting forged passports.", "language": "en"}), 201))
	cpath := fmt.Sprintf("/api/v1/courses/%d", course)
	sec := idOf(t, must(t, s.Do("POST", cpath+"/sections", owner.Token, map[string]any{"title": "Module 1"}), 201))
	lesson := func(title string) int64 {
		return idOf(t, must(t, s.Do("POST", fmt.Sprintf("/api/v1/sections/%d/lessons", sec), owner.Token, map[string]any{"title": title, "kind": "text", "body": "Read me."}), 201))
	}
	l1, l2 := lesson("Security features"), lesson("Common forgeries")
	must(t, s.Do("PATCH", cpath, owner.Token, map[string]any{"self_enrolment": true}), 200)
	must(t, s.Do("POST", cpath+"/publish", owner.Token, nil), 200)
	must(t, s.Do("POST", cpath+"/enrolments", learner.Token, map[string]any{}), 201)

	view := func(l int64) {
		must(t, s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/progress", l), learner.Token, map[string]any{"event": "viewed"}), 200)
	}
	view(l1)
	p := myProgress(t, s, learner.Token, course)
	if p.PercentComplete != 50 || p.Status != "in_progress" || p.ResumeLessonID == nil || *p.ResumeLessonID != l1 {
		t.Fatalf("after the first lesson: %+v", p)
	}
	view(l2)
	p = myProgress(t, s, learner.Token, course)
	if p.Status != "completed" || p.CertificateCode == "" || p.CompletedAt == nil {
		t.Fatalf("after the last lesson: %+v", p)
	}
	// The enrolment (course module) agrees.
	me := must(t, s.Do("GET", "/api/v1/me/courses", learner.Token, nil), 200)
	if !strings.Contains(string(me.Body), `"completed_at":"`) {
		t.Errorf("my courses do not show the completion: %s", me.Body)
	}
	// The certificate: listed, downloadable by its owner, genuine.
	var certs struct {
		Items []struct {
			Code     string `json:"code"`
			CourseID int64  `json:"course_id"`
		} `json:"items"`
	}
	must(t, s.Do("GET", "/api/v1/me/certificates", learner.Token, nil), 200).JSON(t, &certs)
	if len(certs.Items) != 1 || certs.Items[0].CourseID != course || certs.Items[0].Code != p.CertificateCode {
		t.Fatalf("certificates: %+v", certs)
	}
	pdf := must(t, s.Do("GET", "/api/v1/certificates/"+p.CertificateCode+".pdf", learner.Token, nil), 200)
	text := pdfText(t, pdf.Body)
	for _, want := range []string{"Yusuf Al-Amin", "Document fraud basics", p.CertificateCode} {
		if !strings.Contains(text, want) {
			t.Errorf("certificate lacks %q", want)
		}
	}
	v := must(t, s.Do("GET", "/api/v1/certificates/"+p.CertificateCode+"/verify", "", nil), 200).Map(t)
	if v["status"] != "genuine" || v["name"] != "Yusuf Al-Amin" || v["course"] != "Document fraud basics" {
		t.Fatalf("verify: %v", v)
	}
	// The instructor sees the learner completed; viewing again changes nothing.
	view(l1)
	var list struct {
		Items []struct {
			Name            string `json:"name"`
			Status          string `json:"status"`
			PercentComplete int    `json:"percent_complete"`
		} `json:"items"`
	}
	must(t, s.Do("GET", cpath+"/learners", owner.Token, nil), 200).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].Status != "completed" || list.Items[0].PercentComplete != 100 {
		t.Fatalf("learners: %+v", list)
	}
	// A required lesson added to the published course: still completed, one certificate.
	lesson("New regulations")
	if p := myProgress(t, s, learner.Token, course); p.Status != "completed" || p.PercentComplete != 100 {
		t.Fatalf("after a new lesson: %+v", p)
	}
	if n := countCertificates(t, s, learner.ID, course); n != 1 {
		t.Fatalf("%d certificates", n)
	}
}
