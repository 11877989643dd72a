package scorm_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"glc/internal/app/apptest"
	"glc/internal/e2e"
	webassets "glc/web"
)

// The browser tests play the real packages in ../shared/testdata/scorm in headless Chromium:
// the learner pages through, leaves half-way (the page closes: the final commit goes out with
// fetch keepalive), comes back and resumes at the bookmark, answers the quiz, exits; status,
// score and time arrive on the server. They run with GLC_E2E=1 like internal/e2e, whose
// settings (GLC_CHROME, GLC_E2E_OUT) they share; they run the app in the test process rather
// than the real binary because the course module is a fake here until it lands.

func browserEnv(t *testing.T) (context.Context, string) {
	t.Helper()
	e2e.Skip(t)
	if !webassets.Has("scorm-again/scorm12.min.js") {
		t.Skip("web/dist is empty: run `make assets` (npm ci --prefix web && npm run build --prefix web) first")
	}
	exe := e2e.ChromePath()
	if _, err := os.Stat(exe); err != nil {
		t.Fatalf("Chromium not found at %s (apt-get install chromium, or set GLC_CHROME): %v", exe, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("headless", "new"), chromedp.WindowSize(1280, 900), chromedp.Flag("disable-gpu", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	// Accept the packages' confirm() ("resume where you left off?") and alert() dialogs.
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatalf("start Chromium: %v", err)
	}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	out := filepath.Join(e2e.OutDir(t), "scorm", strings.ReplaceAll(t.Name(), "/", "_"))
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", out)
	return ctx, out
}

func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	t.Logf("%s step %s", time.Now().Format("15:04:05.000"), name)
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	_ = os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
}

// sco is the JavaScript path from the player page to the SCO's window (same origin here).
const sco = `document.getElementById('scorm-frame').contentWindow.document.getElementById('sco').contentWindow`

// evalUntil polls a JavaScript expression until it is true.
func evalUntil(t *testing.T, ctx context.Context, expr string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){try{return !!(`+expr+`)}catch(e){return false}})()`))
		if err == nil && ok {
			return
		}
		time.Sleep(150 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", expr)
}

func run(t *testing.T, ctx context.Context, js string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](js)); err != nil {
		t.Fatalf("%s: %v", js, err)
	}
}

// answerQuiz answers every question of the Golf quiz correctly and submits.
const answerQuiz = `(function(){
  var q = ` + sco + `.document.getElementById('contentFrame').contentWindow;
  // The template marks the right choice of each question with the class correctAnswer.
  q.document.querySelectorAll('.correctAnswer input[type=radio]').forEach(function(el){ el.click(); });
  q.test.Questions.forEach(function(x){
    var el = q.document.getElementById('question_'+x.Id+'_Text');
    if (el) { el.value = String(x.CorrectAnswer); el.dispatchEvent(new Event('change')); }
  });
  q.document.querySelector("input[type=button][value='Submit Answers']").click();
  return true;
})()`

func TestBrowserPlaysRealPackages(t *testing.T) {
	dir := sharedTestdata(t)
	for _, c := range []struct{ file, standard string }{
		{"RuntimeBasicCalls_SCORM12.zip", "scorm12"},
		{"RuntimeBasicCalls_SCORM20043rdEdition.zip", "scorm2004"},
	} {
		t.Run(c.standard, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil {
				t.Skipf("%s: %v", c.file, err)
			}
			ctx, out := browserEnv(t)
			e := newEnv(t)
			lesson := e.importOK(t, data)
			playGolf(t, ctx, out, e, lesson, c.standard)
		})
	}
}

func playGolf(t *testing.T, ctx context.Context, out string, e *env, lesson int64, standard string) {
	u, _ := url.Parse(e.s.URL)
	play := fmt.Sprintf("%s/lessons/%d/play", e.s.URL, lesson)
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "glc_access", Value: e.learner.Token,
		Domain: u.Hostname(), Path: "/"}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(play)); err != nil {
		t.Fatal(err)
	}
	// The SCO starts and finds the API in its parent (the API frame).
	evalUntil(t, ctx, sco+`.document.getElementById('butNext') && `+sco+`.currentPage === 0`, 20*time.Second)
	shot(t, ctx, out, "01-first-page")
	for i := 0; i < 5; i++ {
		run(t, ctx, sco+`.document.getElementById('butNext').click()`)
		evalUntil(t, ctx, fmt.Sprintf("%s.currentPage === %d", sco, i+1), 5*time.Second)
	}
	shot(t, ctx, out, "02-page-5")
	// Read a moment (the SCORM 1.2 example counts whole seconds: a quicker visit reports no
	// time), then leave half-way: the page closes; the SCO suspends and the final commit goes out.
	time.Sleep(1500 * time.Millisecond)
	if err := chromedp.Do(ctx, chromedp.Navigate(e.s.URL+"/")); err != nil {
		t.Fatal(err)
	}
	att := waitAttempt(t, e, lesson, func(d AttemptDetailJSON) bool {
		return len(d.Items) == 1 && d.Items[0].Location == "5"
	})
	cmi := att.Items[0].CMI
	exit := ""
	if standard == "scorm12" {
		exit = cmi["core"].(map[string]any)["exit"].(string)
	} else {
		exit = cmi["exit"].(string)
	}
	if exit != "suspend" || att.TotalSeconds <= 0 {
		t.Fatalf("after closing: exit %q, time %v", exit, att.TotalSeconds)
	}
	// Come back: the package asks to resume (accepted) and opens page 5.
	if err := chromedp.Do(ctx, chromedp.Navigate(play)); err != nil {
		t.Fatal(err)
	}
	evalUntil(t, ctx, sco+`.currentPage === 5`, 20*time.Second)
	shot(t, ctx, out, "03-resumed-at-page-5")
	for p := 6; p <= 14; p++ {
		run(t, ctx, sco+`.document.getElementById('butNext').click()`)
		evalUntil(t, ctx, fmt.Sprintf("%s.currentPage === %d", sco, p), 5*time.Second)
	}
	evalUntil(t, ctx, sco+`.document.getElementById('contentFrame').contentWindow.test.Questions.length > 0`, 10*time.Second)
	run(t, ctx, answerQuiz)
	evalUntil(t, ctx, sco+`.document.getElementById('contentFrame').contentWindow.document.getElementById('test').innerHTML.indexOf('Score: 100') >= 0`, 5*time.Second)
	shot(t, ctx, out, "04-quiz-answered")
	run(t, ctx, sco+`.document.getElementById('butExit').click()`)
	evalUntil(t, ctx, `document.getElementById('scorm-message').textContent.length > 0 && document.getElementById('scorm-attempt-status').textContent.length > 0`, 10*time.Second)
	shot(t, ctx, out, "05-exited")
	att = waitAttempt(t, e, lesson, func(d AttemptDetailJSON) bool {
		return d.SuccessStatus == "passed" && d.CompletionStatus == "completed"
	})
	if att.Score == nil || att.Score.Raw == nil || *att.Score.Raw != 100 || att.Score.ReportedBy != "content" || att.TotalSeconds <= 0 {
		t.Fatalf("results on the server: %+v", att)
	}
	t.Logf("attempt on the server: %s %s, score %v, %.1f s, %d interactions", att.CompletionStatus, att.SuccessStatus, *att.Score.Raw, att.TotalSeconds, len(att.Interactions))
	res := e.fake.Results()
	if last := res[len(res)-1].R; last.Status != "passed" || last.TimeSpent <= 0 {
		t.Fatalf("progress received %+v", last)
	}
	if standard == "scorm12" {
		// SCORM 1.2 keeps the data after a normal exit: opening again resumes at the bookmark.
		if err := chromedp.Do(ctx, chromedp.Navigate(play)); err != nil {
			t.Fatal(err)
		}
		evalUntil(t, ctx, sco+`.currentPage === 14`, 20*time.Second)
		shot(t, ctx, out, "06-reopened-at-bookmark")
	}
}

// waitAttempt polls the learner's attempt until ok holds (the keepalive commit may land a
// moment after the page is gone).
func waitAttempt(t *testing.T, e *env, lesson int64, ok func(AttemptDetailJSON) bool) AttemptDetailJSON {
	t.Helper()
	att := e.attemptOf(t, lesson, e.learner)
	var d AttemptDetailJSON
	for i := 0; i < 100; i++ {
		r := e.s.Do("GET", fmt.Sprintf("/api/v1/scorm/attempts/%d", att), e.learner.Token, nil)
		d = AttemptDetailJSON{}
		r.JSON(t, &d)
		if ok(d) {
			return d
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("attempt never reached the expected state: %+v", d)
	return d
}

// openPlayer signs the learner in (the session cookie) and opens the lesson's player.
func openPlayer(t *testing.T, ctx context.Context, e *env, lesson int64) {
	t.Helper()
	u, _ := url.Parse(e.s.URL)
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "glc_access", Value: e.learner.Token,
		Domain: u.Hostname(), Path: "/"}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/lessons/%d/play", e.s.URL, lesson))); err != nil {
		t.Fatal(err)
	}
}

func TestBrowserMultiSCO12Prerequisites(t *testing.T) {
	ctx, out := browserEnv(t)
	e := newEnv(t)
	lesson := e.importOK(t, package12Multi(t))
	openPlayer(t, ctx, e, lesson)
	// The first SCO opens with its launch parameters; the two others are locked.
	evalUntil(t, ctx, sco+`.document.body.getAttribute('data-api') === '1.2' && `+sco+`.location.search === '?start=intro&lang=en'`, 20*time.Second)
	evalUntil(t, ctx, `document.querySelectorAll('.scorm-locked').length === 2 && !document.querySelector('[data-item="glossary"]')`, 2*time.Second)
	shot(t, ctx, out, "01-sco1-others-locked")
	// Finishing a SCO moves on to the next, whose prerequisites are now met.
	run(t, ctx, sco+`.finishSCO('completed')`)
	evalUntil(t, ctx, sco+`.location.pathname.endsWith('/content/docs/page.html') && `+sco+`.document.body.getAttribute('data-api') === '1.2'`, 10*time.Second)
	evalUntil(t, ctx, `document.querySelector('[data-status-for="sco1"]').textContent === 'Completed'`, 5*time.Second)
	run(t, ctx, sco+`.finishSCO('completed')`)
	evalUntil(t, ctx, sco+`.location.pathname.endsWith('/content/quiz/quiz.html') && `+sco+`.document.body.getAttribute('data-api') === '1.2'`, 10*time.Second)
	shot(t, ctx, out, "02-quiz")
	run(t, ctx, sco+`.finishSCO('completed', 'passed', '85')`)
	evalUntil(t, ctx, `document.querySelector('[data-status-for="sco3"]').textContent === 'Passed' && document.getElementById('scorm-attempt-status').textContent === 'Passed'`, 10*time.Second)
	shot(t, ctx, out, "03-all-done")
	att := waitAttempt(t, e, lesson, func(d AttemptDetailJSON) bool {
		return d.CompletionStatus == "completed" && d.SuccessStatus == "passed"
	})
	if att.TotalSeconds != 15 {
		t.Errorf("total time %v, want 15 s (three sessions of 5 s)", att.TotalSeconds)
	}
	// The outline now shows nothing locked.
	openPlayer(t, ctx, e, lesson)
	evalUntil(t, ctx, `document.querySelectorAll('.scorm-locked').length === 0 && document.querySelectorAll('.scorm-item').length === 3`, 10*time.Second)
}

// auto2004 is the sequencing package whose first SCO probes its surroundings and finishes by
// itself (the test cannot script a frame on another origin).
func auto2004(t *testing.T, main string) []byte {
	params := "?auto=1&amp;main=" + main
	m := strings.Replace(manifest2004, `<item identifier="lesson1" identifierref="r1">`, `<item identifier="lesson1" identifierref="r1" parameters="`+params+`">`, 1)
	return package2004With(t, m)
}

func TestBrowser2004FlowSameOrigin(t *testing.T) {
	ctx, out := browserEnv(t)
	e := newEnv(t)
	lesson := e.importOK(t, auto2004(t, e.s.URL))
	openPlayer(t, ctx, e, lesson)
	// Flow without choice: the outline's links are disabled, continue leads on.
	evalUntil(t, ctx, `document.querySelectorAll('.scorm-item[aria-disabled="true"]').length === 2`, 20*time.Second)
	// lesson1 finishes by itself with a "continue" request: lesson2 opens (with its fragment).
	evalUntil(t, ctx, sco+`.location.pathname.endsWith('/two.html') && `+sco+`.location.hash === '#part2' && `+sco+`.document.body.getAttribute('data-api') === '2004'`, 20*time.Second)
	shot(t, ctx, out, "01-lesson2-by-flow")
	run(t, ctx, sco+`.finishSCO('completed', 'passed', '70', 'exitAll')`)
	evalUntil(t, ctx, `document.getElementById('scorm-message').textContent.length > 0 && document.querySelector('[data-status-for="lesson2"]').textContent === 'Passed'`, 10*time.Second)
	shot(t, ctx, out, "02-exited")
	att := waitAttempt(t, e, lesson, func(d AttemptDetailJSON) bool { return d.CompletionStatus == "completed" })
	probe := ""
	for _, it := range att.Items {
		if it.Identifier == "lesson1" {
			probe, _ = it.CMI["suspend_data"].(string)
		}
	}
	// scorm-again's sequencer has the activity tree (previous is not valid from the first
	// activity, continue is). Under a shared origin the content's own requests to the API are
	// blocked by its CSP, but it can reach the player page's DOM: the documented limit of this
	// mode.
	if probe != "prev=false;cont=true;top=open;api=blocked" {
		t.Fatalf("probe from the content: %q", probe)
	}
}

func TestBrowserContentOriginIsolation(t *testing.T) {
	ctx, out := browserEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	main := fmt.Sprintf("http://127.0.0.1:%d", port)
	e := newEnvOn(t, ln, apptest.Env("GLC_BASE_URL", main), apptest.Env("GLC_CONTENT_ORIGIN", fmt.Sprintf("http://localhost:%d", port)))
	lesson := e.importOK(t, auto2004(t, main))
	openPlayer(t, ctx, e, lesson)
	// The SCO runs on the content origin, probes, and finishes by itself.
	evalUntil(t, ctx, `document.querySelector('[data-status-for="lesson1"]').textContent === 'Passed'`, 30*time.Second)
	shot(t, ctx, out, "01-lesson1-done-on-content-origin")
	att := waitAttempt(t, e, lesson, func(d AttemptDetailJSON) bool { return len(d.Items) > 0 && d.Items[0].CompletionStatus == "completed" })
	probe, _ := att.Items[0].CMI["suspend_data"].(string)
	if probe != "prev=false;cont=true;top=blocked;api=blocked" {
		t.Fatalf("the content reached outside its origin: %q", probe)
	}
	// The player cannot script the API frame either (another origin).
	var blocked bool
	blocked, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){try{return !document.getElementById('scorm-frame').contentWindow.document}catch(e){return true}})()`))
	if err != nil || !blocked {
		t.Fatalf("API frame is not on another origin: %v %v", blocked, err)
	}
}
