package xapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"glc/internal/app/apptest"
	"glc/internal/testkit"
)

// assertClean checks that nothing of a cmi5 import is left: no object under cmi5/, no course
// row, no lesson in the course module.
func (e *c5env) assertClean(t *testing.T, lessonsBefore int) {
	t.Helper()
	objs, err := e.s.Store.List(context.Background(), "cmi5/")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 0 {
		t.Errorf("storage not clean: %d objects, first %s", len(objs), objs[0].Key)
	}
	var n int64
	if err := e.s.DB.Table("cmi5_courses").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database not clean: %d cmi5_courses rows", n)
	}
	if got := e.fake.LessonCount(); got != lessonsBefore {
		t.Errorf("lessons: %d, want %d", got, lessonsBefore)
	}
}

func TestCMI5ImportZipAndBareXML(t *testing.T) {
	e := newC5(t)
	t.Logf("backend: %s", testkit.Backend())
	r := e.upload(t, 1, e.instructor.Token, coursePackage(t), "course.zip")
	if r.Status != http.StatusCreated {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	var res struct {
		ID      int64
		Kind    string
		Package struct {
			Standard, Title string
			Items           []struct {
				Identifier string
				Launchable bool
				Children   []struct{ Identifier string }
			}
		}
	}
	r.JSON(t, &res)
	if res.Kind != "package" || res.Package.Standard != "cmi5" || res.Package.Title != "Border checks" || len(res.Package.Items) != 2 ||
		res.Package.Items[0].Launchable || res.Package.Items[0].Children[0].Identifier != "https://example.org/courses/border/au-quiz" ||
		!res.Package.Items[1].Launchable {
		t.Fatalf("import answer: %s", r.Body)
	}
	objs, err := e.s.Store.List(context.Background(), "cmi5/")
	if err != nil || len(objs) != 3 {
		t.Fatalf("stored objects: %d %v", len(objs), err)
	}
	// A cmi5.xml alone: every AU on the web, no files stored.
	bare := strings.NewReplacer(`<url>content/quiz.html?lang=en</url>`, `<url>https://elearning.example.org/quiz.html?lang=en</url>`).Replace(courseXML)
	r = e.upload(t, 1, e.instructor.Token, []byte(bare), "cmi5.xml")
	if r.Status != http.StatusCreated || !strings.Contains(string(r.Body), `"standard":"cmi5"`) {
		t.Fatalf("bare import: %d %s", r.Status, r.Body)
	}
	if objs2, _ := e.s.Store.List(context.Background(), "cmi5/"); len(objs2) != 3 {
		t.Errorf("a bare cmi5.xml stored files: %d objects", len(objs2))
	}
	if e.fake.LessonCount() != 2 {
		t.Errorf("lessons: %d", e.fake.LessonCount())
	}
	// The SCORM player of a cmi5 lesson hands over to the cmi5 player.
	e.fake.Enrol(res.ID, e.learner.ID)
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/lessons/%d/play", e.s.URL, res.ID), nil)
	req.AddCookie(&http.Cookie{Name: "glc_access", Value: e.learner.Token})
	if resp := e.s.Send(req); resp.Status != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/lessons/%d/cmi5", res.ID) {
		t.Errorf("play redirect: %d %s", resp.Status, resp.Header.Get("Location"))
	}
}

