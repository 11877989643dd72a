package progress_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"glc/internal/app/apptest"
	"glc/internal/testkit"
	"glc/modules/progress"
)

type progressResp struct {
	Status          string     `json:"status"`
	PercentComplete int        `json:"percent_complete"`
	CompletedAt     *time.Time `json:"completed_at"`
	ResumeLessonID  *int64     `json:"resume_lesson_id"`
	Overdue         bool       `json:"overdue"`
	CertificateCode string     `json:"certificate_code"`
	LessonsTotal    int        `json:"lessons_total"`
	Lessons         []struct {
		LessonID int64  `json:"lesson_id"`
		Status   string `json:"status"`
		Counts   bool   `json:"counts"`
	} `json:"lessons"`
}

func myProgress(t *testing.T, s *apptest.Server, token string, courseID int64) progressResp {
	t.Helper()
	r := s.Do("GET", fmt.Sprintf("/api/v1/courses/%d/progress", courseID), token, nil)
	if r.Status != 200 {
		t.Fatalf("progress %d: %d %s", courseID, r.Status, r.Body)
	}
	var p progressResp
	r.JSON(t, &p)
	return p
}

func countCertificates(t *testing.T, s *apptest.Server, userID, courseID int64) int64 {
	var n int64
	s.DB.Raw(`SELECT COUNT(*) FROM certificates WHERE user_id = ? AND course_id = ?`, userID, courseID).Scan(&n)
	return n
}

