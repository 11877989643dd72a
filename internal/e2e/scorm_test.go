package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"glc/internal/e2e"
	"glc/modules/scorm/scormtest"
	webassets "glc/web"
)

// SCORM packages as course lessons, on the real binary: an instructor imports a package into a
// published course, a learner enrols in the browser, opens the lesson, launches the package,
// leaves half-way and comes back to the bookmark, finishes (answering the package's quiz),
// and the status, score and time reach the server: the package's attempt, the lesson record
// and the course's completion.

const scormPW = "a long enough passphrase 42"

// scormSetup starts the binary with an instructor and a learner, and a published course with
// one section that the instructor owns.
func scormSetup(t *testing.T) (srv *e2e.Server, teacher *apiClient, course, section int64) {
	t.Helper()
	if !webassets.Has("scorm-again/scorm12.min.js") {
		t.Skip("web/dist is empty: run `make assets` (npm ci --prefix web && npm run build --prefix web) first")
	}
	srv = e2e.Start(t, "GLC_SEED_DEMO=false")
	srv.Glc(t, scormPW+"\n", "user", "create", "--email", "teacher@example.org", "--name", "Amina Diallo", "--role", "instructor", "--country", "SN")
	srv.Glc(t, scormPW+"\n", "user", "create", "--email", "learner@example.org", "--name", "Yusuf Haddad", "--role", "learner", "--country", "JO")
	teacher = apiLogin(t, srv, "teacher@example.org", scormPW)
	course = teacher.id("POST", "/api/v1/courses", map[string]any{"title": "Document fraud at borders", "summary": "Spotting forged travel documents.", "language": "en"})
	section = teacher.id("POST", fmt.Sprintf("/api/v1/courses/%d/sections", course), map[string]any{"title": "E-learning"})
	teacher.do("PATCH", fmt.Sprintf("/api/v1/courses/%d", course), map[string]any{"self_enrolment": true}, http.StatusOK, nil)
	return srv, teacher, course, section
}

// importPackage uploads a zip through the API (201) and returns the new lesson.
func (c *apiClient) importPackage(section int64, name string, data []byte) int64 {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/sections/%d/packages", c.base, section), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		ID   int64  `json:"id"`
		Kind string `json:"kind"`
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(raw, &out) != nil || out.Kind != "package" {
		c.t.Fatalf("import %s: %d %s", name, resp.StatusCode, raw)
	}
	return out.ID
}

