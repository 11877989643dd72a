package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"glc/internal/app/apptest"
	"glc/internal/testkit"
)

// quizSlots returns the quiz's slots as its instructor sees them through the API.
type apiSlot struct {
	ID         int64  `json:"id"`
	QuestionID *int64 `json:"question_id"`
	CategoryID *int64 `json:"category_id"`
	DrawCount  int    `json:"draw_count"`
	Question   *struct {
		ID      int64   `json:"id"`
		Kind    string  `json:"kind"`
		Title   string  `json:"title"`
		Prompt  string  `json:"prompt"`
		Points  float64 `json:"points"`
		Version int     `json:"version"`
		Options []struct {
			ID       string   `json:"id"`
			Text     string   `json:"text"`
			Correct  bool     `json:"correct"`
			Fraction *float64 `json:"fraction"`
			Feedback string   `json:"feedback"`
		} `json:"options"`
		Answer  *bool  `json:"answer"`
		Scoring string `json:"scoring"`
		Answers []struct {
			Text      string   `json:"text"`
			Value     *float64 `json:"value"`
			Tolerance float64  `json:"tolerance"`
			Fraction  *float64 `json:"fraction"`
		} `json:"answers"`
		CaseSensitive bool   `json:"case_sensitive"`
		GraderInfo    string `json:"grader_info"`
		Pairs         []struct {
			Text   string `json:"text"`
			Answer string `json:"answer"`
		} `json:"pairs"`
		Items []struct {
			Text string `json:"text"`
		} `json:"items"`
		Blanks []struct {
			Kind string `json:"kind"`
		} `json:"blanks"`
		CategoryID    *int64 `json:"category_id"`
		TrueFeedback  string `json:"true_feedback"`
		FalseFeedback string `json:"false_feedback"`
	} `json:"question"`
}

func (c quizCourse) slots(t *testing.T) []apiSlot {
	t.Helper()
	var q struct {
		Slots []apiSlot `json:"slots"`
	}
	must(t, c.s.Do("GET", c.quiz(), c.teacher.Token, nil), 200).JSON(t, &q)
	return q.Slots
}

// bankSize counts the live questions of the course's bank.
func (c quizCourse) bankSize(t *testing.T) int {
	t.Helper()
	var l struct {
		Total int `json:"total"`
	}
	must(t, c.s.Do("GET", fmt.Sprintf("%s/question-bank/questions", c.path()), c.teacher.Token, nil), 200).JSON(t, &l)
	return l.Total
}

func (c quizCourse) page(p string) string { return fmt.Sprintf("/quizzes/%d%s", c.lesson, p) }

// refused checks a page's 422 answer: the error is shown (alert) and, when want is not empty,
// holds that text.
func refused(t *testing.T, r *apptest.Response, want ...string) string {
	t.Helper()
	body := string(must(t, r, 422).Body)
	if !strings.Contains(body, `role="alert"`) {
		t.Errorf("refused form shows no error")
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("refused form lacks %q", w)
		}
	}
	return body
}

