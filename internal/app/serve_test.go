package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"glc/internal/config"
	"glc/internal/httpx"
	"glc/internal/testkit"
)

// lockedBuffer is a log sink shared by the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newTestApp(t *testing.T, log *slog.Logger, env map[string]string) *App {
	t.Helper()
	vars := map[string]string{"GLC_DATA_DIR": t.TempDir(), "GLC_AUTO_MIGRATE": "true", "GLC_SHUTDOWN_TIMEOUT": "10s", "GLC_JOB_POLL_INTERVAL": "50ms"}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.Load(nil, func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(context.Background(), cfg, log, testkit.LoggedDB(t, log), testkit.Store(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// TestGracefulShutdown starts Serve, begins a slow request, then ends Serve's context (what
// SIGTERM does in main): new connections are refused at once, the in-flight request finishes
// with 200, and Serve returns nil.
func TestGracefulShutdown(t *testing.T) {
	a := newTestApp(t, slog.New(slog.DiscardHandler), nil)
	started := make(chan struct{})
	a.Engine.GET("/__test/slow", func(c *gin.Context) {
		close(started)
		time.Sleep(1500 * time.Millisecond)
		c.String(http.StatusOK, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()

	type result struct {
		status int
		body   string
		err    error
		at     time.Time
	}
	slow := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/__test/slow")
		if err != nil {
			slow <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		slow <- result{status: resp.StatusCode, body: string(b), at: time.Now()}
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("slow request did not start")
	}
	stop()
	// The listener closes while the slow request still runs.
	deadline := time.Now().Add(time.Second)
	var refusedAt time.Time
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			refusedAt = time.Now()
			break
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
	if refusedAt.IsZero() {
		t.Fatal("new connections still accepted after shutdown began")
	}
	r := <-slow
	if r.err != nil || r.status != http.StatusOK || r.body != "finished" {
		t.Fatalf("in-flight request: %+v", r)
	}
	if !refusedAt.Before(r.at) {
		t.Fatalf("connections were refused only after the in-flight request ended (%s >= %s)", refusedAt, r.at)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Serve did not return")
	}
}

// TestRequestIDOnEveryLogLine checks that every line logged while serving a request carries
// its request ID: the handler's own line, SQL errors logged by the database layer, the 500
// error line and the access log line.
func TestRequestIDOnEveryLogLine(t *testing.T) {
	var buf lockedBuffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := newTestApp(t, log, nil)
	a.Engine.GET("/__test/log", func(c *gin.Context) {
		httpx.Logger(c).Info("handler says hello")
		err := a.DB.WithContext(c.Request.Context()).Exec("SELECT * FROM no_such_table").Error
		httpx.Fail(c, errors.Join(errors.New("query failed"), err))
	})
	srv := &http.Server{Handler: a.Engine}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	before := len(buf.String())
	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/__test/log", nil)
	req.Header.Set(httpx.RequestIDHeader, "req-test-12345")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 || resp.Header.Get(httpx.RequestIDHeader) != "req-test-12345" {
		t.Fatalf("status %d, id %q", resp.StatusCode, resp.Header.Get(httpx.RequestIDHeader))
	}
	lines := 0
	msgs := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(buf.String()[before:]))
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		lines++
		msgs[rec["msg"].(string)] = true
		if rec["request_id"] != "req-test-12345" {
			t.Errorf("log line without the request id: %s", sc.Text())
		}
	}
	for _, want := range []string{"handler says hello", "sql error", "request failed", "request"} {
		if !msgs[want] {
			t.Errorf("no %q line logged; got %v", want, msgs)
		}
	}
	// A request without an ID (or with a malformed one) gets a fresh one.
	for _, sent := range []string{"", "short", "bad id with spaces"} {
		req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/healthz", nil)
		if sent != "" {
			req.Header.Set(httpx.RequestIDHeader, sent)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get(httpx.RequestIDHeader); len(got) != 24 || got == sent {
			t.Errorf("sent %q, got request id %q", sent, got)
		}
	}
}
