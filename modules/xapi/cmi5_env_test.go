package xapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"glc/internal/app"
	"glc/internal/app/apptest"
	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/testkit"
	"glc/modules/scorm"
)

// fakeLessons stands in for the course module (the app adapter lives on another branch):
// sections owned by an instructor, package lessons in them, enrolled learners, and the
// results Progress received. It also answers TakesLesson (xapi.LearnerChecker).
type fakeLessons struct {
	mu       sync.Mutex
	next     int64
	sections map[int64]int64 // section -> owning instructor
	lessons  map[int64]*fakeLesson
	results  []fakeResult
	settings scorm.LessonSettings
	failNext error // CreatePackageLesson fails once with it
}

type fakeLesson struct {
	section  int64
	title    string
	enrolled map[int64]bool
}

type fakeResult struct {
	User, Lesson int64
	R            scorm.Result
}

func newFake() *fakeLessons {
	return &fakeLessons{next: 100, sections: map[int64]int64{}, lessons: map[int64]*fakeLesson{}}
}

func (f *fakeLessons) AddSection(id, owner int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sections[id] = owner
}

func (f *fakeLessons) Enrol(lesson, user int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lessons[lesson].enrolled[user] = true
}

func (f *fakeLessons) LessonCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.lessons)
}

func (f *fakeLessons) Results() []fakeResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeResult(nil), f.results...)
}

// Last is the last result a user received for a lesson (nil when none).
func (f *fakeLessons) Last(user, lesson int64) *scorm.Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.results) - 1; i >= 0; i-- {
		if f.results[i].User == user && f.results[i].Lesson == lesson {
			r := f.results[i].R
			return &r
		}
	}
	return nil
}

func (f *fakeLessons) canEdit(ctx context.Context, section int64) error {
	p := auth.FromContext(ctx)
	owner, ok := f.sections[section]
	if !ok {
		return fmt.Errorf("section %d: %w", section, apperr.ErrNotFound)
	}
	if p == nil || (!p.IsAdmin() && p.UserID != owner) {
		return apperr.ErrForbidden
	}
	return nil
}

func (f *fakeLessons) CheckSection(ctx context.Context, section int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.canEdit(ctx, section)
}

func (f *fakeLessons) CreatePackageLesson(ctx context.Context, section int64, title string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.canEdit(ctx, section); err != nil {
		return 0, err
	}
	if err := f.failNext; err != nil {
		f.failNext = nil
		return 0, err
	}
	f.next++
	f.lessons[f.next] = &fakeLesson{section: section, title: title, enrolled: map[int64]bool{}}
	return f.next, nil
}

func (f *fakeLessons) DeletePackageLesson(ctx context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.lessons, id)
	return nil
}

func (f *fakeLessons) Access(ctx context.Context, id int64) (scorm.LessonAccess, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.lessons[id]
	if !ok {
		return scorm.LessonAccess{}, fmt.Errorf("lesson %d: %w", id, apperr.ErrNotFound)
	}
	p := auth.FromContext(ctx)
	acc := scorm.LessonAccess{LessonID: id, CourseID: 1, Title: l.title, Settings: f.settings}
	switch {
	case p == nil:
		return acc, apperr.ErrUnauthenticated
	case p.IsAdmin() || f.sections[l.section] == p.UserID:
		acc.Manage = true
	case l.enrolled[p.UserID]:
		acc.Learn = true
	default:
		return acc, fmt.Errorf("lesson %d: %w", id, apperr.ErrForbidden)
	}
	return acc, nil
}

func (f *fakeLessons) RecordResult(ctx context.Context, user, lesson int64, r scorm.Result) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.results = append(f.results, fakeResult{User: user, Lesson: lesson, R: r})
	return nil
}

func (f *fakeLessons) TakesLesson(ctx context.Context, lesson, user int64) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.lessons[lesson]
	return ok && l.enrolled[user], nil
}

// c5env is a running app with the fake course module, an instructor owning section 1, two
// learners and an admin.
type c5env struct {
	s          *apptest.Server
	fake       *fakeLessons
	instructor apptest.TestUser
	learner    apptest.TestUser
	learner2   apptest.TestUser
	admin      apptest.TestUser
}

func newC5(t *testing.T, opts ...apptest.Option) *c5env {
	t.Helper()
	return newC5On(t, nil, opts...)
}

func newC5On(t *testing.T, ln net.Listener, opts ...apptest.Option) *c5env {
	t.Helper()
	fake := newFake()
	s := apptest.StartListener(t, ln, apptest.Config(t, opts...), testkit.DB(t), testkit.Store(t), func(a *app.App) { a.ScormLessons = fake })
	e := &c5env{s: s, fake: fake, instructor: s.Instructor(t), learner: s.Learner(t), learner2: s.Learner(t), admin: s.Admin(t)}
	fake.AddSection(1, e.instructor.ID)
	return e
}

type zipEntry struct{ Name, Body string }

func buildZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.Body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload posts a package to a section's import endpoint.
func (e *c5env) upload(t *testing.T, section int64, token string, data []byte, name string) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/sections/%d/packages", e.s.URL, section), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.s.Send(req)
}

