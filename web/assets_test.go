package webassets_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	webassets "glc/web"
)

func TestHandler(t *testing.T) {
	if !webassets.Has("scorm-again/scorm12.min.js") {
		t.Skip("web/dist is empty: run `make assets` (npm ci --prefix web && npm run build --prefix web) first")
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := webassets.Handler(next)
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}
	url := webassets.URL("scorm-again/scorm12.min.js")
	rec := get(url)
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), "javascript") ||
		!strings.Contains(rec.Header().Get("Cache-Control"), "immutable") || !strings.Contains(rec.Body.String(), "Scorm12API") {
		t.Fatalf("%s: %d %v", url, rec.Code, rec.Header())
	}
	for path, want := range map[string]int{
		"/static/css/app.css":                  http.StatusTeapot, // not ours: passed on
		"/static/vendor/":                      404,
		"/static/vendor/scorm-again/":          404,
		"/static/vendor/scorm-again/nothing":   404,
		"/static/vendor/../vendor/.gitkeep":    404,
		"/static/vendor/scorm-again/./LICENSE": 404,
	} {
		if rec := get(path); rec.Code != want {
			t.Errorf("%s: %d, want %d", path, rec.Code, want)
		}
	}
}
