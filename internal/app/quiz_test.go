package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"glc/internal/app/apptest"
	"glc/internal/testkit"
)

func must(t testing.TB, r *apptest.Response, status int) *apptest.Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}

func idOf(t testing.TB, r *apptest.Response) int64 {
	t.Helper()
	v, ok := r.Map(t)["id"].(float64)
	if !ok {
		t.Fatalf("no id in %s", r.Body)
	}
	return int64(v)
}

// quizCourse is a course made through the API with one section and one quiz lesson.
type quizCourse struct {
	s       *apptest.Server
	teacher apptest.TestUser
	course  int64
	lesson  int64
}

func (c quizCourse) path() string { return fmt.Sprintf("/api/v1/courses/%d", c.course) }
func (c quizCourse) quiz() string { return fmt.Sprintf("/api/v1/quizzes/%d", c.lesson) }

// newQuizCourse creates a draft course with self-enrolment whose only lesson is a quiz with the
// given settings, and two single-choice questions (one point each; the right option is "Lyon"
// and "Red").
func newQuizCourse(t *testing.T, s *apptest.Server, settings map[string]any) quizCourse {
	t.Helper()
	teacher := s.Instructor(t)
	c := quizCourse{s: s, teacher: teacher}
	c.course = idOf(t, must(t, s.Do("POST", "/api/v1/courses", teacher.Token, map[string]any{"title": "Countering smuggling",
		"summary": "Ports and borders.", "language": "en"}), 201))
	must(t, s.Do("PATCH", c.path(), teacher.Token, map[string]any{"self_enrolment": true}), 200)
	sec := idOf(t, must(t, s.Do("POST", c.path()+"/sections", teacher.Token, map[string]any{"title": "Assessment"}), 201))
	l := must(t, s.Do("POST", fmt.Sprintf("/api/v1/sections/%d/lessons", sec), teacher.Token,
		map[string]any{"title": "Final check", "kind": "quiz", "quiz": settings}), 201).Map(t)
	c.lesson = int64(l["id"].(float64))
	if l["completion"] != "passed" || l["available"] != true || l["player_url"] != fmt.Sprintf("/quizzes/%d", c.lesson) {
		t.Fatalf("quiz lesson: %v", l)
	}
	for _, q := range []map[string]any{
		{"kind": "single", "prompt": "Where is Interpol's headquarters?", "options": []map[string]any{{"text": "Lyon", "correct": true}, {"text": "Geneva"}}},
		{"kind": "single", "prompt": "Which notice seeks a wanted person?", "options": []map[string]any{{"text": "Red", "correct": true}, {"text": "Green"}}},
	} {
		must(t, s.Do("POST", c.quiz()+"/questions", teacher.Token, q), 201)
	}
	return c
}

func (c quizCourse) publish(t *testing.T) {
	t.Helper()
	must(t, c.s.Do("POST", c.path()+"/publish", c.teacher.Token, nil), 200)
}

func (c quizCourse) enrol(t *testing.T, u apptest.TestUser) {
	t.Helper()
	must(t, c.s.Do("POST", c.path()+"/enrolments", u.Token, map[string]any{}), 201)
}

type attemptView struct {
	ID        int64      `json:"id"`
	Status    string     `json:"status"`
	Deadline  *time.Time `json:"deadline"`
	ClosedBy  string     `json:"closed_by"`
	Passed    *bool      `json:"passed"`
	Questions []struct {
		ID      int64 `json:"id"`
		Options []struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		} `json:"options"`
	} `json:"questions"`
}

// start starts an attempt for u (201).
func (c quizCourse) start(t *testing.T, u apptest.TestUser) attemptView {
	t.Helper()
	var a attemptView
	must(t, c.s.Do("POST", c.quiz()+"/attempts", u.Token, nil), 201).JSON(t, &a)
	if len(a.Questions) != 2 {
		t.Fatalf("attempt with %d questions", len(a.Questions))
	}
	return a
}

