package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"glc/internal/config"
	"glc/internal/testkit"
)

func TestBadValueExitsWithCode2(t *testing.T) {
	lookup := func(k string) (string, bool) {
		if k == "GLC_LOG_FORMAT" {
			return "yaml", true
		}
		return "", false
	}
	for _, args := range [][]string{nil, {"serve"}, {"migrate"}, {"migrate", "--status"}} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, lookup, strings.NewReader(""), &stdout, &stderr)
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Var != "GLC_LOG_FORMAT" {
			t.Fatalf("%v: run returned %v, want a configuration error naming GLC_LOG_FORMAT", args, err)
		}
		var msg bytes.Buffer
		if code := exitCode(err, &msg); code != 2 {
			t.Errorf("%v: exit code %d, want 2", args, code)
		}
		if lines := strings.Split(strings.TrimRight(msg.String(), "\n"), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "GLC_LOG_FORMAT") {
			t.Errorf("%v: message %q, want one line naming GLC_LOG_FORMAT", args, msg.String())
		}
		if stdout.Len()+stderr.Len() != 0 {
			t.Errorf("%v: output before the error: %q %q", args, stdout.String(), stderr.String())
		}
	}
	var msg bytes.Buffer
	if code := exitCode(run(context.Background(), []string{"frobnicate"}, lookup, nil, io.Discard, io.Discard), &msg); code != 2 || !strings.Contains(msg.String(), "frobnicate") {
		t.Errorf("unknown command: %d %q", code, msg.String())
	}
	if code := exitCode(errors.New("disk full"), io.Discard); code != 1 {
		t.Errorf("other errors: exit code %d, want 1", code)
	}
	if code := exitCode(nil, io.Discard); code != 0 {
		t.Errorf("success: exit code %d", code)
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds cmd/glc once for the tests that run it as a process.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "glc-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "glc")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v", buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// procEnv is a clean environment for the binary: no GLC_* from the test's own environment.
func procEnv(vars map[string]string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

type result struct {
	code           int
	stdout, stderr string
}

func runBinary(t *testing.T, vars map[string]string, args ...string) result {
	t.Helper()
	bin := binary(t) // built before the clock starts
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = procEnv(vars)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("run glc %v: %v", args, err)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// dbVars points the binary at a fresh database of the test backend.
func dbVars(t *testing.T) map[string]string {
	pg, lite := testkit.DBURL(t)
	if pg != "" {
		return map[string]string{"GLC_DATABASE_URL": pg, "GLC_DATA_DIR": t.TempDir()}
	}
	return map[string]string{"GLC_DATA_DIR": filepath.Dir(lite)}
}

func TestBinaryBadConfiguration(t *testing.T) {
	for _, c := range []struct {
		vars map[string]string
		name string
	}{
		{map[string]string{"GLC_LOG_FORMAT": "yaml"}, "GLC_LOG_FORMAT"},
		{map[string]string{"GLC_ADDR": "nowhere"}, "GLC_ADDR"},
		{map[string]string{"GLC_DATABASE_URL": "mysql://db"}, "GLC_DATABASE_URL"},
		{map[string]string{"GLC_S3_ENDPOINT": "s3:9000"}, "GLC_S3_ACCESS_KEY"},
	} {
		r := runBinary(t, c.vars)
		lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
		if r.code != 2 || len(lines) != 1 || !strings.Contains(lines[0], c.name) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line naming %s", c.vars, r.code, r.stderr, c.name)
		}
	}
	if r := runBinary(t, nil, "serve", "--log-level", "loud"); r.code != 2 || !strings.Contains(r.stderr, "GLC_LOG_LEVEL") {
		t.Errorf("bad flag: %+v", r)
	}
}

func TestBinaryMigrate(t *testing.T) {
	vars := dbVars(t)
	r := runBinary(t, vars, "migrate", "--status")
	if r.code != 0 || strings.Contains(r.stdout, " 0 pending") || !strings.Contains(r.stdout, "pending: 0001_settings") {
		t.Fatalf("status of an empty database: %+v", r)
	}
	r = runBinary(t, vars, "migrate")
	if r.code != 0 || !strings.Contains(r.stdout, "applied: 0001_settings") {
		t.Fatalf("migrate: %+v", r)
	}
	r = runBinary(t, vars, "migrate", "--status")
	if r.code != 0 || !strings.Contains(r.stdout, " 0 pending") {
		t.Fatalf("status after migrate (%s): %+v", testkit.Backend(), r)
	}
	if r := runBinary(t, vars, "migrate"); r.code != 0 || !strings.Contains(r.stdout, "up to date") {
		t.Fatalf("second migrate: %+v", r)
	}
}

func TestBinaryServeRefusesOutdatedSchema(t *testing.T) {
	if !testkit.Postgres() {
		t.Skip("on the embedded backend GLC_AUTO_MIGRATE defaults to true; this runs with GLC_TEST_DATABASE_URL")
	}
	vars := dbVars(t)
	vars["GLC_ADDR"] = freeAddr(t)
	r := runBinary(t, vars, "serve")
	if r.code != 1 || !strings.Contains(r.stderr, "out of date") || !strings.Contains(r.stderr, "glc migrate") {
		t.Fatalf("serve on a fresh schema: exit %d, stderr %q", r.code, r.stderr)
	}
	last := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if !strings.HasPrefix(last[len(last)-1], "glc: ") {
		t.Errorf("the last line should be the error: %q", r.stderr)
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestBinarySIGTERM starts `glc serve`, waits until it is ready, sends SIGTERM and expects a
// clean exit (0) after the "stopped" log line.
func TestBinarySIGTERM(t *testing.T) {
	vars := dbVars(t)
	vars["GLC_ADDR"] = freeAddr(t)
	vars["GLC_AUTO_MIGRATE"] = "true"
	vars["GLC_LOG_FORMAT"] = "json"
	cmd := exec.Command(binary(t), "serve")
	cmd.Env = procEnv(vars)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + vars["GLC_ADDR"] + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %v\n%s", err, stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30s after SIGTERM\n%s", stderr.String())
	}
	for _, want := range []string{`"msg":"listening"`, `"msg":"shutting down"`, `"msg":"stopped"`} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, stderr.String())
		}
	}
}
