package app_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

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
