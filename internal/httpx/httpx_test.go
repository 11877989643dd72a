package httpx_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/httpx"
)

func init() { gin.SetMode(gin.TestMode) }

func TestClassify(t *testing.T) {
	cases := []struct {
		err    error
		status int
		code   string
		msg    string
	}{
		{apperr.ErrNotFound, 404, "not_found", "Not found."},
		{fmt.Errorf("course 7: %w", apperr.ErrNotFound), 404, "not_found", "Course 7"},
		{apperr.ErrForbidden, 403, "forbidden", ""},
		{apperr.ErrUnauthenticated, 401, "unauthenticated", ""},
		{fmt.Errorf("email taken: %w", apperr.ErrConflict), 409, "conflict", "Email taken"},
		{apperr.ErrTooLarge, 413, "too_large", ""},
		{apperr.ErrUnsupported, 415, "unsupported_media_type", ""},
		{apperr.Invalid("title", "is required"), 422, "validation_failed", ""},
		{&apperr.RateLimited{RetryAfter: time.Second, Message: "slow down"}, 429, "rate_limited", "slow down"},
		{apperr.New(403, "account_pending", "Your account awaits approval."), 403, "account_pending", "Your account awaits approval."},
		{&http.MaxBytesError{Limit: 10}, 413, "too_large", ""},
		{fmt.Errorf("load: %w", gorm.ErrRecordNotFound), 404, "not_found", "Not found."},
		{fmt.Errorf("insert: %w", gorm.ErrDuplicatedKey), 409, "conflict", ""},
		{fmt.Errorf("query: %w", context.DeadlineExceeded), 503, "timeout", ""},
		{context.Canceled, httpx.StatusClientClosed, "canceled", ""},
		{errors.New("pq: password authentication failed for user glc"), 500, "internal", "Something went wrong on our side."},
	}
	for _, c := range cases {
		status, d := httpx.Classify(c.err)
		if status != c.status || d.Code != c.code || (c.msg != "" && d.Message != c.msg) {
			t.Errorf("%v: got %d %s %q, want %d %s %q", c.err, status, d.Code, d.Message, c.status, c.code, c.msg)
		}
		if status == 500 && strings.Contains(d.Message, "password") {
			t.Errorf("internal error text leaks: %q", d.Message)
		}
	}
	if _, d := httpx.Classify(apperr.Invalid("title", "is required")); d.Fields["title"] != "is required" {
		t.Errorf("validation fields lost: %+v", d)
	}
}

// serve runs one request through an engine with the given middleware and a handler.
func serve(req *http.Request, h gin.HandlerFunc, mw ...gin.HandlerFunc) *httptest.ResponseRecorder {
	e := gin.New()
	e.Use(mw...)
	e.Any("/*path", h)
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	return w
}

func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var b httpx.ErrorBody
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		t.Fatalf("body %q: %v", w.Body.String(), err)
	}
	return b.Error.Code
}

func TestBindJSON(t *testing.T) {
	type input struct {
		Title string `json:"title"`
		Count int    `json:"count"`
	}
	cases := []struct {
		body, ctype string
		status      int
		code, field string
	}{
		{`{"title":"x","count":2}`, "application/json", 200, "", ""},
		{`{"title":"x"}`, "application/json; charset=utf-8", 200, "", ""},
		{`{"title":"x","admin":true}`, "application/json", 422, "validation_failed", "admin"},
		{`{"count":"two"}`, "application/json", 422, "validation_failed", "count"},
		{`{"title":`, "application/json", 400, "invalid_json", ""},
		{`not json`, "application/json", 400, "invalid_json", ""},
		{``, "application/json", 400, "invalid_json", ""},
		{`{} {}`, "application/json", 400, "invalid_json", ""},
		{`title=x`, "application/x-www-form-urlencoded", 415, "unsupported_media_type", ""},
		{`{"title":"` + strings.Repeat("a", 5<<20) + `"}`, "application/json", 413, "too_large", ""},
	}
	for _, c := range cases {
		req := httptest.NewRequest("POST", "/x", strings.NewReader(c.body))
		req.Header.Set("Content-Type", c.ctype)
		w := serve(req, func(g *gin.Context) {
			var in input
			if httpx.BindJSON(g, &in) {
				g.JSON(200, in)
			}
		})
		if w.Code != c.status {
			t.Errorf("%.40q: status %d, want %d (%s)", c.body, w.Code, c.status, w.Body.String())
			continue
		}
		if c.code != "" && errorCode(t, w) != c.code {
			t.Errorf("%.40q: code %s, want %s", c.body, errorCode(t, w), c.code)
		}
		if c.field != "" && !strings.Contains(w.Body.String(), `"`+c.field+`"`) {
			t.Errorf("%.40q: field %s not named: %s", c.body, c.field, w.Body.String())
		}
	}
}

