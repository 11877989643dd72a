package scorm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"glc/internal/auth"
	"glc/modules/scorm"
)

// uploadWith posts a package with form fields before the file (as the upload page's script
// does), through the API (a bearer token: the upload streams).
func (e *env) uploadWith(t *testing.T, token, query string, fields map[string]string, zipData []byte) *http.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "package.zip")
	fw.Write(zipData)
	mw.Close()
	req, _ := http.NewRequest("POST", e.s.URL+"/api/v1/sections/1/packages"+query, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// settingsOf reads a package lesson's settings through the API.
func (e *env) settingsOf(t *testing.T, lesson int64) (maxAttempts float64, mastery any) {
	t.Helper()
	r := e.s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/package", lesson), e.instructor.Token, nil)
	if r.Status != 200 {
		t.Fatalf("package: %d %s", r.Status, r.Body)
	}
	m := r.Map(t)
	return m["max_attempts"].(float64), m["mastery_score"]
}

func TestUploadWithSettings(t *testing.T) {
	e := newEnv(t)
	// Bad settings are refused before anything is stored, every bad field named.
	resp := e.uploadWith(t, e.instructor.Token, "", map[string]string{"max_attempts": "-1", "mastery_score": "abc"}, package12Multi(t))
	var bad struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	decode(t, resp, &bad)
	if resp.StatusCode != 422 || bad.Error.Fields["max_attempts"] == "" || bad.Error.Fields["mastery_score"] == "" {
		t.Fatalf("bad settings: %d %v", resp.StatusCode, bad)
	}
	e.assertClean(t, 0)
	if r := e.uploadWith(t, e.instructor.Token, "", map[string]string{"mastery_score": "100.5"}, package12Multi(t)); r.StatusCode != 422 {
		t.Fatalf("mastery score above 100: %d", r.StatusCode)
	}
	e.assertClean(t, 0)

	// Good settings become the new lesson's.
	resp = e.uploadWith(t, e.instructor.Token, "", map[string]string{"max_attempts": "3", "mastery_score": "72.5"}, package12Multi(t))
	var res scorm.ImportResult
	decode(t, resp, &res)
	if resp.StatusCode != 201 {
		t.Fatalf("upload with settings: %d", resp.StatusCode)
	}
	if n, m := e.settingsOf(t, res.ID); n != 3 || m != 72.5 {
		t.Fatalf("settings after the upload: %v %v", n, m)
	}
	// Without settings: none.
	plain := e.importOK(t, package12Multi(t))
	if n, m := e.settingsOf(t, plain); n != 0 || m != nil {
		t.Fatalf("settings of a plain upload: %v %v", n, m)
	}

	// A background import keeps the settings until it makes the lesson.
	resp = e.uploadWith(t, e.instructor.Token, "?background=1", map[string]string{"max_attempts": "2"}, package12Multi(t))
	var im map[string]any
	decode(t, resp, &im)
	if resp.StatusCode != 202 {
		t.Fatalf("background: %d %v", resp.StatusCode, im)
	}
	for i := 0; i < 200 && im["status"] != "done" && im["status"] != "failed"; i++ {
		time.Sleep(50 * time.Millisecond)
		im = e.s.Do("GET", im["status_url"].(string), e.instructor.Token, nil).Map(t)
	}
	lesson, _ := im["lesson"].(map[string]any)
	if im["status"] != "done" || lesson == nil {
		t.Fatalf("background import: %v", im)
	}
	if n, m := e.settingsOf(t, int64(lesson["id"].(float64))); n != 2 || m != nil {
		t.Fatalf("settings after a background import: %v %v", n, m)
	}
	// Refused in the background request too, before the upload is kept.
	if r := e.uploadWith(t, e.instructor.Token, "?background=1", map[string]string{"max_attempts": "1001"}, package12Multi(t)); r.StatusCode != 422 {
		t.Fatalf("bad settings in the background: %d", r.StatusCode)
	}
	if objs, _ := e.s.Store.List(context.Background(), "scorm/uploads/"); len(objs) != 0 {
		t.Errorf("a refused background upload was kept: %v", objs)
	}
}

// TestUploadFormSettings: the upload page (no script) takes the settings too; bad values show
// the form again (422) with the messages beside the fields, the values typed, nothing stored;
// after an upload the instructor lands on the lesson's page, not in the player.
func TestUploadFormSettings(t *testing.T) {
	e := newEnv(t)
	st, body, _ := e.page(t, "GET", "/sections/1/packages/new?lang=ar", e.instructor.Token, nil, "")
	if st != 200 || !strings.Contains(body, `name="max_attempts"`) || !strings.Contains(body, `name="mastery_score"`) ||
		!strings.Contains(body, "عدد المحاولات المسموح بها لكل متعلم") {
		t.Fatalf("upload page: %d\n%s", st, body)
	}
	post := func(fields map[string]string, zipData []byte) (int, string, http.Header) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("csrf_token", strings.Repeat("k", 48))
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("file", "p.zip")
		fw.Write(zipData)
		mw.Close()
		return e.page(t, "POST", "/sections/1/packages?lang=fr", e.instructor.Token, &buf, mw.FormDataContentType())
	}
	st, body, _ = post(map[string]string{"max_attempts": "two", "mastery_score": "80"}, package12Multi(t))
	if st != 422 || !strings.Contains(body, "Saisissez un nombre entier de 0 (pas de limite) à 1000.") || !strings.Contains(body, `value="two"`) ||
		!strings.Contains(body, `value="80"`) || strings.Count(body, `aria-invalid="true"`) != 1 || strings.Contains(body, `id="s-max-attempts-error" hidden`) ||
		!strings.Contains(body, `id="s-mastery-score-error" hidden`) {
		t.Fatalf("bad settings on the form: %d\n%s", st, body)
	}
	e.assertClean(t, 0)
	st, _, h := post(map[string]string{"max_attempts": "4", "mastery_score": ""}, package12Multi(t))
	loc := h.Get("Location")
	var lesson int64
	if st != 303 || !strings.HasSuffix(loc, "/package") {
		t.Fatalf("form post: %d %s", st, loc)
	}
	fmt.Sscanf(loc, "/lessons/%d/package", &lesson)
	if n, m := e.settingsOf(t, lesson); n != 4 || m != nil {
		t.Fatalf("settings from the form: %v %v", n, m)
	}
}