// TestQuizQuestionPages: an instructor adds a question of every kind through the question
// page (form fields for six kinds, JSON for matching, ordering and cloze), edits one (its
// options keep their identifiers) and removes one; bad input is refused with the errors shown,
// in the page's language, and changes nothing; learners and other courses' instructors cannot
// use the pages.
func TestQuizQuestionPages(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	c := newQuizCourse(t, s, map[string]any{"pass_percent": 50})
	tok := c.teacher.Token

	chooser := string(must(t, s.Do("GET", c.page("/questions/new"), tok, nil), 200).Body)
	for _, k := range []string{"single", "multiple", "true_false", "short", "numeric", "matching", "ordering", "cloze", "essay"} {
		if !strings.Contains(chooser, fmt.Sprintf(`id="question-kind-%s"`, k)) {
			t.Errorf("the kind chooser lacks %s", k)
		}
	}
	quizPage := string(must(t, s.Do("GET", c.page(""), tok, nil), 200).Body)
	for _, want := range []string{`id="quiz-add-essay"`, `id="quiz-all-settings"`, `id="quiz-bank-link"`, `-edit"`, `-remove"`} {
		if !strings.Contains(quizPage, want) {
			t.Errorf("the quiz page lacks %s", want)
		}
	}
	for _, k := range []string{"single", "multiple", "true_false", "short", "numeric", "essay"} {
		page := string(must(t, s.Do("GET", c.page("/questions/new?kind="+k), tok, nil), 200).Body)
		if !strings.Contains(page, `id="question-form"`) || !strings.Contains(page, `id="question-prompt"`) || strings.Contains(page, "[quiz.") {
			t.Errorf("%s form: %s", k, page)
		}
	}
	for _, k := range []string{"matching", "ordering", "cloze"} {
		page := string(must(t, s.Do("GET", c.page("/questions/new?kind="+k), tok, nil), 200).Body)
		if !strings.Contains(page, `id="question-json"`) || strings.Contains(page, "[quiz.") {
			t.Errorf("%s has no JSON editor", k)
		}
	}

	post := func(p string, v url.Values) *apptest.Response { return form(t, s, c.page(p), tok, v) }
	added := []url.Values{
		{"kind": {"single"}, "prompt": {"Which city hosts Interpol?"}, "points": {"2"}, "category": {"Basics/Places"}, "rows": {"4"},
			"option.1.text": {"Lyon"}, "option.1.feedback": {"Yes."}, "option.2.text": {"Geneva"}, "option.3.text": {""}, "correct": {"1"}},
		{"kind": {"multiple"}, "prompt": {"Which are notices?"}, "rows": {"3"}, "scoring": {"all_or_nothing"},
			"option.1.text": {"Red"}, "option.1.correct": {"1"}, "option.2.text": {"Yellow"}, "option.2.correct": {"1"}, "option.3.text": {"Purple"}},
		{"kind": {"true_false"}, "prompt": {"Interpol arrests people."}, "answer": {"false"}, "false_feedback": {"Right: member countries do."}},
		{"kind": {"short"}, "prompt": {"Acronym of the machine-readable zone?"}, "rows": {"3"}, "case_sensitive": {"1"},
			"answer.1.text": {"MRZ"}, "answer.2.text": {"M*Z"}, "answer.2.grade": {"50"}},
		{"kind": {"numeric"}, "prompt": {"How many member countries (about)?"}, "rows": {"2"},
			"answer.1.value": {"196"}, "answer.1.tolerance": {"2"}, "answer.2.value": {"190,5"}, "answer.2.tolerance": {"10"}, "answer.2.grade": {"50"}},
		{"kind": {"essay"}, "prompt": {"Describe a controlled delivery."}, "grader_info": {"Look for the legal basis."}, "points": {"5"}},
		{"kind": {"matching"}, "format": {"json"}, "json": {`{"kind":"matching","prompt":"Match","pairs":[{"text":"Red","answer":"Wanted"},{"text":"Yellow","answer":"Missing"}]}`}},
		{"kind": {"ordering"}, "format": {"json"}, "json": {`{"kind":"ordering","prompt":"Order","items":[{"text":"Arrest"},{"text":"Charge"},{"text":"Trial"}]}`}},
		{"kind": {"cloze"}, "format": {"json"}, "json": {`{"prompt":"Interpol is in {{1}}.","blanks":[{"kind":"short","answers":[{"text":"Lyon"}]}]}`}},
	}
	for _, v := range added {
		r := must(t, post("/questions/new", v), 303)
		if loc := r.Header.Get("Location"); loc != c.page("#quiz-questions") {
			t.Errorf("%s: redirected to %s", v.Get("kind"), loc)
		}
	}
	sl := c.slots(t)
	if len(sl) != 11 {
		t.Fatalf("%d slots after adding 9 questions to 2", len(sl))
	}
	byKind := map[string]apiSlot{}
	for _, x := range sl[2:] {
		byKind[x.Question.Kind] = x
	}
	if q := byKind["single"].Question; q.Prompt != "Which city hosts Interpol?" || q.Points != 2 || len(q.Options) != 2 || !q.Options[0].Correct ||
		q.Options[1].Correct || q.Options[0].Feedback != "Yes." || q.CategoryID == nil {
		t.Errorf("single: %+v", q)
	}
	if q := byKind["multiple"].Question; q.Scoring != "all_or_nothing" || len(q.Options) != 3 || !q.Options[0].Correct || !q.Options[1].Correct || q.Options[2].Correct {
		t.Errorf("multiple: %+v", q)
	}
	if q := byKind["true_false"].Question; q.Answer == nil || *q.Answer || q.FalseFeedback != "Right: member countries do." {
		t.Errorf("true_false: %+v", q)
	}
	if q := byKind["short"].Question; len(q.Answers) != 2 || q.Answers[0].Text != "MRZ" || *q.Answers[1].Fraction != 0.5 || !q.CaseSensitive {
		t.Errorf("short: %+v", q)
	}
	if q := byKind["numeric"].Question; len(q.Answers) != 2 || *q.Answers[0].Value != 196 || q.Answers[0].Tolerance != 2 || *q.Answers[1].Value != 190.5 || *q.Answers[1].Fraction != 0.5 {
		t.Errorf("numeric: %+v", q)
	}
	if q := byKind["essay"].Question; q.GraderInfo != "Look for the legal basis." || q.Points != 5 {
		t.Errorf("essay: %+v", q)
	}
	if q := byKind["matching"].Question; len(q.Pairs) != 2 {
		t.Errorf("matching: %+v", q)
	}
	if q := byKind["ordering"].Question; len(q.Items) != 3 {
		t.Errorf("ordering: %+v", q)
	}
	if q := byKind["cloze"].Question; len(q.Blanks) != 1 {
		t.Errorf("cloze: %+v", q)
	}

	// Refused input: the page comes back with the errors (in its language) and nothing changes.
	bank := c.bankSize(t)
	refused(t, post("/questions/new", url.Values{"kind": {"single"}, "prompt": {"Q?"}, "rows": {"2"}, "option.1.text": {"A"}, "option.2.text": {"B"}}),
		"Give 2 to 50 options, and mark the right answer.")
	refused(t, post("/questions/new", url.Values{"kind": {"single"}, "prompt": {"Q?"}, "rows": {"2"}, "option.1.text": {"A"}, "correct": {"1"}}))
	refused(t, post("/questions/new", url.Values{"kind": {"single"}, "prompt": {"Q?"}, "rows": {"3"}, "option.1.text": {"A"}, "option.3.text": {"A"}, "correct": {"1"}}),
		"Option 3: write a text")
	refused(t, post("/questions/new", url.Values{"kind": {"essay"}, "prompt": {"Q?"}, "points": {"many"}}), `id="question-points-error"`)
	refused(t, post("/questions/new", url.Values{"kind": {"essay"}, "prompt": {"  "}}), `id="question-prompt-error"`)
	refused(t, post("/questions/new", url.Values{"kind": {"numeric"}, "prompt": {"Q?"}, "rows": {"2"}, "answer.2.value": {"ten"}}), "Answer 2: enter a number.")
	refused(t, post("/questions/new", url.Values{"kind": {"true_false"}, "prompt": {"Q?"}}), `id="question-answer-error"`)
	refused(t, post("/questions/new", url.Values{"kind": {"ordering"}, "format": {"json"}, "json": {`{"kind":"ordering",`}}), `id="question-json-error"`)
	refused(t, post("/questions/new", url.Values{"kind": {"ordering"}, "format": {"json"}, "json": {`{"kind":"matching","prompt":"P","pairs":[]}`}}))
	refused(t, post("/questions/new", url.Values{"kind": {"cloze"}, "format": {"json"},
		"json": {`{"kind":"cloze","prompt":"No marker","blanks":[{"kind":"short","answers":[{"text":"x"}]}]}`}}), "{{1}}")
	ar := refused(t, post("/questions/new?lang=ar", url.Values{"kind": {"single"}, "prompt": {"Q?"}, "rows": {"2"}, "option.1.text": {"A"}, "option.2.text": {"B"}}),
		"أعطِ من 2 إلى 50 خيارًا")
	if strings.Contains(ar, "Give 2 to 50") {
		t.Errorf("an Arabic page shows the English error")
	}
	// More rows: the form comes back with three more, nothing saved.
	more := string(must(t, post("/questions/new", url.Values{"kind": {"single"}, "prompt": {"Q?"}, "rows": {"4"}, "option.1.text": {"Kept"}, "more": {"1"}}), 200).Body)
	if !strings.Contains(more, `name="option.7.text"`) || strings.Contains(more, `name="option.8.text"`) || !strings.Contains(more, `value="Kept"`) {
		t.Errorf("more rows: %s", more)
	}
	if n := c.bankSize(t); n != bank || len(c.slots(t)) != 11 {
		t.Fatalf("refused forms changed the bank: %d questions, was %d", n, bank)
	}

	// Edit the single choice question: the form shows it; options keep their identifiers.
	single := byKind["single"].Question
	edit := c.page(fmt.Sprintf("/questions/%d", single.ID))
	page := string(must(t, s.Do("GET", edit, tok, nil), 200).Body)
	for _, want := range []string{`>Which city hosts Interpol?</textarea>`, `value="Lyon"`, fmt.Sprintf(`value="%s"`, single.Options[0].ID), `value="Basics/Places"`,
		`id="option-1-correct" checked`, `id="question-shared"`} {
		if !strings.Contains(page, want) {
			t.Errorf("edit form lacks %s", want)
		}
	}
	must(t, post(fmt.Sprintf("/questions/%d", single.ID), url.Values{"prompt": {"Which city hosts Interpol's headquarters?"}, "points": {"2"},
		"category": {"Basics/Places"}, "rows": {"2"}, "option.1.id": {single.Options[0].ID}, "option.1.text": {"Lyon, France"},
		"option.2.id": {single.Options[1].ID}, "option.2.text": {"Geneva"}, "correct": {"1"}}), 303)
	var got struct {
		Prompt  string `json:"prompt"`
		Version int    `json:"version"`
		Options []struct {
			ID, Text string
		} `json:"options"`
	}
	must(t, s.Do("GET", fmt.Sprintf("/api/v1/questions/%d", single.ID), tok, nil), 200).JSON(t, &got)
	if got.Prompt != "Which city hosts Interpol's headquarters?" || got.Version != 2 || len(got.Options) != 2 || got.Options[0].ID != single.Options[0].ID ||
		got.Options[0].Text != "Lyon, France" {
		t.Errorf("after the edit: %+v", got)
	}
	// A refused edit changes nothing.
	refused(t, post(fmt.Sprintf("/questions/%d", single.ID), url.Values{"prompt": {""}, "rows": {"2"}, "option.1.text": {"A"}, "option.2.text": {"B"}, "correct": {"1"}}))
	must(t, s.Do("GET", fmt.Sprintf("/api/v1/questions/%d", single.ID), tok, nil), 200).JSON(t, &got)
	if got.Version != 2 {
		t.Errorf("a refused edit changed the question: %+v", got)
	}
	// A question the form cannot show (weighted options) opens as JSON, and saves as JSON.
	w := idOf(t, must(t, s.Do("POST", c.quiz()+"/questions", tok, map[string]any{"kind": "multiple", "prompt": "Weighted", "scoring": "weighted",
		"options": []map[string]any{{"text": "A", "fraction": 0.5}, {"text": "B", "fraction": 0.5}, {"text": "C", "fraction": -1}}}), 201))
	page = string(must(t, s.Do("GET", c.page(fmt.Sprintf("/questions/%d", w)), tok, nil), 200).Body)
	if !strings.Contains(page, `id="question-json-only"`) || !strings.Contains(page, "weighted") {
		t.Errorf("weighted question not offered as JSON")
	}
	must(t, post(fmt.Sprintf("/questions/%d", w), url.Values{"format": {"json"}, "json": {`{"kind":"multiple","prompt":"Weighted, edited","scoring":"weighted",
		"options":[{"text":"A","fraction":0.5},{"text":"B","fraction":0.5},{"text":"C","fraction":-0.5}]}`}}), 303)
	refused(t, post(fmt.Sprintf("/questions/%d", w), url.Values{"format": {"json"}, "json": {`{"kind":"single","prompt":"x","options":[{"text":"a","correct":true},{"text":"b"}]}`}}),
		"The type of a question cannot change")

	// Remove a question from the quiz: it stays in the bank.
	bank = c.bankSize(t)
	slotID := byKind["essay"].ID
	must(t, post(fmt.Sprintf("/slots/%d/delete", slotID), url.Values{}), 303)
	if len(c.slots(t)) != 11 || c.bankSize(t) != bank {
		t.Errorf("after removing a question: %d slots, %d in the bank", len(c.slots(t)), c.bankSize(t))
	}
	must(t, post(fmt.Sprintf("/slots/%d/delete", slotID), url.Values{}), 404)

	// Nobody else: another course's instructor, a learner (published course), a question of
	// another course through this quiz.
	stranger := s.Instructor(t)
	other := newQuizCourse(t, s, nil)
	otherQ := *other.slots(t)[0].QuestionID
	must(t, s.Do("GET", c.page(fmt.Sprintf("/questions/%d", otherQ)), tok, nil), 404)
	must(t, post(fmt.Sprintf("/questions/%d", otherQ), url.Values{"prompt": {"Hijack"}}), 404)
	c.publish(t)
	learner := s.Learner(t)
	c.enrol(t, learner)
	for _, who := range []apptest.TestUser{stranger, learner} {
		must(t, s.Do("GET", c.page("/questions/new?kind=single"), who.Token, nil), 403)
		must(t, s.Do("GET", edit, who.Token, nil), 403)
		must(t, form(t, s, c.page("/questions/new"), who.Token, url.Values{"kind": {"essay"}, "prompt": {"Mine"}}), 403)
		must(t, form(t, s, c.page(fmt.Sprintf("/slots/%d/delete", sl[0].ID)), who.Token, url.Values{}), 403)
	}
	if len(c.slots(t)) != 11 {
		t.Errorf("outsiders changed the quiz")
	}
}

