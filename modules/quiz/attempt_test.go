package quiz_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"glc/internal/testkit"
	"glc/modules/quiz"
)

// clock is a test clock: the wall clock moved by an offset.
type clock struct{ off atomic.Int64 }

func (c *clock) now() time.Time {
	return time.Now().UTC().Add(time.Duration(c.off.Load())).Truncate(time.Microsecond)
}
func (c *clock) advance(d time.Duration) { c.off.Add(int64(d)) }
func withClock(c *clock) envOpt          { return func(ec *envConfig) { ec.deps.Now = c.now } }

// everyKind is one question of each kind, with a response that earns full marks.
func everyKind() []map[string]any {
	return []map[string]any{
		{"kind": "single", "prompt": "Where is Interpol's HQ?", "points": 2, "options": []map[string]any{
			{"text": "Lyon", "correct": true, "feedback": "Yes, Lyon"}, {"text": "Paris", "feedback": "No"}}},
		{"kind": "multiple", "prompt": "Which are Interpol notices?", "options": []map[string]any{
			{"text": "Red", "correct": true}, {"text": "Yellow", "correct": true}, {"text": "Pink"}}},
		{"kind": "true_false", "prompt": "Interpol has 196 member countries.", "answer": true},
		{"kind": "short", "prompt": "Acronym of the National Central Bureau?", "answers": []map[string]any{{"text": "NCB"}}},
		{"kind": "numeric", "prompt": "Year Interpol was founded?", "answers": []map[string]any{{"value": 1923, "tolerance": 0}}},
		{"kind": "matching", "prompt": "Match notices and meaning.", "pairs": []map[string]any{
			{"text": "Red", "answer": "Wanted"}, {"text": "Yellow", "answer": "Missing"}}},
		{"kind": "ordering", "prompt": "Order the steps.", "items": []map[string]any{{"text": "Secure"}, {"text": "Document"}, {"text": "Collect"}}},
		{"kind": "cloze", "prompt": "Interpol's HQ is in {{1}}.", "blanks": []map[string]any{{"kind": "short", "answers": []map[string]any{{"text": "Lyon"}}}}},
		{"kind": "essay", "prompt": "Describe a crime scene."},
	}
}

// rightAnswer builds a full-marks response from the question as the learner sees it and the
// author's definition (texts).
func rightAnswer(t *testing.T, q questionJSON) map[string]any {
	t.Helper()
	byText := func(opts []quiz.OptionView, text string) string {
		for _, o := range opts {
			if o.Text == text {
				return o.ID
			}
		}
		t.Fatalf("no option %q in %+v", text, opts)
		return ""
	}
	switch q.Kind {
	case "single":
		return map[string]any{"option_ids": []string{byText(q.Options, "Lyon")}}
	case "multiple":
		return map[string]any{"option_ids": []string{byText(q.Options, "Red"), byText(q.Options, "Yellow")}}
	case "true_false":
		return map[string]any{"option_ids": []string{"true"}}
	case "short":
		return map[string]any{"text": " ncb "}
	case "numeric":
		return map[string]any{"number": 1923}
	case "matching":
		return map[string]any{"pairs": map[string]string{
			byText(q.Prompts, "Red"): byText(q.Choices, "Wanted"), byText(q.Prompts, "Yellow"): byText(q.Choices, "Missing")}}
	case "ordering":
		return map[string]any{"order": []string{byText(q.Items, "Secure"), byText(q.Items, "Document"), byText(q.Items, "Collect")}}
	case "cloze":
		return map[string]any{"blanks": []string{"lyon"}}
	case "essay":
		return map[string]any{"text": "I secured the scene first."}
	}
	t.Fatalf("kind %s", q.Kind)
	return nil
}