// TestCompletionRules runs the three rules through lesson results reported in transactions,
// as quizzes and packages report them, and checks the progress API, the enrolment, the
// certificate, and what happens when a required lesson is added to the published course.
func TestCompletionRules(t *testing.T) {
	s := apptest.New(t)
	courseSchema(t, s.DB)
	t.Logf("backend: %s", testkit.Backend())
	svc := s.App.Progress
	teacher := s.Instructor(t)
	setRule := func(courseID int64, body any) int {
		return s.Do("PUT", fmt.Sprintf("/api/v1/courses/%d/completion-rule", courseID), teacher.Token, body).Status
	}

	t.Run("all required lessons", func(t *testing.T) {
		course, ls := newCourse(t, s.DB.DB, teacher.ID, "All required", 4, textLesson, textLesson, optionalLesson)
		a, b := s.Learner(t), s.Learner(t)
		enrol(t, s.DB.DB, course, a.ID, nil)
		enrol(t, s.DB.DB, course, b.ID, nil)
		record(t, svc, s.DB, a.ID, ls[0], progress.StatusCompleted)
		if p := myProgress(t, s, a.Token, course); p.PercentComplete != 50 || p.Status != "in_progress" || p.CompletedAt != nil || p.ResumeLessonID == nil || *p.ResumeLessonID != ls[0] {
			t.Fatalf("after one of two: %+v", p)
		}
		record(t, svc, s.DB, a.ID, ls[2], progress.StatusCompleted) // optional: no change
		if p := myProgress(t, s, a.Token, course); p.PercentComplete != 50 {
			t.Fatalf("optional lesson counted: %+v", p)
		}
		record(t, svc, s.DB, a.ID, ls[1], progress.StatusCompleted)
		p := myProgress(t, s, a.Token, course)
		if p.Status != "completed" || p.PercentComplete != 100 || p.CompletedAt == nil || p.CertificateCode == "" {
			t.Fatalf("not completed: %+v", p)
		}
		var enrolDone *time.Time
		s.DB.Raw(`SELECT completed_at FROM course_enrolments WHERE course_id = ? AND user_id = ?`, course, a.ID).Scan(&enrolDone)
		if enrolDone == nil || !enrolDone.Equal(*p.CompletedAt) {
			t.Fatalf("enrolment completion %v, progress %v", enrolDone, p.CompletedAt)
		}
		// Recomputing is idempotent: same completion, still one certificate.
		for range 2 {
			cp, err := svc.Recompute(context.Background(), nil, a.ID, course)
			if err != nil || cp.CompletedAt == nil || !cp.CompletedAt.Equal(*p.CompletedAt) || cp.PercentComplete != 100 {
				t.Fatalf("recompute: %+v %v", cp, err)
			}
		}
		record(t, svc, s.DB, a.ID, ls[0], progress.StatusCompleted)
		if n := countCertificates(t, s, a.ID, course); n != 1 {
			t.Fatalf("%d certificates", n)
		}

		// b has done one of the two; then a required lesson is added to the published course.
		record(t, svc, s.DB, b.ID, ls[0], progress.StatusCompleted)
		extra := addLesson(t, s.DB.DB, course, textLesson)
		p = myProgress(t, s, a.Token, course)
		if p.Status != "completed" || p.PercentComplete != 100 || p.LessonsTotal != 2 {
			t.Fatalf("completion taken away by a new lesson: %+v", p)
		}
		for _, l := range p.Lessons {
			if l.LessonID == extra && l.Counts {
				t.Fatal("the new lesson counts for a learner who completed before it")
			}
		}
		pb := myProgress(t, s, b.Token, course)
		if pb.PercentComplete != 33 || pb.LessonsTotal != 3 || pb.Status != "in_progress" {
			t.Fatalf("learner in progress does not see the new lesson: %+v", pb)
		}
		record(t, svc, s.DB, b.ID, ls[1], progress.StatusCompleted)
		if pb := myProgress(t, s, b.Token, course); pb.Status != "in_progress" || pb.PercentComplete != 66 {
			t.Fatalf("b completed without the new required lesson: %+v", pb)
		}
		record(t, svc, s.DB, b.ID, extra, progress.StatusCompleted)
		if pb := myProgress(t, s, b.Token, course); pb.Status != "completed" || countCertificates(t, s, b.ID, course) != 1 {
			t.Fatalf("b not completed with the new lesson: %+v", pb)
		}
		// After completion, a learner's stored record says completed in reports.
		var stored string
		s.DB.Raw(`SELECT rule_snapshot FROM course_progress WHERE user_id = ? AND course_id = ?`, a.ID, course).Scan(&stored)
		if stored != fmt.Sprintf(`{"rule":"all_required","lessons":[%d,%d]}`, ls[0], ls[1]) {
			t.Fatalf("rule snapshot %s", stored)
		}
	})

	t.Run("a chosen set of lessons", func(t *testing.T) {
		course, ls := newCourse(t, s.DB.DB, teacher.ID, "Chosen set", 2, textLesson, textLesson, optionalLesson)
		if st := setRule(course, map[string]any{"rule": "selected", "lesson_ids": []int64{ls[1], ls[2]}}); st != 200 {
			t.Fatalf("set rule: %d", st)
		}
		a := s.Learner(t)
		enrol(t, s.DB.DB, course, a.ID, nil)
		record(t, svc, s.DB, a.ID, ls[0], progress.StatusCompleted) // required but not chosen
		if p := myProgress(t, s, a.Token, course); p.PercentComplete != 0 || p.Status != "in_progress" {
			t.Fatalf("a lesson outside the set counted: %+v", p)
		}
		record(t, svc, s.DB, a.ID, ls[2], progress.StatusCompleted)
		record(t, svc, s.DB, a.ID, ls[1], progress.StatusCompleted)
		if p := myProgress(t, s, a.Token, course); p.Status != "completed" || countCertificates(t, s, a.ID, course) != 1 {
			t.Fatalf("set done but not completed: %+v", p)
		}
		// A lesson added later, even required, does not count for the chosen set.
		added := addLesson(t, s.DB.DB, course, textLesson)
		b := s.Learner(t)
		enrol(t, s.DB.DB, course, b.ID, nil)
		record(t, svc, s.DB, b.ID, ls[1], progress.StatusCompleted)
		record(t, svc, s.DB, b.ID, ls[2], progress.StatusCompleted)
		if p := myProgress(t, s, b.Token, course); p.Status != "completed" {
			t.Fatalf("b: %+v (added lesson %d)", p, added)
		}
	})

	t.Run("passing a final quiz", func(t *testing.T) {
		course, ls := newCourse(t, s.DB.DB, teacher.ID, "Final quiz", 3, textLesson, textLesson, quizLesson)
		if st := setRule(course, map[string]any{"rule": "final_quiz", "final_lesson_id": ls[0]}); st != 422 {
			t.Fatalf("final quiz on a text lesson: %d", st)
		}
		if st := setRule(course, map[string]any{"rule": "final_quiz", "final_lesson_id": ls[2]}); st != 200 {
			t.Fatalf("set rule: %d", st)
		}
		a := s.Learner(t)
		enrol(t, s.DB.DB, course, a.ID, nil)
		record(t, svc, s.DB, a.ID, ls[0], progress.StatusCompleted)
		record(t, svc, s.DB, a.ID, ls[1], progress.StatusCompleted)
		record(t, svc, s.DB, a.ID, ls[2], progress.StatusFailed)
		if p := myProgress(t, s, a.Token, course); p.Status != "in_progress" || p.PercentComplete != 66 {
			t.Fatalf("failed final quiz: %+v", p)
		}
		record(t, svc, s.DB, a.ID, ls[2], progress.StatusCompleted) // finished, grade pending
		if p := myProgress(t, s, a.Token, course); p.Status != "in_progress" {
			t.Fatalf("pending grade completed the course: %+v", p)
		}
		record(t, svc, s.DB, a.ID, ls[2], progress.StatusPassed)
		if p := myProgress(t, s, a.Token, course); p.Status != "completed" || p.CertificateCode == "" {
			t.Fatalf("passed final quiz: %+v", p)
		}
		// Another learner passes the quiz alone and completes: the rule asks only for it.
		b := s.Learner(t)
		enrol(t, s.DB.DB, course, b.ID, nil)
		record(t, svc, s.DB, b.ID, ls[2], progress.StatusPassed)
		if p := myProgress(t, s, b.Token, course); p.Status != "completed" {
			t.Fatalf("b: %+v", p)
		}
		// A required lesson added afterwards takes nothing away.
		addLesson(t, s.DB.DB, course, textLesson)
		if p := myProgress(t, s, b.Token, course); p.Status != "completed" || p.PercentComplete != 100 {
			t.Fatalf("b after a new lesson: %+v", p)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		course, ls := newCourse(t, s.DB.DB, teacher.ID, "Refusals", 1, textLesson)
		other := s.Instructor(t)
		stranger := s.Learner(t)
		if r := s.Do("GET", fmt.Sprintf("/api/v1/courses/%d/progress", course), stranger.Token, nil); r.Status != 403 {
			t.Errorf("progress of a learner not enrolled: %d", r.Status)
		}
		if r := s.Do("GET", "/api/v1/courses/999999/progress", stranger.Token, nil); r.Status != 404 {
			t.Errorf("progress in a missing course: %d", r.Status)
		}
		if r := s.Do("GET", fmt.Sprintf("/api/v1/courses/%d/progress", course), "", nil); r.Status != 401 {
			t.Errorf("anonymous progress: %d", r.Status)
		}
		if r := s.Do("PUT", fmt.Sprintf("/api/v1/courses/%d/completion-rule", course), other.Token, map[string]any{"rule": "all_required"}); r.Status != 403 {
			t.Errorf("another instructor sets the rule: %d", r.Status)
		}
		for _, body := range []any{
			map[string]any{"rule": "sometimes"},
			map[string]any{"rule": "selected"},
			map[string]any{"rule": "selected", "lesson_ids": []int64{999999}},
			map[string]any{"rule": "final_quiz"},
			map[string]any{"rule": "all_required", "lesson_ids": []int64{ls[0]}},
		} {
			if st := setRule(course, body); st != 422 {
				t.Errorf("rule %v: %d, want 422", body, st)
			}
		}
		r := s.Do("GET", fmt.Sprintf("/api/v1/courses/%d/completion-rule", course), teacher.Token, nil)
		if r.Status != 200 || r.Map(t)["rule"] != "all_required" {
			t.Errorf("default rule: %d %s", r.Status, r.Body)
		}
		err := s.DB.Tx(context.Background(), func(tx *gorm.DB) error {
			_, err := svc.RecordLessonResult(context.Background(), tx, stranger.ID, ls[0], progress.Result{Status: "great"})
			return err
		})
		if err == nil {
			t.Error("a result with an unknown status was accepted")
		}
	})
}
