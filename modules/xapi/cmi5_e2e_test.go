package xapi_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"glc/internal/e2e"
)

// The browser test plays a real cmi5 course (../shared/testdata/cmi5, from ADL's CATAPULT
// examples) in headless Chromium: the learner opens the cmi5 player, launches the AU in the
// player's frame, the AU fetches its token, reads LMS.LaunchData, sends initialized, pages
// through, passes the quiz and exits (terminated), the AU returns to GLC's return page and the
// player shows the result. It runs with GLC_E2E=1 like internal/e2e (GLC_CHROME, GLC_E2E_OUT),
// on the app in the test process with a fake course module, so that the result cmi5 hands to
// Progress can be checked as it is; internal/e2e's TestCMI5CourseInACourse plays the same
// course on the real binary as a lesson of a course.

func sharedCMI5(t *testing.T) string {
	t.Helper()
	wd, _ := os.Getwd()
	for dir := wd; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(filepath.Dir(dir), "shared", "testdata", "cmi5", "single_au_basic_responsive.zip")
			if _, err := os.Stat(p); err != nil {
				t.Skipf("real cmi5 course not found at %s (shared test data is kept beside the repository)", p)
			}
			return p
		}
	}
	t.Skip("repository root not found")
	return ""
}

// until polls a JavaScript expression until it is true.
func until(t *testing.T, b *e2e.Session, expr string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if e2e.Eval[bool](b, `(function(){try{return !!(`+expr+`)}catch(e){return false}})()`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", expr)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

func TestBrowserCMI5RealCourse(t *testing.T) {
	e2e.Skip(t)
	file := sharedCMI5(t)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Skipf("%s: %v", file, err)
	}
	e := newC5(t)
	lesson := e.importOK(t, data, filepath.Base(file))
	b := (&e2e.Server{URL: e.s.URL}).Browser(t)
	b.LoginToken(e.learner.Token)
	b.Navigate(fmt.Sprintf("/lessons/%d/cmi5", lesson))
	b.WaitVisible(`.cmi5-launch[data-au="0"]`)
	if got := b.Text(`[data-status-for="0"]`); got != "Not started" {
		t.Fatalf("status before: %q", got)
	}
	b.Axe()
	if x := b.CrossOrigin(); len(x) > 0 {
		t.Errorf("the player loads from other origins: %v", x)
	}
	b.Screenshot("cmi5-01-player")
	// Launch in the frame (the AU's launchMethod is AnyWindow).
	b.Click(`.cmi5-launch[data-au="0"]`)
	const au = `document.getElementById('cmi5-frame').contentWindow`
	// The course script keeps its object in a top-level let: reach it with the frame's eval.
	const course = au + `.eval('course')`
	defer func() {
		if t.Failed() {
			t.Logf("frame: %s", e2e.Eval[string](b, `(function(){try{var w=`+au+`;return w.location.href+' | '+(w.document.getElementById('error-content')||{}).textContent+' | msg '+document.getElementById('cmi5-message').textContent}catch(e){return 'err '+e}})()`))
		}
	}()
	until(t, b, `!document.getElementById('cmi5-frame').hidden && `+course+` && `+course+`.trackingPlugin.cmi5 && `+course+`.trackingPlugin.cmi5.isActive()`, 30*time.Second)
	if errText := e2e.Eval[string](b, `(function(){var el=`+au+`.document.getElementById('error-content');return el?el.textContent:''})()`); errText != "" {
		t.Fatalf("the AU reported an error: %s", errText)
	}
	b.Screenshot("cmi5-02-au-started")
	// Page on, then answer the quiz correctly and submit.
	e2e.Eval[bool](b, `(function(){`+course+`.nextPage(); return true})()`)
	until(t, b, course+`.currentPageIdx === 1`, 5*time.Second)
	e2e.Eval[bool](b, `(function(){var c=`+course+`; c.gotoPage(c.pageList.length-1); return true})()`)
	until(t, b, au+`.document.querySelector('[name=q0]')`, 10*time.Second)
	e2e.Eval[bool](b, `(function(){var c=`+course+`; c.autopass(); c.submitAnswers(); return true})()`)
	until(t, b, course+`.trackingPlugin.activeStatements === 0 && `+course+`.trackingPlugin.cmi5._passed`, 20*time.Second)
	b.Screenshot("cmi5-03-quiz-passed")
	// Exit: the AU sends terminated and goes to the return URL, which tells the player.
	e2e.Eval[bool](b, `(function(){`+course+`.exit(); return true})()`)
	until(t, b, `document.getElementById('cmi5-frame').hidden && document.getElementById('cmi5-status').getAttribute('data-status') === 'passed'`, 20*time.Second)
	if got := b.Text(`[data-status-for="0"]`); got != "Passed" {
		t.Errorf("status after: %q", got)
	}
	b.Axe()
	b.Screenshot("cmi5-04-after")
	// What the server has.
	r := e.fake.Last(e.learner.ID, lesson)
	if r == nil || r.Status != "passed" || !r.Completed || r.Scaled == nil || *r.Scaled != 1 || r.TimeSpent <= 0 {
		t.Fatalf("Progress received %+v", r)
	}
	cv := e.s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/cmi5", lesson), e.learner.Token, nil).Map(t)
	stmts := e.statementsOf(t, cv["registration"].(string))
	verbs := strings.Join(verbsOf(stmts), ",")
	for _, v := range []string{"launched,initialized", "passed", "completed", "satisfied", "terminated"} {
		if !strings.Contains(verbs, v) {
			t.Errorf("statements %s lack %s", verbs, v)
		}
	}
	if !strings.HasSuffix(verbs, "terminated") {
		t.Errorf("terminated is not last: %s", verbs)
	}
	t.Logf("statements of the registration: %s; lesson result %s, score %v, %.0f s", verbs, r.Status, *r.Scaled, r.TimeSpent.Seconds())
	// The player in Arabic (right to left) passes axe too.
	b.Navigate(fmt.Sprintf("/lessons/%d/cmi5?lang=ar", lesson))
	b.Axe()
	b.Screenshot("cmi5-05-player-ar")
}
