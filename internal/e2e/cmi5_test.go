package e2e_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"glc/internal/e2e"
)

// A cmi5 course as a course lesson, on the real binary: the instructor imports the shared
// CATAPULT example (one AU, moveOn CompletedOrPassed) into a published course; a learner
// enrols, opens the lesson (the player lists the AU), launches it in the player's frame; the
// AU fetches its token, reads LMS.LaunchData, sends initialized, passes the quiz and exits
// (terminated, then GLC's return page); the lesson record is passed and the course completed.
func TestCMI5CourseInACourse(t *testing.T) {
	file := filepath.Join(filepath.Dir(e2e.Root(t)), "shared", "testdata", "cmi5", "single_au_basic_responsive.zip")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Skipf("the shared cmi5 course is not checked out next to the repository: %v", err)
	}
	srv, teacher, course, section := scormSetup(t)
	lesson := teacher.importPackage(section, filepath.Base(file), data)
	teacher.do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), nil, http.StatusOK, nil)

	b := srv.Browser(t)
	acceptDialogs(b)
	b.Login("learner@example.org", scormPW)
	b.Navigate(fmt.Sprintf("/courses/%d", course))
	b.Submit("#course-enrol")
	b.Navigate(fmt.Sprintf("/courses/%d", course))
	b.ClickAndWait(fmt.Sprintf("#outline-lesson-%d", lesson))
	b.ClickAndWait("#lesson-start")
	if loc := b.Location(); !strings.HasSuffix(loc, fmt.Sprintf("/lessons/%d/cmi5", lesson)) {
		t.Fatalf("Start led to %s", loc)
	}
	b.WaitVisible(`.cmi5-launch[data-au="0"]`)
	b.Axe()
	if x := b.CrossOrigin(); len(x) > 0 {
		t.Errorf("the player loads from other origins: %v", x)
	}
	b.Screenshot("cmi5-01-player-en")

	b.Click(`.cmi5-launch[data-au="0"]`)
	const au = `document.getElementById('cmi5-frame').contentWindow`
	const course5 = au + `.eval('course')` // the course script keeps its object in a top-level let
	until(t, b, `!document.getElementById('cmi5-frame').hidden && `+course5+`.trackingPlugin.cmi5.isActive()`, 30*time.Second)
	b.Screenshot("cmi5-02-au-en")
	b.AxeExcept("#cmi5-frame")
	js(t, b, `var c = `+course5+`; c.gotoPage(c.pageList.length - 1)`)
	until(t, b, au+`.document.querySelector('[name=q0]')`, 10*time.Second)
	js(t, b, `var c = `+course5+`; c.autopass(); c.submitAnswers()`)
	until(t, b, course5+`.trackingPlugin.activeStatements === 0 && `+course5+`.trackingPlugin.cmi5._passed`, 20*time.Second)
	time.Sleep(1200 * time.Millisecond) // the AU counts its session's duration in seconds
	js(t, b, course5+`.exit()`)
	until(t, b, `document.getElementById('cmi5-frame').hidden && document.getElementById('cmi5-status').getAttribute('data-status') === 'passed'`, 20*time.Second)
	if got := b.Text(`[data-status-for="0"]`); got != "Passed" {
		t.Errorf("status in the player: %q", got)
	}
	b.Screenshot("cmi5-03-passed-en")
	b.Axe()

	learner := apiLogin(t, srv, "learner@example.org", scormPW)
	checkCompleted(t, learner, course, lesson, 100)

	// The player in Arabic, and its link back to the course.
	b.Navigate(fmt.Sprintf("/lessons/%d/cmi5?lang=ar", lesson))
	if dir := b.Attr("html", "dir"); dir != "rtl" {
		t.Errorf("player in Arabic: dir=%q", dir)
	}
	b.Axe()
	b.Screenshot("cmi5-04-player-ar")
	b.ClickAndWait("#cmi5-course")
	if loc := b.Location(); !strings.Contains(loc, fmt.Sprintf("/courses/%d", course)) {
		t.Errorf("back to the course led to %s", loc)
	}
	b.Navigate("/?lang=en")
}
