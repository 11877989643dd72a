package scorm_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// page fetches a page with the user's session cookie.
func (e *env) page(t *testing.T, method, path, token string, body io.Reader, contentType string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, e.s.URL+path, body)
	if token != "" {
		req.AddCookie(&http.Cookie{Name: "glc_access", Value: token})
	}
	req.AddCookie(&http.Cookie{Name: "glc_csrf", Value: strings.Repeat("k", 48)})
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := e.s.Browser().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestUploadPages(t *testing.T) {
	e := newEnv(t)
	st, body, _ := e.page(t, "GET", "/sections/1/packages/new?lang=es", e.instructor.Token, nil, "")
	if st != 200 || !strings.Contains(body, "Añadir un paquete SCORM") || !strings.Contains(body, `data-api="/api/v1/sections/1/packages"`) ||
		!strings.Contains(body, "js/package-upload.js") || !strings.Contains(body, `<progress id="package-progress"`) {
		t.Fatalf("upload page: %d\n%s", st, body)
	}
	if st, _, _ := e.page(t, "GET", "/sections/1/packages/new", e.learner.Token, nil, ""); st != 403 {
		t.Errorf("learner sees the upload form: %d", st)
	}
	if st, _, h := e.page(t, "GET", "/sections/1/packages/new", "", nil, ""); st != 303 || !strings.HasPrefix(h.Get("Location"), "/login") {
		t.Errorf("anonymous: %d %s", st, h.Get("Location"))
	}
	// Without JavaScript the form posts multipart with the CSRF field.
	post := func(zipData []byte) (int, string, http.Header) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("csrf_token", strings.Repeat("k", 48))
		fw, _ := mw.CreateFormFile("file", "p.zip")
		fw.Write(zipData)
		mw.Close()
		return e.page(t, "POST", "/sections/1/packages", e.instructor.Token, &buf, mw.FormDataContentType())
	}
	st, body, _ = post([]byte("not a zip"))
	if st != 422 || !strings.Contains(body, "not a zip archive") {
		t.Fatalf("refused form post: %d\n%s", st, body)
	}
	// The instructor lands on the lesson's page (settings, results), not in the player (which
	// would start an attempt of theirs).
	st, _, h := post(package12Multi(t))
	if st != 303 || !strings.HasPrefix(h.Get("Location"), "/lessons/") || !strings.HasSuffix(h.Get("Location"), "/package") {
		t.Fatalf("form post: %d %v", st, h)
	}
	if st, body, _ := e.page(t, "GET", h.Get("Location"), e.instructor.Token, nil, ""); st != 200 || !strings.Contains(body, `id="package-settings"`) {
		t.Fatalf("after the upload: %d\n%s", st, body)
	}
	var attempts int64
	e.s.DB.Table("scorm_attempts").Count(&attempts)
	if attempts != 0 {
		t.Errorf("the upload started %d attempt(s)", attempts)
	}
}

func TestResultPages(t *testing.T) {
	e := newEnv(t)
	lesson := e.importOK(t, package12Multi(t))
	att := e.attemptOf(t, lesson, e.learner)
	e.launch(t, att, e.learner, "sco1")
	quiz := cmi12("passed", "4", "00:02:00", "95")
	quiz["cmi"].(map[string]any)["interactions"] = map[string]any{"0": map[string]any{"id": "q-border-1", "type": "choice", "student_response": "c", "result": "correct"}}
	if r := e.commit(t, att, e.learner, map[string]any{"item": "sco1", "session": 1, "seq": 1, "cmi": quiz}); r.Status != 200 {
		t.Fatal(r.Status)
	}
	st, body, _ := e.page(t, "GET", fmt.Sprintf("/lessons/%d/scorm/attempts?lang=fr", lesson), e.instructor.Token, nil, "")
	if st != 200 || !strings.Contains(body, "<bdi>"+e.learner.User.Name+"</bdi>") || !strings.Contains(body, e.learner.Email) || !strings.Contains(body, "95 / 100") ||
		!strings.Contains(body, fmt.Sprintf(`href="/scorm/attempts/%d"`, att)) {
		t.Fatalf("attempts page: %d\n%s", st, body)
	}
	st, body, _ = e.page(t, "GET", fmt.Sprintf("/scorm/attempts/%d?lang=ar", att), e.instructor.Token, nil, "")
	if st != 200 || !strings.Contains(body, "q-border-1") || !strings.Contains(body, "الدرجة كما أبلغ عنها محتوى الحزمة") ||
		!strings.Contains(body, "&#34;suspend_data&#34;: &#34;page=4&#34;") || !strings.Contains(body, `dir="rtl"`) {
		t.Fatalf("attempt page: %d\n%s", st, body)
	}
	// The learner sees their own attempt, another instructor sees nothing.
	if st, _, _ := e.page(t, "GET", fmt.Sprintf("/scorm/attempts/%d", att), e.learner.Token, nil, ""); st != 200 {
		t.Errorf("own attempt page: %d", st)
	}
	if st, _, _ := e.page(t, "GET", fmt.Sprintf("/scorm/attempts/%d", att), e.other.Token, nil, ""); st != 403 {
		t.Errorf("another instructor: %d", st)
	}
	if st, _, _ := e.page(t, "GET", fmt.Sprintf("/lessons/%d/scorm/attempts", lesson), e.other.Token, nil, ""); st != 403 {
		t.Errorf("another instructor, list: %d", st)
	}
	// A new attempt from the player page's form.
	st, _, h := e.page(t, "POST", fmt.Sprintf("/lessons/%d/scorm/attempts", lesson), e.learner.Token,
		strings.NewReader("csrf_token="+strings.Repeat("k", 48)), "application/x-www-form-urlencoded")
	if st != 303 || h.Get("Location") != fmt.Sprintf("/lessons/%d/play", lesson) {
		t.Fatalf("new attempt form: %d %v", st, h)
	}
	r := e.s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), e.learner.Token, nil)
	if r.Map(t)["total"] != 2.0 {
		t.Fatalf("attempts after the form: %s", r.Body)
	}
}
