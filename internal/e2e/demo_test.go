package e2e_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"glc/internal/e2e"
	webassets "glc/web"
)

// TestCourseDemoPackageAndQuiz (issue #7's demo course): on the real binary with its first-run
// demo content, a learner enrols in the demo course, opens its SCORM package lesson, reads the
// case, answers its three questions in the package's own page, and the package's report (passed,
// 100, its bookmark) reaches the server through the SCORM API; back in the player, the package
// opens where the learner left it with their last result. Then the quiz page and the course
// outline with the learner's statuses. Screenshots in English and Arabic.
func TestCourseDemoPackageAndQuiz(t *testing.T) {
	if !webassets.Has("scorm-again/scorm12.min.js") {
		t.Skip("web/dist is empty: run `make assets` (npm ci --prefix web && npm run build --prefix web) first")
	}
	srv := e2e.Start(t) // an empty embedded database: the demo content is loaded at start
	srv.Glc(t, scormPW+"\n", "user", "create", "--email", "learner@example.org", "--name", "Yusuf Haddad", "--role", "learner", "--country", "JO")
	learner := apiLogin(t, srv, "learner@example.org", scormPW)
	var cat struct {
		Items []struct {
			ID    int64
			Title string
		}
	}
	learner.do("GET", "/api/v1/courses?q=diffusions", nil, http.StatusOK, &cat)
	if len(cat.Items) != 1 {
		t.Fatalf("demo course: %+v", cat)
	}
	course := cat.Items[0].ID
	var cv struct {
		Sections []struct {
			Lessons []struct {
				ID   int64
				Kind string
			}
		}
	}
	learner.do("GET", fmt.Sprintf("/api/v1/courses/%d", course), nil, http.StatusOK, &cv)
	lessons := map[string]int64{}
	for _, s := range cv.Sections {
		for _, l := range s.Lessons {
			lessons[l.Kind] = l.ID
		}
	}
	if len(lessons) != 6 || lessons["package"] == 0 || lessons["quiz"] == 0 {
		t.Fatalf("demo course lessons by kind: %v", lessons)
	}

	b := enrolAndOpen(t, srv, course, lessons["package"])
	until(t, b, sco+`.document.getElementById('to-check')`, 30*time.Second)
	b.Screenshot("demo-package-01-case-en")
	b.AxeExcept("#scorm-frame")
	js(t, b, sco+`.document.getElementById('to-check').click()`)
	until(t, b, sco+`.document.getElementById('screen-2').hidden === false && `+sco+`.document.activeElement.id === 'h2'`, 5*time.Second)
	// One question left out: the page asks for it and reports nothing.
	js(t, b, `var d = `+sco+`.document; d.querySelector('input[name=q1][value=a]').click(); d.querySelector('input[name=q2][value=b]').click(); d.getElementById('submit-answers').click()`)
	until(t, b, sco+`.document.getElementById('result').textContent.indexOf('Answer the three questions') >= 0`, 5*time.Second)
	js(t, b, `var d = `+sco+`.document; d.querySelector('input[name=q3][value=c]').click(); d.getElementById('submit-answers').click()`)
	until(t, b, sco+`.document.getElementById('result').textContent.indexOf('3 of 3 right') >= 0`, 5*time.Second)
	b.Screenshot("demo-package-02-answered-en")
	time.Sleep(1200 * time.Millisecond) // a second or more of session time
	b.Navigate("/")                     // the page closes: the package finishes
	att := waitAttempt(t, learner, lessons["package"], func(d attemptJSON) bool { return d.SuccessStatus == "passed" })
	if att.Score == nil || att.Score.Raw == nil || *att.Score.Raw != 100 || len(att.Items) != 1 || att.Items[0].Location != "screen-2" {
		t.Fatalf("the package's report on the server: %+v", att)
	}
	var l lessonJSON
	learner.do("GET", fmt.Sprintf("/api/v1/lessons/%d", lessons["package"]), nil, http.StatusOK, &l)
	if l.Progress == nil || l.Progress.Status != "passed" || l.Progress.Score == nil || *l.Progress.Score != 100 {
		t.Fatalf("package lesson record: %+v", l.Progress)
	}
	t.Logf("package attempt: %s/%s, score %v, %.1f s", att.CompletionStatus, att.SuccessStatus, *att.Score.Raw, att.TotalSeconds)
	// Back in the player, the package opens where the learner left it.
	b.Navigate(fmt.Sprintf("/lessons/%d/play?lang=ar", lessons["package"]))
	until(t, b, sco+`.document.getElementById('screen-2') && `+sco+`.document.getElementById('screen-2').hidden === false`, 30*time.Second)
	until(t, b, sco+`.document.getElementById('result').textContent.indexOf('Your last result: 100 out of 100') >= 0`, 5*time.Second)
	b.Screenshot("demo-package-03-resumed-ar")
	b.AxeExcept("#scorm-frame")

	for _, lang := range []string{"en", "ar"} {
		b.Navigate(fmt.Sprintf("/quizzes/%d?lang=%s", lessons["quiz"], lang))
		if got := b.Text("#quiz-rules-list"); !strings.Contains(got, "5") {
			t.Errorf("%s quiz rules: %q", lang, got)
		}
		pageChecks(t, b, "demo-quiz-"+lang)
		b.Navigate(fmt.Sprintf("/courses/%d?lang=%s", course, lang))
		if n := e2e.Eval[int](b, `document.querySelectorAll("#course-outline .outline-lessons li").length`); n != 6 {
			t.Errorf("%s outline: %d lessons", lang, n)
		}
		pageChecks(t, b, "demo-course-learner-"+lang)
	}
}
