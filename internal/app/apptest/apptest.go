// Package apptest runs the whole application in a test: its own database and object store
// (see testkit), an httptest server, and small helpers for JSON requests.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"glc/internal/app"
	"glc/internal/config"
	"glc/internal/database"
	"glc/internal/testkit"
	"glc/storage"
)

// Server is a running application.
type Server struct {
	*httptest.Server
	App   *app.App
	DB    *database.DB
	Store storage.Store
	Cfg   config.Config
	t     testing.TB
}

// Option changes the test configuration before the app is built.
type Option func(env map[string]string)

// Env sets a configuration variable.
func Env(k, v string) Option { return func(m map[string]string) { m[k] = v } }

// Config builds a test configuration on a fresh data folder.
func Config(t testing.TB, opts ...Option) config.Config {
	t.Helper()
	env := map[string]string{"GLC_DATA_DIR": t.TempDir(), "GLC_REGISTRATION": "open", "GLC_AUTO_MIGRATE": "true", "GLC_LOG_LEVEL": "error",
		"GLC_JOB_POLL_INTERVAL": "50ms"}
	for _, o := range opts {
		o(env)
	}
	cfg, err := config.Load(nil, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatalf("test config: %v", err)
	}
	return cfg
}

// New starts the application on a fresh database and store.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := Config(t, opts...)
	db := testkit.DB(t)
	store := testkit.Store(t)
	return Start(t, cfg, db, store)
}

// Start starts the application on the given database and store.
func Start(t testing.TB, cfg config.Config, db *database.DB, store storage.Store) *Server {
	t.Helper()
	level := slog.LevelError
	if os.Getenv("GLC_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	a, err := app.New(context.Background(), cfg, log, db, store)
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	srv := httptest.NewServer(a.Engine)
	ctx, cancel := context.WithCancel(context.Background())
	a.StartBackground(ctx)
	t.Cleanup(func() {
		cancel()
		srv.Close()
		a.WaitBackground()
		a.Close()
	})
	return &Server{Server: srv, App: a, DB: db, Store: store, Cfg: cfg, t: t}
}

// Response is a finished request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %q: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// ErrorCode returns error.code of an error body, or "".
func (r *Response) ErrorCode() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

// Do sends a request with an optional JSON body and bearer token.
func (s *Server) Do(method, path, token string, body any) *Response {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			rd = strings.NewReader(b)
		case []byte:
			rd = bytes.NewReader(b)
		default:
			raw, err := json.Marshal(b)
			if err != nil {
				s.t.Fatal(err)
			}
			rd = bytes.NewReader(raw)
		}
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.Send(req)
}

// Send sends a prepared request with a plain client (no cookies, no redirects).
func (s *Server) Send(req *http.Request) *Response {
	s.t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Browser returns an HTTP client with a cookie jar that does not follow redirects, for page tests.
func (s *Server) Browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
