package quiz_test

import (
	"context"
	"encoding/json"
	"fmt"
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

// choose sets a select's value the way a person does (a change event follows).
func choose(b *e2e.Session, sel, value string) {
	e2e.Eval[bool](b, fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = %q; el.dispatchEvent(new Event("change", {bubbles: true})); return true })()`, sel, value))
}

// typeIn empties an input and types text into it, key by key (input events follow).
func typeIn(b *e2e.Session, sel, text string) {
	e2e.Eval[bool](b, fmt.Sprintf(`(() => { document.querySelector(%q).value = ""; return true })()`, sel))
	b.Do(chromedp.SendKeys(chromedp.CSS(sel), text))
}

// waitFor polls a JavaScript condition.
func waitFor(t *testing.T, b *e2e.Session, what, expr string, timeout time.Duration) {
	t.Helper()
	end := time.Now().Add(timeout)
	for !e2e.Eval[bool](b, expr) {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s (%s)", what, expr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestBrowserOfflineAnswersAreKept is the quiz acceptance browser test: a timed quiz; the
// network goes offline while the learner keeps answering; it comes back; submit; every answer
// counts. Screenshots go to test-output/e2e. Run it with GLC_E2E=1 (Chromium needed).
//
// It drives the module's own test server (a fake course module), so it covers every
// automatically graded kind quickly; internal/e2e's TestLearnerTakesTimedQuizLessonOffline runs
// the same scenario through the glc binary, from the course page to the course progress.
func TestBrowserOfflineAnswersAreKept(t *testing.T) {
	e2e.Skip(t)
	e := newEnv(t)
	f := e.quizFixture(`{"time_limit_seconds": 900, "pass_percent": 80}`)
	kinds := everyKind()[:8] // every automatically graded kind
	for _, q := range kinds {
		e.addQuestion(f, q)
	}
	u := e.learner(f)
	a := e.start(f, u)
	b := (&e2e.Server{URL: e.URL()}).Browser(t)
	b.LoginToken(u.Token)
	b.Navigate(fmt.Sprintf("/attempts/%d", a.ID))
	b.WaitVisible("#quiz-countdown")
	if c := b.Text("#quiz-countdown"); !strings.HasPrefix(c, "14:") && !strings.HasPrefix(c, "15:") {
		t.Errorf("countdown shows %q for a 15-minute quiz", c)
	}
	q := map[string]questionJSON{}
	for _, x := range a.Questions {
		q[x.Kind] = x
	}
	opt := func(kind, text string) string {
		for _, o := range append(append(append(q[kind].Options, q[kind].Choices...), q[kind].Items...), q[kind].Prompts...) {
			if o.Text == text {
				return o.ID
			}
		}
		t.Fatalf("no %q in %s", text, kind)
		return ""
	}
	sel := func(kind, rest string) string { return fmt.Sprintf("#q-%d%s", q[kind].ID, rest) }

	// Online: the first answer is saved and acknowledged.
	b.Click(sel("single", "-o-"+opt("single", "Lyon")))
	waitFor(t, b, "first save", fmt.Sprintf(`(window.GLCQuiz.acked()[%q] || 0) > 1 && Object.keys(window.GLCQuiz.pending()).length === 0`, fmt.Sprint(q["single"].ID)), 10*time.Second)
	if s := b.Text(sel("single", "-status")); !strings.Contains(s, "Saved") {
		t.Errorf("status after saving: %q", s)
	}

	// Offline: the banner shows at once; answers keep being taken and queue on the device.
	setOffline(b, true)
	waitFor(t, b, "offline banner", `!document.getElementById("quiz-connection").hidden && window.GLCQuiz.offline()`, 5*time.Second)
	b.Click(sel("multiple", "-o-"+opt("multiple", "Red")))
	b.Click(sel("multiple", "-o-"+opt("multiple", "Yellow")))
	b.Click(sel("true_false", "-o-true"))
	typeIn(b, sel("short", "-text"), "NCB")
	typeIn(b, sel("numeric", "-number"), "1923")
	choose(b, sel("matching", "-p-"+opt("matching", "Red")), opt("matching", "Wanted"))
	choose(b, sel("matching", "-p-"+opt("matching", "Yellow")), opt("matching", "Missing"))
	for i, text := range []string{"Secure", "Document", "Collect"} {
		choose(b, sel("ordering", "-i-"+opt("ordering", text)), fmt.Sprint(i+1))
	}
	typeIn(b, sel("cloze", "-b-0"), "Lyon")
	waitFor(t, b, "queued answers", `Object.keys(window.GLCQuiz.pending()).length === 7`, 5*time.Second)
	stored := e2e.Eval[string](b, fmt.Sprintf(`localStorage.getItem("glc.quiz.%d")`, a.ID))
	var queued map[string]any
	if err := json.Unmarshal([]byte(stored), &queued); err != nil || len(queued) != 7 {
		t.Fatalf("localStorage queue: %v %s", err, stored)
	}
	if n := e.count("quiz_answers", "attempt_id = ?", a.ID); n != 1 {
		t.Fatalf("%d answers reached the server while offline", n)
	}
	b.Screenshot("quiz-offline")

	// Back online: the queue drains by itself.
	setOffline(b, false)
	waitFor(t, b, "queue drained", `Object.keys(window.GLCQuiz.pending()).length === 0`, 30*time.Second)
	waitFor(t, b, "banner hidden", `document.getElementById("quiz-connection").hidden`, 5*time.Second)
	if n := e.count("quiz_answers", "attempt_id = ?", a.ID); n != 8 {
		t.Fatalf("%d answers stored after reconnecting, want 8", n)
	}
	if got := e2e.Eval[any](b, fmt.Sprintf(`localStorage.getItem("glc.quiz.%d")`, a.ID)); got != nil {
		t.Errorf("queue left in localStorage: %v", got)
	}
	b.Screenshot("quiz-back-online")

	// A change made just before submitting is sent before the submission.
	typeIn(b, sel("short", "-text"), "ncb")
	b.Click("#quiz-submit-button")
	b.WaitVisible("#attempt-score")
	b.Screenshot("quiz-review")
	if s := b.Text("#attempt-score"); !strings.Contains(s, "9 of 9") {
		t.Fatalf("score %q, want every answer counted", s)
	}
	var got attemptRowT
	if err := e.DB.Table("quiz_attempts").Where("id = ?", a.ID).Take(&got).Error; err != nil || got.Score != 9 || got.Status != "finished" {
		t.Fatalf("stored attempt %+v %v", got, err)
	}
	var text string
	e.DB.Raw("SELECT response FROM quiz_answers WHERE attempt_id = ? AND question_id = ?", a.ID, q["short"].ID).Scan(&text)
	if !strings.Contains(text, `"ncb"`) {
		t.Fatalf("the last change before submitting was lost: %s", text)
	}
	b.Axe()
}

type attemptRowT struct {
	Score  float64
	Status string
}

// TestBrowserAttemptPageArabic checks the attempt page in Arabic (right to left) and its
// accessibility.
func TestBrowserAttemptPageArabic(t *testing.T) {
	e2e.Skip(t)
	e := newEnv(t)
	f := e.quizFixture(`{"time_limit_seconds": 600}`)
	for _, q := range everyKind() {
		e.addQuestion(f, q)
	}
	u := e.learner(f)
	a := e.start(f, u)
	b := (&e2e.Server{URL: e.URL()}).Browser(t)
	b.LoginToken(u.Token)
	b.Navigate(fmt.Sprintf("/attempts/%d?lang=ar", a.ID))
	b.WaitVisible("#quiz-countdown")
	if d := b.Attr("html", "dir"); d != "rtl" {
		t.Errorf("dir %q", d)
	}
	b.Screenshot("quiz-attempt-ar")
	b.Axe()
	if x := b.CrossOrigin(); len(x) > 0 {
		t.Errorf("requests to other origins: %v", x)
	}
	b.Viewport(390, 844)
	b.Navigate(fmt.Sprintf("/attempts/%d?lang=en", a.ID))
	b.Screenshot("quiz-attempt-en-phone")
}