func TestCMI5ImportRefusals(t *testing.T) {
	e := newC5(t, apptest.Env("GLC_MAX_PACKAGE_FILES", "20"), apptest.Env("GLC_MAX_PACKAGE_MB", "1"))
	files := []zipEntry{{"content/quiz.html", auPage}}
	with := func(xml string, extra ...zipEntry) []byte {
		return buildZip(t, append(append([]zipEntry{{"cmi5.xml", xml}}, files...), extra...)...)
	}
	repl := func(old, new string) string {
		if !strings.Contains(courseXML, old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return strings.Replace(courseXML, old, new, 1)
	}
	var many []zipEntry
	for i := 0; i < 20; i++ {
		many = append(many, zipEntry{fmt.Sprintf("f%d.txt", i), "x"})
	}
	cases := []struct {
		name string
		data []byte
		why  string
	}{
		{"not a zip nor XML", []byte("%PDF-1.4"), "not a zip archive"},
		{"no cmi5.xml", buildZip(t, files...), "no imsmanifest.xml"},
		{"zip slip", with(courseXML, zipEntry{"../../evil.html", "x"}), "escapes the package folder"},
		{"too many entries", with(courseXML, many...), "more than the limit of 20"},
		{"expands too far", with(courseXML, zipEntry{"big.txt", strings.Repeat("A", 2<<20)}), "expands past the limit of 1 MiB"},
		{"malformed XML", with("<courseStructure><course>"), "not well-formed XML"},
		{"wrong root", with(`<manifest xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"/>`), "root element must be <courseStructure>"},
		{"doctype", with(`<!DOCTYPE x [<!ENTITY a "b">]>` + courseXML[strings.Index(courseXML, "<courseStructure"):]), "document type declaration"},
		{"missing launch file", buildZip(t, zipEntry{"cmi5.xml", courseXML}), "content/quiz.html, which is not in the package"},
		{"url escapes", with(repl("content/quiz.html?lang=en", "../quiz.html")), "does not name a file of the package"},
		{"absolute path url", with(repl("content/quiz.html?lang=en", "/content/quiz.html")), "relative to the package root"},
		{"url with a space", with(repl("content/quiz.html?lang=en", "http://example.com index.html")), "white space"},
		{"other scheme", with(repl("content/quiz.html?lang=en", "ftp://example.com/a.html")), "neither an http(s) URL"},
		{"query conflict", with(repl("content/quiz.html?lang=en", "content/quiz.html?endpoint=x")), `reserves for the launch parameters`},
		{"course id not an IRI", with(repl(`course id="https://example.org/courses/border"`, `course id="example.org/courses/border"`)), "not an absolute IRI"},
		{"duplicate AU id", with(repl(`au id="https://example.org/courses/border/au-reading"`, `au id="https://example.org/courses/border/au-quiz"`)), "used twice"},
		{"duplicate block and AU id", with(repl(`au id="https://example.org/courses/border/au-reading"`, `au id="https://example.org/courses/border/b1"`)), "used twice"},
		{"element order", with(repl(`<url>https://elearning.example.org/reading/start.html</url>`, ``)), "<url> is missing"},
		{"url before title", with(repl(`<title><langstring lang="en-US">Reading</langstring></title>`, `<url>https://x.example/a</url><title><langstring lang="en-US">Reading</langstring></title>`)), "expected <title>"},
		{"bad moveOn", with(repl(`moveOn="CompletedAndPassed"`, `moveOn="Whenever"`)), "moveOn"},
		{"bad mastery", with(repl(`masteryScore="0.8"`, `masteryScore="1.5"`)), "masteryScore"},
		{"bad launchMethod", with(repl(`launchMethod="OwnWindow"`, `launchMethod="Popup"`)), "launchMethod"},
		{"unknown attribute", with(repl(`launchMethod="OwnWindow"`, `launch="x"`)), "unknown attribute"},
		{"no AU", with(courseXML[:strings.Index(courseXML, "<block")] + "</courseStructure>"), "is missing"},
		{"bare with relative url", []byte(courseXML), "must give every AU a fully qualified URL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.upload(t, 1, e.instructor.Token, c.data, "p.zip")
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			var body struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			r.JSON(t, &body)
			if body.Error.Code != "validation_failed" || !strings.Contains(body.Error.Message, c.why) {
				t.Fatalf("message %q does not say %q", body.Error.Message, c.why)
			}
			e.assertClean(t, 0)
		})
	}
	t.Run("lesson creation fails", func(t *testing.T) {
		e.fake.failNext = errors.New("course module down")
		r := e.upload(t, 1, e.instructor.Token, coursePackage(t), "p.zip")
		if r.Status != http.StatusInternalServerError {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		e.assertClean(t, 0)
	})
	t.Run("learner may not import", func(t *testing.T) {
		if r := e.upload(t, 1, e.learner.Token, coursePackage(t), "p.zip"); r.Status != http.StatusForbidden {
			t.Fatalf("status %d", r.Status)
		}
		e.assertClean(t, 0)
	})
}

func TestCMI5LaunchAndLaunchData(t *testing.T) {
	e := newC5(t)
	lesson := e.importOK(t, coursePackage(t), "course.zip")
	l := e.launch(t, lesson, e.learner.Token, nil)
	// Without an AU the first one not yet satisfied opens: the quiz (the reading is
	// NotApplicable, satisfied when the registration was made).
	if l.AU != 0 || l.LaunchMode != "Normal" || l.LaunchMethod != "AnyWindow" || len(l.Registration) != 36 {
		t.Fatalf("launch: %+v", l)
	}
	u, _ := url.Parse(l.URL)
	q := u.Query()
	if !strings.HasPrefix(u.Path, "/cmi5/content/") || !strings.HasSuffix(u.Path, "/content/quiz.html") || q.Get("lang") != "en" {
		t.Fatalf("launch URL: %s", l.URL)
	}
	if q.Get("endpoint") != e.s.URL+"/xapi/" || !strings.HasPrefix(q.Get("fetch"), e.s.URL+"/xapi/cmi5/fetch/") || q.Get("registration") != l.Registration {
		t.Fatalf("launch parameters: %v", q)
	}
	a := e.au(t, l)
	acc, _ := a.actor["account"].(map[string]any)
	if acc["homePage"] == nil || acc["name"] == nil || a.actor["name"] != nil || a.actor["mbox"] != nil {
		t.Errorf("actor %v: an account without personal data", a.actor)
	}
	if a.activityID == "" || a.activityID == "https://example.org/courses/border/au-quiz" || !strings.Contains(a.activityID, "/cmi5/courses/") {
		t.Errorf("activityId %q must be GLC's, not the publisher's", a.activityID)
	}
	// The content is served with its policy (the AU may reach the record store).
	resp := e.s.Send(mustReq(t, "GET", l.URL))
	if resp.Status != 200 || !strings.Contains(string(resp.Body), "<p>AU</p>") {
		t.Fatalf("content: %d", resp.Status)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "connect-src "+e.s.URL+"/cmi5/content/") || !strings.Contains(csp, e.s.URL+"/xapi/") || !strings.Contains(csp, "object-src 'none'") {
		t.Errorf("content policy: %s", csp)
	}
	bad := strings.Replace(u.Path, "/content/quiz.html", "/../cmi5.xml", 1)
	if r := e.s.Send(mustReq(t, "GET", e.s.URL+bad)); r.Status == 200 {
		t.Errorf("path escape served: %d", r.Status)
	}
	parts := strings.Split(u.Path, "/")
	parts[4] = "ffffffff.AAAAAAAAAAAAAAAAAAAAAAAA"
	if r := e.s.Send(mustReq(t, "GET", e.s.URL+strings.Join(parts, "/"))); r.Status != 403 {
		t.Errorf("forged capability: %d", r.Status)
	}
	// Before the fetch, the AU has no credentials.
	if r := a.req("GET", "activities/state?"+a.stateQuery("LMS.LaunchData"), nil, nil); r.Status != 401 {
		t.Errorf("state without token: %d", r.Status)
	}
	a.fetch()
	ld := a.readLaunchData()
	tmpl := ld["contextTemplate"].(map[string]any)
	ext := tmpl["extensions"].(map[string]any)
	grouping := tmpl["contextActivities"].(map[string]any)["grouping"].([]any)
	if ext["https://w3id.org/xapi/cmi5/context/extensions/sessionid"] != l.SessionID ||
		grouping[0].(map[string]any)["id"] != "https://example.org/courses/border/au-quiz" ||
		ld["launchMode"] != "Normal" || ld["launchMethod"] != "AnyWindow" || ld["moveOn"] != "CompletedAndPassed" ||
		ld["masteryScore"] != 0.8 || ld["launchParameters"] != "mode=exam" ||
		ld["returnURL"] != fmt.Sprintf("%s/lessons/%d/cmi5/return", e.s.URL, lesson) ||
		ld["entitlementKey"].(map[string]any)["courseStructure"] != "key-123" {
		t.Fatalf("LMS.LaunchData: %v", ld)
	}
	// The AU may not change it.
	if r := a.req("PUT", "activities/state?"+a.stateQuery("LMS.LaunchData"), `{"x":1}`, nil); r.Status != 403 {
		t.Errorf("AU rewrote LMS.LaunchData: %d", r.Status)
	}
	if r := a.req("DELETE", "activities/state?"+strings.Replace(a.stateQuery(""), "&stateId=", "", 1), nil, nil); r.Status != 403 {
		t.Errorf("AU deleted every state document: %d", r.Status)
	}
	// Its own state documents are fine.
	if r := a.req("PUT", "activities/state?"+a.stateQuery("bookmark"), `{"page":3}`, nil); r.Status != 204 {
		t.Errorf("AU state: %d %s", r.Status, r.Body)
	}
	// The launched statement: first of the registration after the satisfied statements of the
	// NotApplicable reading AU (none here: the block and course still wait for the quiz).
	stmts := e.statementsOf(t, l.Registration)
	if got := strings.Join(verbsOf(stmts), ","); got != "launched" {
		t.Fatalf("statements: %s", got)
	}
	lx := stmts[0]["context"].(map[string]any)["extensions"].(map[string]any)
	if lx["https://w3id.org/xapi/cmi5/context/extensions/launchmode"] != "Normal" || lx["https://w3id.org/xapi/cmi5/context/extensions/moveon"] != "CompletedAndPassed" ||
		lx["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] != 0.8 || lx["https://w3id.org/xapi/cmi5/context/extensions/launchparameters"] != "mode=exam" ||
		!strings.Contains(lx["https://w3id.org/xapi/cmi5/context/extensions/launchurl"].(string), "/content/quiz.html?lang=en") ||
		strings.Contains(lx["https://w3id.org/xapi/cmi5/context/extensions/launchurl"].(string), "fetch=") || sessionOf(stmts[0]) != l.SessionID {
		t.Errorf("launched context: %v", lx)
	}
	// The remote AU opens in its own window at its own URL.
	l2 := e.launch(t, lesson, e.learner.Token, map[string]any{"au": "https://example.org/courses/border/au-reading", "launch_mode": "Browse"})
	if l2.AU != 1 || l2.LaunchMethod != "OwnWindow" || !strings.HasPrefix(l2.URL, "https://elearning.example.org/reading/start.html?") || l2.Registration != l.Registration {
		t.Fatalf("remote launch: %+v", l2)
	}
}

func mustReq(t *testing.T, method, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestCMI5FetchOnce(t *testing.T) {
	e := newC5(t)
	lesson := e.importOK(t, coursePackage(t), "course.zip")
	a := e.au(t, e.launch(t, lesson, e.learner.Token, map[string]any{"au": 0}))
	if r := e.s.Send(mustReq(t, "GET", a.fetchURL)); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("GET fetch: %d", r.Status)
	}
	first := a.fetch()
	tok, _ := first["auth-token"].(string)
	if tok == "" {
		t.Fatalf("first fetch: %v", first)
	}
	second := a.fetch()
	if second["auth-token"] != nil || second["error-code"] != "1" || second["error-text"] == "" {
		t.Fatalf("second fetch: %v", second)
	}
	req, _ := http.NewRequest("POST", e.s.URL+"/xapi/cmi5/fetch/not-a-token", nil)
	if m := e.s.Send(req).Map(t); m["error-code"] != "2" {
		t.Errorf("unknown fetch token: %v", m)
	}
	// The token works on the record store (Basic), as the actor; a wrong secret does not.
	a.auth = "Basic " + tok
	if r := a.req("GET", "statements?registration="+a.reg, nil, nil); r.Status != 200 {
		t.Errorf("statements with token: %d %s", r.Status, r.Body)
	}
	// It reads its registration's statements only.
	if r := a.req("GET", "statements?registration="+newID(), nil, nil); r.Status != 403 {
		t.Errorf("another registration's statements: %d", r.Status)
	}
	// The same learner in another course: another registration with statements about them.
	e.launch(t, e.importOK(t, coursePackage(t), "again.zip"), e.learner.Token, nil)
	var res struct{ Statements []map[string]any }
	a.req("GET", "statements", nil, nil).JSON(t, &res)
	if len(res.Statements) == 0 {
		t.Fatal("no statements read with the token")
	}
	for _, st := range res.Statements {
		if st["context"].(map[string]any)["registration"] != a.reg {
			t.Errorf("the token read a statement of another registration: %v", st["id"])
		}
	}
	// AU libraries join the endpoint (with its slash) and "/statements": the same resource.
	if r := a.req("GET", "/statements?registration="+a.reg, nil, nil); r.Status != 200 {
		t.Errorf("endpoint joined with a double slash: %d %s", r.Status, r.Body)
	}
	raw, _ := decodeB64(tok)
	user, _, _ := strings.Cut(raw, ":")
	a.auth = "Basic " + basic(user, "wrong-secret")
	if r := a.req("GET", "statements?registration="+a.reg, nil, nil); r.Status != 401 {
		t.Errorf("wrong secret: %d", r.Status)
	}
}

func decodeB64(s string) (string, error) {
	out, err := base64.StdEncoding.DecodeString(s)
	return string(out), err
}

func TestCMI5SessionResult(t *testing.T) {
	e := newC5(t)
	lesson := e.importOK(t, coursePackage(t), "course.zip")
	l := e.launch(t, lesson, e.learner.Token, map[string]any{"au": 0})
	a := e.au(t, l).start()
	if r := e.fake.Last(e.learner.ID, lesson); r == nil || r.Status != "in_progress" {
		t.Fatalf("after the launch Progress has %+v", r)
	}
	a.mustSend(a.st("experienced", nil))
	a.mustSend(a.st("completed", nil))
	// CompletedAndPassed: completion alone does not satisfy the AU.
	if stmts := e.statementsOf(t, l.Registration); strings.Contains(strings.Join(verbsOf(stmts), ","), "satisfied") {
		t.Fatalf("satisfied too early: %v", verbsOf(stmts))
	}
	a.mustSend(a.st("passed", f64(0.9)))
	a.mustSend(a.st("terminated", nil))
	stmts := e.statementsOf(t, l.Registration)
	if got := strings.Join(verbsOf(stmts), ","); got != "launched,initialized,experienced,completed,passed,satisfied,satisfied,terminated" {
		t.Fatalf("statements: %s", got)
	}
	block, course := stmts[5], stmts[6]
	for i, s := range []map[string]any{block, course} {
		obj := s["object"].(map[string]any)
		typ := obj["definition"].(map[string]any)["type"]
		want := []string{"https://w3id.org/xapi/cmi5/activitytype/block", "https://w3id.org/xapi/cmi5/activitytype/course"}[i]
		grouping := s["context"].(map[string]any)["contextActivities"].(map[string]any)["grouping"].([]any)[0].(map[string]any)["id"]
		pub := []string{"https://example.org/courses/border/b1", "https://example.org/courses/border"}[i]
		cat := s["context"].(map[string]any)["contextActivities"].(map[string]any)["category"].([]any)[0].(map[string]any)["id"]
		if typ != want || obj["id"] == pub || grouping != pub || sessionOf(s) != l.SessionID || cat != "https://w3id.org/xapi/cmi5/context/categories/cmi5" ||
			s["context"].(map[string]any)["registration"] != l.Registration {
			t.Errorf("satisfied %d: %v", i, s)
		}
	}
	r := e.fake.Last(e.learner.ID, lesson)
	if r == nil || r.Status != "passed" || !r.Completed || r.Passed == nil || !*r.Passed || r.Scaled == nil || *r.Scaled != 0.9 ||
		r.ScoreRaw == nil || *r.ScoreRaw != 90 || r.TimeSpent.Seconds() != 65 {
		t.Fatalf("Progress received %+v", r)
	}
	// After terminated the token is dead.
	if r := a.send(a.st("experienced", nil)); r.Status != 401 && r.Status != 403 {
		t.Errorf("statement after terminated: %d", r.Status)
	}
	if r := a.req("GET", "activities/state?"+a.stateQuery("bookmark"), nil, nil); r.Status != 401 && r.Status != 403 {
		t.Errorf("state after terminated: %d", r.Status)
	}
	// The player shows it.
	cv := e.s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/cmi5", lesson), e.learner.Token, nil).Map(t)
	items := cv["items"].([]any)
	if cv["status"] != "passed" || cv["satisfied"] != true || items[1].(map[string]any)["status"] != "passed" || items[0].(map[string]any)["kind"] != "block" {
		t.Errorf("course view: %v", cv)
	}
}

func TestCMI5MoveOnCompleted(t *testing.T) {
	e := newC5(t)
	xml := strings.NewReplacer(`moveOn="CompletedAndPassed" masteryScore="0.8"`, `moveOn="Completed"`).Replace(courseXML)
	lesson := e.importOK(t, buildZip(t, zipEntry{"cmi5.xml", xml}, zipEntry{"content/quiz.html", auPage}), "c.zip")
	l := e.launch(t, lesson, e.learner.Token, map[string]any{"au": 0})
	a := e.au(t, l).start()
	if _, has := a.launchData["masteryScore"]; has {
		t.Errorf("masteryScore without one in the course: %v", a.launchData)
	}
	a.mustSend(a.st("completed", nil))
	if r := e.fake.Last(e.learner.ID, lesson); r == nil || r.Status != "completed" || !r.Completed {
		t.Fatalf("Progress: %+v", r)
	}
	// The lesson's mastery score setting (percent) overrides the course structure's.
	e.fake.settings.MasteryScore = f64(70)
	l2 := e.au(t, e.launch(t, lesson, e.learner2.Token, map[string]any{"au": 0})).start()
	if l2.launchData["masteryScore"] != 0.7 {
		t.Errorf("masteryScore override: %v", l2.launchData["masteryScore"])
	}
}

func TestCMI5StatementRules(t *testing.T) {
	e := newC5(t)
	lesson := e.importOK(t, coursePackage(t), "course.zip")
	a := e.au(t, e.launch(t, lesson, e.learner.Token, map[string]any{"au": 0}))
	a.fetch()
	a.readLaunchData()
	refused := func(name string, m map[string]any) {
		t.Helper()
		if r := a.send(m); r.Status != http.StatusForbidden {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	alter := func(m map[string]any, f func(m map[string]any)) map[string]any { f(m); return m }
	ctxOf := func(m map[string]any) map[string]any { return m["context"].(map[string]any) }
	// Before initialized nothing but initialized.
	refused("allowed before initialized", a.st("experienced", nil))
	refused("completed before initialized", a.st("completed", nil))
	a.mustSend(a.st("initialized", nil))
	refused("initialized twice", a.st("initialized", nil))
	refused("no session id", alter(a.st("experienced", nil), func(m map[string]any) {
		delete(ctxOf(m)["extensions"].(map[string]any), "https://w3id.org/xapi/cmi5/context/extensions/sessionid")
	}))
	refused("another session id", alter(a.st("experienced", nil), func(m map[string]any) {
		ctxOf(m)["extensions"].(map[string]any)["https://w3id.org/xapi/cmi5/context/extensions/sessionid"] = "x"
	}))
	refused("another registration", alter(a.st("experienced", nil), func(m map[string]any) {
		ctxOf(m)["registration"] = "ccaf384c-f8d4-4e7a-8304-49af58f0b176"
	}))
	refused("no timestamp", alter(a.st("experienced", nil), func(m map[string]any) { delete(m, "timestamp") }))
	refused("not UTC", alter(a.st("experienced", nil), func(m map[string]any) { m["timestamp"] = "2026-01-02T03:04:05-06:00" }))
	refused("moveOn category on an allowed statement", alter(a.st("experienced", nil), func(m map[string]any) {
		ctxOf(m)["contextActivities"].(map[string]any)["category"] = []any{map[string]any{"id": "https://w3id.org/xapi/cmi5/context/categories/moveon"}}
	}))
	refused("another object", alter(a.st("completed", nil), func(m map[string]any) { m["object"] = map[string]any{"id": "http://example.com/not/the/au"} }))
	refused("publisher id missing", alter(a.st("completed", nil), func(m map[string]any) {
		delete(ctxOf(m)["contextActivities"].(map[string]any), "grouping")
	}))
	refused("completed without completion", alter(a.st("completed", nil), func(m map[string]any) { delete(m["result"].(map[string]any), "completion") }))
	refused("completed with success", alter(a.st("completed", nil), func(m map[string]any) { m["result"].(map[string]any)["success"] = true }))
	refused("completed with a score", alter(a.st("completed", nil), func(m map[string]any) {
		m["result"].(map[string]any)["score"] = map[string]any{"scaled": 0.5}
	}))
	refused("completed without duration", alter(a.st("completed", nil), func(m map[string]any) { delete(m["result"].(map[string]any), "duration") }))
	refused("completed without moveOn category", alter(a.st("completed", nil), func(m map[string]any) {
		cat := ctxOf(m)["contextActivities"].(map[string]any)["category"].([]any)
		ctxOf(m)["contextActivities"].(map[string]any)["category"] = cat[:1]
	}))
	refused("passed below masteryScore", a.st("passed", f64(0.79)))
	refused("passed without the masteryScore extension", alter(a.st("passed", f64(0.9)), func(m map[string]any) {
		delete(ctxOf(m)["extensions"].(map[string]any), "https://w3id.org/xapi/cmi5/context/extensions/masteryscore")
	}))
	refused("passed with another masteryScore", alter(a.st("passed", f64(0.9)), func(m map[string]any) {
		ctxOf(m)["extensions"].(map[string]any)["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] = 0.5
	}))
	refused("passed with success false", alter(a.st("passed", f64(0.9)), func(m map[string]any) { m["result"].(map[string]any)["success"] = false }))
	refused("passed with completion", alter(a.st("passed", f64(0.9)), func(m map[string]any) { m["result"].(map[string]any)["completion"] = true }))
	refused("raw score without min", alter(a.st("passed", f64(0.9)), func(m map[string]any) {
		delete(m["result"].(map[string]any)["score"].(map[string]any), "min")
	}))
	refused("failed at the masteryScore", a.st("failed", f64(0.8)))
	refused("a Group actor", alter(a.st("completed", nil), func(m map[string]any) { m["actor"].(map[string]any)["objectType"] = "Group" }))
	refused("an LMS verb", alter(a.st("completed", nil), func(m map[string]any) {
		m["verb"] = map[string]any{"id": "https://w3id.org/xapi/adl/verbs/satisfied"}
		delete(m, "result")
		ctxOf(m)["contextActivities"].(map[string]any)["category"] = []any{map[string]any{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}}
	}))
	if r := a.req("POST", "statements", alter(a.st("experienced", nil), func(m map[string]any) { delete(m, "id") }), nil); r.Status != 403 {
		t.Errorf("POST without id: %d", r.Status)
	}
	allowed := a.st("experienced", nil)
	a.mustSend(allowed)
	refused("voiding", map[string]any{"id": newID(), "timestamp": "2026-01-02T03:04:05Z", "actor": a.actor,
		"verb": map[string]any{"id": "http://adlnet.gov/expapi/verbs/voided"}, "object": map[string]any{"objectType": "StatementRef", "id": allowed["id"]},
		"context": map[string]any{"registration": a.reg, "extensions": map[string]any{"https://w3id.org/xapi/cmi5/context/extensions/sessionid": a.launch.SessionID}}})
	// Learner preferences must be the documented JSON object.
	prefs := "agents/profile?" + url.Values{"profileId": {"cmi5LearnerPreferences"}, "agent": {urlAgent(a.actor)}}.Encode()
	for name, body := range map[string]string{"not an object": `"x"`, "no audio": `{"languagePreference":"en-US"}`,
		"bad languages": `{"languagePreference":"not comma separated","audioPreference":"on"}`, "empty languages": `{"languagePreference":"","audioPreference":"off"}`} {
		if r := a.req("PUT", prefs, body, map[string]string{"If-None-Match": "*"}); r.Status != 403 {
			t.Errorf("learner preferences %s: %d", name, r.Status)
		}
	}
	if r := a.req("PUT", "agents/profile?profileId=cmi5LearnerPreferences", `{"languagePreference":"en-US","audioPreference":"on"}`, nil); r.Status != 403 {
		t.Errorf("learner preferences without agent: %d", r.Status)
	}
	if r := a.req("PUT", prefs, `{"languagePreference":"en-US,fr-FR","audioPreference":"on"}`, map[string]string{"If-None-Match": "*"}); r.Status != 204 {
		t.Errorf("valid learner preferences: %d %s", r.Status, r.Body)
	}
	// The rules of a registration: completed and passed once, failed never after passed, one of
	// passed or failed per session.
	a.mustSend(a.st("completed", nil))
	refused("completed twice", a.st("completed", nil))
	a.mustSend(a.st("failed", f64(0.5)))
	refused("passed after failed in a session", a.st("passed", f64(0.9)))
	a.mustSend(a.st("terminated", nil))
	if r := a.send(a.st("experienced", nil)); r.Status != 401 {
		t.Errorf("after terminated: %d", r.Status)
	}
	if r := e.fake.Last(e.learner.ID, lesson); r == nil || r.Status != "failed" || r.Passed == nil || *r.Passed {
		t.Errorf("Progress after failed: %+v", r)
	}
	b := e.au(t, e.launch(t, lesson, e.learner.Token, map[string]any{"au": 0})).start()
	if r := b.send(b.st("completed", nil)); r.Status != 403 {
		t.Errorf("completed in a second session of the registration: %d", r.Status)
	}
	b.mustSend(b.st("passed", f64(0.85)))
	if r := b.send(b.st("failed", f64(0.1))); r.Status != 403 {
		t.Errorf("failed after passed: %d", r.Status)
	}
	if r := e.fake.Last(e.learner.ID, lesson); r == nil || r.Status != "passed" {
		t.Errorf("Progress after passed: %+v", r)
	}
	// Browse mode: only initialized and terminated.
	c := e.au(t, e.launch(t, lesson, e.learner2.Token, map[string]any{"au": 0, "launch_mode": "Browse"})).start()
	if r := c.send(c.st("completed", nil)); r.Status != 403 {
		t.Errorf("completed in Browse mode: %d", r.Status)
	}
	c.mustSend(c.st("experienced", nil))
	c.mustSend(c.st("terminated", nil))
	// Other credentials may not send cmi5 defined statements into GLC's registrations.
	admin := credentials(t, e.s)
	forged := c.st("completed", nil)
	if r := admin.req("POST", "/statements", forged, nil); r.Status != 403 {
		t.Errorf("admin credentials forged a cmi5 statement: %d %s", r.Status, r.Body)
	}
}

func TestCMI5AbandonOnNewLaunch(t *testing.T) {
	e := newC5(t)
	lesson := e.importOK(t, coursePackage(t), "course.zip")
	first := e.au(t, e.launch(t, lesson, e.learner.Token, map[string]any{"au": 0})).start()
	first.mustSend(first.st("experienced", nil))
	second := e.au(t, e.launch(t, lesson, e.learner.Token, map[string]any{"au": 0}))
	if r := first.send(first.st("experienced", nil)); r.Status != 401 {
		t.Errorf("abandoned session's token: %d", r.Status)
	}
	stmts := e.statementsOf(t, second.reg)
	got := strings.Join(verbsOf(stmts), ",")
	if got != "launched,initialized,experienced,abandoned,launched" {
		t.Fatalf("statements: %s", got)
	}
	ab := stmts[3]
	dur, _ := ab["result"].(map[string]any)["duration"].(string)
	if sessionOf(ab) != first.launch.SessionID || !strings.HasPrefix(dur, "PT") || ab["object"].(map[string]any)["id"] != first.activityID {
		t.Errorf("abandoned: %v", ab)
	}
	// The sweep abandons sessions that went silent.
	second.start()
	n, err := e.s.App.LRS.AbandonIdle(context.Background(), 0)
	if err != nil || n != 1 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	if r := second.send(second.st("experienced", nil)); r.Status != 401 {
		t.Errorf("swept session's token: %d", r.Status)
	}
	if got := verbsOf(e.statementsOf(t, second.reg)); got[len(got)-1] != "abandoned" {
		t.Errorf("after the sweep: %v", got)
	}
}

func TestCMI5Waiver(t *testing.T) {
	e := newC5(t)
	lesson := e.importOK(t, coursePackage(t), "course.zip")
	path := fmt.Sprintf("/api/v1/lessons/%d/waivers", lesson)
	body := map[string]any{"user_id": e.learner.ID, "au": 0, "reason": "Tested Out"}
	if r := e.s.Do("POST", path, e.learner.Token, body); r.Status != 403 {
		t.Errorf("learner waives: %d", r.Status)
	}
	if r := e.s.Do("POST", path, e.instructor.Token, map[string]any{"user_id": e.learner.ID}); r.Status != 422 {
		t.Errorf("no AU: %d", r.Status)
	}
	stranger := e.s.Learner(t)
	if r := e.s.Do("POST", path, e.instructor.Token, map[string]any{"user_id": stranger.ID, "au": 0}); r.Status != 422 {
		t.Errorf("waiver for a learner who does not take the lesson: %d %s", r.Status, r.Body)
	}
	r := e.s.Do("POST", path, e.instructor.Token, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("waive: %d %s", r.Status, r.Body)
	}
	var w struct {
		Registration string `json:"registration"`
		SessionID    string `json:"session_id"`
	}
	r.JSON(t, &w)
	stmts := e.statementsOf(t, w.Registration)
	if got := strings.Join(verbsOf(stmts), ","); got != "waived,satisfied,satisfied" {
		t.Fatalf("statements: %s", got)
	}
	wv := stmts[0]
	res := wv["result"].(map[string]any)
	if res["success"] != true || res["completion"] != true || res["extensions"].(map[string]any)["https://w3id.org/xapi/cmi5/result/extensions/reason"] != "Tested Out" ||
		sessionOf(wv) != w.SessionID || sessionOf(stmts[1]) != w.SessionID || sessionOf(stmts[2]) != w.SessionID {
		t.Errorf("waived: %v", wv)
	}
	if r := e.fake.Last(e.learner.ID, lesson); r == nil || r.Status != "completed" || !r.Completed {
		t.Errorf("Progress after the waiver: %+v", r)
	}
	if r := e.s.Do("POST", path, e.admin.Token, map[string]any{"registration": w.Registration, "au": 0}); r.Status != 409 {
		t.Errorf("second waiver: %d", r.Status)
	}
	// The learner's launch uses the same registration and shows the AU waived.
	l := e.launch(t, lesson, e.learner.Token, map[string]any{"au": 0})
	if l.Registration != w.Registration {
		t.Errorf("registration %s, waiver's %s", l.Registration, w.Registration)
	}
	cv := e.s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/cmi5", lesson), e.learner.Token, nil).Map(t)
	if cv["items"].([]any)[1].(map[string]any)["status"] != "waived" || cv["satisfied"] != true {
		t.Errorf("course view: %v", cv)
	}
}

func TestCMI5LaunchPermissions(t *testing.T) {
	e := newC5(t)
	lesson := e.importOK(t, coursePackage(t), "course.zip")
	path := fmt.Sprintf("/api/v1/lessons/%d/launches", lesson)
	other := map[string]any{"objectType": "Agent", "account": map[string]any{"homePage": "https://sso.example.org", "name": "jdoe"}}
	outsider := e.s.Learner(t)
	cases := []struct {
		name   string
		token  string
		body   any
		status int
	}{
		{"anonymous", "", map[string]any{}, 401},
		{"learner for another actor", e.learner.Token, map[string]any{"actor": other}, 403},
		{"instructor for another actor", e.instructor.Token, map[string]any{"actor": other}, 403},
		{"learner not enrolled", outsider.Token, nil, 403},
		{"bad AU index", e.learner.Token, map[string]any{"au": 7}, 422},
		{"unknown AU id", e.learner.Token, map[string]any{"au": "https://nowhere.example/au"}, 422},
		{"bad mode", e.learner.Token, map[string]any{"launch_mode": "Fast"}, 422},
		{"bad registration", e.learner.Token, map[string]any{"registration": "nope"}, 422},
		{"unknown registration", e.learner.Token, map[string]any{"registration": newID()}, 404},
		{"unknown field", e.learner.Token, map[string]any{"window": "new"}, 422},
		{"admin actor without account", e.admin.Token, map[string]any{"actor": map[string]any{"mbox": "mailto:a@example.org"}}, 422},
	}
	for _, c := range cases {
		if r := e.s.Do("POST", path, c.token, c.body); r.Status != c.status {
			t.Errorf("%s: %d, want %d: %s", c.name, r.Status, c.status, r.Body)
		}
	}
	if r := e.s.Do("POST", "/api/v1/lessons/999/launches", e.learner.Token, nil); r.Status != 404 {
		t.Errorf("unknown lesson: %d", r.Status)
	}
	// A learner cannot use another learner's registration.
	mine := e.launch(t, lesson, e.learner.Token, nil)
	if r := e.s.Do("POST", path, e.learner2.Token, map[string]any{"registration": mine.Registration}); r.Status != 404 {
		t.Errorf("other's registration: %d", r.Status)
	}
	// An admin may launch for any account.
	l := e.launch(t, lesson, e.admin.Token, map[string]any{"actor": other, "au": 0})
	a := e.au(t, l)
	if a.actor["account"].(map[string]any)["name"] != "jdoe" || l.Registration == mine.Registration {
		t.Errorf("admin launch for an actor: %+v %v", l, a.actor)
	}
	a.start()
	if r := a.send(alterActor(a.st("experienced", nil), map[string]any{"mbox": "mailto:x@example.org"})); r.Status != 403 {
		t.Errorf("statement about another actor: %d", r.Status)
	}
	// Instructors preview.
	if r := e.s.Do("POST", path, e.instructor.Token, nil); r.Status != 201 {
		t.Errorf("instructor preview: %d %s", r.Status, r.Body)
	}
	// Waivers and the status need the lesson too.
	if r := e.s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/cmi5", lesson), outsider.Token, nil); r.Status != 403 {
		t.Errorf("outsider reads the course: %d", r.Status)
	}
}

func alterActor(m map[string]any, actor map[string]any) map[string]any {
	m["actor"] = actor
	return m
}

func TestCMI5PlayerPages(t *testing.T) {
	e := newC5(t)
	lesson := e.importOK(t, coursePackage(t), "course.zip")
	get := func(path, token string) (int, string, http.Header) {
		req, _ := http.NewRequest("GET", e.s.URL+path, nil)
		if token != "" {
			req.AddCookie(&http.Cookie{Name: "glc_access", Value: token})
		}
		r := e.s.Send(req)
		return r.Status, string(r.Body), r.Header
	}
	st, body, h := get(fmt.Sprintf("/lessons/%d/cmi5?lang=fr", lesson), e.learner.Token)
	if st != 200 || !strings.Contains(body, "Contrôles aux frontières") || !strings.Contains(body, `data-au="0"`) || !strings.Contains(body, `data-au="1"`) ||
		!strings.Contains(body, "js/cmi5-player.js") || !strings.Contains(body, "Non commencée") || !strings.Contains(body, "(s’ouvre dans une nouvelle fenêtre)") {
		t.Fatalf("player: %d\n%s", st, body)
	}
	if !strings.Contains(h.Get("Content-Security-Policy"), "frame-src 'self'") {
		t.Errorf("player policy: %s", h.Get("Content-Security-Policy"))
	}
	if st, _, h := get(fmt.Sprintf("/lessons/%d/cmi5", lesson), ""); st != 303 || !strings.HasPrefix(h.Get("Location"), "/login") {
		t.Errorf("anonymous player: %d", st)
	}
	if st, _, _ := get(fmt.Sprintf("/lessons/%d/cmi5", lesson), e.s.Learner(t).Token); st != 403 {
		t.Errorf("outsider player: %d", st)
	}
	if st, body, _ := get(fmt.Sprintf("/lessons/%d/cmi5/return?lang=ar", lesson), e.learner.Token); st != 200 || !strings.Contains(body, `id="cmi5-back"`) || !strings.Contains(body, `dir="rtl"`) {
		t.Errorf("return page: %d", st)
	}
}

// TestCMI5AgentsResource checks the xAPI agents resource the AUs may use.
func TestCMI5AgentsResource(t *testing.T) {
	e := newC5(t)
	c := credentials(t, e.s)
	a := map[string]any{"objectType": "Agent", "name": "Ann", "account": map[string]any{"homePage": "https://sso.example.org", "name": "ann"}}
	r := c.req("GET", "/agents?agent="+url.QueryEscape(urlAgent(a)), nil, nil)
	var p map[string]any
	if r.Status != 200 || json.Unmarshal(r.Body, &p) != nil || p["objectType"] != "Person" || len(p["account"].([]any)) != 1 || p["name"].([]any)[0] != "Ann" {
		t.Fatalf("agents: %d %s", r.Status, r.Body)
	}
}

// TestCMI5ContentOrigin: with GLC_CONTENT_ORIGIN the AU is served only on the content origin,
// and its policy lets it reach the record store on the portal's origin (which answers CORS).
func TestCMI5ContentOrigin(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	main := fmt.Sprintf("http://127.0.0.1:%d", port)
	content := fmt.Sprintf("http://localhost:%d", port)
	e := newC5On(t, ln, apptest.Env("GLC_BASE_URL", main), apptest.Env("GLC_CONTENT_ORIGIN", content))
	lesson := e.importOK(t, coursePackage(t), "course.zip")
	l := e.launch(t, lesson, e.learner.Token, map[string]any{"au": 0})
	if !strings.HasPrefix(l.URL, content+"/cmi5/content/") {
		t.Fatalf("launch URL on the portal's origin: %s", l.URL)
	}
	a := e.au(t, l)
	if a.endpoint != main+"/xapi/" || !strings.HasPrefix(a.fetchURL, main+"/xapi/cmi5/fetch/") {
		t.Errorf("endpoint %s, fetch %s", a.endpoint, a.fetchURL)
	}
	r := e.s.Send(mustReq(t, "GET", l.URL))
	csp := r.Header.Get("Content-Security-Policy")
	if r.Status != 200 || !strings.Contains(csp, "connect-src 'self' "+main+"/xapi/") || !strings.Contains(csp, "frame-ancestors 'self' "+main) {
		t.Fatalf("content on its origin: %d %s", r.Status, csp)
	}
	if r := e.s.Send(mustReq(t, "GET", strings.Replace(l.URL, content, main, 1))); r.Status != 404 {
		t.Errorf("content served on the portal's origin: %d", r.Status)
	}
	// The AU's cross-origin requests: the fetch POST and a preflight of the record store.
	req, _ := http.NewRequest("POST", a.fetchURL, nil)
	req.Header.Set("Origin", content)
	if r := e.s.Send(req); r.Header.Get("Access-Control-Allow-Origin") != "*" || r.Map(t)["auth-token"] == nil {
		t.Errorf("fetch from the content origin: %v %s", r.Header, r.Body)
	}
	req, _ = http.NewRequest("OPTIONS", a.endpoint+"statements", nil)
	req.Header.Set("Origin", content)
	req.Header.Set("Access-Control-Request-Method", "PUT")
	req.Header.Set("Access-Control-Request-Headers", "authorization,content-type,x-experience-api-version")
	if r := e.s.Send(req); r.Status != 200 || !strings.Contains(r.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight: %d %v", r.Status, r.Header)
	}
}

// TestCMI5NotApplicable: moveOn is evaluated when the registration is made, so a course whose
// AUs are all NotApplicable is satisfied before the first launch (section 9.6.1).
func TestCMI5NotApplicable(t *testing.T) {
	e := newC5(t)
	xml := strings.NewReplacer(`moveOn="CompletedAndPassed" masteryScore="0.8"`, ``,
		`<url>content/quiz.html?lang=en</url>`, `<url>https://elearning.example.org/quiz.html</url>`).Replace(courseXML)
	lesson := e.importOK(t, []byte(xml), "cmi5.xml")
	l := e.launch(t, lesson, e.learner.Token, nil)
	stmts := e.statementsOf(t, l.Registration)
	if got := strings.Join(verbsOf(stmts), ","); got != "satisfied,satisfied,launched" {
		t.Fatalf("statements: %s", got)
	}
	if sessionOf(stmts[0]) == l.SessionID || sessionOf(stmts[0]) != sessionOf(stmts[1]) {
		t.Errorf("satisfied outside a launch need a session id of their own: %s %s", sessionOf(stmts[0]), l.SessionID)
	}
	if r := e.fake.Last(e.learner.ID, lesson); r == nil || r.Status != "completed" {
		t.Errorf("Progress: %+v", r)
	}
}