func TestPagingAndParamID(t *testing.T) {
	cases := []struct {
		query   string
		page    int
		perPage int
		ok      bool
	}{
		{"", 1, 20, true},
		{"page=3&per_page=100", 3, 100, true},
		{"page=0", 0, 0, false},
		{"per_page=101", 0, 0, false},
		{"per_page=abc", 0, 0, false},
		{"page=-1", 0, 0, false},
	}
	for _, c := range cases {
		w := serve(httptest.NewRequest("GET", "/x?"+c.query, nil), func(g *gin.Context) {
			p, err := httpx.Paging(g)
			if err != nil {
				httpx.Fail(g, err)
				return
			}
			g.String(200, "%d %d %d", p.Page, p.PerPage, p.Offset())
		})
		if c.ok && (w.Code != 200 || w.Body.String() != fmt.Sprintf("%d %d %d", c.page, c.perPage, (c.page-1)*c.perPage)) {
			t.Errorf("%q: %d %s", c.query, w.Code, w.Body.String())
		}
		if !c.ok && w.Code != 422 {
			t.Errorf("%q: status %d, want 422", c.query, w.Code)
		}
	}
	e := gin.New()
	e.GET("/items/:id", func(g *gin.Context) {
		if id, ok := httpx.ParamID(g, "id"); ok {
			g.String(200, "%d", id)
		}
	})
	for path, want := range map[string]int{"/items/12": 200, "/items/0": 404, "/items/-3": 404, "/items/x": 404, "/items/99999999999999999999": 404} {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != want {
			t.Errorf("%s: %d, want %d", path, w.Code, want)
		}
	}
}

