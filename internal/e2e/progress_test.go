package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"glc/internal/e2e"
)

// apiClient calls the JSON API as one user of the running binary.
type apiClient struct {
	t     *testing.T
	base  string
	token string
}

func apiLogin(t *testing.T, srv *e2e.Server, email, password string) *apiClient {
	t.Helper()
	c := &apiClient{t: t, base: srv.URL}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	c.do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, http.StatusOK, &out)
	c.token = out.AccessToken
	return c
}

func (c *apiClient) do(method, path string, body any, want int, out any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

func (c *apiClient) id(method, path string, body any) int64 {
	c.t.Helper()
	var out struct {
		ID int64 `json:"id"`
	}
	c.do(method, path, body, http.StatusCreated, &out)
	return out.ID
}

// TestLearnerEarnsCertificateAndCoordinatorReports: an instructor publishes a two-lesson
// course; a learner with an Arabic name enrols in the browser, opens both lessons, finds the
// certificate under "My certificates", downloads the PDF and opens its verification page; a
// coordinator of the learner's country opens the reports dashboard. Screenshots in English and
// Arabic; every page passes axe-core.
func TestLearnerEarnsCertificateAndCoordinatorReports(t *testing.T) {
	srv := e2e.Start(t, "GLC_SEED_DEMO=false")
	const pw = "a long enough passphrase 42"
	users := []struct{ email, name, role, country string }{
		{"teacher@example.org", "Grace Mwangi", "instructor", "KE"},
		{"learner@example.org", "فاطمة الزهراء بن علي", "learner", "KE"},
		{"coordinator@example.org", "Peter Otieno", "coordinator", "KE"},
	}
	for _, u := range users {
		srv.Glc(t, pw+"\n", "user", "create", "--email", u.email, "--name", u.name, "--role", u.role, "--country", u.country)
	}
	teacher := apiLogin(t, srv, users[0].email, pw)
	course := teacher.id("POST", "/api/v1/courses", map[string]any{"title": "Countering migrant smuggling", "summary": "Detecting smuggling at land borders.", "language": "en"})
	sec := teacher.id("POST", fmt.Sprintf("/api/v1/courses/%d/sections", course), map[string]any{"title": "Module 1"})
	var lessons []int64
	for _, title := range []string{"Smuggling routes", "Interviewing travellers"} {
		lessons = append(lessons, teacher.id("POST", fmt.Sprintf("/api/v1/sections/%d/lessons", sec), map[string]any{"title": title, "kind": "text", "body": "Read this lesson."}))
	}
	teacher.do("PATCH", fmt.Sprintf("/api/v1/courses/%d", course), map[string]any{"self_enrolment": true, "estimated_hours": 6}, http.StatusOK, nil)
	teacher.do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), nil, http.StatusOK, nil)

	b := srv.Browser(t)
	b.Login(users[1].email, pw)
	b.Navigate(fmt.Sprintf("/courses/%d", course))
	b.Submit("#course-enrol")
	for _, l := range lessons {
		b.Navigate(fmt.Sprintf("/lessons/%d", l)) // opening a text lesson completes it
	}
	for _, lang := range []string{"en", "ar"} {
		b.Navigate("/my/certificates?lang=" + lang)
		b.Screenshot("progress-my-certificates-" + lang)
		b.Axe()
	}
	href := b.Attr(`a[href$=".pdf"]`, "href")
	if !strings.HasPrefix(href, "/api/v1/certificates/") {
		t.Fatalf("no certificate download link on My certificates (href %q)", href)
	}
	// Download it as the browser does (same session cookie) and check what came back.
	got := e2e.Eval[string](b, fmt.Sprintf(`(() => { const x = new XMLHttpRequest(); x.open('GET', %q, false); x.send();
		return x.status + ' ' + x.getResponseHeader('Content-Type') + ' ' + x.getResponseHeader('Content-Disposition') + ' ' + x.responseText.slice(0, 5); })()`, href))
	if !strings.HasPrefix(got, "200 application/pdf attachment;") || !strings.HasSuffix(got, "%PDF-") {
		t.Fatalf("certificate download: %q", got)
	}
	code := strings.TrimSuffix(strings.TrimPrefix(href, "/api/v1/certificates/"), ".pdf")
	for _, lang := range []string{"en", "ar"} {
		b.Navigate("/verify/" + code + "?lang=" + lang)
		b.Screenshot("progress-verify-" + lang)
		b.Axe()
	}
	if txt := b.Text("main"); !strings.Contains(txt, "فاطمة الزهراء بن علي") || !strings.Contains(txt, "شهادة صحيحة") {
		t.Errorf("verification page: %q", txt)
	}
	b.Navigate("/my/transcript")
	b.Screenshot("progress-transcript-en")
	b.Axe()

	coord := srv.Browser(t)
	coord.Login(users[2].email, pw)
	for _, lang := range []string{"en", "ar"} {
		coord.Navigate("/reports?lang=" + lang)
		if n := e2e.Eval[int](coord, `document.querySelectorAll('svg.chart').length`); n != 5 {
			t.Errorf("%s dashboard shows %d charts, want 4 charts and the map", lang, n)
		}
		coord.Screenshot("progress-reports-" + lang)
		coord.Axe()
		if x := coord.CrossOrigin(); len(x) > 0 {
			t.Errorf("requests to other origins: %v", x)
		}
	}
	if txt := coord.Text("#h-map + figure"); txt == "" {
		t.Error("the map has no accessible text")
	}
	teacherB := srv.Browser(t)
	teacherB.Login(users[0].email, pw)
	teacherB.Navigate(fmt.Sprintf("/reports/courses/%d", course))
	teacherB.Screenshot("progress-course-report-en")
	teacherB.Axe()
	if txt := teacherB.Text("main"); !strings.Contains(txt, "فاطمة الزهراء بن علي") {
		t.Errorf("course report does not list the learner: %q", txt)
	}
}
