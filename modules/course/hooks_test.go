package course_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"gorm.io/gorm"

	"glc/internal/app/apptest"
	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/modules/course"
)

// fakeQuizzes stands in for the quiz module: it validates its settings and returns a reference.
type fakeQuizzes struct{ got []byte }

func (f *fakeQuizzes) Create(ctx context.Context, tx *gorm.DB, l *course.Lesson, settings []byte) (*int64, error) {
	var s struct {
		PassPercent int `json:"pass_percent"`
	}
	if err := json.Unmarshal(settings, &s); err != nil || s.PassPercent < 1 || s.PassPercent > 100 {
		return nil, apperr.Invalid("quiz.pass_percent", "must be between 1 and 100")
	}
	f.got = settings
	ref := int64(4242)
	return &ref, nil
}

func (f *fakeQuizzes) PlayerURL(l *course.Lesson) string { return fmt.Sprintf("/quizzes/%d", l.ID) }

// TestLessonKindsPlugIn: a module registers a lesson kind, receives the kind's settings in the
// lesson's transaction, and reports results into the lesson progress.
func TestLessonKindsPlugIn(t *testing.T) {
	s := apptest.New(t)
	f := newFixture(t, s)
	q := &fakeQuizzes{}
	s.App.Courses.RegisterKind(course.KindQuiz, q)
	spath := fmt.Sprintf("/api/v1/sections/%d/lessons", f.section)
	must(t, s.Do("POST", spath, f.owner.Token, map[string]any{"title": "Final quiz", "kind": "quiz", "quiz": map[string]any{"pass_percent": 0}}), 422)
	var n int64
	s.DB.Raw("SELECT COUNT(*) FROM course_lessons WHERE course_id = ?", f.course).Scan(&n)
	if n != 6 {
		t.Fatalf("a refused quiz left a lesson behind: %d lessons", n)
	}
	l := must(t, s.Do("POST", spath, f.owner.Token, map[string]any{"title": "Final quiz", "kind": "quiz", "quiz": map[string]any{"pass_percent": 80}}), 201).Map(t)
	if l["ref_id"].(float64) != 4242 || l["available"] != true || l["player_url"] != fmt.Sprintf("/quizzes/%d", int64(l["id"].(float64))) || string(q.got) != `{"pass_percent":80}` {
		t.Fatalf("quiz lesson: %v (settings %s)", l, q.got)
	}
	quiz := int64(l["id"].(float64))
	f.publish(t)
	learner := s.Learner(t)
	f.enrol(t, learner)
	ctx := t.Context()
	score, max := 40.0, 100.0
	sink := course.ProgressSink(s.App.Courses)
	p, err := sink.RecordLessonResult(ctx, learner.ID, quiz, course.Result{Status: "failed", Score: &score, MaxScore: &max, Source: "quiz"})
	if err != nil || p.Status != "failed" || *p.Score != 40 || p.Attempts != 1 {
		t.Fatalf("failed attempt: %+v %v", p, err)
	}
	score = 90
	if p, _ = sink.RecordLessonResult(ctx, learner.ID, quiz, course.Result{Status: "passed", Score: &score, MaxScore: &max, Source: "quiz"}); p.Status != "passed" || p.CompletedAt == nil {
		t.Fatalf("passed attempt: %+v", p)
	}
	score = 10
	if p, _ = sink.RecordLessonResult(ctx, learner.ID, quiz, course.Result{Status: "failed", Score: &score, MaxScore: &max, Source: "quiz"}); p.Status != "passed" || p.Attempts != 3 {
		t.Errorf("a later failure took the pass away: %+v", p)
	}
	if _, err := sink.RecordLessonResult(ctx, learner.ID, quiz, course.Result{Status: "excellent"}); err == nil {
		t.Error("unknown status accepted")
	}
	// Completing every required lesson completes the enrolment.
	for _, kind := range []string{"text", "document", "link"} {
		must(t, s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/progress", f.lessons[kind]), learner.Token, map[string]any{"event": "viewed"}), 200)
	}
	must(t, s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/progress", f.lessons["video"]), learner.Token, map[string]any{"event": "position", "position_seconds": 50, "duration_seconds": 50}), 200)
	if _, err := sink.RecordLessonResult(ctx, learner.ID, f.lessons["package"], course.Result{Status: "completed", Source: "scorm"}); err != nil {
		t.Fatal(err)
	}
	var my list
	must(t, s.Do("GET", "/api/v1/me/courses?status=in_progress", learner.Token, nil), 200).JSON(t, &my)
	if my.Total != 1 {
		t.Fatalf("in progress with the fixture's quiz placeholder still open: %+v", my)
	}
	if _, err := sink.RecordLessonResult(ctx, learner.ID, f.lessons["quiz"], course.Result{Status: "passed", Source: "quiz"}); err != nil {
		t.Fatal(err)
	}
	must(t, s.Do("GET", "/api/v1/me/courses?status=completed", learner.Token, nil), 200).JSON(t, &my)
	if my.Total != 1 || my.Items[0]["percent_complete"].(float64) != 100 {
		t.Errorf("completed: %+v", my)
	}
	// The home page's helper returns published courses in the asked language.
	feat, err := s.App.Courses.FeaturedCourses(ctx, "fr", 3)
	if err != nil || len(feat) != 1 || feat[0].ID != f.course {
		t.Errorf("featured: %+v %v", feat, err)
	}
}

// TestKindLessonArchived: the access a lesson kind's module gets. Enrolled learners take the
// lessons of a published course; once it is archived they may only review them (CanReview,
// Archived); learners who were not enrolled get no right; editors manage it throughout.
func TestKindLessonArchived(t *testing.T) {
	s := apptest.New(t)
	f := newFixture(t, s)
	f.publish(t)
	learner, outsider := s.Learner(t), s.Learner(t)
	f.enrol(t, learner)
	as := func(u apptest.TestUser, roles ...string) context.Context {
		return auth.WithPrincipal(t.Context(), &auth.Principal{UserID: u.ID, Roles: roles})
	}
	check := func(when string, u apptest.TestUser, take, review, manage, archived bool, roles ...string) {
		t.Helper()
		k, err := s.App.Courses.KindLesson(as(u, roles...), f.lessons["quiz"])
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if k.CanTake != take || k.CanReview != review || k.CanManage != manage || k.Archived != archived {
			t.Errorf("%s, user %d: %+v", when, u.ID, k)
		}
	}
	check("published", learner, true, true, false, false, auth.RoleLearner)
	check("published", outsider, false, false, false, false, auth.RoleLearner)
	must(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/archive", f.course), f.owner.Token, nil), 200)
	check("archived", learner, false, true, false, true, auth.RoleLearner)
	check("archived", outsider, false, false, false, true, auth.RoleLearner)
	check("archived", f.owner, false, false, true, true, auth.RoleInstructor)
}
