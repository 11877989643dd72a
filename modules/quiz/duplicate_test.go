package quiz_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/testkit"
)

type dupQuiz struct {
	CourseID int64           `json:"course_id"`
	Settings json.RawMessage `json:"settings"`
	Slots    []struct {
		Position   int    `json:"position"`
		QuestionID *int64 `json:"question_id"`
		CategoryID *int64 `json:"category_id"`
		DrawCount  int    `json:"draw_count"`
		Category   string `json:"category"`
		Question   *struct {
			CourseID int64  `json:"course_id"`
			Prompt   string `json:"prompt"`
		} `json:"question"`
	} `json:"slots"`
}

// TestDuplicateQuiz: a course with two quizzes (fixed questions, one with media, and a random
// draw from a category) is duplicated. Each copied quiz has the same settings and slots; the
// new course's bank is a copy of the old one, made once for both quizzes, and the copies use
// it; nothing of the learners is copied; the copies change apart from the originals (media
// included); a second copy into the same lesson is refused; a failed duplication leaves
// nothing; a copy inside the same course keeps using its bank.
func TestDuplicateQuiz(t *testing.T) {
	e := newEnv(t)
	t.Logf("backend: %s", testkit.Backend())
	f := e.quizFixture(`{"time_limit_seconds": 600, "max_attempts": 2, "pass_percent": 70, "navigation": "sequential", "shuffle": true,
		"grading_method": "average", "review": {"when": "after_close", "answers": false}, "closes_at": "2031-05-01T10:00:00Z"}`)
	tok := f.Teacher.Token
	q1 := e.addQuestion(f, map[string]any{"kind": "true_false", "prompt": "Ports are borders.", "answer": true, "category": "Borders/Ports"})
	q2 := e.addQuestion(f, map[string]any{"kind": "short", "prompt": "Agency in Lyon?", "answers": []map[string]any{{"text": "Interpol"}}})
	for _, p := range []string{"Draw A", "Draw B"} {
		want(t, e.do("POST", fmt.Sprintf("/api/v1/courses/%d/question-bank/questions", f.Course), tok,
			map[string]any{"kind": "true_false", "prompt": p, "answer": false, "category": "Borders/Pool"}), 201, "bank question")
	}
	var cats struct {
		Items []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	e.do("GET", fmt.Sprintf("/api/v1/courses/%d/question-bank/categories", f.Course), tok, nil).JSON(t, &cats)
	var pool int64
	for _, c := range cats.Items {
		if c.Name == "Borders/Pool" {
			pool = c.ID
		}
	}
	want(t, e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/draws", f.Lesson), tok, map[string]any{"category_id": pool, "count": 1}), 201, "draw")
	img := pngBytes(t)
	if r := e.upload(fmt.Sprintf("/api/v1/questions/%d/media", q1), tok, "map.png", img); r.StatusCode != 200 {
		t.Fatalf("media upload: %d", r.StatusCode)
	}
	// A second quiz of the course uses one of the same questions.
	l2 := e.Courses.addLesson(f.Course)
	if err := e.Mod.Svc.CreateQuizJSON(context.Background(), nil, l2, f.Course, nil); err != nil {
		t.Fatal(err)
	}
	want(t, e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/slots", l2), tok, map[string]any{"question_id": q2}), 201, "slot")
	// A learner's attempt and extension stay with the original.
	u := e.learner(f)
	e.start(f, u)
	want(t, e.do("PUT", fmt.Sprintf("/api/v1/quizzes/%d/extensions/%d", f.Lesson, u.ID), tok, map[string]any{"extra_attempts": 1, "reason": "r"}), 200, "extension")

	// The duplicated course: its lessons exist; the quiz module copies the quizzes in the
	// course module's transaction.
	c2 := e.Courses.addCourse(false, f.Teacher.ID)
	n1, n2 := e.Courses.addLesson(c2), e.Courses.addLesson(c2)
	ctx := f.Teacher.ctx()
	err := e.DB.Tx(ctx, func(tx *gorm.DB) error {
		if err := e.Mod.Svc.DuplicateQuiz(ctx, tx, f.Lesson, n1, c2); err != nil {
			return err
		}
		return e.Mod.Svc.DuplicateQuiz(ctx, tx, l2, n2, c2)
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func(lesson int64) dupQuiz {
		var q dupQuiz
		e.do("GET", fmt.Sprintf("/api/v1/quizzes/%d", lesson), tok, nil).JSON(t, &q)
		return q
	}
	src, cp := get(f.Lesson), get(n1)
	if cp.CourseID != c2 || string(cp.Settings) != string(src.Settings) {
		t.Fatalf("settings: %s, want %s", cp.Settings, src.Settings)
	}
	if len(cp.Slots) != 3 || len(src.Slots) != 3 {
		t.Fatalf("%d slots copied of %d", len(cp.Slots), len(src.Slots))
	}
	for i, s := range cp.Slots {
		o := src.Slots[i]
		if s.Position != o.Position || s.DrawCount != o.DrawCount || s.Category != o.Category {
			t.Errorf("slot %d: %+v, want like %+v", i, s, o)
		}
		if s.QuestionID != nil && (*s.QuestionID == *o.QuestionID || s.Question == nil || s.Question.CourseID != c2 || s.Question.Prompt != o.Question.Prompt) {
			t.Errorf("slot %d's question is not the new course's copy: %+v", i, s.Question)
		}
		if s.CategoryID != nil && *s.CategoryID == *o.CategoryID {
			t.Errorf("slot %d draws from the old course's category", i)
		}
	}
	var bank struct {
		Total int `json:"total"`
		Items []struct {
			ID     int64  `json:"id"`
			Prompt string `json:"prompt"`
		} `json:"items"`
	}
	e.do("GET", fmt.Sprintf("/api/v1/courses/%d/question-bank/questions", c2), tok, nil).JSON(t, &bank)
	if bank.Total != 4 {
		t.Fatalf("the new bank holds %d questions, want the 4 of the old one (copied once)", bank.Total)
	}
	e.do("GET", fmt.Sprintf("/api/v1/courses/%d/question-bank/categories", c2), tok, nil).JSON(t, &cats)
	if len(cats.Items) != 2 {
		t.Errorf("categories of the new bank: %+v", cats.Items)
	}
	if q := get(n2); len(q.Slots) != 1 || *q.Slots[0].QuestionID != *cp.Slots[1].QuestionID {
		t.Errorf("the second quiz does not use the new bank's copy: %+v", q.Slots)
	}
	if n := e.count("quiz_attempts", "lesson_id = ?", n1) + e.count("quiz_extensions", "lesson_id = ?", n1); n != 0 {
		t.Errorf("learners' rows copied: %d", n)
	}
	// The copy is a quiz of its own: the instructor previews it (two fixed questions and one
	// drawn).
	var a attemptJSON
	e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/attempts", n1), tok, nil).JSON(t, &a)
	if n := e.count("quiz_attempt_items", "attempt_id = ?", a.ID); n != 3 || a.ID == 0 {
		t.Errorf("preview of the copy: %d questions", n)
	}
	// Changing a copy leaves the original alone, media included.
	copyQ1 := *cp.Slots[0].QuestionID
	want(t, e.do("PUT", fmt.Sprintf("/api/v1/questions/%d", copyQ1), tok, map[string]any{"kind": "true_false", "prompt": "Ports are borders, edited.",
		"answer": true, "category": "Borders/Ports"}), 200, "edit the copy")
	if q := get(f.Lesson); q.Slots[0].Question.Prompt != "Ports are borders." {
		t.Errorf("editing the copy changed the original: %q", q.Slots[0].Question.Prompt)
	}
	key := func(id int64) string {
		var k string
		e.DB.Raw("SELECT media_key FROM quiz_questions WHERE id = ?", id).Scan(&k)
		return k
	}
	shared := key(q1)
	if shared == "" || key(copyQ1) != shared {
		t.Fatalf("media keys: %q and %q", shared, key(copyQ1))
	}
	if r := e.upload(fmt.Sprintf("/api/v1/questions/%d/media", q1), tok, "new.png", img); r.StatusCode != 200 {
		t.Fatalf("replace media: %d", r.StatusCode)
	}
	obj, err := e.Store.Get(context.Background(), shared)
	if err != nil {
		t.Fatalf("replacing the original's media deleted the copy's: %v", err)
	}
	obj.Close()
	if r := e.upload(fmt.Sprintf("/api/v1/questions/%d/media", copyQ1), tok, "again.png", img); r.StatusCode != 200 {
		t.Fatalf("replace the copy's media: %d", r.StatusCode)
	}
	if _, err := e.Store.Get(context.Background(), shared); err == nil {
		t.Errorf("media no question holds any more was kept")
	}

	// Refusals, and a failed duplication leaves nothing behind.
	if err := e.Mod.Svc.DuplicateQuiz(ctx, nil, f.Lesson, n1, c2); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("second copy into the same lesson: %v", err)
	}
	if err := e.Mod.Svc.DuplicateQuiz(ctx, nil, 999999, e.Courses.addLesson(c2), c2); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("copy of a lesson without a quiz: %v", err)
	}
	c3 := e.Courses.addCourse(false, f.Teacher.ID)
	n3 := e.Courses.addLesson(c3)
	boom := errors.New("the course copy failed later")
	err = e.DB.Tx(ctx, func(tx *gorm.DB) error {
		if err := e.Mod.Svc.DuplicateQuiz(ctx, tx, f.Lesson, n3, c3); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || e.count("quiz_quizzes", "lesson_id = ?", n3) != 0 || e.count("quiz_questions", "course_id = ?", c3) != 0 ||
		e.count("quiz_categories", "course_id = ?", c3) != 0 {
		t.Errorf("a rolled back duplication left rows (%v)", err)
	}
	// A copy inside the same course uses the same bank questions.
	same := e.Courses.addLesson(f.Course)
	if err := e.Mod.Svc.DuplicateQuiz(ctx, nil, f.Lesson, same, f.Course); err != nil {
		t.Fatal(err)
	}
	if q := get(same); len(q.Slots) != 3 || *q.Slots[0].QuestionID != q1 || *q.Slots[2].CategoryID != pool {
		t.Errorf("copy in the same course: %+v", q.Slots)
	}
	if n := e.count("quiz_questions", "course_id = ? AND deleted_at IS NULL", f.Course); n != 4 {
		t.Errorf("the same course's bank grew to %d", n)
	}
}