// importOK imports a package and returns the new lesson id, with both learners enrolled.
func (e *c5env) importOK(t *testing.T, data []byte, name string) int64 {
	t.Helper()
	r := e.upload(t, 1, e.instructor.Token, data, name)
	if r.Status != http.StatusCreated {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	var res scorm.ImportResult
	r.JSON(t, &res)
	e.fake.Enrol(res.ID, e.learner.ID)
	e.fake.Enrol(res.ID, e.learner2.ID)
	return res.ID
}

// A small course: block "b1" holds AU 0 (in the package, CompletedAndPassed, mastery 0.8,
// with launch parameters); AU 1 is on the web and NotApplicable.
const courseXML = `<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://example.org/courses/border">
    <title><langstring lang="en-US">Border checks</langstring><langstring lang="fr-FR">Contrôles aux frontières</langstring></title>
    <description><langstring lang="en-US">
        Checking documents at the border.
    </langstring></description>
  </course>
  <block id="https://example.org/courses/border/b1">
    <title><langstring lang="en-US">Module one</langstring></title>
    <description><langstring lang="en-US">The first module</langstring></description>
    <au id="https://example.org/courses/border/au-quiz" moveOn="CompletedAndPassed" masteryScore="0.8">
      <title><langstring lang="en-US">Quiz</langstring></title>
      <description><langstring lang="en-US">A short quiz</langstring></description>
      <url>content/quiz.html?lang=en</url>
      <launchParameters>mode=exam</launchParameters>
      <entitlementKey>key-123</entitlementKey>
    </au>
  </block>
  <au id="https://example.org/courses/border/au-reading" launchMethod="OwnWindow">
    <title><langstring lang="en-US">Reading</langstring></title>
    <description><langstring lang="en-US">Further reading</langstring></description>
    <url>https://elearning.example.org/reading/start.html</url>
  </au>
</courseStructure>`

const auPage = `<!doctype html><html><head><meta charset="utf-8"><title>AU</title></head><body><p>AU</p></body></html>`

func coursePackage(t testing.TB) []byte {
	return buildZip(t, zipEntry{"cmi5.xml", courseXML}, zipEntry{"content/quiz.html", auPage}, zipEntry{"content/style.css", "p{}"})
}

// launchOut is a launch as the API answers it.
type launchOut struct {
	URL          string `json:"url"`
	Registration string `json:"registration"`
	SessionID    string `json:"session_id"`
	AU           int    `json:"au"`
	LaunchMethod string `json:"launch_method"`
	LaunchMode   string `json:"launch_mode"`
}

func (e *c5env) launch(t *testing.T, lesson int64, token string, body any) launchOut {
	t.Helper()
	r := e.s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/launches", lesson), token, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("launch: %d %s", r.Status, r.Body)
	}
	var out launchOut
	r.JSON(t, &out)
	return out
}

// au plays an AU from its launch URL: it posts to the fetch URL, reads LMS.LaunchData and
// sends statements with the auth token, as an AU in a browser would.
type au struct {
	t          *testing.T
	e          *c5env
	launch     launchOut
	endpoint   string
	fetchURL   string
	actor      map[string]any
	reg        string
	activityID string
	auth       string
	launchData map[string]any
}

