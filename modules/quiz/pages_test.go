package quiz_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"glc/modules/account"
)

// browser is a cookie session of one user (no JavaScript).
type browser struct {
	e    *env
	c    *http.Client
	csrf string
}

func (e *env) browser(u user) *browser {
	jar, _ := cookiejar.New(nil)
	base, _ := url.Parse(e.URL())
	if u.Token != "" {
		jar.SetCookies(base, []*http.Cookie{{Name: account.AccessCookie, Value: u.Token, Path: "/"}})
	}
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (b *browser) get(t *testing.T, path string, status int) string {
	t.Helper()
	resp, err := b.c.Get(b.e.URL() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("GET %s: %d, want %d\n%s", path, resp.StatusCode, status, body)
	}
	if m := csrfRe.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return string(body)
}

// post submits a form (with the page's CSRF token unless noCSRF) and returns the status and
// the redirect target.
func (b *browser) post(t *testing.T, path string, form url.Values, noCSRF bool) (int, string) {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !noCSRF {
		form.Set("csrf_token", b.csrf)
	}
	resp, err := b.c.PostForm(b.e.URL()+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

func TestPagesWithoutJavaScript(t *testing.T) {
	e := newEnv(t)
	f := e.quizFixture(`{"time_limit_seconds": 900, "pass_percent": 50, "max_attempts": 1}`)
	for _, q := range everyKind() {
		e.addQuestion(f, q)
	}
	u := e.learner(f)
	b := e.browser(u)
	page := b.get(t, fmt.Sprintf("/quizzes/%d", f.Lesson), 200)
	for _, want := range []string{`id="quiz-start-button"`, "Attempts allowed: 1", `Time limit: <time datetime="PT15M">0:15:00</time>`} {
		if !strings.Contains(page, want) {
			t.Errorf("quiz page lacks %q", want)
		}
	}
	if st, _ := b.post(t, fmt.Sprintf("/quizzes/%d/attempts", f.Lesson), nil, true); st != 403 {
		t.Fatalf("start without CSRF token: %d", st)
	}
	st, loc := b.post(t, fmt.Sprintf("/quizzes/%d/attempts", f.Lesson), nil, false)
	if st != 303 || !strings.HasPrefix(loc, "/attempts/") {
		t.Fatalf("start: %d %s", st, loc)
	}
	page = b.get(t, loc, 200)
	for _, want := range []string{`id="quiz-attempt"`, `data-csrf="`, `data-deadline="`, `/static/js/quiz.js?v=`, `id="quiz-timer"`,
		`id="quiz-submit-button"`, `role="status"`, `id="quiz-connection"`} {
		if !strings.Contains(page, want) {
			t.Errorf("attempt page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, " style=") {
		t.Error("inline script or style on the attempt page")
	}
	var a attemptJSON
	r := e.do("GET", "/api/v1"+loc, u.Token, nil)
	r.JSON(t, &a)
	for _, q := range a.Questions {
		if !strings.Contains(page, fmt.Sprintf(`id="q-%d"`, q.ID)) {
			t.Fatalf("question %d is not on the page", q.ID)
		}
		form := formFor(t, q)
		st, to := b.post(t, fmt.Sprintf("%s/answers/%d", loc, q.ID), form, false)
		if st != 303 || to != fmt.Sprintf("%s#q-%d", loc, q.ID) {
			t.Fatalf("%s: form save %d %s", q.Kind, st, to)
		}
	}
	// Wrong input comes back with a message, not a stored answer.
	numeric := questionOfKind(t, a, "numeric")
	if st, _ := b.post(t, fmt.Sprintf("%s/answers/%d", loc, numeric.ID), url.Values{"number": {"abc"}}, false); st != 303 {
		t.Fatalf("bad number: %d", st)
	}
	page = b.get(t, loc, 200)
	if !strings.Contains(page, "could not be accepted") || !strings.Contains(page, `value="1923"`) {
		t.Fatal("the invalid number replaced the saved one or no message was shown")
	}
	// Another learner gets 403, anonymous visitors go to the login page.
	other := e.browser(e.learner(f))
	other.get(t, loc, 403)
	if st, to := e.browser(user{}).post(t, loc+"/submit", nil, true); st != 303 && st != 403 {
		t.Fatalf("anonymous submit: %d %s", st, to)
	}
	anon := e.browser(user{})
	resp, _ := anon.c.Get(e.URL() + loc)
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("anonymous: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp.Body.Close()
	st, _ = b.post(t, loc+"/submit", nil, false)
	if st != 303 {
		t.Fatalf("submit: %d", st)
	}
	page = b.get(t, loc, 200)
	for _, want := range []string{`id="attempt-score"`, "Score: 9 of 10", "Waiting for grading", "Right answer:", "Yes, Lyon"} {
		if !strings.Contains(page, want) {
			t.Errorf("review page lacks %q", want)
		}
	}
	if strings.Contains(page, "js/quiz.js") {
		t.Error("the review page loads the quiz script")
	}
	// The review shows what the learner chose.
	single := questionOfKind(t, a, "single")
	for _, o := range single.Options {
		if o.Text == "Lyon" && !strings.Contains(page, fmt.Sprintf(`value="%s" checked`, o.ID)) {
			t.Error("the chosen option is not checked in the review")
		}
	}
	ar := b.get(t, loc+"?lang=ar", 200)
	if !strings.Contains(ar, `dir="rtl"`) || !strings.Contains(ar, "الإجابة الصحيحة") {
		t.Error("Arabic review page")
	}
	// The quiz page now says no attempts are left.
	if page := b.get(t, fmt.Sprintf("/quizzes/%d", f.Lesson), 200); !strings.Contains(page, `id="quiz-no-start"`) {
		t.Error("quiz page still offers a start")
	}

	// Instructor pages.
	tb := e.browser(f.Teacher)
	results := tb.get(t, fmt.Sprintf("/quizzes/%d/results", f.Lesson), 200)
	for _, want := range []string{`id="results"`, `id="results-csv"`, `id="extension-form"`, `id="regrade-form"`, fmt.Sprintf(`value="%d"`, u.ID)} {
		if !strings.Contains(results, want) {
			t.Errorf("results page lacks %q", want)
		}
	}
	stats := tb.get(t, fmt.Sprintf("/quizzes/%d/statistics", f.Lesson), 200)
	if !strings.Contains(stats, `id="stats"`) || !strings.Contains(stats, "Facility index") {
		t.Error("statistics page")
	}
	grading := tb.get(t, fmt.Sprintf("/quizzes/%d/grading", f.Lesson), 200)
	essay := questionOfKind(t, a, "essay")
	if !strings.Contains(grading, "I secured the scene first.") {
		t.Fatal("essay not in the grading queue page")
	}
	st, to := tb.post(t, fmt.Sprintf("%s/grades/%d", loc, essay.ID), url.Values{"score": {"1"}, "comment": {"Well argued"},
		"back": {fmt.Sprintf("/quizzes/%d/grading", f.Lesson)}}, false)
	if st != 303 || to != fmt.Sprintf("/quizzes/%d/grading", f.Lesson) {
		t.Fatalf("grade form: %d %s", st, to)
	}
	if g := tb.get(t, fmt.Sprintf("/quizzes/%d/grading", f.Lesson), 200); !strings.Contains(g, `id="grading-empty"`) {
		t.Error("queue not empty after grading")
	}
	review := tb.get(t, loc, 200)
	if !strings.Contains(review, `id="override-form"`) || !strings.Contains(review, "Well argued") {
		t.Error("instructor review page")
	}
	if st, _ := tb.post(t, loc+"/override", url.Values{"score": {"7"}, "reason": {""}}, false); st != 303 {
		t.Fatalf("override without reason: %d", st)
	}
	if st, _ := tb.post(t, loc+"/override", url.Values{"score": {"7"}, "reason": {"Appeal accepted"}}, false); st != 303 {
		t.Fatalf("override: %d", st)
	}
	if v := e.attempt(a.ID, f.Teacher); *v.Score != 7 {
		t.Fatalf("score after override form %v", *v.Score)
	}
	if st, _ := tb.post(t, fmt.Sprintf("/quizzes/%d/extensions", f.Lesson), url.Values{"user_id": {fmt.Sprint(u.ID)}, "extra_attempts": {"1"}, "extra_minutes": {"5"}}, false); st != 303 {
		t.Fatalf("extension form: %d", st)
	}
	if page := b.get(t, fmt.Sprintf("/quizzes/%d?lang=en", f.Lesson), 200); !strings.Contains(page, `id="quiz-start-button"`) || !strings.Contains(page, "5 minutes") {
		t.Errorf("the extension does not show on the learner's quiz page:\n%s", page)
	}
	if st, _ := tb.post(t, fmt.Sprintf("/quizzes/%d/regrade", f.Lesson), nil, false); st != 303 {
		t.Fatalf("regrade form: %d", st)
	}
	// Learners cannot open the instructors' pages.
	for _, p := range []string{"results", "statistics", "grading"} {
		b.get(t, fmt.Sprintf("/quizzes/%d/%s", f.Lesson, p), 403)
	}
}

func questionOfKind(t *testing.T, a attemptJSON, kind string) questionJSON {
	for _, q := range a.Questions {
		if q.Kind == kind {
			return q
		}
	}
	t.Fatalf("no %s question", kind)
	return questionJSON{}
}

// formFor fills a question's form with the right answer.
func formFor(t *testing.T, q questionJSON) url.Values {
	t.Helper()
	r := rightAnswer(t, q)
	v := url.Values{}
	switch q.Kind {
	case "single", "multiple", "true_false":
		v["option"] = r["option_ids"].([]string)
	case "short", "essay":
		v.Set("text", r["text"].(string))
	case "numeric":
		v.Set("number", "1923,0")
	case "matching":
		for k, c := range r["pairs"].(map[string]string) {
			v.Set("pair."+k, c)
		}
	case "ordering":
		for i, id := range r["order"].([]string) {
			v.Set("pos."+id, fmt.Sprint(i+1))
		}
	case "cloze":
		v.Set("blank.0", "Lyon")
	}
	return v
}

func TestSequentialPage(t *testing.T) {
	e := newEnv(t)
	f := e.quizFixture(`{"navigation": "sequential"}`)
	e.addQuestion(f, everyKind()[3])
	e.addQuestion(f, everyKind()[2])
	u := e.learner(f)
	a := e.start(f, u)
	b := e.browser(u)
	loc := fmt.Sprintf("/attempts/%d", a.ID)
	page := b.get(t, loc, 200)
	if strings.Count(page, `class="quiz-question card"`) != 1 || strings.Contains(page, `id="quiz-next"`) {
		t.Fatal("sequential page shows more than the first question")
	}
	if st, _ := b.post(t, fmt.Sprintf("%s/answers/%d", loc, a.Questions[0].ID), url.Values{"text": {"NCB"}}, false); st != 303 {
		t.Fatal("save")
	}
	page = b.get(t, loc, 200)
	if strings.Count(page, `class="quiz-question card"`) != 2 {
		t.Fatal("next question not shown after the first is saved")
	}
	if st, _ := b.post(t, fmt.Sprintf("%s/answers/%d", loc, a.Questions[0].ID), url.Values{"text": {"x"}}, false); st != 303 {
		t.Fatal("save again")
	}
	second := e.attempt(a.ID, f.Teacher).Questions[1]
	if st, _ := b.post(t, fmt.Sprintf("%s/answers/%d", loc, second.ID), url.Values{"option": {"true"}}, false); st != 303 {
		t.Fatal("save second")
	}
	page = b.get(t, loc, 200)
	if !strings.Contains(page, "<fieldset disabled>") || !strings.Contains(page, "Answered") {
		t.Fatal("the first question is not locked once the second is answered")
	}
	// Going back is refused and the stored answer stays.
	if st, _ := b.post(t, fmt.Sprintf("%s/answers/%d", loc, a.Questions[0].ID), url.Values{"text": {"changed"}}, false); st != 303 {
		t.Fatal("post to a locked question")
	}
	if page := b.get(t, loc, 200); !strings.Contains(page, "Your answer was not saved") || !strings.Contains(page, `value="x"`) {
		t.Fatal("a locked question changed")
	}
}