func TestCSRF(t *testing.T) {
	mw := httpx.CSRF(httpx.CSRFOptions{SessionCookies: []string{"glc_access"}, Exempt: []string{"/xapi/"}})
	ok := func(g *gin.Context) { g.String(200, "ok") }
	token := strings.Repeat("t", 48)
	withCookies := func(r *http.Request, names ...string) *http.Request {
		for _, n := range names {
			v := "session"
			if n == httpx.CSRFCookie {
				v = token
			}
			r.AddCookie(&http.Cookie{Name: n, Value: v})
		}
		return r
	}
	form := func(v url.Values) *http.Request {
		r := httptest.NewRequest("POST", "/form", strings.NewReader(v.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	jsonReq := func(path string) *http.Request {
		r := httptest.NewRequest("POST", path, strings.NewReader(`{}`))
		r.Header.Set("Content-Type", "application/json")
		return r
	}
	cases := []struct {
		name string
		req  *http.Request
		want int
	}{
		{"GET passes and gets a token", httptest.NewRequest("GET", "/", nil), 200},
		{"form without token", withCookies(form(nil), httpx.CSRFCookie, "glc_access"), 403},
		{"form with the wrong token", withCookies(form(url.Values{"csrf_token": {strings.Repeat("x", 48)}}), httpx.CSRFCookie), 403},
		{"form with the token", withCookies(form(url.Values{"csrf_token": {token}}), httpx.CSRFCookie, "glc_access"), 200},
		{"form with a token but no cookie", form(url.Values{"csrf_token": {token}}), 403},
		{"header token", func() *http.Request {
			r := withCookies(jsonReq("/api/v1/x"), httpx.CSRFCookie, "glc_access")
			r.Header.Set(httpx.CSRFHeader, token)
			return r
		}(), 200},
		{"JSON with the session cookie and no token", withCookies(jsonReq("/api/v1/x"), httpx.CSRFCookie, "glc_access"), 403},
		{"JSON without cookies (API client)", jsonReq("/api/v1/x"), 200},
		{"bearer token", func() *http.Request {
			r := withCookies(form(nil), "glc_access")
			r.Header.Set("Authorization", "Bearer abc")
			return r
		}(), 200},
		{"session cookie, form without any token", withCookies(form(nil), "glc_access"), 403},
		{"xapi is exempt", withCookies(httptest.NewRequest("PUT", "/xapi/statements", strings.NewReader("{}")), "glc_access"), 200},
		{"text/plain without cookies", func() *http.Request {
			r := httptest.NewRequest("POST", "/api/v1/x", strings.NewReader("{}"))
			r.Header.Set("Content-Type", "text/plain")
			return r
		}(), 403},
	}
	for _, c := range cases {
		w := serve(c.req, ok, mw)
		if w.Code != c.want {
			t.Errorf("%s: %d, want %d (%s)", c.name, w.Code, c.want, w.Body.String())
		}
		if w.Code == 403 && errorCode(t, w) != "csrf_failed" {
			t.Errorf("%s: code %s", c.name, errorCode(t, w))
		}
	}
	// A fresh token is set as an HttpOnly, SameSite cookie.
	w := serve(httptest.NewRequest("GET", "/", nil), ok, mw)
	ck := w.Result().Cookies()
	if len(ck) != 1 || ck[0].Name != httpx.CSRFCookie || len(ck[0].Value) < 32 || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteLaxMode {
		t.Errorf("token cookie: %+v", ck)
	}
}

func TestSecurityHeaders(t *testing.T) {
	ok := func(g *gin.Context) { g.String(200, "ok") }
	w := serve(httptest.NewRequest("GET", "/", nil), ok, httpx.SecurityHeaders(httpx.SecurityOptions{}))
	h := w.Header()
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "SAMEORIGIN", "Referrer-Policy": "same-origin"} {
		if h.Get(k) != want {
			t.Errorf("%s = %q", k, h.Get(k))
		}
	}
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'self'", "frame-src 'self';"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %q: %s", want, csp)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || h.Get("Strict-Transport-Security") != "" {
		t.Errorf("plain http: CSP %s, HSTS %q", csp, h.Get("Strict-Transport-Security"))
	}
	w = serve(httptest.NewRequest("GET", "/", nil), ok, httpx.SecurityHeaders(httpx.SecurityOptions{TLS: true, FrameOrigins: []string{"https://content.example.org"}}))
	if !strings.Contains(w.Header().Get("Strict-Transport-Security"), "max-age=") {
		t.Error("no HSTS over TLS")
	}
	if !strings.Contains(w.Header().Get("Content-Security-Policy"), "frame-src 'self' https://content.example.org;") {
		t.Errorf("content origin not frameable: %s", w.Header().Get("Content-Security-Policy"))
	}
}

func TestBodyLimit(t *testing.T) {
	read := func(g *gin.Context) {
		if _, err := io.ReadAll(g.Request.Body); err != nil {
			httpx.Fail(g, err)
			return
		}
		g.String(200, "ok")
	}
	mw := httpx.BodyLimit(1000)
	if w := serve(httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("a", 1000))), read, mw); w.Code != 200 {
		t.Errorf("at the limit: %d", w.Code)
	}
	if w := serve(httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("a", 1001))), read, mw); w.Code != 413 {
		t.Errorf("declared length over the limit: %d", w.Code)
	}
	r := httptest.NewRequest("POST", "/", io.MultiReader(strings.NewReader(strings.Repeat("a", 2000))))
	r.ContentLength = -1 // chunked: only reading finds out
	if w := serve(r, read, mw); w.Code != 413 {
		t.Errorf("chunked body over the limit: %d", w.Code)
	}
}
