package app_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"glc/internal/app/apptest"
	"glc/internal/testkit"
)

var (
	timeElem = regexp.MustCompile(`(?s)<time([^>]*)>(.*?)</time>`)
	// A date, a moment (RFC 3339) or an ISO 8601 duration of hours, minutes and seconds.
	validDatetime = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?|PT(\d+H)?(\d+M)?(\d+(\.\d{1,3})?S)?)$`)
	// Text that reads as a date, a clock time or a duration.
	dateLike  = regexp.MustCompile(`\d{4}-\d{2}-\d{2}|\b\d{1,2}:\d{2}(:\d{2})?\b|\bPT\d`)
	notShown  = regexp.MustCompile(`(?is)<(script|style|pre|textarea)\b.*?</(script|style|pre|textarea)>`)
	tag       = regexp.MustCompile(`(?s)<[^>]*>`)
	dtAttr    = regexp.MustCompile(`datetime="([^"]*)"`)
	blankRuns = regexp.MustCompile(`\s+`)
)

// timesMarkedUp checks that every date, time and duration a page shows is a <time> element
// with a valid datetime, and returns how many <time> elements it has.
func timesMarkedUp(t *testing.T, name, page string) int {
	t.Helper()
	els := timeElem.FindAllStringSubmatch(page, -1)
	for _, el := range els {
		m := dtAttr.FindStringSubmatch(el[1])
		if m == nil || !validDatetime.MatchString(m[1]) {
			t.Errorf("%s: %s has no valid datetime", name, el[0])
		}
	}
	text := tag.ReplaceAllString(notShown.ReplaceAllString(timeElem.ReplaceAllString(page, ""), ""), " ")
	for _, m := range dateLike.FindAllStringIndex(text, -1) {
		ctx := blankRuns.ReplaceAllString(text[max(0, m[0]-60):min(len(text), m[1]+30)], " ")
		t.Errorf("%s: a date or time outside a <time> element: %q", name, ctx)
	}
	return len(els)
}

// TestDatesAreTimeElements: the account, progress, quiz and SCORM pages show every date, time
// and duration as a <time datetime> element: a user's registration and last login, a pending
// registration, certificates, the transcript, a course report, the certificate check, the
// trainer candidates, a quiz's opening and closing times, time limit, attempts, deadline, saved
// answers and audit log, and a package's attempts with the time spent.
func TestDatesAreTimeElements(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	admin := s.Admin(t)
	coordinator := s.NewUser(t, []string{"coordinator"}, apptest.Country("KE"))
	s.NewUser(t, nil, apptest.Status("pending"), apptest.Country("KE"))
	learner := s.Learner(t)

	opens := time.Now().UTC().Add(-time.Hour).Truncate(time.Minute)
	c := newQuizCourse(t, s, map[string]any{"time_limit_seconds": 3600, "opens_at": opens, "closes_at": opens.AddDate(0, 1, 0),
		"pass_percent": 50, "review": map[string]any{"when": "immediately"}})
	var cv struct {
		Sections []struct{ ID int64 }
	}
	must(t, s.Do("GET", c.path(), c.teacher.Token, nil), 200).JSON(t, &cv)
	pkg := idOf(t, want(t, uploadPackage(t, s, c.teacher.Token, cv.Sections[0].ID, "", package12(t)), 201))
	must(t, s.Do("PATCH", c.path(), c.teacher.Token, map[string]any{"due_at": time.Now().UTC().AddDate(0, 0, 20).Format(time.RFC3339)}), 200)
	c.publish(t)
	c.enrol(t, learner)

	// The quiz: a finished attempt, overridden by the instructor (an audit line), then a
	// second attempt left in progress with a saved answer (deadline, saved time).
	a := c.start(t, learner)
	c.answerAll(t, learner, a, true)
	must(t, s.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", a.ID), learner.Token, nil), 200)
	must(t, s.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/override", a.ID), c.teacher.Token, map[string]any{"score": 2, "reason": "Checked by hand"}), 200)
	// The package: launched and passed.
	att := idOf(t, want(t, s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", pkg), learner.Token, nil), 201))
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/launch", att), learner.Token, map[string]string{"item": "item1"}), 200)
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/commit", att), learner.Token, map[string]any{"item": "item1", "session": 1, "seq": 1,
		"cmi": map[string]any{"core": map[string]any{"lesson_status": "passed", "session_time": "00:03:20", "exit": "",
			"score": map[string]any{"raw": "85", "min": "0", "max": "100"}}}}), 200)
	b := c.start(t, learner)
	c.answerAll(t, learner, b, false)

	var prog struct {
		Status          string `json:"status"`
		CertificateCode string `json:"certificate_code"`
	}
	must(t, s.Do("GET", c.path()+"/progress", learner.Token, nil), 200).JSON(t, &prog)
	if prog.CertificateCode == "" {
		t.Fatalf("no certificate after passing both lessons: %+v", prog)
	}
	// The course is the trainer track: the learner becomes a candidate.
	must(t, s.Do("PUT", "/api/v1/trainer-track", admin.Token, map[string]any{"course_ids": []int64{c.course}}), 200)

	pages := []struct {
		path, token string
		min         int // <time> elements expected at least
	}{
		{fmt.Sprintf("/admin/users/%d", learner.ID), admin.Token, 1},
		{"/approvals", coordinator.Token, 1},
		{"/my/certificates", learner.Token, 1},
		{"/my/transcript", learner.Token, 1},
		{fmt.Sprintf("/reports/courses/%d", c.course), c.teacher.Token, 2},
		{"/verify/" + prog.CertificateCode, "", 1},
		{"/admin/trainers", admin.Token, 1},
		{fmt.Sprintf("/quizzes/%d", c.lesson), learner.Token, 4},
		{fmt.Sprintf("/quizzes/%d/results", c.lesson), c.teacher.Token, 1},
		{fmt.Sprintf("/attempts/%d", a.ID), c.teacher.Token, 1},
		{fmt.Sprintf("/attempts/%d", b.ID), learner.Token, 3},
		{fmt.Sprintf("/lessons/%d/play", pkg), learner.Token, 1},
		{fmt.Sprintf("/lessons/%d/scorm/attempts", pkg), c.teacher.Token, 2},
		{fmt.Sprintf("/scorm/attempts/%d", att), c.teacher.Token, 2},
	}
	for _, p := range pages {
		for _, lang := range []string{"en", "ar"} {
			path := p.path + "?lang=" + lang
			r := s.Do("GET", path, p.token, nil)
			if r.Status != 200 {
				t.Errorf("%s: %d %.300s", path, r.Status, r.Body)
				continue
			}
			if n := timesMarkedUp(t, path, string(r.Body)); n < p.min {
				t.Errorf("%s: %d <time> elements, want at least %d", path, n, p.min)
			}
		}
	}
	// The checker itself finds a bare date.
	if n := len(dateLike.FindAllString(tag.ReplaceAllString(`<td>2026-03-01</td><td><time datetime="2026-03-01">2026-03-01</time></td>`, " "), -1)); n != 2 {
		t.Errorf("date finder: %d", n)
	}
	if strings.Contains(timeElem.ReplaceAllString(`<p>Closes <time datetime="2026-03-01T10:00:00Z">2026-03-01 10:00 UTC</time></p>`, ""), "2026") {
		t.Error("time element finder")
	}
}