func form(kv ...string) *strings.Reader {
	v := url.Values{"csrf_token": {strings.Repeat("k", 48)}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return strings.NewReader(v.Encode())
}

const formType = "application/x-www-form-urlencoded"

// TestPackagePage: the lesson's page for its instructors shows the package and its settings in
// a form; bad values answer 422 with the messages and change nothing; only the lesson's
// instructors may open or post it.
func TestPackagePage(t *testing.T) {
	e := newEnv(t)
	lesson := e.importOK(t, package12Multi(t))
	path := fmt.Sprintf("/lessons/%d/package", lesson)
	st, body, _ := e.page(t, "GET", path, e.instructor.Token, nil, "")
	if st != 200 || !strings.Contains(body, `<form method="post" action="`+path+`" id="package-settings"`) || !strings.Contains(body, "SCORM 1.2") ||
		!strings.Contains(body, fmt.Sprintf(`href="/lessons/%d/scorm/attempts" id="package-results"`, lesson)) ||
		!strings.Contains(body, fmt.Sprintf(`href="/lessons/%d/play" id="package-preview"`, lesson)) || !strings.Contains(body, "Attempts allowed per learner") {
		t.Fatalf("package page: %d\n%s", st, body)
	}
	st, body, _ = e.page(t, "GET", path+"?lang=ar", e.instructor.Token, nil, "")
	if st != 200 || !strings.Contains(body, `dir="rtl"`) || !strings.Contains(body, "إعدادات المحاولات الجديدة") {
		t.Fatalf("package page in Arabic: %d\n%s", st, body)
	}
	for _, u := range []struct {
		name, token string
		status      int
	}{{"learner", e.learner.Token, 403}, {"another instructor", e.other.Token, 403}} {
		if st, _, _ := e.page(t, "GET", path, u.token, nil, ""); st != u.status {
			t.Errorf("%s opens the page: %d", u.name, st)
		}
		if st, _, _ := e.page(t, "POST", path, u.token, form("max_attempts", "1"), formType); st != u.status {
			t.Errorf("%s posts the form: %d", u.name, st)
		}
	}
	if st, _, h := e.page(t, "GET", path, "", nil, ""); st != 303 || !strings.HasPrefix(h.Get("Location"), "/login") {
		t.Errorf("anonymous: %d %v", st, h.Get("Location"))
	}
	if n, m := e.settingsOf(t, lesson); n != 0 || m != nil {
		t.Fatalf("refused posts changed the settings: %v %v", n, m)
	}

	// Bad values: 422, both messages, the values as typed, nothing changed.
	st, body, _ = e.page(t, "POST", path+"?lang=es", e.instructor.Token, form("max_attempts", "5000", "mastery_score", "101"), formType)
	if st != 422 || !strings.Contains(body, "Escriba un número entero de 0 (sin límite) a 1000.") || !strings.Contains(body, "Escriba un número de 0 a 100.") ||
		!strings.Contains(body, `value="5000"`) || !strings.Contains(body, `id="package-errors"`) || strings.Contains(body, `-error" hidden`) {
		t.Fatalf("bad settings: %d\n%s", st, body)
	}
	st, body, _ = e.page(t, "POST", path, e.instructor.Token, form("max_attempts", "2", "mastery_score", "1e999"), formType)
	if st != 422 || !strings.Contains(body, `id="s-max-attempts-error" hidden`) || strings.Contains(body, `id="s-mastery-score-error" hidden`) {
		t.Fatalf("one bad value: %d\n%s", st, body)
	}
	if n, m := e.settingsOf(t, lesson); n != 0 || m != nil {
		t.Fatalf("a refused form changed the settings: %v %v", n, m)
	}
	// Good values are saved; the page shows them.
	st, _, h := e.page(t, "POST", path, e.instructor.Token, form("max_attempts", "2", "mastery_score", "65"), formType)
	if st != 303 || h.Get("Location") != path {
		t.Fatalf("save: %d %v", st, h)
	}
	if n, m := e.settingsOf(t, lesson); n != 2 || m != 65.0 {
		t.Fatalf("saved settings: %v %v", n, m)
	}
	if _, body, _ = e.page(t, "GET", path, e.instructor.Token, nil, ""); !strings.Contains(body, `name="max_attempts" min="0" max="1000" step="1" inputmode="numeric" value="2"`) ||
		!strings.Contains(body, `value="65"`) {
		t.Fatalf("page after saving:\n%s", body)
	}
	// Empty fields go back to no limit and the package's own passing score.
	e.page(t, "POST", path, e.instructor.Token, form("max_attempts", "", "mastery_score", ""), formType)
	if n, m := e.settingsOf(t, lesson); n != 0 || m != nil {
		t.Fatalf("cleared settings: %v %v", n, m)
	}
}

// TestPreviewAttempts: attempts by someone who manages the lesson without being enrolled are
// previews: never reported to progress, not limited, left out of results unless asked, and
// shown apart, with names (and e-mail addresses for the staff who read them).
func TestPreviewAttempts(t *testing.T) {
	e := newEnv(t)
	lesson := e.importOK(t, package12Multi(t))
	if r := e.s.Do("PATCH", fmt.Sprintf("/api/v1/lessons/%d/package", lesson), e.instructor.Token, map[string]any{"max_attempts": 1}); r.Status != 200 {
		t.Fatal(r.Status)
	}
	// The learner's attempt counts; the instructor's are previews, as many as they like.
	att := e.attemptOf(t, lesson, e.learner)
	e.launch(t, att, e.learner, "sco1")
	if r := e.commit(t, att, e.learner, map[string]any{"item": "sco1", "session": 1, "seq": 1, "cmi": cmi12("passed", "1", "00:01:00", "90")}); r.Status != 200 {
		t.Fatal(r.Status, string(r.Body))
	}
	var previews []int64
	for i := 0; i < 3; i++ {
		r := e.s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), e.instructor.Token, nil)
		if r.Status != 201 || r.Map(t)["preview"] != true {
			t.Fatalf("preview %d: %d %s", i+1, r.Status, r.Body)
		}
		previews = append(previews, int64(r.Map(t)["id"].(float64)))
	}
	e.launch(t, previews[0], e.instructor, "sco1")
	if r := e.commit(t, previews[0], e.instructor, map[string]any{"item": "sco1", "session": 1, "seq": 1, "cmi": cmi12("failed", "1", "00:00:30", "10")}); r.Status != 200 {
		t.Fatal(r.Status, string(r.Body))
	}
	if r := e.s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), e.learner.Token, nil); r.Status != 409 {
		t.Fatalf("the learner's second attempt: %d", r.Status)
	}
	for _, res := range e.fake.Results() {
		if res.User != e.learner.ID {
			t.Errorf("a preview reached progress: %+v", res)
		}
	}
	if len(e.fake.Results()) == 0 {
		t.Fatal("the learner's result was not reported")
	}

	// Lists: learners' attempts by default; previews on request.
	list := func(q string) (float64, []any) {
		t.Helper()
		r := e.s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts%s", lesson, q), e.instructor.Token, nil)
		if r.Status != 200 {
			t.Fatalf("list %s: %d %s", q, r.Status, r.Body)
		}
		m := r.Map(t)
		return m["total"].(float64), m["items"].([]any)
	}
	if n, items := list(""); n != 1 || items[0].(map[string]any)["user_id"] != float64(e.learner.ID) || items[0].(map[string]any)["preview"] != false {
		t.Errorf("default list: %v %v", n, items)
	}
	if n, _ := list("?previews=only"); n != 3 {
		t.Errorf("previews: %v", n)
	}
	if n, _ := list("?previews=include"); n != 4 {
		t.Errorf("all: %v", n)
	}
	if r := e.s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts?previews=some", lesson), e.instructor.Token, nil); r.Status != 422 {
		t.Errorf("bad previews: %d", r.Status)
	}

	// Pages: names and e-mail addresses, previews apart with a badge.
	st, body, _ := e.page(t, "GET", fmt.Sprintf("/lessons/%d/scorm/attempts", lesson), e.instructor.Token, nil, "")
	if st != 200 || !strings.Contains(body, "<bdi>"+e.learner.User.Name+"</bdi>") || !strings.Contains(body, e.learner.Email) ||
		strings.Contains(body, "<bdi>"+e.instructor.User.Name+"</bdi>") || !strings.Contains(body, "Show the 3 previews by staff") ||
		strings.Contains(body, fmt.Sprintf("User %d", e.learner.ID)) {
		t.Fatalf("results page: %d\n%s", st, body)
	}
	st, body, _ = e.page(t, "GET", fmt.Sprintf("/lessons/%d/scorm/attempts?previews=only&lang=ar", lesson), e.instructor.Token, nil, "")
	if st != 200 || !strings.Contains(body, "معاينات فريق التدريس") || !strings.Contains(body, "<bdi>"+e.instructor.User.Name+"</bdi>") ||
		strings.Contains(body, e.learner.Email) || strings.Count(body, `<span class="badge">معاينة</span>`) != 3 {
		t.Fatalf("previews page: %d\n%s", st, body)
	}
	st, body, _ = e.page(t, "GET", fmt.Sprintf("/scorm/attempts/%d", previews[0]), e.instructor.Token, nil, "")
	if st != 200 || !strings.Contains(body, e.instructor.User.Name) || !strings.Contains(body, `<span class="badge">Preview</span>`) {
		t.Fatalf("preview attempt page: %d\n%s", st, body)
	}
	// A learner sees their own attempts under their own name, no e-mail column, no previews.
	st, body, _ = e.page(t, "GET", fmt.Sprintf("/lessons/%d/scorm/attempts", lesson), e.learner.Token, nil, "")
	if st != 200 || !strings.Contains(body, "<bdi>"+e.learner.User.Name+"</bdi>") || strings.Contains(body, e.learner.Email) || strings.Contains(body, "previews") {
		t.Fatalf("learner's list: %d\n%s", st, body)
	}
	// The player says the instructor is previewing.
	st, body, _ = e.page(t, "GET", fmt.Sprintf("/lessons/%d/play", lesson), e.instructor.Token, nil, "")
	if st != 200 || !strings.Contains(body, `id="scorm-preview"`) {
		t.Fatalf("player for the instructor: %d", st)
	}
	if _, body, _ = e.page(t, "GET", fmt.Sprintf("/lessons/%d/play", lesson), e.learner.Token, nil, ""); strings.Contains(body, `id="scorm-preview"`) {
		t.Error("the learner's player says preview")
	}
}