// TestQuizRemovedQuestionKeepsAttemptsGradable: a learner finishes an attempt; the instructor
// removes one of its questions from the quiz, then deletes it from the bank. The attempt still
// shows the question, a regrade recomputes it from it, and it can still be graded by hand. A
// question still in a quiz cannot be deleted from the bank.
func TestQuizRemovedQuestionKeepsAttemptsGradable(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	c := newQuizCourse(t, s, map[string]any{"pass_percent": 50, "review": map[string]any{"when": "immediately"}})
	c.publish(t)
	learner := s.Learner(t)
	c.enrol(t, learner)
	a := c.start(t, learner)
	c.answerAll(t, learner, a, true)
	apath := fmt.Sprintf("/api/v1/attempts/%d", a.ID)
	must(t, s.Do("POST", apath+"/submit", learner.Token, nil), 200)
	sl := c.slots(t)
	gone := sl[0]
	tok := c.teacher.Token
	// Still in the quiz: the bank refuses to delete it.
	r := must(t, form(t, s, c.page(fmt.Sprintf("/bank/%d/delete", *gone.QuestionID)), tok, url.Values{}), 303)
	if c.bankSize(t) != 2 || r.Header.Get("Location") != c.page("/bank") {
		t.Fatalf("a question in a quiz was deleted (or the page went to %s)", r.Header.Get("Location"))
	}
	must(t, form(t, s, c.page(fmt.Sprintf("/slots/%d/delete", gone.ID)), tok, url.Values{}), 303)
	must(t, form(t, s, c.page(fmt.Sprintf("/bank/%d/delete", *gone.QuestionID)), tok, url.Values{}), 303)
	if n := c.bankSize(t); n != 1 {
		t.Fatalf("%d questions in the bank after deleting one of 2", n)
	}
	must(t, s.Do("GET", fmt.Sprintf("/api/v1/questions/%d", *gone.QuestionID), tok, nil), 404)

	var v struct {
		Score     *float64 `json:"score"`
		Questions []struct {
			ID    int64    `json:"id"`
			Score *float64 `json:"score"`
		} `json:"questions"`
	}
	must(t, s.Do("GET", apath, learner.Token, nil), 200).JSON(t, &v)
	if len(v.Questions) != 2 || v.Score == nil || *v.Score != 2 {
		t.Fatalf("the learner's review after the deletion: %+v", v)
	}
	page := string(must(t, s.Do("GET", fmt.Sprintf("/attempts/%d", a.ID), learner.Token, nil), 200).Body)
	if !strings.Contains(page, template.HTMLEscapeString(gone.Question.Prompt)) {
		t.Errorf("the review page lost the deleted question")
	}
	// Regrade and grading by hand still work on the deleted question.
	rg := must(t, s.Do("POST", c.quiz()+"/regrade", tok, map[string]any{}), 200).Map(t)
	if rg["attempts"].(float64) != 1 {
		t.Errorf("regrade: %v", rg)
	}
	must(t, s.Do("PUT", fmt.Sprintf("%s/grades/%d", apath, *gone.QuestionID), tok, map[string]any{"score": 0.5, "comment": "Half"}), 200)
	must(t, s.Do("GET", apath, tok, nil), 200).JSON(t, &v)
	if *v.Score != 1.5 {
		t.Errorf("score after grading the deleted question by hand: %v", *v.Score)
	}
	// New attempts no longer hold it.
	var b attemptView
	must(t, s.Do("POST", c.quiz()+"/attempts", learner.Token, nil), 201).JSON(t, &b)
	if len(b.Questions) != 1 || b.Questions[0].ID == *gone.QuestionID {
		t.Errorf("a new attempt holds %d questions", len(b.Questions))
	}
}