// answerAll answers every question of a with the right option (right) or a wrong one.
func (c quizCourse) answerAll(t *testing.T, u apptest.TestUser, a attemptView, right bool) {
	t.Helper()
	for _, q := range a.Questions {
		for _, o := range q.Options {
			if (o.Text == "Lyon" || o.Text == "Red") == right {
				must(t, c.s.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%d", a.ID, q.ID), u.Token,
					map[string]any{"response": map[string]any{"option_ids": []string{o.ID}}}), 200)
				break
			}
		}
	}
}

type courseProgress struct {
	Status          string     `json:"status"`
	PercentComplete int        `json:"percent_complete"`
	CompletedAt     *time.Time `json:"completed_at"`
	CertificateCode string     `json:"certificate_code"`
	Lessons         []struct {
		LessonID int64    `json:"lesson_id"`
		Status   string   `json:"status"`
		Score    *float64 `json:"score"`
		MaxScore *float64 `json:"max_score"`
		Attempts int      `json:"attempts"`
	} `json:"lessons"`
}

func (c quizCourse) progress(t *testing.T, u apptest.TestUser) courseProgress {
	t.Helper()
	var p courseProgress
	must(t, c.s.Do("GET", c.path()+"/progress", u.Token, nil), 200).JSON(t, &p)
	if len(p.Lessons) != 1 || p.Lessons[0].LessonID != c.lesson {
		t.Fatalf("progress lessons: %+v", p.Lessons)
	}
	return p
}