// acceptDialogs accepts the packages' confirm() ("resume where you left off?") and alert().
func acceptDialogs(b *e2e.Session) {
	ctx := b.Context()
	go func() {
		for _, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
}

// until polls a JavaScript expression in the page until it is true.
func until(t *testing.T, b *e2e.Session, expr string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.Context(), 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){try{return !!(`+expr+`)}catch(e){return false}})()`))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(150 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", expr)
}

func js(t *testing.T, b *e2e.Session, expr string) {
	t.Helper()
	e2e.Eval[any](b, `(function(){ `+expr+`; return true })()`)
}

// sco is the JavaScript path from the player page to the SCO's window (the package content is
// on the portal's origin when GLC_CONTENT_ORIGIN is not set).
const sco = `document.getElementById('scorm-frame').contentWindow.document.getElementById('sco').contentWindow`

// golfQuiz answers every question of the Golf example's quiz correctly and submits.
const golfQuiz = `var q = ` + sco + `.document.getElementById('contentFrame').contentWindow;
  q.document.querySelectorAll('.correctAnswer input[type=radio]').forEach(function(el){ el.click(); });
  q.test.Questions.forEach(function(x){
    var el = q.document.getElementById('question_'+x.Id+'_Text');
    if (el) { el.value = String(x.CorrectAnswer); el.dispatchEvent(new Event('change')); }
  });
  q.document.querySelector("input[type=button][value='Submit Answers']").click()`

type attemptJSON struct {
	ID               int64   `json:"id"`
	CompletionStatus string  `json:"completion_status"`
	SuccessStatus    string  `json:"success_status"`
	TotalSeconds     float64 `json:"total_seconds"`
	Score            *struct {
		Raw        *float64 `json:"raw"`
		ReportedBy string   `json:"reported_by"`
	} `json:"score"`
	Items []struct {
		Identifier string         `json:"identifier"`
		Location   string         `json:"location"`
		Exit       string         `json:"exit"`
		CMI        map[string]any `json:"cmi"`
	} `json:"items"`
	Interactions []any `json:"interactions"`
}

// waitAttempt polls the learner's latest attempt through the API until ok holds (the
// keepalive commit of a closing page may land a moment later).
func waitAttempt(t *testing.T, learner *apiClient, lesson int64, ok func(attemptJSON) bool) attemptJSON {
	t.Helper()
	var d attemptJSON
	for i := 0; i < 150; i++ {
		var list struct {
			Items []attemptJSON `json:"items"`
		}
		learner.do("GET", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), nil, http.StatusOK, &list)
		if len(list.Items) > 0 {
			d = attemptJSON{}
			learner.do("GET", fmt.Sprintf("/api/v1/scorm/attempts/%d", list.Items[len(list.Items)-1].ID), nil, http.StatusOK, &d)
			if ok(d) {
				return d
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the attempt never reached the expected state: %+v", d)
	return d
}

type lessonJSON struct {
	Kind      string `json:"kind"`
	PlayerURL string `json:"player_url"`
	Progress  *struct {
		Status           string   `json:"status"`
		Score            *float64 `json:"score"`
		MaxScore         *float64 `json:"max_score"`
		Attempts         int      `json:"attempts"`
		TimeSpentSeconds int64    `json:"time_spent_seconds"`
	} `json:"progress"`
}

// checkCompleted checks the lesson record and the course's completion on the server.
func checkCompleted(t *testing.T, learner *apiClient, course, lesson int64, score float64) {
	t.Helper()
	var l lessonJSON
	learner.do("GET", fmt.Sprintf("/api/v1/lessons/%d", lesson), nil, http.StatusOK, &l)
	if l.Progress == nil || l.Progress.Status != "passed" || l.Progress.Score == nil || *l.Progress.Score != score ||
		l.Progress.Attempts != 1 || l.Progress.TimeSpentSeconds <= 0 {
		t.Fatalf("lesson record: %+v", l.Progress)
	}
	var cv struct {
		Enrolment *struct {
			CompletedAt *time.Time `json:"completed_at"`
		} `json:"enrolment"`
	}
	learner.do("GET", fmt.Sprintf("/api/v1/courses/%d", course), nil, http.StatusOK, &cv)
	if cv.Enrolment == nil || cv.Enrolment.CompletedAt == nil {
		t.Fatalf("the course is not completed: %+v", cv.Enrolment)
	}
	t.Logf("lesson record: %s, score %v/%v, %d attempt(s), %d s; course completed at %s", l.Progress.Status, *l.Progress.Score,
		*l.Progress.MaxScore, l.Progress.Attempts, l.Progress.TimeSpentSeconds, cv.Enrolment.CompletedAt.Format(time.RFC3339))
}

// enrolAndOpen signs the learner in, enrols from the course page, opens the lesson from the
// outline and launches the package; each GLC page passes axe-core.
func enrolAndOpen(t *testing.T, srv *e2e.Server, course, lesson int64) *e2e.Session {
	t.Helper()
	b := srv.Browser(t)
	acceptDialogs(b)
	b.Login("learner@example.org", scormPW)
	b.Navigate(fmt.Sprintf("/courses/%d", course))
	b.Axe()
	b.Submit("#course-enrol")
	b.Navigate(fmt.Sprintf("/courses/%d", course))
	b.ClickAndWait(fmt.Sprintf("#outline-lesson-%d", lesson))
	if kind := b.Attr("#lesson", "data-kind"); kind != "package" {
		t.Errorf("the lesson page shows a lesson of kind %q", kind)
	}
	b.Axe()
	b.ClickAndWait("#lesson-start")
	if loc := b.Location(); !strings.HasSuffix(loc, fmt.Sprintf("/lessons/%d/play", lesson)) {
		t.Fatalf("Start led to %s", loc)
	}
	return b
}

func TestSCORMPackagesInACourse(t *testing.T) {
	dir := filepath.Join(filepath.Dir(e2e.Root(t)), "shared", "testdata", "scorm")
	zips, _ := filepath.Glob(filepath.Join(dir, "*.zip"))
	if len(zips) == 0 {
		t.Skipf("no packages in %s (the shared test packages are not checked out next to the repository)", dir)
	}
	for _, zp := range zips {
		name := strings.TrimSuffix(filepath.Base(zp), ".zip")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(zp)
			if err != nil {
				t.Fatal(err)
			}
			srv, teacher, course, section := scormSetup(t)
			lesson := teacher.importPackage(section, filepath.Base(zp), data)
			teacher.do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), nil, http.StatusOK, nil)
			b := enrolAndOpen(t, srv, course, lesson)
			learner := apiLogin(t, srv, "learner@example.org", scormPW)
			// The frame's SCO starts; the Golf examples (the shared packages) have pages and a quiz.
			until(t, b, sco+`.document.body && `+sco+`.document.readyState === 'complete'`, 30*time.Second)
			golf := e2e.Eval[bool](b, `(function(){try{return !!`+sco+`.document.getElementById('butNext')}catch(e){return false}})()`)
			if !golf {
				// A package this test does not know: it opens, the runtime starts, time is recorded.
				b.Screenshot("scorm-" + name + "-player-en")
				b.AxeExcept("#scorm-frame")
				b.Navigate("/")
				att := waitAttempt(t, learner, lesson, func(d attemptJSON) bool { return len(d.Items) > 0 })
				t.Logf("unknown package %s: attempt %s/%s, %v s", name, att.CompletionStatus, att.SuccessStatus, att.TotalSeconds)
				return
			}
			playGolf(t, b, learner, course, lesson, name)
		})
	}
}

func playGolf(t *testing.T, b *e2e.Session, learner *apiClient, course, lesson int64, name string) {
	t.Helper()
	play := fmt.Sprintf("/lessons/%d/play", lesson)
	until(t, b, sco+`.currentPage === 0`, 20*time.Second)
	b.Screenshot("scorm-" + name + "-01-player-en")
	b.AxeExcept("#scorm-frame")
	for i := 1; i <= 5; i++ {
		js(t, b, sco+`.document.getElementById('butNext').click()`)
		until(t, b, fmt.Sprintf("%s.currentPage === %d", sco, i), 5*time.Second)
	}
	// Read a moment (the SCORM 1.2 example counts whole seconds), then leave half-way: the
	// page closes; the SCO suspends and its last commit goes out.
	time.Sleep(1500 * time.Millisecond)
	b.Navigate("/")
	att := waitAttempt(t, learner, lesson, func(d attemptJSON) bool { return len(d.Items) == 1 && d.Items[0].Location == "5" })
	if att.Items[0].Exit != "suspend" || att.TotalSeconds <= 0 {
		t.Fatalf("after leaving: exit %q, time %v, cmi %v", att.Items[0].Exit, att.TotalSeconds, att.Items[0].CMI)
	}
	var l lessonJSON
	learner.do("GET", fmt.Sprintf("/api/v1/lessons/%d", lesson), nil, http.StatusOK, &l)
	if l.Progress == nil || l.Progress.Status != "in_progress" {
		t.Fatalf("lesson record half-way: %+v", l.Progress)
	}
	// Come back: the package asks to resume (accepted) and opens page 5.
	b.Navigate(play)
	until(t, b, sco+`.currentPage === 5`, 20*time.Second)
	b.Screenshot("scorm-" + name + "-02-resumed-en")
	for p := 6; p <= 14; p++ {
		js(t, b, sco+`.document.getElementById('butNext').click()`)
		until(t, b, fmt.Sprintf("%s.currentPage === %d", sco, p), 5*time.Second)
	}
	until(t, b, sco+`.document.getElementById('contentFrame').contentWindow.test.Questions.length > 0`, 10*time.Second)
	js(t, b, golfQuiz)
	until(t, b, sco+`.document.getElementById('contentFrame').contentWindow.document.getElementById('test').innerHTML.indexOf('Score: 100') >= 0`, 5*time.Second)
	b.Screenshot("scorm-" + name + "-03-quiz-en")
	js(t, b, sco+`.document.getElementById('butExit').click()`)
	until(t, b, `document.getElementById('scorm-message').textContent.length > 0`, 10*time.Second)
	att = waitAttempt(t, learner, lesson, func(d attemptJSON) bool { return d.SuccessStatus == "passed" && d.CompletionStatus == "completed" })
	if att.Score == nil || att.Score.Raw == nil || *att.Score.Raw != 100 || att.TotalSeconds <= 0 {
		t.Fatalf("attempt on the server: %+v", att)
	}
	t.Logf("attempt on the server: %s %s, score %v, %.1f s, %d interactions", att.CompletionStatus, att.SuccessStatus, *att.Score.Raw, att.TotalSeconds, len(att.Interactions))
	checkCompleted(t, learner, course, lesson, 100)
	if strings.Contains(name, "SCORM12") {
		// SCORM 1.2 keeps the data after a normal exit: opening again resumes at the bookmark.
		b.Navigate(play)
		until(t, b, sco+`.currentPage === 14`, 20*time.Second)
	}
	// The player in Arabic (right to left), with its link back to the course.
	b.Navigate(play + "?lang=ar")
	until(t, b, sco+`.document.getElementById('butNext')`, 20*time.Second)
	if dir := b.Attr("html", "dir"); dir != "rtl" {
		t.Errorf("player in Arabic: dir=%q", dir)
	}
	b.Screenshot("scorm-" + name + "-04-player-ar")
	b.AxeExcept("#scorm-frame")
	b.ClickAndWait("#scorm-back")
	if loc := b.Location(); !strings.Contains(loc, fmt.Sprintf("/courses/%d", course)) {
		t.Errorf("back to the course led to %s", loc)
	}
	b.Screenshot("scorm-" + name + "-05-course-ar")
	b.Axe()
	b.Navigate("/?lang=en")
}

// TestSCORMMultiSCOUploadedInTheEditor: the instructor uploads a generated SCORM 1.2 package
// with three SCOs through the course editor's upload page (progress bar, then the player); a
// learner takes the SCOs in order (prerequisites) and passes the last one.
func TestSCORMMultiSCOUploadedInTheEditor(t *testing.T) {
	srv, teacher, course, section := scormSetup(t)
	tb := srv.Browser(t)
	tb.Login("teacher@example.org", scormPW)
	tb.Navigate(fmt.Sprintf("/teach/courses/%d", course))
	tb.ClickAndWait(fmt.Sprintf("#new-package-%d", section))
	tb.Screenshot("scorm-upload-en")
	tb.Axe()
	zp := filepath.Join(t.TempDir(), "multi-sco.zip")
	if err := os.WriteFile(zp, scormtest.Package12Multi(t), 0o644); err != nil {
		t.Fatal(err)
	}
	tb.Do(chromedp.SetUploadFiles(chromedp.CSS("#package-file"), []string{zp}))
	tb.Do(chromedp.Evaluate[chromedp.Void](`window.__glcBefore = true`), chromedp.Click(chromedp.CSS(`#package-upload button[type=submit]`)))
	tb.WaitNewPage()
	loc := tb.Location()
	var lesson int64
	if _, err := fmt.Sscanf(loc[strings.Index(loc, "/lessons/"):], "/lessons/%d/play", &lesson); err != nil || lesson == 0 {
		t.Fatalf("after the upload the instructor is at %s", loc)
	}
	tb.Navigate(fmt.Sprintf("/teach/courses/%d", course))
	if txt := tb.Text(fmt.Sprintf("#editor-lesson-%d", lesson)); !strings.Contains(txt, "E-learning module") {
		t.Errorf("the editor lists the lesson as %q", txt)
	}
	teacher.do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), nil, http.StatusOK, nil)

	b := enrolAndOpen(t, srv, course, lesson)
	learner := apiLogin(t, srv, "learner@example.org", scormPW)
	until(t, b, sco+`.document.body.getAttribute('data-api') === '1.2'`, 20*time.Second)
	until(t, b, `document.querySelectorAll('.scorm-locked').length === 2`, 5*time.Second)
	b.Screenshot("scorm-multi-01-player-en")
	b.AxeExcept("#scorm-frame")
	js(t, b, sco+`.finishSCO('completed')`)
	until(t, b, sco+`.location.pathname.endsWith('/content/docs/page.html') && `+sco+`.document.body.getAttribute('data-api') === '1.2'`, 10*time.Second)
	js(t, b, sco+`.finishSCO('completed')`)
	until(t, b, sco+`.location.pathname.endsWith('/content/quiz/quiz.html') && `+sco+`.document.body.getAttribute('data-api') === '1.2'`, 10*time.Second)
	js(t, b, sco+`.finishSCO('completed', 'passed', '85')`)
	until(t, b, `document.getElementById('scorm-attempt-status').textContent === 'Passed'`, 10*time.Second)
	b.Screenshot("scorm-multi-02-done-en")
	att := waitAttempt(t, learner, lesson, func(d attemptJSON) bool { return d.CompletionStatus == "completed" && d.SuccessStatus == "passed" })
	if att.TotalSeconds != 15 {
		t.Errorf("total time %v, want 15 s (three sessions of 5 s)", att.TotalSeconds)
	}
	checkCompleted(t, learner, course, lesson, 85)
	b.Navigate(fmt.Sprintf("/lessons/%d/play?lang=ar", lesson))
	until(t, b, `document.querySelectorAll('.scorm-item').length === 3`, 10*time.Second)
	b.Screenshot("scorm-multi-03-player-ar")
	b.AxeExcept("#scorm-frame")
}