func (e *c5env) au(t *testing.T, l launchOut) *au {
	t.Helper()
	u, err := url.Parse(l.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	a := &au{t: t, e: e, launch: l, endpoint: q.Get("endpoint"), fetchURL: q.Get("fetch"), reg: q.Get("registration"), activityID: q.Get("activityId")}
	if err := json.Unmarshal([]byte(q.Get("actor")), &a.actor); err != nil {
		t.Fatalf("actor parameter %q: %v", q.Get("actor"), err)
	}
	return a
}

// fetch posts to the fetch URL and returns the answer.
func (a *au) fetch() map[string]any {
	a.t.Helper()
	req, _ := http.NewRequest("POST", a.fetchURL, nil)
	r := a.e.s.Send(req)
	if r.Status != http.StatusOK {
		a.t.Fatalf("fetch: %d %s", r.Status, r.Body)
	}
	m := r.Map(a.t)
	if tok, ok := m["auth-token"].(string); ok {
		a.auth = "Basic " + tok
	}
	return m
}

// start fetches the token, reads LMS.LaunchData and sends initialized.
func (a *au) start() *au {
	a.t.Helper()
	if a.fetch()["auth-token"] == nil {
		a.t.Fatal("no auth token")
	}
	a.readLaunchData()
	a.mustSend(a.st("initialized", nil))
	return a
}

func (a *au) readLaunchData() map[string]any {
	a.t.Helper()
	r := a.req("GET", "activities/state?"+a.stateQuery("LMS.LaunchData"), nil, nil)
	if r.Status != http.StatusOK {
		a.t.Fatalf("LMS.LaunchData: %d %s", r.Status, r.Body)
	}
	a.launchData = r.Map(a.t)
	return a.launchData
}

func (a *au) stateQuery(stateID string) string {
	raw, _ := json.Marshal(a.actor)
	return url.Values{"activityId": {a.activityID}, "agent": {string(raw)}, "registration": {a.reg}, "stateId": {stateID}}.Encode()
}

// req sends an xAPI request to the endpoint with the AU's token.
func (a *au) req(method, path string, body any, hdr map[string]string) *apptest.Response {
	a.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	default:
		raw, _ := json.Marshal(b)
		rd, ct = bytes.NewReader(raw), "application/json"
	}
	req, _ := http.NewRequest(method, a.endpoint+path, rd)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("X-Experience-API-Version", "1.0.3")
	if a.auth != "" {
		req.Header.Set("Authorization", a.auth)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	return a.e.s.Send(req)
}

var verbIDs = map[string]string{
	"initialized": "http://adlnet.gov/expapi/verbs/initialized", "completed": "http://adlnet.gov/expapi/verbs/completed",
	"passed": "http://adlnet.gov/expapi/verbs/passed", "failed": "http://adlnet.gov/expapi/verbs/failed",
	"terminated": "http://adlnet.gov/expapi/verbs/terminated", "experienced": "http://adlnet.gov/expapi/verbs/experienced",
	"satisfied": "https://w3id.org/xapi/adl/verbs/satisfied",
}

// st builds a statement as an AU would from LMS.LaunchData's contextTemplate: a cmi5 defined
// statement for the cmi5 verbs (with the moveOn category and the result they need), a cmi5
// allowed one for others. score (for passed and failed) is the scaled score.
func (a *au) st(verb string, score *float64) map[string]any {
	tmpl, _ := a.launchData["contextTemplate"].(map[string]any)
	raw, _ := json.Marshal(tmpl)
	var ctx map[string]any
	json.Unmarshal(raw, &ctx)
	ctx["registration"] = a.reg
	ca, _ := ctx["contextActivities"].(map[string]any)
	if ca == nil {
		ca = map[string]any{}
		ctx["contextActivities"] = ca
	}
	var actor map[string]any
	raw, _ = json.Marshal(a.actor)
	json.Unmarshal(raw, &actor)
	m := map[string]any{"id": uuid.NewString(), "timestamp": time.Now().UTC().Format(time.RFC3339Nano), "actor": actor,
		"verb": map[string]any{"id": verbIDs[verb], "display": map[string]any{"en": verb}}, "object": map[string]any{"id": a.activityID}, "context": ctx}
	cat := []any{}
	res := map[string]any{}
	switch verb {
	case "initialized", "completed", "passed", "failed", "terminated":
		cat = append(cat, map[string]any{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"})
	}
	switch verb {
	case "completed":
		cat = append(cat, map[string]any{"id": "https://w3id.org/xapi/cmi5/context/categories/moveon"})
		res["completion"], res["duration"] = true, "PT30S"
	case "passed", "failed":
		cat = append(cat, map[string]any{"id": "https://w3id.org/xapi/cmi5/context/categories/moveon"})
		res["success"], res["duration"] = verb == "passed", "PT20S"
		if score != nil {
			res["score"] = map[string]any{"scaled": *score, "raw": *score * 100, "min": 0, "max": 100}
			ext, _ := ctx["extensions"].(map[string]any)
			if ms, ok := a.launchData["masteryScore"]; ok {
				ext["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] = ms
			}
		}
	case "terminated":
		res["duration"] = "PT1M5S"
	case "experienced":
		m["object"] = map[string]any{"id": a.activityID + "/page/1"}
	}
	if len(cat) > 0 {
		ca["category"] = cat
	}
	if len(res) > 0 {
		m["result"] = res
	}
	return m
}

// send PUTs a statement and returns the status.
func (a *au) send(m map[string]any) *apptest.Response {
	a.t.Helper()
	return a.req("PUT", "statements?statementId="+m["id"].(string), m, nil)
}

func (a *au) mustSend(m map[string]any) {
	a.t.Helper()
	if r := a.send(m); r.Status != http.StatusNoContent {
		a.t.Fatalf("%s: %d %s", m["verb"].(map[string]any)["id"], r.Status, r.Body)
	}
}

func f64(v float64) *float64 { return &v }

// statementsOf returns the statements of a registration in stored order, read with admin
// credentials.
func (e *c5env) statementsOf(t *testing.T, reg string) []map[string]any {
	t.Helper()
	page, _ := credentials(t, e.s).query("?ascending=true&limit=500&registration=" + reg)
	return page
}

func verbsOf(stmts []map[string]any) []string {
	out := make([]string, len(stmts))
	for i, s := range stmts {
		id := s["verb"].(map[string]any)["id"].(string)
		out[i] = id[strings.LastIndex(id, "/")+1:]
	}
	return out
}

func sessionOf(m map[string]any) string {
	ext, _ := m["context"].(map[string]any)["extensions"].(map[string]any)
	s, _ := ext["https://w3id.org/xapi/cmi5/context/extensions/sessionid"].(string)
	return s
}