// TestQuizSettingsPage: every setting through the settings page; refused values are shown
// and change nothing; random draws from a bank category through the quiz page.
func TestQuizSettingsPage(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	c := newQuizCourse(t, s, nil)
	tok := c.teacher.Token
	page := string(must(t, s.Do("GET", c.page("/settings"), tok, nil), 200).Body)
	for _, name := range []string{"time_limit_minutes", "max_attempts", "pass_percent", "grading_method", "review_when", "review_score",
		"review_answers", "review_feedback", "opens_at", "closes_at", "shuffle_questions", "shuffle_options", "navigation"} {
		if !strings.Contains(page, fmt.Sprintf(`name="%s"`, name)) {
			t.Errorf("the settings page has no %s field", name)
		}
	}
	full := url.Values{"form": {"all"}, "time_limit_minutes": {"30"}, "max_attempts": {"3"}, "pass_percent": {"60"}, "grading_method": {"average"},
		"review_when": {"after_close"}, "review_score": {"1"}, "opens_at": {"2030-01-01T09:00"}, "closes_at": {"2030-01-02T17:30"},
		"shuffle_questions": {"1"}, "navigation": {"sequential"}}
	r := must(t, form(t, s, c.page("/settings"), tok, full), 303)
	if r.Header.Get("Location") != c.page("/settings") {
		t.Errorf("after saving: %s", r.Header.Get("Location"))
	}
	settings := func() map[string]any {
		return must(t, s.Do("GET", c.quiz(), tok, nil), 200).Map(t)["settings"].(map[string]any)
	}
	want := `{"closes_at":"2030-01-02T17:30:00Z","grading_method":"average","max_attempts":3,"navigation":"sequential","opens_at":"2030-01-01T09:00:00Z",` +
		`"pass_percent":60,"review":{"answers":false,"feedback":false,"score":true,"when":"after_close"},"shuffle_options":false,"shuffle_questions":true,"time_limit_seconds":1800}`
	gotJSON := func() string { b, _ := json.Marshal(settings()); return string(b) }
	if g := gotJSON(); g != want {
		t.Fatalf("settings after the page:\n got %s\nwant %s", g, want)
	}
	page = string(must(t, s.Do("GET", c.page("/settings"), tok, nil), 200).Body)
	for _, w := range []string{`value="2030-01-01T09:00"`, `value="sequential" id="settings-navigation-sequential" checked`, `value="average" selected`} {
		if !strings.Contains(page, w) {
			t.Errorf("the settings page does not show %s", w)
		}
	}
	for _, bad := range []struct{ key, value, shown string }{
		{"closes_at", "2029-12-31T10:00", "The closing time must be after the opening time."},
		{"opens_at", "tomorrow", "Enter a date and time"},
		{"grading_method", "best", "Choose one of the options."},
		{"review_when", "sometimes", "Choose one of the options."},
		{"navigation", "random", "Choose one of the options."},
		{"pass_percent", "120", "Enter a number from 0 to 100."},
		{"max_attempts", "-1", "Enter a whole number from 0 to 1000."},
	} {
		v := url.Values{}
		for k, x := range full {
			v[k] = x
		}
		v.Set(bad.key, bad.value)
		v.Set("time_limit_minutes", "5")
		body := refused(t, form(t, s, c.page("/settings"), tok, v), bad.shown)
		if !strings.Contains(body, `id="settings-form"`) {
			t.Errorf("%s: the refusal is not on the settings page", bad.key)
		}
	}
	if g := gotJSON(); g != want {
		t.Fatalf("refused settings changed the quiz: %s", g)
	}
	// In Arabic.
	v := url.Values{}
	for k, x := range full {
		v[k] = x
	}
	v.Set("closes_at", "2029-01-01T00:00")
	ar := refused(t, form(t, s, c.page("/settings?lang=ar"), tok, v), "يجب أن يكون موعد الإغلاق بعد موعد الفتح.")
	if strings.Contains(ar, "closing time") {
		t.Error("English on the Arabic settings page")
	}
	// Clearing the dates opens the quiz again.
	full.Set("opens_at", "")
	full.Set("closes_at", "")
	must(t, form(t, s, c.page("/settings"), tok, full), 303)
	if st := settings(); st["opens_at"] != nil || st["closes_at"] != nil {
		t.Errorf("dates not cleared: %v", st)
	}

	// Random draws: two questions in a category, then a draw of 2 from it.
	page = string(must(t, s.Do("GET", c.page(""), tok, nil), 200).Body)
	if !strings.Contains(page, `id="quiz-draw-none"`) {
		t.Errorf("no hint when the bank has no category")
	}
	for _, p := range []string{"Port A?", "Port B?"} {
		must(t, form(t, s, c.page("/questions/new"), tok, url.Values{"kind": {"true_false"}, "prompt": {p}, "answer": {"true"}, "category": {"Borders/Ports"}}), 303)
	}
	page = string(must(t, s.Do("GET", c.page(""), tok, nil), 200).Body)
	if !strings.Contains(page, `id="quiz-draw-form"`) || !strings.Contains(page, "Borders/Ports (2 questions)") {
		t.Fatalf("the draw form does not offer the category")
	}
	var cats struct {
		Items []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	must(t, s.Do("GET", c.path()+"/question-bank/categories", tok, nil), 200).JSON(t, &cats)
	cat := strconv.FormatInt(cats.Items[0].ID, 10)
	other := newQuizCourse(t, s, nil)
	must(t, form(t, other.s, other.page("/questions/new"), other.teacher.Token, url.Values{"kind": {"essay"}, "prompt": {"x"}, "category": {"Elsewhere"}}), 303)
	must(t, s.Do("GET", other.path()+"/question-bank/categories", other.teacher.Token, nil), 200).JSON(t, &cats)
	foreign := strconv.FormatInt(cats.Items[0].ID, 10)
	before := len(c.slots(t))
	refused(t, form(t, s, c.page("/draws"), tok, url.Values{"category_id": {cat}, "count": {"3"}}), `id="quiz-draw-count-error"`)
	refused(t, form(t, s, c.page("/draws"), tok, url.Values{"category_id": {cat}, "count": {"two"}}), `id="quiz-draw-count-error"`)
	refused(t, form(t, s, c.page("/draws"), tok, url.Values{"category_id": {foreign}, "count": {"1"}}), `id="quiz-draw-category-error"`)
	if len(c.slots(t)) != before {
		t.Fatal("refused draws changed the quiz")
	}
	must(t, form(t, s, c.page("/draws"), tok, url.Values{"category_id": {cat}, "count": {"2"}}), 303)
	sl := c.slots(t)
	if last := sl[len(sl)-1]; len(sl) != before+1 || last.DrawCount != 2 || last.CategoryID == nil || strconv.FormatInt(*last.CategoryID, 10) != cat {
		t.Fatalf("draw slot: %+v", last)
	}
	// A learner may not change the settings or draw.
	c.publish(t)
	learner := s.Learner(t)
	c.enrol(t, learner)
	must(t, s.Do("GET", c.page("/settings"), learner.Token, nil), 403)
	must(t, form(t, s, c.page("/settings"), learner.Token, full), 403)
	must(t, form(t, s, c.page("/draws"), learner.Token, url.Values{"category_id": {cat}, "count": {"1"}}), 403)
}

// upload posts a file as a multipart form with a bearer token.
func upload(t *testing.T, s *apptest.Server, path, token, name string, data []byte, fields map[string]string) *apptest.Response {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if name != "" {
		fw, err := w.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	w.Close()
	req, err := http.NewRequest("POST", s.URL+path, &b)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return s.Send(req)
}

// TestQuizBankPages: the question bank page exports the bank as GIFT and JSON downloads and
// imports files (into the bank, or the bank and the quiz), all or nothing, with the file's
// errors shown in the page's language (GIFT errors keep their line); bank questions are added
// to the quiz one by one.
func TestQuizBankPages(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	c := newQuizCourse(t, s, nil)
	tok := c.teacher.Token
	page := string(must(t, s.Do("GET", c.page("/bank"), tok, nil), 200).Body)
	for _, want := range []string{`id="bank-import-form"`, `enctype="multipart/form-data"`, `id="bank-export-gift"`, `id="bank-export-json"`,
		"Where is Interpol&#39;s headquarters?", `id="bank-table"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the bank page lacks %s", want)
		}
	}
	gift := must(t, s.Do("GET", c.page("/bank/export?format=gift"), tok, nil), 200)
	if cd := gift.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.HasSuffix(cd, `.gift.txt"`) ||
		!strings.Contains(string(gift.Body), "Where is Interpol's headquarters? {") {
		t.Errorf("GIFT export: %s\n%s", cd, gift.Body)
	}
	js := must(t, s.Do("GET", c.page("/bank/export?format=json"), tok, nil), 200)
	var bf struct {
		Format    string            `json:"format"`
		Questions []json.RawMessage `json:"questions"`
	}
	js.JSON(t, &bf)
	if bf.Format != "glc-question-bank" || len(bf.Questions) != 2 || !strings.HasSuffix(js.Header.Get("Content-Disposition"), `.json"`) {
		t.Errorf("JSON export: %s", js.Body)
	}
	must(t, s.Do("GET", c.page("/bank/export?format=xml"), tok, nil), 422)

	// JSON import into the bank and the quiz.
	r := must(t, upload(t, s, c.page("/bank/import"), tok, "bank.json", js.Body, map[string]string{"format": "json", "place": "1"}), 303)
	if r.Header.Get("Location") != c.page("/bank") {
		t.Errorf("after importing: %s", r.Header.Get("Location"))
	}
	if c.bankSize(t) != 4 || len(c.slots(t)) != 4 {
		t.Fatalf("after a JSON import placed in the quiz: %d in the bank, %d in the quiz", c.bankSize(t), len(c.slots(t)))
	}
	// GIFT import into the bank only.
	must(t, upload(t, s, c.page("/bank/import"), tok, "more.gift.txt", []byte("$CATEGORY: Ports\n\n::P1:: Containers are scanned. {T}\n\n::P2:: Port of Rotterdam's country? {=Netherlands ~Belgium}\n"),
		map[string]string{"format": "gift"}), 303)
	if c.bankSize(t) != 6 || len(c.slots(t)) != 4 {
		t.Fatalf("after a GIFT import: %d in the bank, %d in the quiz", c.bankSize(t), len(c.slots(t)))
	}

	// Refused files: nothing is added; the errors are shown, GIFT's with their line, in the
	// page's language.
	bad := []byte("::A:: Fine {T}\n\n::B:: Broken {=x ~y\n\n::C:: Weight {~%abc%a =b}\n")
	body := refused(t, upload(t, s, c.page("/bank/import"), tok, "bad.txt", bad, map[string]string{"format": "gift", "place": "1"}),
		"Line 3: the answer block has no closing }", "Line 5: the weight “abc” is not a percentage from -100 to 100", `id="bank-import-errors"`)
	_ = body
	ar := refused(t, upload(t, s, c.page("/bank/import?lang=ar"), tok, "bad.txt", bad, map[string]string{"format": "gift"}),
		"السطر 3: كتلة الإجابات بلا قوس إغلاق }", "السطر 5: الوزن «abc» ليس نسبة مئوية")
	if strings.Contains(ar, "no closing") {
		t.Error("English GIFT error on the Arabic page")
	}
	for _, lang := range []string{"fr", "es"} {
		p := refused(t, upload(t, s, c.page("/bank/import?lang="+lang), tok, "bad.txt", bad, map[string]string{"format": "gift"}))
		if strings.Contains(p, "no closing") || strings.Contains(p, "[quiz.") || !strings.Contains(p, "3") {
			t.Errorf("%s: GIFT errors not translated", lang)
		}
	}
	refused(t, upload(t, s, c.page("/bank/import"), tok, "invalid.gift", []byte("::S:: Pick one {~a ~b}\n\n::T:: ok {T}\n"), map[string]string{"format": "gift"}),
		"Line 1: Give 2 to 50 options")
	refused(t, upload(t, s, c.page("/bank/import"), tok, "q.json",
		[]byte(`{"format":"glc-question-bank","version":1,"questions":[{"kind":"essay","prompt":"ok"},{"kind":"single","prompt":"p","options":[{"text":"a"},{"text":"b"}]}]}`),
		map[string]string{"format": "json"}), "Question 2: Give 2 to 50 options")
	refused(t, upload(t, s, c.page("/bank/import"), tok, "x.json", []byte(`{"hello":1}`), map[string]string{"format": "json"}), "not a GLC question bank")
	refused(t, upload(t, s, c.page("/bank/import"), tok, "", nil, map[string]string{"format": "gift"}), "Choose a file to import.")
	refused(t, upload(t, s, c.page("/bank/import"), tok, "big.txt", bytes.Repeat([]byte("Q {T}\n\n"), 4<<20/7+1), map[string]string{"format": "gift"}),
		"The file is larger than 4 MB.")
	refused(t, upload(t, s, c.page("/bank/import"), tok, "a.txt", []byte("Q {T}"), map[string]string{"format": "csv"}), "Choose the format of the file")
	if c.bankSize(t) != 6 || len(c.slots(t)) != 4 {
		t.Fatalf("refused imports changed the bank: %d in the bank, %d in the quiz", c.bankSize(t), len(c.slots(t)))
	}
	// The quiz page's GIFT form says its errors in the page's language too.
	ar = refused(t, form(t, s, c.page("/questions?lang=ar"), tok, url.Values{"gift": {"::Q:: {#abc}"}}), "السطر 1: «abc» ليس عددًا")

	// Add a bank question to the quiz from the bank page, once.
	var list struct {
		Items []struct {
			ID     int64  `json:"id"`
			Prompt string `json:"prompt"`
		} `json:"items"`
	}
	must(t, s.Do("GET", c.path()+"/question-bank/questions", tok, nil), 200).JSON(t, &list)
	var p1 int64
	for _, q := range list.Items {
		if q.Prompt == "Containers are scanned." {
			p1 = q.ID
		}
	}
	page = string(must(t, s.Do("GET", c.page("/bank"), tok, nil), 200).Body)
	if !strings.Contains(page, fmt.Sprintf(`id="bank-q-%d-add"`, p1)) || !strings.Contains(page, "Ports</span> (2)") {
		t.Errorf("the bank page does not offer to add P1 or list its category")
	}
	must(t, form(t, s, c.page(fmt.Sprintf("/bank/%d/add", p1)), tok, url.Values{}), 303)
	must(t, form(t, s, c.page(fmt.Sprintf("/bank/%d/add", p1)), tok, url.Values{}), 303)
	if n := len(c.slots(t)); n != 5 {
		t.Errorf("%d slots after adding one bank question twice", n)
	}
	page = string(must(t, s.Do("GET", c.page("/bank"), tok, nil), 200).Body)
	if !strings.Contains(page, fmt.Sprintf(`id="bank-q-%d-in"`, p1)) {
		t.Errorf("the bank page does not mark P1 as in the quiz")
	}

	// Others: a learner and another instructor.
	c.publish(t)
	learner, stranger := s.Learner(t), s.Instructor(t)
	c.enrol(t, learner)
	for _, who := range []apptest.TestUser{learner, stranger} {
		must(t, s.Do("GET", c.page("/bank"), who.Token, nil), 403)
		must(t, s.Do("GET", c.page("/bank/export?format=json"), who.Token, nil), 403)
		must(t, upload(t, s, c.page("/bank/import"), who.Token, "b.json", js.Body, map[string]string{"format": "json"}), 403)
		must(t, form(t, s, c.page(fmt.Sprintf("/bank/%d/delete", p1)), who.Token, url.Values{}), 403)
	}
	if c.bankSize(t) != 6 {
		t.Errorf("outsiders changed the bank")
	}
}

// TestQuizArchivedCourseReview: once the course is archived, its learners still see the quiz
// and review their attempts (within the review policy) but cannot start a new one (409 with a
// clear message; the page says so); learners who were not enrolled still get 403.
func TestQuizArchivedCourseReview(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	c := newQuizCourse(t, s, map[string]any{"pass_percent": 50, "max_attempts": 3, "review": map[string]any{"when": "immediately"}})
	c.publish(t)
	learner, outsider := s.Learner(t), s.Learner(t)
	c.enrol(t, learner)
	a := c.start(t, learner)
	c.answerAll(t, learner, a, true)
	apath := fmt.Sprintf("/api/v1/attempts/%d", a.ID)
	must(t, s.Do("POST", apath+"/submit", learner.Token, nil), 200)
	must(t, s.Do("POST", c.path()+"/archive", c.teacher.Token, nil), 200)

	q := must(t, s.Do("GET", c.quiz(), learner.Token, nil), 200).Map(t)
	if q["archived"] != true || q["can_take"] != false || len(q["attempts"].([]any)) != 1 {
		t.Fatalf("the archived quiz for its learner: %v", q)
	}
	var v struct {
		Status    string   `json:"status"`
		Score     *float64 `json:"score"`
		Questions []struct {
			CorrectResponse map[string]any `json:"correct_response"`
		} `json:"questions"`
	}
	must(t, s.Do("GET", apath, learner.Token, nil), 200).JSON(t, &v)
	if v.Status != "finished" || v.Score == nil || *v.Score != 2 || len(v.Questions) != 2 || v.Questions[0].CorrectResponse == nil {
		t.Fatalf("review in the archived course: %+v", v)
	}
	page := string(must(t, s.Do("GET", c.page(""), learner.Token, nil), 200).Body)
	if !strings.Contains(page, `id="quiz-archived"`) || strings.Contains(page, `id="quiz-start-button"`) || !strings.Contains(page, fmt.Sprintf(`href="/attempts/%d"`, a.ID)) {
		t.Errorf("the archived quiz page: %s", page)
	}
	must(t, s.Do("GET", fmt.Sprintf("/attempts/%d", a.ID), learner.Token, nil), 200)
	r := must(t, s.Do("POST", c.quiz()+"/attempts", learner.Token, nil), 409)
	if r.ErrorCode() != "course_archived" || !strings.Contains(string(r.Body), "review your past attempts") {
		t.Errorf("starting in an archived course: %s", r.Body)
	}
	r = must(t, form(t, s, c.page("/attempts"), learner.Token, url.Values{}), 303)
	if r.Header.Get("Location") != c.page("") {
		t.Errorf("the start form went to %s", r.Header.Get("Location"))
	}
	var n int64
	s.DB.Raw("SELECT COUNT(*) FROM quiz_attempts WHERE lesson_id = ?", c.lesson).Scan(&n)
	if n != 1 {
		t.Errorf("%d attempts after refused starts", n)
	}
	// The review policy still applies.
	must(t, s.Do("PATCH", c.quiz(), c.teacher.Token, map[string]any{"review": map[string]any{"when": "never"}}), 200)
	v.Score = nil
	must(t, s.Do("GET", apath, learner.Token, nil), 200).JSON(t, &v)
	if v.Score != nil {
		t.Errorf("the score shows against the review policy")
	}
	// Not enrolled: nothing.
	must(t, s.Do("GET", c.quiz(), outsider.Token, nil), 403)
	must(t, s.Do("POST", c.quiz()+"/attempts", outsider.Token, nil), 403)
	// The instructor still manages (and previews) it.
	must(t, s.Do("GET", c.quiz(), c.teacher.Token, nil), 200)
	must(t, s.Do("POST", c.quiz()+"/attempts", c.teacher.Token, nil), 201)
}