// TestSharedContentIsReleasedLast: two packages over the same files (a lesson and its copy);
// the files stay while either uses them.
func TestSharedContentIsReleasedLast(t *testing.T) {
	e := newEnv(t)
	lesson := e.importOK(t, package12Multi(t))
	ctx := auth.WithPrincipal(context.Background(), &auth.Principal{UserID: e.instructor.ID, Roles: []string{auth.RoleInstructor}})
	svc := e.s.App.Packages
	var cp *scorm.Package
	if err := e.s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		cp, err = svc.CopyPackage(ctx, tx, lesson, 9999)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var orig scorm.Package
	e.s.DB.Where("lesson_id = ?", lesson).Take(&orig)
	if cp == nil || cp.UUID == orig.UUID || cp.Content() != orig.UUID || cp.Manifest != orig.Manifest {
		t.Fatalf("copy %+v of %+v", cp, orig)
	}
	objects := func() int {
		objs, err := e.s.Store.List(context.Background(), orig.Prefix())
		if err != nil {
			t.Fatal(err)
		}
		return len(objs)
	}
	n := objects()
	if n == 0 {
		t.Fatal("no files")
	}
	e.s.DB.Delete(&scorm.Package{}, orig.ID)
	if err := svc.ReleaseContent(ctx, orig.Content()); err != nil {
		t.Fatal(err)
	}
	if got := objects(); got != n {
		t.Fatalf("files after releasing the original: %d of %d", got, n)
	}
	e.s.DB.Delete(&scorm.Package{}, cp.ID)
	if err := svc.ReleaseContent(ctx, orig.Content()); err != nil {
		t.Fatal(err)
	}
	if got := objects(); got != 0 {
		t.Fatalf("files after releasing the last package: %d", got)
	}
	// Copying a lesson without a package copies nothing.
	if err := e.s.DB.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		cp, err = svc.CopyPackage(ctx, tx, 12345, 9998)
		return err
	}); err != nil || cp != nil {
		t.Fatalf("copy of nothing: %v %v", cp, err)
	}
}

func decode(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decode %d: %v", resp.StatusCode, err)
	}
}