type questionJSON = struct {
	ID              int64             `json:"id"`
	Kind            string            `json:"kind"`
	Prompt          string            `json:"prompt"`
	Locked          bool              `json:"locked"`
	Options         []quiz.OptionView `json:"options"`
	Prompts         []quiz.OptionView `json:"prompts"`
	Choices         []quiz.OptionView `json:"choices"`
	Items           []quiz.OptionView `json:"items"`
	Response        *quiz.Response    `json:"response"`
	Score           *float64          `json:"score"`
	CorrectResponse *quiz.Response    `json:"correct_response"`
	Feedback        []string          `json:"feedback"`
}

func TestTakeQuizWithEveryKind(t *testing.T) {
	e := newEnv(t)
	t.Logf("backend: %s", testkit.Backend())
	f := e.quizFixture(`{"pass_percent": 50, "shuffle": true}`)
	for _, q := range everyKind() {
		e.addQuestion(f, q)
	}
	u := e.learner(f)
	r := e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/attempts", f.Lesson), u.Token, nil)
	want(t, r, 201, "start")
	// Nothing in the attempt tells which answer is right (the review object only holds the
	// policy's flags).
	var raw map[string]any
	r.JSON(t, &raw)
	delete(raw, "review")
	b, _ := json.Marshal(raw)
	body := string(b)
	for _, leak := range []string{`"correct"`, `"fraction"`, `"answer_id"`, `"answers"`, `"correct_response"`, `"feedback"`, `"value"`, `"score"`, `Wanted","id`} {
		if strings.Contains(body, leak) {
			t.Errorf("start response leaks %s: %s", leak, body)
		}
	}
	var a attemptJSON
	r.JSON(t, &a)
	if len(a.Questions) != 9 || a.Deadline != nil {
		t.Fatalf("attempt: %d questions, deadline %v", len(a.Questions), a.Deadline)
	}
	// The same learner starting again resumes the same attempt (200).
	r = e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/attempts", f.Lesson), u.Token, nil)
	want(t, r, 200, "resume")
	if r.Map(t)["id"].(float64) != float64(a.ID) {
		t.Fatal("resume started a new attempt")
	}
	for _, q := range a.Questions {
		want(t, e.answer(a.ID, q.ID, u, rightAnswer(t, q), 0), 200, "answer "+q.Kind)
	}
	// Refreshing shows every saved answer.
	again := e.attempt(a.ID, u)
	for _, q := range again.Questions {
		if q.Response == nil {
			t.Errorf("%s: saved answer missing on reload", q.Kind)
		}
		if q.Score != nil || q.CorrectResponse != nil {
			t.Errorf("%s: correctness shown during the attempt", q.Kind)
		}
	}
	r = e.do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", a.ID), u.Token, nil)
	want(t, r, 200, "submit")
	var res quiz.Submitted
	r.JSON(t, &res)
	// Every kind is right; the essay (1 point) waits for a person.
	if res.Score == nil || *res.Score != 9 || *res.MaxScore != 10 || !res.NeedsGrading || res.Passed != nil {
		t.Fatalf("result %+v", res)
	}
	want(t, e.do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", a.ID), u.Token, nil), 409, "second submit")
	want(t, e.answer(a.ID, a.Questions[0].ID, u, rightAnswer(t, a.Questions[0]), 0), 409, "answer after submission")
	if p := e.Courses.progress(t, u.ID, f.Lesson); p == nil || p.Status != "completed" || p.Score != 9 || p.Attempts != 1 {
		t.Fatalf("progress %+v", p)
	}
	// The instructor grades the essay from the queue; the attempt passes.
	r = e.do("GET", fmt.Sprintf("/api/v1/quizzes/%d/grading", f.Lesson), f.Teacher.Token, nil)
	want(t, r, 200, "grading queue")
	var queue struct {
		Items []quiz.QueueItem `json:"items"`
	}
	r.JSON(t, &queue)
	if len(queue.Items) != 1 || queue.Items[0].Text != "I secured the scene first." {
		t.Fatalf("queue %+v", queue.Items)
	}
	it := queue.Items[0]
	want(t, e.do("PUT", fmt.Sprintf("/api/v1/attempts/%d/grades/%d", it.AttemptID, it.QuestionID), f.Teacher.Token,
		map[string]any{"score": 2}), 422, "grade above the points")
	want(t, e.do("PUT", fmt.Sprintf("/api/v1/attempts/%d/grades/%d", it.AttemptID, it.QuestionID), u.Token,
		map[string]any{"score": 1}), 403, "learner grading")
	r = e.do("PUT", fmt.Sprintf("/api/v1/attempts/%d/grades/%d", it.AttemptID, it.QuestionID), f.Teacher.Token,
		map[string]any{"score": 0.5, "comment": "Good start"})
	want(t, r, 200, "grade essay")
	got := e.attempt(a.ID, u)
	if *got.Score != 9.5 || got.Passed == nil || !*got.Passed {
		t.Fatalf("after grading: %+v", got)
	}
	if p := e.Courses.progress(t, u.ID, f.Lesson); p.Status != "passed" || p.Score != 9.5 {
		t.Fatalf("progress after grading %+v", p)
	}
	if n := e.count("quiz_audit", "attempt_id = ? AND action = ?", a.ID, "grade"); n != 1 {
		t.Fatalf("audit entries %d", n)
	}
	// Reviews (policy: immediately, everything) show right answers and feedback.
	for _, q := range got.Questions {
		if q.Kind != "essay" && q.CorrectResponse == nil {
			t.Errorf("%s: no correct response in review", q.Kind)
		}
		if q.Kind == "single" && (len(q.Feedback) != 1 || q.Feedback[0] != "Yes, Lyon") {
			t.Errorf("single feedback %v", q.Feedback)
		}
	}
}

func TestAttemptBelongsToItsLearner(t *testing.T) {
	e := newEnv(t)
	f := e.quizFixture(`{}`)
	qid := e.addQuestion(f, everyKind()[0])
	alice, bob := e.learner(f), e.learner(f)
	otherTeacher, admin, outsider := e.user("instructor"), e.user("admin"), e.user()
	a := e.start(f, alice)
	path := fmt.Sprintf("/api/v1/attempts/%d", a.ID)
	cases := []struct {
		name          string
		u             user
		get, put, sub int
	}{
		{"another learner", bob, 403, 403, 403},
		{"an instructor of another course", otherTeacher, 403, 403, 403},
		{"a learner not enrolled", outsider, 403, 403, 403},
		{"the course's instructor", f.Teacher, 200, 403, 403},
		{"an admin", admin, 200, 403, 403},
		{"anonymous", user{}, 401, 401, 401},
	}
	for _, c := range cases {
		want(t, e.do("GET", path, c.u.Token, nil), c.get, c.name+" reads")
		want(t, e.answer(a.ID, qid, c.u, map[string]any{"option_ids": []string{}}, 0), c.put, c.name+" writes")
		want(t, e.do("POST", path+"/submit", c.u.Token, nil), c.sub, c.name+" submits")
	}
	want(t, e.do("GET", "/api/v1/attempts/999999", alice.Token, nil), 404, "missing attempt")
	want(t, e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/attempts", f.Lesson), outsider.Token, nil), 403, "not enrolled starts")
	want(t, e.do("POST", "/api/v1/quizzes/424242/attempts", alice.Token, nil), 404, "missing quiz")
	// Nothing was written by the refused requests.
	if n := e.count("quiz_answers", "attempt_id = ?", a.ID); n != 0 {
		t.Fatalf("%d answers stored by refused requests", n)
	}
	// A draft course's quiz is invisible to learners.
	draft := e.Courses.addCourse(false, f.Teacher.ID)
	lid := e.Courses.addLesson(draft)
	if err := e.Mod.Svc.CreateQuizJSON(f.Teacher.ctx(), nil, lid, draft, nil); err != nil {
		t.Fatal(err)
	}
	e.Courses.enrol(draft, alice.ID)
	want(t, e.do("GET", fmt.Sprintf("/api/v1/quizzes/%d", lid), alice.Token, nil), 404, "draft quiz to a learner")
	want(t, e.do("GET", fmt.Sprintf("/api/v1/quizzes/%d", lid), f.Teacher.Token, nil), 200, "draft quiz to its instructor")
}

func TestReviewPolicy(t *testing.T) {
	clk := &clock{}
	e := newEnv(t, withClock(clk))
	closes := clk.now().Add(time.Hour).Format(time.RFC3339)
	cases := []struct {
		name                   string
		review                 string
		score, answers         bool
		afterCloseScore, answ2 bool
	}{
		{"after close", `{"when": "after_close", "score": true, "answers": true, "feedback": true}`, false, false, true, true},
		{"never", `{"when": "never", "score": true, "answers": true, "feedback": true}`, false, false, false, false},
		{"immediately score only", `{"when": "immediately", "score": true, "answers": false, "feedback": false}`, true, false, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := e.quizFixture(fmt.Sprintf(`{"closes_at": %q, "review": %s}`, closes, c.review))
			e.addQuestion(f, everyKind()[0])
			u := e.learner(f)
			a := e.start(f, u)
			if a.Deadline == nil {
				t.Fatal("the close date must cap the deadline")
			}
			want(t, e.answer(a.ID, a.Questions[0].ID, u, rightAnswer(t, a.Questions[0]), 0), 200, "answer")
			r := e.do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", a.ID), u.Token, nil)
			want(t, r, 200, "submit")
			var sub quiz.Submitted
			r.JSON(t, &sub)
			if (sub.Score != nil) != c.score {
				t.Errorf("submit shows score: %v", sub.Score)
			}
			check := func(score, answers bool, when string) {
				t.Helper()
				r := e.do("GET", fmt.Sprintf("/api/v1/attempts/%d", a.ID), u.Token, nil)
				want(t, r, 200, "review")
				got := e.attempt(a.ID, u)
				if (got.Score != nil) != score || (got.Questions[0].Score != nil) != score {
					t.Errorf("%s: score shown %v, want %v", when, got.Score != nil, score)
				}
				if (got.Questions[0].CorrectResponse != nil) != answers || strings.Contains(string(r.Body), "correct_response") != answers {
					t.Errorf("%s: correct answers shown %v, want %v", when, !answers, answers)
				}
			}
			check(c.score, c.answers, "before close")
			// The instructor always sees everything.
			if tv := e.attempt(a.ID, f.Teacher); tv.Score == nil || tv.Questions[0].CorrectResponse == nil {
				t.Error("instructor does not see the grade")
			}
			clk.advance(2 * time.Hour)
			defer clk.advance(-2 * time.Hour)
			check(c.afterCloseScore, c.answ2, "after close")
		})
	}
}

func TestDeadlineAndAttemptLimits(t *testing.T) {
	clk := &clock{}
	e := newEnv(t, withClock(clk))
	f := e.quizFixture(`{"time_limit_seconds": 60, "max_attempts": 2}`)
	e.addQuestion(f, everyKind()[3])
	u := e.learner(f)
	a := e.start(f, u)
	if a.Deadline == nil || a.Deadline.Sub(clk.now()) > 60*time.Second || a.Deadline.Sub(clk.now()) < 50*time.Second {
		t.Fatalf("deadline %v", a.Deadline)
	}
	want(t, e.answer(a.ID, a.Questions[0].ID, u, map[string]any{"text": "ncb"}, 0), 200, "answer in time")
	clk.advance(61 * time.Second)
	r := e.answer(a.ID, a.Questions[0].ID, u, map[string]any{"text": "changed"}, 0)
	want(t, r, 409, "answer after the deadline")
	// Submitting after the deadline (before the closer ran) closes it with the saved answers.
	r = e.do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", a.ID), u.Token, nil)
	want(t, r, 200, "late submit")
	var sub quiz.Submitted
	r.JSON(t, &sub)
	if sub.ClosedBy != "deadline" || *sub.Score != 1 || !sub.FinishedAt.Equal(*a.Deadline) {
		t.Fatalf("late submit: %+v (deadline %v)", sub, a.Deadline)
	}
	b := e.start(f, u)
	want(t, e.do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", b.ID), u.Token, nil), 200, "submit 2")
	want(t, e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/attempts", f.Lesson), u.Token, nil), 409, "third attempt")
	// An extra attempt and extra time for this learner only.
	want(t, e.do("PUT", fmt.Sprintf("/api/v1/quizzes/%d/extensions/%d", f.Lesson, u.ID), u.Token,
		map[string]any{"extra_attempts": 1}), 403, "learner extends")
	want(t, e.do("PUT", fmt.Sprintf("/api/v1/quizzes/%d/extensions/%d", f.Lesson, u.ID), f.Teacher.Token,
		map[string]any{"extra_attempts": 1, "extra_seconds": 30, "reason": "medical"}), 200, "extension")
	c := e.start(f, u)
	if d := c.Deadline.Sub(clk.now()); d < 80*time.Second || d > 90*time.Second {
		t.Fatalf("extended deadline in %v", d)
	}
	other := e.learner(f)
	o := e.start(f, other)
	if d := o.Deadline.Sub(clk.now()); d > 60*time.Second {
		t.Fatalf("another learner got the extension: %v", d)
	}
	// Extra time also moves an attempt in progress.
	want(t, e.do("PUT", fmt.Sprintf("/api/v1/quizzes/%d/extensions/%d", f.Lesson, other.ID), f.Teacher.Token,
		map[string]any{"extra_seconds": 600}), 200, "extension in progress")
	if d := e.attempt(o.ID, other).Deadline.Sub(clk.now()); d < 650*time.Second || d > 660*time.Second {
		t.Fatalf("deadline in progress not moved: %v", d)
	}
	if n := e.count("quiz_audit", "lesson_id = ? AND action = ?", f.Lesson, "extension"); n != 2 {
		t.Fatalf("extension audit entries: %d", n)
	}
}

func TestQuizWindow(t *testing.T) {
	clk := &clock{}
	e := newEnv(t, withClock(clk))
	opens := clk.now().Add(time.Hour)
	f := e.quizFixture(fmt.Sprintf(`{"opens_at": %q, "closes_at": %q}`, opens.Format(time.RFC3339), opens.Add(time.Hour).Format(time.RFC3339)))
	e.addQuestion(f, everyKind()[2])
	u := e.learner(f)
	want(t, e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/attempts", f.Lesson), u.Token, nil), 409, "before opening")
	// Instructors preview at any time; previews count nowhere.
	p := e.start(f, f.Teacher)
	want(t, e.do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", p.ID), f.Teacher.Token, nil), 200, "preview submit")
	if e.Courses.progress(t, f.Teacher.ID, f.Lesson) != nil {
		t.Fatal("a preview was recorded in progress")
	}
	clk.advance(90 * time.Minute)
	a := e.start(f, u)
	if d := a.Deadline.Sub(clk.now()); d > 30*time.Minute || d < 29*time.Minute {
		t.Fatalf("deadline capped by the close date in %v", d)
	}
	clk.advance(time.Hour)
	want(t, e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/attempts", f.Lesson), e.learner(f).Token, nil), 409, "after closing")
}

func TestAnswerSeqAndShape(t *testing.T) {
	e := newEnv(t)
	f := e.quizFixture(`{}`)
	e.addQuestion(f, everyKind()[3])
	e.addQuestion(f, everyKind()[4])
	u := e.learner(f)
	a := e.start(f, u)
	short, numeric := a.Questions[0], a.Questions[1]
	if short.Kind != "short" {
		short, numeric = numeric, short
	}
	save := func(text string, seq int64) quiz.Saved {
		t.Helper()
		r := e.answer(a.ID, short.ID, u, map[string]any{"text": text}, seq)
		want(t, r, 200, "save "+text)
		var s quiz.Saved
		r.JSON(t, &s)
		return s
	}
	s1 := save("first", 1000)
	if !s1.Applied || s1.Seq != 1000 || s1.SavedAt.IsZero() {
		t.Fatalf("first save %+v", s1)
	}
	// A retry of the same request is acknowledged without change.
	if s := save("first", 1000); s.Applied || !s.SavedAt.Equal(s1.SavedAt) {
		t.Fatalf("retry %+v", s)
	}
	s3 := save("newer", 3000)
	// A late retry of an older answer never overwrites the newer one.
	if s := save("older, late", 2000); s.Applied || s.Seq != 3000 {
		t.Fatalf("late older %+v", s)
	}
	got := e.attempt(a.ID, u)
	for _, q := range got.Questions {
		if q.ID == short.ID && (q.Response == nil || *q.Response.Text != "newer") {
			t.Fatalf("stored %+v, want newer (%+v)", q.Response, s3)
		}
	}
	// Without seq the server clock orders the saves.
	if s := save("no seq", 0); !s.Applied || s.Seq <= 3000 {
		t.Fatalf("no seq %+v", s)
	}
	if n := e.count("quiz_answers", "attempt_id = ? AND question_id = ?", a.ID, short.ID); n != 1 {
		t.Fatalf("%d rows for one answer", n)
	}
	cases := []struct {
		name string
		qid  int64
		body any
		code int
	}{
		{"text for a number", numeric.ID, map[string]any{"response": map[string]any{"text": "1923"}}, 422},
		{"number as a string", numeric.ID, map[string]any{"response": map[string]any{"number": "1923"}}, 422},
		{"unknown field", numeric.ID, map[string]any{"response": map[string]any{"numbr": 1}}, 422},
		{"no response", numeric.ID, map[string]any{"seq": 5}, 422},
		{"bad seq", numeric.ID, map[string]any{"response": map[string]any{"number": 1}, "seq": -1}, 422},
		{"not JSON", numeric.ID, "{", 400},
		{"question not in the attempt", 999999, map[string]any{"response": map[string]any{"number": 1}}, 404},
	}
	for _, c := range cases {
		r := e.do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%d", a.ID, c.qid), u.Token, c.body)
		want(t, r, c.code, c.name)
	}
}

func TestSequentialNavigation(t *testing.T) {
	e := newEnv(t)
	f := e.quizFixture(`{"navigation": "sequential"}`)
	for _, i := range []int{3, 4, 2} {
		e.addQuestion(f, everyKind()[i])
	}
	u := e.learner(f)
	a := e.start(f, u)
	if len(a.Questions) != 1 || a.Position != 1 {
		t.Fatalf("sequential start shows %d questions (position %d)", len(a.Questions), a.Position)
	}
	all := e.attempt(a.ID, f.Teacher)
	if len(all.Questions) != 3 {
		t.Fatalf("instructor sees %d questions", len(all.Questions))
	}
	q1, q2, q3 := all.Questions[0], all.Questions[1], all.Questions[2]
	resp := map[int64]map[string]any{q1.ID: {"text": "ncb"}, q2.ID: {"number": 1923}, q3.ID: {"option_ids": []string{"true"}}}
	want(t, e.answer(a.ID, q2.ID, u, resp[q2.ID], 0), 409, "question 2 before 1")
	want(t, e.answer(a.ID, q3.ID, u, resp[q3.ID], 0), 409, "question 3 before 1")
	want(t, e.answer(a.ID, q1.ID, u, resp[q1.ID], 0), 200, "question 1")
	want(t, e.answer(a.ID, q1.ID, u, map[string]any{"text": "NCB"}, 0), 200, "question 1 changed while on it")
	if v := e.attempt(a.ID, u); len(v.Questions) != 2 {
		t.Fatalf("after answering 1 the learner sees %d questions", len(v.Questions))
	}
	want(t, e.answer(a.ID, q3.ID, u, resp[q3.ID], 0), 409, "question 3 before 2")
	want(t, e.answer(a.ID, q2.ID, u, resp[q2.ID], 0), 200, "question 2")
	want(t, e.answer(a.ID, q1.ID, u, resp[q1.ID], 0), 409, "going back to 1")
	v := e.attempt(a.ID, u)
	if v.Position != 2 || !v.Questions[0].Locked || v.Questions[1].Locked {
		t.Fatalf("position %d, locks %v %v", v.Position, v.Questions[0].Locked, v.Questions[1].Locked)
	}
	want(t, e.answer(a.ID, q3.ID, u, resp[q3.ID], 0), 200, "question 3")
	r := e.do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", a.ID), u.Token, nil)
	want(t, r, 200, "submit")
	if sc := r.Map(t)["score"]; sc != 3.0 {
		t.Fatalf("score %v", sc)
	}
}

func TestDeadlineCloserGradesAbandonedAttempt(t *testing.T) {
	e := newEnv(t)
	// A short time limit, with room for the two saves on a slow machine (-race, shared CPU).
	f := e.quizFixture(`{"time_limit_seconds": 8}`)
	e.addQuestion(f, everyKind()[3])
	e.addQuestion(f, everyKind()[4])
	u := e.learner(f)
	a := e.start(f, u)
	for _, q := range a.Questions {
		want(t, e.answer(a.ID, q.ID, u, rightAnswer(t, q), 0), 200, "answer")
	}
	// The learner goes away. The deadline job closes and grades the attempt, without any
	// request (River promotes scheduled jobs every 5 s, so it runs within ~5 s).
	deadline := a.Deadline.Add(60 * time.Second)
	for {
		var got quiz.Attempt
		if err := e.DB.Take(&got, a.ID).Error; err != nil {
			t.Fatal(err)
		}
		if got.Status == quiz.StatusFinished {
			if got.ClosedBy != "deadline" || got.Score != 2 || got.Passed == nil || !*got.Passed || !got.FinishedAt.Equal(*a.Deadline) {
				t.Fatalf("closed attempt %+v", got)
			}
			late := time.Since(*a.Deadline)
			t.Logf("closed %v after the deadline", late.Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the attempt was not closed by the deadline job")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if p := e.Courses.progress(t, u.ID, f.Lesson); p == nil || p.Status != "passed" || p.Score != 2 {
		t.Fatalf("progress %+v", p)
	}
}

func TestCloseExpiredIsIdempotent(t *testing.T) {
	clk := &clock{}
	e := newEnv(t, withClock(clk), noCloser) // the test drives the closer by hand
	f := e.quizFixture(`{"time_limit_seconds": 30}`)
	e.addQuestion(f, everyKind()[2])
	svc := e.Mod.Svc
	var ids []int64
	for range 3 {
		u := e.learner(f)
		a, _, err := svc.Start(u.ctx(), f.Lesson)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SaveAnswer(u.ctx(), a.ID, a.Questions[0].ID, quiz.Response{OptionIDs: []string{"true"}}, nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	if n, err := svc.CloseExpired(t.Context(), clk.now()); err != nil || n != 0 {
		t.Fatalf("closed %d before the deadline (%v)", n, err)
	}
	if n, err := svc.CloseExpired(t.Context(), clk.now().Add(31*time.Second)); err != nil || n != 3 {
		t.Fatalf("closed %d at the deadline (%v)", n, err)
	}
	if n, err := svc.CloseExpired(t.Context(), clk.now().Add(time.Minute)); err != nil || n != 0 {
		t.Fatalf("closed %d again (%v)", n, err)
	}
	for _, id := range ids {
		var a quiz.Attempt
		if err := e.DB.Take(&a, id).Error; err != nil || a.Score != 1 || a.ClosedBy != "deadline" {
			t.Fatalf("attempt %d: %+v %v", id, a, err)
		}
	}
	if got := e.Courses.recorded.Load(); got != 3 {
		t.Fatalf("results recorded %d times", got)
	}
}

func TestRestartBetweenSaveAndSubmit(t *testing.T) {
	e1 := newEnv(t)
	f := e1.quizFixture(`{}`)
	for _, q := range everyKind()[:5] {
		e1.addQuestion(f, q)
	}
	u := e1.learner(f)
	a := e1.start(f, u)
	for _, q := range a.Questions {
		want(t, e1.answer(a.ID, q.ID, u, rightAnswer(t, q), 0), 200, "answer")
	}
	e1.Stop()
	if _, err := e1.try("GET", "/api/v1/attempts/1", u.Token, nil); err == nil {
		t.Fatal("the first server still answers")
	}
	e2 := startEnv(t, e1.Cfg, e1.DB, e1.Store, e1.Courses)
	got := e2.attempt(a.ID, u)
	for _, q := range got.Questions {
		if q.Response == nil {
			t.Fatalf("%s: answer lost across the restart", q.Kind)
		}
	}
	r := e2.do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", a.ID), u.Token, nil)
	want(t, r, 200, "submit after restart")
	var sub quiz.Submitted
	r.JSON(t, &sub)
	if *sub.Score != 6 || *sub.MaxScore != 6 {
		t.Fatalf("score after restart %+v", sub)
	}
}

func TestRandomDraws(t *testing.T) {
	e := newEnv(t)
	f := e.quizFixture(`{"shuffle_questions": true}`)
	cat := e.do("POST", fmt.Sprintf("/api/v1/courses/%d/question-bank/categories", f.Course), f.Teacher.Token, map[string]any{"name": "Notices"})
	want(t, cat, 201, "category")
	catID := int64(cat.Map(t)["id"].(float64))
	want(t, e.do("POST", fmt.Sprintf("/api/v1/courses/%d/question-bank/categories", f.Course), f.Teacher.Token, map[string]any{"name": "Notices"}), 409, "duplicate category")
	bank := map[int64]bool{}
	for i := range 6 {
		q := map[string]any{"kind": "true_false", "prompt": fmt.Sprintf("Statement %d", i), "answer": i%2 == 0, "category_id": catID}
		r := e.do("POST", fmt.Sprintf("/api/v1/courses/%d/question-bank/questions", f.Course), f.Teacher.Token, q)
		want(t, r, 201, "bank question")
		bank[int64(r.Map(t)["id"].(float64))] = true
	}
	fixed := e.addQuestion(f, everyKind()[3])
	want(t, e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/draws", f.Lesson), f.Teacher.Token, map[string]any{"category_id": catID, "count": 7}), 422, "draw too many")
	want(t, e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/draws", f.Lesson), f.Teacher.Token, map[string]any{"category_id": catID, "count": 4}), 201, "draw")
	seen := map[string]bool{}
	for range 5 {
		a := e.start(f, e.learner(f))
		if len(a.Questions) != 5 {
			t.Fatalf("%d questions drawn", len(a.Questions))
		}
		got := map[int64]bool{}
		var key []string
		for _, q := range a.Questions {
			if q.ID != fixed && !bank[q.ID] || got[q.ID] {
				t.Fatalf("question %d drawn twice or from elsewhere", q.ID)
			}
			got[q.ID] = true
			key = append(key, fmt.Sprint(q.ID))
		}
		if !got[fixed] {
			t.Fatal("fixed question missing")
		}
		seen[strings.Join(key, ",")] = true
	}
	if len(seen) < 2 {
		t.Fatal("five attempts drew and ordered the very same questions")
	}
	// A bank question is reusable by another quiz of the course.
	lid := e.Courses.addLesson(f.Course)
	if err := e.Mod.Svc.CreateQuizJSON(t.Context(), nil, lid, f.Course, json.RawMessage(`{}`)); err != nil {
		t.Fatal(err)
	}
	want(t, e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/slots", lid), f.Teacher.Token, map[string]any{"question_id": fixed}), 201, "reuse")
	want(t, e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/slots", lid), f.Teacher.Token, map[string]any{"question_id": fixed}), 409, "reuse twice")
	want(t, e.do("DELETE", fmt.Sprintf("/api/v1/questions/%d", fixed), f.Teacher.Token, nil), 409, "delete a used question")
}