func certificates(t *testing.T, s *apptest.Server, userID, courseID int64) int64 {
	t.Helper()
	var n int64
	if err := s.DB.Raw(`SELECT COUNT(*) FROM certificates WHERE user_id = ? AND course_id = ?`, userID, courseID).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestQuizLessonEndToEnd: a quiz is a real course lesson. The instructor makes it through the
// course API (settings in the lesson request) and fills it through the quiz API; learners see
// nothing of a draft course's quiz; once published, an enrolled learner takes it and the pass
// goes into the lesson progress, the course progress and a certificate (the quiz is the only
// required lesson); a failed second attempt leaves the pass; nobody else reaches the attempt.
func TestQuizLessonEndToEnd(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	c := newQuizCourse(t, s, map[string]any{"time_limit_seconds": 600, "max_attempts": 3, "pass_percent": 50, "shuffle": true,
		"grading_method": "last", "review": map[string]any{"when": "immediately"}})
	learner, other, outsider := s.Learner(t), s.Learner(t), s.Learner(t)

	// Settings refused by the quiz module refuse the lesson, which is not created.
	sec := int64(must(t, s.Do("GET", c.path(), c.teacher.Token, nil), 200).Map(t)["sections"].([]any)[0].(map[string]any)["id"].(float64))
	r := must(t, s.Do("POST", fmt.Sprintf("/api/v1/sections/%d/lessons", sec), c.teacher.Token,
		map[string]any{"title": "Bad", "kind": "quiz", "quiz": map[string]any{"pass_percent": 101}}), 422)
	if !strings.Contains(string(r.Body), `"quiz.pass_percent"`) {
		t.Errorf("refusal does not name the field: %s", r.Body)
	}
	var lessons int64
	s.DB.Raw("SELECT COUNT(*) FROM course_lessons WHERE course_id = ?", c.course).Scan(&lessons)
	if lessons != 1 {
		t.Fatalf("%d lessons after a refused quiz", lessons)
	}

	// Draft: the quiz does not exist for learners; its instructor manages it.
	must(t, s.Do("GET", c.quiz(), learner.Token, nil), 404)
	must(t, s.Do("POST", c.quiz()+"/attempts", learner.Token, nil), 404)
	q := must(t, s.Do("GET", c.quiz(), c.teacher.Token, nil), 200).Map(t)
	if q["can_manage"] != true || q["question_count"].(float64) != 2 || q["title"] != "Final check" || q["course_url"] != fmt.Sprintf("/courses/%d", c.course) {
		t.Fatalf("quiz for its instructor: %v", q)
	}
	settings := q["settings"].(map[string]any)
	if settings["time_limit_seconds"].(float64) != 600 || settings["max_attempts"].(float64) != 3 || settings["pass_percent"].(float64) != 50 ||
		settings["shuffle_questions"] != true || settings["grading_method"] != "last" {
		t.Errorf("settings from the lesson request: %v", settings)
	}
	// Another instructor cannot touch the bank or the quiz.
	stranger := s.Instructor(t)
	must(t, s.Do("POST", c.quiz()+"/questions", stranger.Token, map[string]any{"kind": "true_false", "prompt": "?", "answer": true}), 404)
	must(t, s.Do("GET", fmt.Sprintf("/api/v1/courses/%d/question-bank/questions", c.course), stranger.Token, nil), 404)
	c.publish(t)
	must(t, s.Do("POST", c.quiz()+"/questions", stranger.Token, map[string]any{"kind": "true_false", "prompt": "?", "answer": true}), 403)
	must(t, s.Do("GET", fmt.Sprintf("/api/v1/courses/%d/question-bank/questions", c.course), stranger.Token, nil), 403)
	must(t, s.Do("POST", c.quiz()+"/questions", learner.Token, map[string]any{"kind": "true_false", "prompt": "?", "answer": true}), 403)

	// Published, not enrolled: 403.
	must(t, s.Do("POST", c.quiz()+"/attempts", outsider.Token, nil), 403)
	must(t, s.Do("GET", c.quiz(), "", nil), 401)

	c.enrol(t, learner)
	c.enrol(t, other)
	// The lesson player sends the learner to the quiz; the quiz page links back to the course.
	l := must(t, s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d", c.lesson), learner.Token, nil), 200).Map(t)
	if l["player_url"] != fmt.Sprintf("/quizzes/%d", c.lesson) || l["available"] != true {
		t.Fatalf("lesson for the learner: %v", l)
	}
	page := must(t, s.Do("GET", fmt.Sprintf("/lessons/%d", c.lesson), learner.Token, nil), 200)
	if !strings.Contains(string(page.Body), fmt.Sprintf(`id="lesson-start" href="/quizzes/%d"`, c.lesson)) {
		t.Errorf("lesson page does not link to the quiz")
	}
	page = must(t, s.Do("GET", fmt.Sprintf("/quizzes/%d", c.lesson), learner.Token, nil), 200)
	for _, want := range []string{fmt.Sprintf(`href="/courses/%d" id="quiz-back-course"`, c.course), "Countering smuggling", `id="quiz-start-button"`} {
		if !strings.Contains(string(page.Body), want) {
			t.Errorf("quiz page lacks %s", want)
		}
	}

	// First attempt: every answer right.
	a := c.start(t, learner)
	if a.Deadline == nil {
		t.Error("a timed quiz's attempt has no deadline")
	}
	// Someone else's attempt is out of reach.
	apath := fmt.Sprintf("/api/v1/attempts/%d", a.ID)
	must(t, s.Do("GET", apath, other.Token, nil), 403)
	must(t, s.Do("PUT", fmt.Sprintf("%s/answers/%d", apath, a.Questions[0].ID), other.Token,
		map[string]any{"response": map[string]any{"option_ids": []string{a.Questions[0].Options[0].ID}}}), 403)
	must(t, s.Do("POST", apath+"/submit", other.Token, nil), 403)
	must(t, s.Do("POST", apath+"/submit", outsider.Token, nil), 403)
	c.answerAll(t, learner, a, true)
	sub := must(t, s.Do("POST", apath+"/submit", learner.Token, nil), 200).Map(t)
	if sub["status"] != "finished" || sub["passed"] != true || sub["percent"].(float64) != 100 {
		t.Fatalf("submitted: %v", sub)
	}
	p := c.progress(t, learner)
	if p.Status != "completed" || p.PercentComplete != 100 || p.CompletedAt == nil || p.CertificateCode == "" {
		t.Fatalf("course progress after passing: %+v", p)
	}
	if lp := p.Lessons[0]; lp.Status != "passed" || lp.Attempts != 1 || lp.Score == nil || *lp.Score != 2 || *lp.MaxScore != 2 {
		t.Fatalf("lesson progress after passing: %+v", lp)
	}
	if n := certificates(t, s, learner.ID, c.course); n != 1 {
		t.Fatalf("%d certificates", n)
	}
	// The other learner has not started: nothing recorded.
	if p := c.progress(t, other); p.Status == "completed" || p.Lessons[0].Status == "passed" {
		t.Fatalf("other learner: %+v", p)
	}

	// Second attempt, every answer wrong: the quiz grade (last attempt) is a fail, the lesson
	// stays passed, the course completed, one certificate.
	b := c.start(t, learner)
	c.answerAll(t, learner, b, false)
	sub = must(t, s.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", b.ID), learner.Token, nil), 200).Map(t)
	if sub["passed"] != false {
		t.Fatalf("second attempt: %v", sub)
	}
	p = c.progress(t, learner)
	if lp := p.Lessons[0]; lp.Status != "passed" || lp.Attempts != 2 || *lp.Score != 0 {
		t.Errorf("lesson progress after a failed second attempt: %+v", lp)
	}
	if p.Status != "completed" || p.CertificateCode == "" || certificates(t, s, learner.ID, c.course) != 1 {
		t.Errorf("course progress after a failed second attempt: %+v", p)
	}
	// An instructor's regrade reports again without counting an attempt.
	must(t, s.Do("POST", c.quiz()+"/regrade", c.teacher.Token, map[string]any{}), 200)
	if lp := c.progress(t, learner).Lessons[0]; lp.Status != "passed" || lp.Attempts != 2 {
		t.Errorf("lesson progress after a regrade: %+v", lp)
	}
	// The instructor previews the quiz: no progress for them.
	pv := must(t, s.Do("POST", c.quiz()+"/attempts", c.teacher.Token, nil), 201).Map(t)
	must(t, s.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", int64(pv["id"].(float64))), c.teacher.Token, nil), 200)
	var rows int64
	s.DB.Raw("SELECT COUNT(*) FROM lesson_progress WHERE user_id = ?", c.teacher.ID).Scan(&rows)
	if rows != 0 {
		t.Errorf("a preview recorded progress")
	}
}

// TestQuizDeadlineClosesAbandonedAttempt: a learner starts a timed quiz, answers and leaves;
// the deadline job closes and grades the attempt and the grade reaches the lesson and course
// progress (the job writes progress in the quiz's transaction: on SQLite, with its single
// connection, any second transaction would hang here).
func TestQuizDeadlineClosesAbandonedAttempt(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	c := newQuizCourse(t, s, map[string]any{"time_limit_seconds": 2, "pass_percent": 50})
	c.publish(t)
	learner := s.Learner(t)
	c.enrol(t, learner)
	a := c.start(t, learner)
	if a.Deadline == nil || time.Until(*a.Deadline) > 3*time.Second {
		t.Fatalf("deadline %v", a.Deadline)
	}
	c.answerAll(t, learner, a, true)
	end := time.Now().Add(30 * time.Second)
	for {
		var v attemptView
		must(t, s.Do("GET", fmt.Sprintf("/api/v1/attempts/%d", a.ID), learner.Token, nil), 200).JSON(t, &v)
		if v.Status == "finished" {
			if v.ClosedBy != "deadline" {
				t.Fatalf("closed by %q", v.ClosedBy)
			}
			break
		}
		if time.Now().After(end) {
			t.Fatalf("the deadline job did not close the attempt: %+v", v)
		}
		time.Sleep(100 * time.Millisecond)
	}
	p := c.progress(t, learner)
	if lp := p.Lessons[0]; lp.Status != "passed" || lp.Attempts != 1 || *lp.Score != 2 {
		t.Fatalf("lesson progress after the deadline: %+v", lp)
	}
	if p.Status != "completed" || p.CertificateCode == "" {
		t.Fatalf("course progress after the deadline: %+v", p)
	}
	// The app still answers (no transaction left hanging).
	must(t, s.Do("GET", c.quiz(), learner.Token, nil), 200)

	// An attempt whose lesson is deleted before its deadline is still closed and graded.
	d := newQuizCourse(t, s, map[string]any{"time_limit_seconds": 2, "pass_percent": 50})
	d.publish(t)
	d.enrol(t, learner)
	b := d.start(t, learner)
	d.answerAll(t, learner, b, true)
	must(t, s.Do("DELETE", fmt.Sprintf("/api/v1/lessons/%d", d.lesson), d.teacher.Token, nil), 204)
	end = time.Now().Add(30 * time.Second)
	for {
		var st struct{ Status, ClosedBy string }
		if err := s.DB.Raw("SELECT status, closed_by FROM quiz_attempts WHERE id = ?", b.ID).Scan(&st).Error; err != nil {
			t.Fatal(err)
		}
		if st.Status == "finished" && st.ClosedBy == "deadline" {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("the attempt of a deleted lesson was not closed: %+v", st)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// form posts an HTML form as a bearer-token client (no session cookie: no CSRF token needed).
func form(t *testing.T, s *apptest.Server, path, token string, values url.Values) *apptest.Response {
	t.Helper()
	req, err := http.NewRequest("POST", s.URL+path, strings.NewReader(values.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+token)
	return s.Send(req)
}

// TestQuizAuthoringPages: an instructor makes a quiz lesson with the course editor's form, goes
// from the lesson editor to the quiz page, sets the time limit, attempts and pass mark, and adds
// questions as GIFT text; refused input is shown on the page and changes nothing; learners
// cannot use the forms.
func TestQuizAuthoringPages(t *testing.T) {
	s := apptest.New(t)
	teacher, learner := s.Instructor(t), s.Learner(t)
	course := idOf(t, must(t, s.Do("POST", "/api/v1/courses", teacher.Token, map[string]any{"title": "Cyber basics", "summary": "S.", "language": "en"}), 201))
	sec := idOf(t, must(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/sections", course), teacher.Token, map[string]any{"title": "Check"}), 201))
	r := must(t, form(t, s, fmt.Sprintf("/teach/sections/%d/lessons", sec), teacher.Token, url.Values{"title": {"Phishing quiz"}, "kind": {"quiz"}}), 303)
	var lesson int64
	if _, err := fmt.Sscanf(r.Header.Get("Location"), "/teach/lessons/%d", &lesson); err != nil {
		t.Fatalf("after adding a lesson: %s", r.Header.Get("Location"))
	}
	qpath, api := fmt.Sprintf("/quizzes/%d", lesson), fmt.Sprintf("/api/v1/quizzes/%d", lesson)
	editor := string(must(t, s.Do("GET", fmt.Sprintf("/teach/lessons/%d", lesson), teacher.Token, nil), 200).Body)
	if !strings.Contains(editor, fmt.Sprintf(`href="%s" id="lesson-kind-setup"`, qpath)) {
		t.Fatal("the lesson editor does not link to the quiz")
	}
	page := string(must(t, s.Do("GET", qpath, teacher.Token, nil), 200).Body)
	for _, want := range []string{`id="quiz-no-questions"`, `id="quiz-gift-form"`, `id="quiz-settings-form"`, `name="pass_percent" required value="0"`} {
		if !strings.Contains(page, want) {
			t.Errorf("new quiz page lacks %s", want)
		}
	}
	settings := func() map[string]any {
		return must(t, s.Do("GET", api, teacher.Token, nil), 200).Map(t)["settings"].(map[string]any)
	}
	must(t, form(t, s, qpath+"/settings", teacher.Token, url.Values{"time_limit_minutes": {"10"}, "max_attempts": {"2"}, "pass_percent": {"75"}}), 303)
	if st := settings(); st["time_limit_seconds"].(float64) != 600 || st["max_attempts"].(float64) != 2 || st["pass_percent"].(float64) != 75 {
		t.Fatalf("settings after the form: %v", st)
	}
	for _, bad := range []url.Values{
		{"time_limit_minutes": {"10"}, "max_attempts": {"2"}, "pass_percent": {"150"}},
		{"time_limit_minutes": {"-1"}, "max_attempts": {"2"}, "pass_percent": {"50"}},
		{"time_limit_minutes": {"5"}, "max_attempts": {"many"}, "pass_percent": {"50"}},
		{"time_limit_minutes": {"5"}, "max_attempts": {"5000"}, "pass_percent": {"50"}},
	} {
		r := must(t, form(t, s, qpath+"/settings", teacher.Token, bad), 422)
		if !strings.Contains(string(r.Body), `class="field-error" role="alert"`) {
			t.Errorf("%v: no error shown", bad)
		}
	}
	if st := settings(); st["time_limit_seconds"].(float64) != 600 || st["max_attempts"].(float64) != 2 || st["pass_percent"].(float64) != 75 {
		t.Fatalf("refused forms changed the settings: %v", st)
	}
	gift := "::Q1:: Which link is safe to open? {=The one you typed yourself ~The one in an unexpected e-mail}\n\n" +
		"::Q2:: Banks ask for passwords by e-mail. {F}\n"
	must(t, form(t, s, qpath+"/questions", teacher.Token, url.Values{"gift": {gift}}), 303)
	if n := must(t, s.Do("GET", api, teacher.Token, nil), 200).Map(t)["question_count"].(float64); n != 2 {
		t.Fatalf("%v questions after the GIFT form", n)
	}
	// A text with an error adds nothing, and the page says where the error is.
	r = must(t, form(t, s, qpath+"/questions", teacher.Token, url.Values{"gift": {"::Q3:: Fine {T}\n\n::Q4:: Broken {=A ~B"}}), 422)
	if body := string(r.Body); !strings.Contains(body, `id="quiz-gift-errors"`) || !strings.Contains(body, "Line 3: the answer block has no closing }") || !strings.Contains(body, "Broken {=A ~B") {
		t.Errorf("GIFT error page: %s", body)
	}
	must(t, form(t, s, qpath+"/questions", teacher.Token, url.Values{"gift": {"  "}}), 422)
	page = string(must(t, s.Do("GET", qpath, teacher.Token, nil), 200).Body)
	if !strings.Contains(page, "Which link is safe to open?") || strings.Count(page, `class="quiz-slot-text"`) != 2 {
		t.Errorf("the quiz page does not list its 2 questions")
	}
	// Learners: the draft course's quiz does not exist; once published, they may not change it.
	must(t, form(t, s, qpath+"/settings", learner.Token, url.Values{"time_limit_minutes": {"1"}, "max_attempts": {"1"}, "pass_percent": {"1"}}), 404)
	must(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), teacher.Token, nil), 200)
	must(t, form(t, s, qpath+"/settings", learner.Token, url.Values{"time_limit_minutes": {"x"}, "max_attempts": {"1"}, "pass_percent": {"1"}}), 403)
	must(t, form(t, s, qpath+"/questions", learner.Token, url.Values{"gift": {gift}}), 403)
	if strings.Contains(string(must(t, s.Do("GET", qpath, learner.Token, nil), 403).Body), `id="quiz-gift-form"`) {
		t.Error("a learner sees the authoring form")
	}
	if n := must(t, s.Do("GET", api, teacher.Token, nil), 200).Map(t)["question_count"].(float64); n != 2 {
		t.Fatalf("%v questions after refused forms", n)
	}
}
