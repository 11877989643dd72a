package app_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"glc/internal/app/apptest"
	"glc/internal/openapi"
	"glc/internal/testkit"
)

func TestHomePageInEveryLanguage(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	cases := []struct {
		query, accept, cookie, lang, dir, word string
	}{
		{"", "", "", "en", "ltr", "Global Learning Centre"},
		{"?lang=ar", "", "", "ar", "rtl", "مركز التعلم العالمي"},
		{"?lang=fr", "", "", "fr", "ltr", "Centre mondial"},
		{"", "es-ES,es;q=0.9", "", "es", "ltr", "Centro Mundial"},
		{"", "ar-EG", "", "ar", "rtl", "مركز"},
		{"", "de-DE", "", "en", "ltr", "Global Learning Centre"},
		{"", "ar", "fr", "fr", "ltr", "Centre mondial"},         // cookie beats Accept-Language
		{"?lang=es", "ar", "fr", "es", "ltr", "Centro Mundial"}, // query beats both
		{"?lang=xx", "", "", "en", "ltr", "Global Learning Centre"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest("GET", s.URL+"/"+c.query, nil)
		if c.accept != "" {
			req.Header.Set("Accept-Language", c.accept)
		}
		if c.cookie != "" {
			req.AddCookie(&http.Cookie{Name: "glc_lang", Value: c.cookie})
		}
		r := s.Send(req)
		body := string(r.Body)
		if r.Status != 200 {
			t.Fatalf("%+v: status %d", c, r.Status)
		}
		if want := `<html lang="` + c.lang + `" dir="` + c.dir + `">`; !strings.Contains(body, want) {
			t.Errorf("%+v: want %s in page", c, want)
		}
		if !strings.Contains(body, c.word) {
			t.Errorf("%+v: page lacks %q", c, c.word)
		}
	}
	// ?lang= is remembered in a cookie.
	r := s.Do("GET", "/?lang=ar", "", nil)
	if !strings.Contains(r.Header.Get("Set-Cookie")+strings.Join(r.Header.Values("Set-Cookie"), ";"), "glc_lang=ar") {
		t.Errorf("lang cookie not set: %v", r.Header.Values("Set-Cookie"))
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	s := apptest.New(t)
	if r := s.Do("GET", "/healthz", "", nil); r.Status != 200 {
		t.Fatalf("healthz %d", r.Status)
	}
	r := s.Do("GET", "/readyz", "", nil)
	if r.Status != 200 || r.Map(t)["status"] != "ok" {
		t.Fatalf("readyz %d %s", r.Status, r.Body)
	}
	s.Do("GET", "/", "", nil)
	s.Do("GET", "/no-such-page", "", nil)
	m := string(s.Do("GET", "/metrics", "", nil).Body)
	for _, want := range []string{
		`glc_http_requests_total{method="GET",route="/",status="200"}`,
		`glc_http_requests_total{method="GET",route="unmatched",status="404"}`,
		`glc_http_request_duration_seconds_bucket{method="GET",route="/"`,
		"go_goroutines", "go_sql_open_connections",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if r := s.Do("GET", "/", "", nil); r.Header.Get("X-Request-ID") == "" {
		t.Error("no request id header")
	}
}

// TestMetricsToken: with GLC_METRICS_TOKEN set, /metrics answers 401 without the token or with
// a wrong one, and the metrics with it.
func TestMetricsToken(t *testing.T) {
	const token = "scrape-token-0123456789"
	s := apptest.New(t, apptest.Env("GLC_METRICS_TOKEN", token))
	for _, bearer := range []string{"", "wrong-token-0123456789", token + "x"} {
		r := s.Do("GET", "/metrics", bearer, nil)
		if r.Status != 401 || r.ErrorCode() != "unauthenticated" || r.Header.Get("WWW-Authenticate") == "" || strings.Contains(string(r.Body), "go_goroutines") {
			t.Errorf("bearer %q: %d %s", bearer, r.Status, r.Body)
		}
	}
	if r := s.Do("GET", "/metrics", token, nil); r.Status != 200 || !strings.Contains(string(r.Body), "go_goroutines") {
		t.Errorf("with the token: %d", r.Status)
	}
}

func TestErrorsAreReadable(t *testing.T) {
	s := apptest.New(t)
	r := s.Do("GET", "/api/v1/nothing-here", "", nil)
	if r.Status != 404 || r.ErrorCode() != "not_found" {
		t.Fatalf("api 404: %d %s", r.Status, r.Body)
	}
	r = s.Do("GET", "/nothing-here?lang=ar", "", nil)
	if r.Status != 404 || !strings.Contains(string(r.Body), "الصفحة غير موجودة") {
		t.Fatalf("page 404: %d", r.Status)
	}
	if r := s.Do("GET", "/api/v1/me", "", nil); r.Status != 401 || r.ErrorCode() != "unauthenticated" {
		t.Fatalf("me anonymous: %d %s", r.Status, r.Body)
	}
}

// TestCatalogueComplete fails when a message ID is missing from one of the four catalogues, or
// when a page template holds literal user-visible text instead of a catalogue message.
func TestCatalogueComplete(t *testing.T) {
	s := apptest.New(t)
	if missing := s.App.Render.Cat.Missing(); len(missing) > 0 {
		t.Errorf("messages missing from catalogues:\n%s", strings.Join(missing, "\n"))
	}
	if lits := s.App.Render.CheckPages(); len(lits) > 0 {
		t.Errorf("literal strings in templates (use .T with a catalogue ID):\n%s", strings.Join(lits, "\n"))
	}
	if len(s.App.Render.Pages()) < 2 {
		t.Fatalf("pages not loaded: %v", s.App.Render.Pages())
	}
}

// TestOpenAPIInStep checks that every /api/v1 route is described and every described
// operation exists.
var paramSuffix = regexp.MustCompile(`\}\.[a-z]+$`)

func TestOpenAPIInStep(t *testing.T) {
	s := apptest.New(t)
	r := s.Do("GET", "/api/v1/openapi.json", "", nil)
	if r.Status != 200 {
		t.Fatalf("openapi.json %d", r.Status)
	}
	doc := s.App.Doc
	// Gin cannot route a parameter with a suffix ("/certificates/{code}.pdf"): such a route is
	// served as "/certificates/{code}" and its handler strips the suffix.
	var described []string
	for _, op := range doc.Operations() {
		described = append(described, paramSuffix.ReplaceAllString(op, "}"))
	}
	var served []string
	for _, rt := range s.App.Engine.Routes() {
		if p, ok := strings.CutPrefix(rt.Path, "/api/v1"); ok {
			served = append(served, rt.Method+" "+openapi.GinPath(p))
		}
	}
	slices.Sort(served)
	for _, op := range served {
		if !slices.Contains(described, op) {
			t.Errorf("route %s is not in the OpenAPI document", op)
		}
	}
	for _, op := range described {
		if !slices.Contains(served, op) {
			t.Errorf("OpenAPI describes %s but no route serves it", op)
		}
	}
	if missing := doc.Refs(); len(missing) > 0 {
		t.Errorf("dangling $refs: %v", missing)
	}
}

// TestClientAddress checks that X-Forwarded-For is believed only from configured proxies
// (login throttling counts per client address).
func TestClientAddress(t *testing.T) {
	for _, c := range []struct {
		proxies, want string
	}{
		{"", "127.0.0.1"},
		{"10.0.0.0/8", "127.0.0.1"},
		{"127.0.0.1", "203.0.113.9"},
	} {
		s := apptest.New(t, apptest.Env("GLC_TRUSTED_PROXIES", c.proxies))
		s.App.Engine.GET("/__test/ip", func(g *gin.Context) { g.String(200, g.ClientIP()) })
		req, _ := http.NewRequest("GET", s.URL+"/__test/ip", nil)
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		if r := s.Send(req); string(r.Body) != c.want {
			t.Errorf("trusted %q: client address %q, want %s", c.proxies, r.Body, c.want)
		}
	}
}

func TestResponseHeaders(t *testing.T) {
	s := apptest.New(t)
	if r := s.Do("GET", "/api/v1/me", "", nil); r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("API responses may be cached: %q", r.Header.Get("Cache-Control"))
	}
	r := s.Do("GET", "/?lang=fr", "", nil)
	if r.Header.Get("Content-Security-Policy") == "" || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("page headers: %v", r.Header)
	}
	if !strings.Contains(string(r.Body), `<meta name="csrf-token" content="`) {
		t.Error("no CSRF token for scripts in the page")
	}
	var lang *http.Cookie
	for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
		if ck.Name == "glc_lang" {
			lang = ck
		}
	}
	if lang == nil || lang.Value != "fr" || !lang.HttpOnly || lang.SameSite != http.SameSiteLaxMode || lang.MaxAge < 86400 {
		t.Errorf("language cookie: %+v", lang)
	}
	for path, want := range map[string]int{"/static/css/app.css": 200, "/static/css/": 404, "/static/": 404, "/static/../go.mod": 404} {
		if r := s.Do("GET", path, "", nil); r.Status != want {
			t.Errorf("%s: %d, want %d", path, r.Status, want)
		}
	}
	big := strings.Repeat("x", 2<<20)
	s2 := apptest.New(t, apptest.Env("GLC_MAX_UPLOAD_MB", "1"))
	if r := s2.Do("POST", "/api/v1/nothing", "", big); r.Status != 413 || r.ErrorCode() != "too_large" {
		t.Errorf("body over GLC_MAX_UPLOAD_MB: %d %s", r.Status, r.Body)
	}
}
