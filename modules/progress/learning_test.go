package progress_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"glc/internal/app/apptest"
	"glc/modules/progress"
)

// TestMyLearningAndTranscript checks the learner's dashboard data (in progress, completed,
// overdue, certificates) and the transcript in JSON, CSV, PDF and HTML.
func TestMyLearningAndTranscript(t *testing.T) {
	s := apptest.New(t)
	courseSchema(t, s.DB)
	teacher := s.Instructor(t)
	done, dl := newCourse(t, s.DB.DB, teacher.ID, "Interview techniques", 4.5, textLesson)
	going, gl := newCourse(t, s.DB.DB, teacher.ID, "Digital evidence", 3, textLesson, textLesson)
	late, _ := newCourse(t, s.DB.DB, teacher.ID, "Information security awareness", 1, textLesson)
	u := s.Learner(t, apptest.Name("ليلى منصور"), apptest.Lang("ar"))
	past := time.Now().UTC().AddDate(0, 0, -2)
	enrol(t, s.DB.DB, done, u.ID, nil)
	enrol(t, s.DB.DB, going, u.ID, nil)
	enrol(t, s.DB.DB, late, u.ID, &past)
	record(t, s.App.Progress, s.DB, u.ID, dl[0], progress.StatusCompleted)
	record(t, s.App.Progress, s.DB, u.ID, gl[0], progress.StatusCompleted)
	var l progress.Learning
	r := s.Do("GET", "/api/v1/me/learning", u.Token, nil)
	if r.Status != 200 {
		t.Fatalf("learning: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &l)
	if len(l.Completed) != 1 || l.Completed[0].CourseID != done || l.Completed[0].CertificateCode == "" ||
		len(l.InProgress) != 1 || l.InProgress[0].PercentComplete != 50 || l.InProgress[0].ResumeLessonID == nil || *l.InProgress[0].ResumeLessonID != gl[0] ||
		len(l.Overdue) != 1 || l.Overdue[0].CourseID != late || len(l.Certificates) != 1 {
		t.Fatalf("my learning: %+v", l)
	}
	var tr progress.Transcript
	s.Do("GET", "/api/v1/me/transcript", u.Token, nil).JSON(t, &tr)
	if tr.TotalHours != 4.5 || tr.Certificates != 1 || len(tr.Completed) != 1 || len(tr.InProgress) != 2 || tr.Name != "ليلى منصور" {
		t.Fatalf("transcript: %+v", tr)
	}
	r = s.Do("GET", "/api/v1/me/transcript?format=csv", u.Token, nil)
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\ufeff")))).ReadAll()
	if err != nil || len(recs) != 4 || recs[1][0] != "Interview techniques" {
		t.Fatalf("transcript csv: %v %q", err, recs)
	}
	r = s.Do("GET", "/api/v1/me/transcript?format=pdf&lang=ar", u.Token, nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("transcript pdf: %d", r.Status)
	}
	text := pdfText(t, r.Body)
	for _, want := range []string{"ليلى منصور", "Interview techniques", "Digital evidence", "السجل التدريبي"} {
		if !strings.Contains(text, normText(want)) {
			t.Errorf("transcript PDF lacks %q:\n%s", want, text)
		}
	}
	for _, lang := range []string{"en", "ar"} {
		st, body := page(t, s, u.Token, "/my/transcript?lang="+lang)
		if st != 200 || !strings.Contains(body, "Interview techniques") || !strings.Contains(body, "format=pdf") {
			t.Errorf("transcript page %s: %d", lang, st)
		}
	}
	if st, body := page(t, s, u.Token, "/my/certificates"); st != 200 || !strings.Contains(body, "Interview techniques") {
		t.Errorf("certificates page: %d", st)
	}
	if r := s.Do("GET", "/api/v1/me/learning", "", nil); r.Status != 401 {
		t.Errorf("anonymous learning: %d", r.Status)
	}
	if r := s.Do("GET", "/api/v1/me/transcript?format=doc", u.Token, nil); r.Status != 422 {
		t.Errorf("transcript format doc: %d", r.Status)
	}
	_ = fmt.Sprint()
}
