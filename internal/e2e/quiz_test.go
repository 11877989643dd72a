package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"glc/internal/e2e"
)

// setOffline cuts (or restores) the browser's network: requests fail and navigator.onLine
// follows, with the offline and online events.
func setOffline(b *e2e.Session, offline bool) {
	b.Do(func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		cond := &network.Conditions{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}
		if _, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{cond}}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, t, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1})
		return chromedp.Void{}, err
	})
}

// typeIn empties an input and types text into it, key by key (input events follow).
func typeIn(b *e2e.Session, sel, text string) {
	e2e.Eval[bool](b, fmt.Sprintf(`(() => { document.querySelector(%q).value = ""; return true })()`, sel))
	b.Do(chromedp.SendKeys(chromedp.CSS(sel), text))
}

// waitJS polls a JavaScript condition.
func waitJS(t *testing.T, b *e2e.Session, what, expr string, timeout time.Duration) {
	t.Helper()
	end := time.Now().Add(timeout)
	for !e2e.Eval[bool](b, expr) {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s (%s)", what, expr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// e2eAttempt is the part of an attempt (GET /api/v1/attempts/{id}) the test reads.
type e2eAttempt struct {
	ID        int64    `json:"id"`
	Status    string   `json:"status"`
	Score     *float64 `json:"score"`
	MaxScore  *float64 `json:"max_score"`
	Questions []struct {
		ID      int64  `json:"id"`
		Kind    string `json:"kind"`
		Options []struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		} `json:"options"`
		Response map[string]any `json:"response"`
	} `json:"questions"`
}

func (a e2eAttempt) answered() int {
	n := 0
	for _, q := range a.Questions {
		if q.Response != nil {
			n++
		}
	}
	return n
}

// TestLearnerTakesTimedQuizLessonOffline is issue #5's scenario through the real binary: an
// instructor makes a timed quiz lesson in a published course (through the API); a learner logs
// in in the browser, enrols, opens the course, goes from the lesson to the quiz and starts it,
// answers; the network drops while they answer and comes back; they submit and every answer
// counts (checked through the API): the lesson is passed and the course completed. Screenshots
// in English and Arabic; every page passes axe-core and loads nothing from another origin.
func TestLearnerTakesTimedQuizLessonOffline(t *testing.T) {
	srv := e2e.Start(t, "GLC_SEED_DEMO=false")
	const pw = "a long enough passphrase 42"
	srv.Glc(t, pw+"\n", "user", "create", "--email", "teacher@example.org", "--name", "Grace Mwangi", "--role", "instructor", "--country", "KE")
	srv.Glc(t, pw+"\n", "user", "create", "--email", "learner@example.org", "--name", "Amal Haddad", "--role", "learner", "--country", "JO")
	teacher := apiLogin(t, srv, "teacher@example.org", pw)
	learnerAPI := apiLogin(t, srv, "learner@example.org", pw)

	course := teacher.id("POST", "/api/v1/courses", map[string]any{"title": "Detecting forged documents", "summary": "Passports and visas at the border.", "language": "en"})
	cpath := fmt.Sprintf("/api/v1/courses/%d", course)
	sec := teacher.id("POST", cpath+"/sections", map[string]any{"title": "Final assessment"})
	lesson := teacher.id("POST", fmt.Sprintf("/api/v1/sections/%d/lessons", sec), map[string]any{"title": "Document check quiz", "kind": "quiz",
		"quiz": map[string]any{"time_limit_seconds": 900, "pass_percent": 80, "max_attempts": 2}})
	questions := []map[string]any{
		{"kind": "single", "prompt": "Which page of a passport holds the machine-readable zone?", "options": []map[string]any{
			{"text": "The data page", "correct": true}, {"text": "The cover"}}},
		{"kind": "multiple", "prompt": "Which are security features of a passport?", "options": []map[string]any{
			{"text": "Hologram", "correct": true}, {"text": "Microprint", "correct": true}, {"text": "Staple"}}},
		{"kind": "true_false", "prompt": "UV light shows hidden features of a visa.", "answer": true},
		{"kind": "short", "prompt": "Acronym of the machine-readable zone?", "answers": []map[string]any{{"text": "MRZ"}}},
		{"kind": "numeric", "prompt": "How many lines has the MRZ of a passport?", "answers": []map[string]any{{"value": 2, "tolerance": 0}}},
	}
	for _, q := range questions {
		teacher.id("POST", fmt.Sprintf("/api/v1/quizzes/%d/questions", lesson), q)
	}
	teacher.do("PATCH", cpath, map[string]any{"self_enrolment": true}, http.StatusOK, nil)
	teacher.do("POST", cpath+"/publish", nil, http.StatusOK, nil)

	b := srv.Browser(t)
	b.Login("learner@example.org", pw)
	b.Navigate(fmt.Sprintf("/courses/%d", course))
	b.Submit("#course-enrol")
	// The course page's outline leads to the lesson, the lesson to the quiz.
	b.ClickAndWait(fmt.Sprintf("#outline-lesson-%d", lesson))
	if href := b.Attr("#lesson-start", "href"); href != fmt.Sprintf("/quizzes/%d", lesson) {
		t.Fatalf("the lesson's start button goes to %q", href)
	}
	b.Screenshot("quiz-lesson-en")
	b.Axe()
	b.ClickAndWait("#lesson-start")
	if h := b.Text("#quiz-title"); h != "Document check quiz" {
		t.Errorf("quiz page title %q", h)
	}
	if href := b.Attr("#quiz-back-course", "href"); href != fmt.Sprintf("/courses/%d", course) {
		t.Errorf("the quiz page links back to %q", href)
	}
	b.Screenshot("quiz-front-en")
	b.Axe()
	b.ClickAndWait("#quiz-start-button")
	b.WaitVisible("#quiz-countdown")
	if c := b.Text("#quiz-countdown"); !strings.HasPrefix(c, "14:") && !strings.HasPrefix(c, "15:") {
		t.Errorf("countdown shows %q for a 15-minute quiz", c)
	}
	loc := b.Location()
	var attemptID int64
	if _, err := fmt.Sscanf(loc[strings.LastIndex(loc, "/attempts/"):], "/attempts/%d", &attemptID); err != nil {
		t.Fatalf("not on an attempt page: %s", loc)
	}
	apath := fmt.Sprintf("/api/v1/attempts/%d", attemptID)
	attempt := func() e2eAttempt {
		var a e2eAttempt
		learnerAPI.do("GET", apath, nil, http.StatusOK, &a)
		return a
	}
	a := attempt()
	q := map[string]int64{}
	opt := map[string]string{}
	for _, x := range a.Questions {
		q[x.Kind] = x.ID
		for _, o := range x.Options {
			opt[o.Text] = o.ID
		}
	}
	sel := func(kind, rest string) string { return fmt.Sprintf("#q-%d%s", q[kind], rest) }

	// Online: the first answer is saved.
	b.Click(sel("single", "-o-"+opt["The data page"]))
	waitJS(t, b, "first save", fmt.Sprintf(`(window.GLCQuiz.acked()[%q] || 0) > 0 && Object.keys(window.GLCQuiz.pending()).length === 0`, fmt.Sprint(q["single"])), 10*time.Second)
	if n := attempt().answered(); n != 1 {
		t.Fatalf("%d answers on the server after the first", n)
	}
	// Offline while answering: the page says so and keeps the answers.
	setOffline(b, true)
	waitJS(t, b, "offline banner", `!document.getElementById("quiz-connection").hidden && window.GLCQuiz.offline()`, 5*time.Second)
	b.Click(sel("multiple", "-o-"+opt["Hologram"]))
	b.Click(sel("multiple", "-o-"+opt["Microprint"]))
	b.Click(sel("true_false", "-o-true"))
	typeIn(b, sel("short", "-text"), "MRZ")
	typeIn(b, sel("numeric", "-number"), "2")
	waitJS(t, b, "queued answers", `Object.keys(window.GLCQuiz.pending()).length === 4`, 5*time.Second)
	if n := attempt().answered(); n != 1 {
		t.Fatalf("%d answers reached the server while the browser was offline", n)
	}
	b.Screenshot("quiz-attempt-offline-en")
	// Back online: the queue drains by itself.
	setOffline(b, false)
	waitJS(t, b, "queue drained", `Object.keys(window.GLCQuiz.pending()).length === 0`, 30*time.Second)
	waitJS(t, b, "banner hidden", `document.getElementById("quiz-connection").hidden`, 5*time.Second)
	if n := attempt().answered(); n != 5 {
		t.Fatalf("%d answers on the server after reconnecting, want 5", n)
	}
	b.Axe()
	b.Click("#quiz-submit-button")
	b.WaitVisible("#attempt-score")
	b.Screenshot("quiz-review-en")
	b.Axe()
	if s := b.Text("#attempt-score"); !strings.Contains(s, "5 of 5") {
		t.Errorf("score %q, want every answer counted", s)
	}
	// The review shows every chosen option (single choice, true or false and multiple choice:
	// 1 + 1 + 2), each question's radio buttons a group of their own.
	if n := e2e.Eval[int](b, `document.querySelectorAll("section.quiz-question input:checked").length`); n != 4 {
		t.Errorf("the review shows %d chosen options, want 4", n)
	}
	if a := attempt(); a.Status != "finished" || a.Score == nil || *a.Score != 5 || *a.MaxScore != 5 {
		t.Fatalf("attempt through the API: %+v", a)
	}
	var p struct {
		Status          string `json:"status"`
		CertificateCode string `json:"certificate_code"`
		Lessons         []struct {
			Status   string `json:"status"`
			Attempts int    `json:"attempts"`
		} `json:"lessons"`
	}
	learnerAPI.do("GET", cpath+"/progress", nil, http.StatusOK, &p)
	if p.Status != "completed" || p.CertificateCode == "" || len(p.Lessons) != 1 || p.Lessons[0].Status != "passed" || p.Lessons[0].Attempts != 1 {
		t.Fatalf("course progress: %+v", p)
	}

	// Back to the course: the lesson shows passed. The same pages in Arabic.
	b.Navigate(fmt.Sprintf("/quizzes/%d", lesson))
	b.ClickAndWait("#quiz-back-course")
	if txt := b.Text(fmt.Sprintf("#outline-lesson-%d + .kind + .badge", lesson)); !strings.Contains(txt, "Passed") {
		t.Errorf("course outline shows %q for the quiz", txt)
	}
	b.Screenshot("quiz-course-after-en")
	for _, path := range []string{fmt.Sprintf("/courses/%d", course), fmt.Sprintf("/lessons/%d", lesson), fmt.Sprintf("/quizzes/%d", lesson), fmt.Sprintf("/attempts/%d", attemptID)} {
		b.Navigate(path + "?lang=ar")
		if d := b.Attr("html", "dir"); d != "rtl" {
			t.Errorf("%s: dir %q", path, d)
		}
		name := strings.ReplaceAll(strings.Trim(path, "/"), "/", "-")
		b.Screenshot("quiz-" + name[:strings.Index(name, "-")] + "-ar")
		b.Axe()
		if x := b.CrossOrigin(); len(x) > 0 {
			t.Errorf("%s: requests to other origins: %v", path, x)
		}
	}
	// Once the course is archived, the learner still reviews the attempt but cannot start
	// another (the quiz allows two).
	teacher.do("POST", cpath+"/archive", nil, http.StatusOK, nil)
	b.Navigate(fmt.Sprintf("/quizzes/%d?lang=en", lesson))
	b.WaitVisible("#quiz-archived")
	if n := e2e.Eval[int](b, `document.querySelectorAll("#quiz-start-button").length`); n != 0 {
		t.Error("an archived course's quiz offers a new attempt")
	}
	b.Screenshot("quiz-archived-en")
	b.Axe()
	b.ClickAndWait(fmt.Sprintf("#attempt-%d a", attemptID))
	if s := b.Text("#attempt-score"); !strings.Contains(s, "5 of 5") {
		t.Errorf("review in the archived course: %q", s)
	}
	b.Axe()
}

// TestInstructorAuthorsQuizPages: an instructor builds a quiz in the browser without the API:
// adds a single choice question through the form, fails a numeric one (errors shown), edits a
// question, writes a cloze question as JSON, sets every setting, visits the question bank and
// sends a GIFT text with an error. Every page passes axe-core, in English and in Arabic, and
// loads nothing from another origin; screenshots of each.
func TestInstructorAuthorsQuizPages(t *testing.T) {
	srv := e2e.Start(t, "GLC_SEED_DEMO=false")
	const pw = "a long enough passphrase 42"
	srv.Glc(t, pw+"\n", "user", "create", "--email", "author@example.org", "--name", "Lina Haddad", "--role", "instructor", "--country", "LB")
	teacher := apiLogin(t, srv, "author@example.org", pw)
	course := teacher.id("POST", "/api/v1/courses", map[string]any{"title": "Investigating online fraud", "summary": "Scams and their traces.", "language": "en"})
	sec := teacher.id("POST", fmt.Sprintf("/api/v1/courses/%d/sections", course), map[string]any{"title": "Check"})
	lesson := teacher.id("POST", fmt.Sprintf("/api/v1/sections/%d/lessons", sec), map[string]any{"title": "Fraud quiz", "kind": "quiz"})
	teacher.id("POST", fmt.Sprintf("/api/v1/quizzes/%d/questions", lesson), map[string]any{"kind": "true_false", "category": "Fraud/Basics",
		"prompt": "A bank may ask for your password by e-mail.", "answer": false})
	teacher.id("POST", fmt.Sprintf("/api/v1/quizzes/%d/questions", lesson), map[string]any{"kind": "short", "category": "Fraud/Basics",
		"prompt": "What is the name of a fake website that copies a bank's?", "answers": []map[string]any{{"text": "phishing site"}}})

	b := srv.Browser(t)
	b.LoginAPI("author@example.org", pw)
	qpath := fmt.Sprintf("/quizzes/%d", lesson)
	check := func(name string) {
		t.Helper()
		b.Screenshot(name)
		b.Axe()
		if x := b.CrossOrigin(); len(x) > 0 {
			t.Errorf("%s: requests to other origins: %v", name, x)
		}
		if strings.Contains(e2e.Eval[string](b, `document.body.innerText`), "[quiz.") {
			t.Errorf("%s: a message ID shows instead of its text", name)
		}
		if w := e2e.Eval[bool](b, `document.documentElement.scrollWidth > innerWidth + 1`); w {
			t.Errorf("%s: the page is wider than the window", name)
		}
	}
	b.Navigate(qpath)
	check("quiz-author-en")

	// A single choice question through the form.
	b.ClickAndWait("#quiz-add-single")
	check("quiz-question-single-en")
	b.Fill("#question-prompt", "Which sign betrays a phishing e-mail?")
	b.Fill("#option-1-text", "An urgent request for your password")
	b.Fill("#option-2-text", "Your name spelt right")
	b.Click("#option-1-correct")
	b.Fill("#question-category", "Fraud/Basics")
	b.Submit("#question-form")
	if !strings.HasSuffix(strings.SplitN(b.Location(), "#", 2)[0], qpath) || !strings.Contains(b.Text("#quiz-question-list"), "Which sign betrays a phishing e-mail?") {
		t.Fatalf("after adding: %s", b.Location())
	}
	// A refused numeric question: the errors are on the page.
	b.Navigate(qpath + "/questions/new?kind=numeric")
	b.Fill("#question-prompt", "How many days does a chargeback take?")
	b.Fill("#answer-1-value", "thirty")
	b.Submit("#question-form")
	b.WaitVisible("#question-errors")
	check("quiz-question-errors-en")
	// Edit the first question; the JSON editor of a cloze question.
	b.Navigate(qpath)
	b.ClickAndWait("#quiz-question-list li a")
	b.WaitVisible("#question-shared")
	check("quiz-question-edit-en")
	b.Navigate(qpath + "/questions/new?kind=cloze")
	check("quiz-question-json-en")
	b.Fill("#question-json", `{"kind":"cloze","prompt":"Report fraud to the {{1}}.","blanks":[{"kind":"short","answers":[{"text":"police"}]}]}`)
	b.Submit("#question-form")
	if n := e2e.Eval[int](b, `document.querySelectorAll("#quiz-question-list > li").length`); n != 4 {
		t.Errorf("%d questions after the JSON one, want 4", n)
	}
	// Random draws from the category.
	b.Fill("#quiz-draw-count", "2")
	b.Submit("#quiz-draw-form")
	if n := e2e.Eval[int](b, `document.querySelectorAll("#quiz-question-list > li").length`); n != 5 {
		t.Errorf("%d slots after a random draw, want 5", n)
	}
	// Every setting.
	b.ClickAndWait("#quiz-all-settings")
	check("quiz-settings-en")
	b.Click("#settings-navigation-sequential")
	b.Click("#settings-review-after_close")
	b.Submit("#settings-form")
	var q struct {
		Settings struct {
			Navigation string `json:"navigation"`
			Review     struct {
				When string `json:"when"`
			} `json:"review"`
		} `json:"settings"`
	}
	teacher.do("GET", "/api/v1"+qpath, nil, http.StatusOK, &q)
	if q.Settings.Navigation != "sequential" || q.Settings.Review.When != "after_close" {
		t.Errorf("settings after the page: %+v", q.Settings)
	}
	// The bank.
	b.Navigate(qpath + "/bank")
	check("quiz-bank-en")
	// A GIFT text with an error.
	b.Navigate(qpath)
	b.Fill("#quiz-gift", "::G1:: Fine {T}\n\n::G2:: Broken {=a ~b")
	b.Submit("#quiz-gift-form")
	b.WaitVisible("#quiz-gift-errors")
	if s := b.Text("#quiz-gift-errors"); !strings.Contains(s, "Line 3") {
		t.Errorf("GIFT errors: %q", s)
	}

	// The same pages in Arabic.
	for _, p := range []struct{ path, name string }{
		{qpath, "quiz-author-ar"}, {qpath + "/questions/new?kind=single", "quiz-question-single-ar"},
		{qpath + "/questions/new?kind=numeric", "quiz-question-numeric-ar"}, {qpath + "/questions/new?kind=ordering", "quiz-question-json-ar"},
		{qpath + "/settings", "quiz-settings-ar"}, {qpath + "/bank", "quiz-bank-ar"},
	} {
		b.Navigate(p.path + map[bool]string{true: "&", false: "?"}[strings.Contains(p.path, "?")] + "lang=ar")
		if d := b.Attr("html", "dir"); d != "rtl" {
			t.Errorf("%s: dir %q", p.path, d)
		}
		check(p.name)
	}
	b.Navigate(qpath + "/questions/new?kind=single")
	b.Fill("#question-prompt", "سؤال بلا إجابة صحيحة")
	b.Fill("#option-1-text", "أ")
	b.Fill("#option-2-text", "ب")
	b.Submit("#question-form")
	b.WaitVisible("#question-errors")
	check("quiz-question-errors-ar")
	b.Navigate(qpath)
	b.Fill("#quiz-gift", "::G1:: {#abc}")
	b.Submit("#quiz-gift-form")
	b.WaitVisible("#quiz-gift-errors")
	if s := b.Text("#quiz-gift-errors"); !strings.Contains(s, "السطر 1") || strings.Contains(s, "not a number") {
		t.Errorf("Arabic GIFT errors: %q", s)
	}
	check("quiz-gift-errors-ar")
}
