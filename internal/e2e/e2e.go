// Package e2e drives the real glc binary with headless Chromium, as a person would: it builds
// the binary, starts it on a free port with a fresh data folder (the embedded backend, or the
// backend given by extra environment), and gives tests a browser Session with helpers for
// navigation, forms, screenshots, accessibility checks (axe-core), page weight and a check
// that no request leaves the site.
//
// The tests run only when GLC_E2E=1 (they need Chromium and `npm ci --prefix web` for
// axe-core); otherwise they skip. Settings:
//
//	GLC_E2E=1         run the browser tests
//	GLC_CHROME        path of Chromium (default /usr/bin/chromium)
//	GLC_E2E_OUT       folder for screenshots (default test-output/e2e at the repository root)
//
// A flow test looks like this:
//
//	func TestLearnerTakesALesson(t *testing.T) {
//		srv := e2e.Start(t, "GLC_SEED_DEMO=false")
//		srv.Glc(t, "a long passphrase 7\n", "user", "create", "--email", "a@example.org",
//			"--name", "Ana", "--role", "learner")
//		b := srv.Browser(t)
//		b.Login("a@example.org", "a long passphrase 7") // or b.LoginAPI(...): quicker
//		b.Navigate("/courses/1")
//		b.ClickAndWait(`a#start-lesson`)
//		b.Fill(`textarea[name="answer"]`, "...")
//		b.Submit(`textarea[name="answer"]`)
//		b.Screenshot("lesson")
//		b.Axe()                                 // WCAG 2.1 AA, fails listing violations
//		if b.Weight() > 200<<10 { ... }          // bytes of the page and its same-origin files
//		if x := b.CrossOrigin(); len(x) > 0 { ... }
//	}
package e2e

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Enabled reports whether the browser tests run (GLC_E2E=1).
func Enabled() bool { return os.Getenv("GLC_E2E") == "1" }

// Skip skips the test unless GLC_E2E=1.
func Skip(t testing.TB) {
	t.Helper()
	if !Enabled() {
		t.Skip("browser test: set GLC_E2E=1 to run it (needs Chromium and `npm ci --prefix web`)")
	}
}

// Root returns the repository root (the folder of go.mod).
func Root(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Fatalf("cannot find go.mod: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// Binary builds ./cmd/glc once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	root := Root(t)
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "glc-e2e-bin-")
		if buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, "glc"), "./cmd/glc")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "glc")
}

// Main is for TestMain of packages with browser tests: it removes the built binary at the end.
func Main(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// Server is a running glc process.
type Server struct {
	URL     string
	DataDir string
	env     []string
	cmd     *exec.Cmd
	log     *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Start builds and starts `glc serve` on a free port with a fresh data folder, and waits until
// /readyz answers 200. extra are "NAME=value" settings added to (or replacing) the defaults;
// the process does not inherit the test's GLC_* variables. The server stops (SIGTERM) at the
// end of the test; its log is printed when the test failed.
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	Skip(t)
	bin := Binary(t)
	addr := freeAddr(t)
	s := &Server{URL: "http://" + addr, DataDir: t.TempDir(), log: &syncBuffer{}}
	vars := map[string]string{"GLC_ADDR": addr, "GLC_DATA_DIR": s.DataDir, "GLC_LOG_FORMAT": "json",
		"GLC_REGISTRATION": "open", "GLC_JOB_POLL_INTERVAL": "100ms"}
	for _, kv := range extra {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	s.env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range vars {
		s.env = append(s.env, k+"="+v)
	}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = s.env
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.log.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) || s.cmd.ProcessState != nil {
			t.Fatalf("server not ready: %v\n%s", err, s.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Log returns what the server logged so far.
func (s *Server) Log() string { return s.log.String() }

// Glc runs an administrative command of the same binary against the server's configuration
// and data (e.g. "user", "create", ...), with stdin, and returns its standard output.
func (s *Server) Glc(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	cmd.Env = s.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("glc %v: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Session is one browser (its own profile, so its own cookies) on a Server.
type Session struct {
	t       testing.TB
	srv     *Server
	ctx     context.Context
	origin  string
	mu      sync.Mutex
	reqs    map[network.RequestID]*request
	order   []network.RequestID
	Timeout time.Duration // per action; default 30s
}

type request struct {
	url   string
	typ   network.ResourceType
	bytes float64
	done  bool
}

// ChromePath is $GLC_CHROME or /usr/bin/chromium.
func ChromePath() string {
	if p := os.Getenv("GLC_CHROME"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// Browser starts headless Chromium with a fresh profile, closed at the end of the test.
func (s *Server) Browser(t testing.TB) *Session {
	t.Helper()
	chrome := ChromePath()
	if _, err := os.Stat(chrome); err != nil {
		t.Fatalf("Chromium not found at %s (apt-get install chromium, or set GLC_CHROME): %v", chrome, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("font-render-hinting", "none"),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	u, _ := url.Parse(s.URL)
	b := &Session{t: t, srv: s, ctx: ctx, origin: u.Scheme + "://" + u.Host, reqs: map[network.RequestID]*request{}, Timeout: 30 * time.Second}
	// Listen starts the browser with the context's lifetime (no timeout on this first call).
	if err := chromedp.Listen(ctx, b.onEvent); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	b.do(func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return chromedp.Void{}, err
		}
		// Every page is weighed as on a first visit.
		_, err := cdp.Call(ctx, t, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
		return chromedp.Void{}, err
	})
	return b
}

func (b *Session) onEvent(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		r := b.reqs[e.RequestID]
		if r == nil {
			r = &request{}
			b.reqs[e.RequestID] = r
			b.order = append(b.order, e.RequestID)
		}
		r.url, r.typ = e.Request.URL, e.Type
	case *network.EventResponseReceived:
		if r := b.reqs[e.RequestID]; r != nil {
			r.typ = e.Type
		}
	case *network.EventLoadingFinished:
		if r := b.reqs[e.RequestID]; r != nil {
			r.bytes, r.done = e.EncodedDataLength, true
		}
	}
}

// Context is the browser context, for chromedp actions this package has no helper for:
// chromedp.Run(b.Context(), ...).
func (b *Session) Context() context.Context { return b.ctx }

func (b *Session) actionCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, b.Timeout)
}

func (b *Session) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.actionCtx()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// Run runs one chromedp action that returns a value, failing the test on error.
func Run[T any](b *Session, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := b.actionCtx()
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	return v
}

// Do runs chromedp actions that return nothing, failing the test on error.
func (b *Session) Do(actions ...chromedp.Action[chromedp.Void]) { b.t.Helper(); b.do(actions...) }

// URL is the absolute URL of a path on the server.
func (b *Session) URL(path string) string { return b.srv.URL + path }

// Navigate opens path (e.g. "/?lang=ar") and waits for the page to load. It starts a new
// record of requests for Weight and CrossOrigin.
func (b *Session) Navigate(path string) {
	b.t.Helper()
	b.resetRequests()
	b.do(chromedp.Navigate(b.URL(path)))
	b.settle()
}

// settle waits until every request seen so far has finished (at most 5s).
func (b *Session) settle() {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		b.mu.Lock()
		pending := 0
		for _, r := range b.reqs {
			if !r.done {
				pending++
			}
		}
		b.mu.Unlock()
		if pending == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Viewport sets the size of the page's viewport in CSS pixels (e.g. 390x844 for a phone).
func (b *Session) Viewport(width, height int64) {
	b.t.Helper()
	b.do(chromedp.EmulateViewport(width, height))
}

// Click clicks the first element matching the CSS selector.
func (b *Session) Click(sel string) { b.t.Helper(); b.do(chromedp.Click(chromedp.CSS(sel))) }

// Fill replaces the value of the input matching sel by typing value.
func (b *Session) Fill(sel, value string) {
	b.t.Helper()
	q, _ := json.Marshal(sel)
	b.do(chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector(`+string(q)+`).value = ""`),
		chromedp.SendKeys(chromedp.CSS(sel), value))
}

// SetValue sets the value of the select box or input matching sel (a date field, say, where
// typing depends on the browser's locale) and fires its change event.
func (b *Session) SetValue(sel, value string) {
	b.t.Helper()
	q, _ := json.Marshal(sel)
	v, _ := json.Marshal(value)
	b.do(chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](`(() => { const e = document.querySelector(`+string(q)+`); e.value = `+string(v)+`;
			e.dispatchEvent(new Event('change', {bubbles: true})); })()`))
}

// resetRequests starts a new record of requests for Weight and CrossOrigin.
func (b *Session) resetRequests() {
	b.mu.Lock()
	b.reqs, b.order = map[network.RequestID]*request{}, nil
	b.mu.Unlock()
}

// Submit submits the form of the element matching sel and waits for the next page. Like
// Navigate, it starts a new record of requests.
func (b *Session) Submit(sel string) {
	b.t.Helper()
	b.resetRequests()
	b.do(chromedp.Evaluate[chromedp.Void](`window.__glcBefore = true`), chromedp.Submit(chromedp.CSS(sel)))
	b.WaitNewPage()
}

// ClickAndWait clicks a link or button that loads another page, and waits for that page.
// Like Navigate, it starts a new record of requests.
func (b *Session) ClickAndWait(sel string) {
	b.t.Helper()
	b.resetRequests()
	b.do(chromedp.Evaluate[chromedp.Void](`window.__glcBefore = true`), chromedp.Click(chromedp.CSS(sel)))
	b.WaitNewPage()
}

// WaitNewPage waits until the page marked by Submit or ClickAndWait has been replaced by a
// fully loaded one.
func (b *Session) WaitNewPage() {
	b.t.Helper()
	deadline := time.Now().Add(b.Timeout)
	for {
		loaded, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`window.__glcBefore === undefined && document.readyState === "complete"`))
		if err == nil && loaded {
			break
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("no new page after %s (%v)", b.Timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.settle()
}

// WaitVisible waits until an element matching sel is visible.
func (b *Session) WaitVisible(sel string) {
	b.t.Helper()
	b.do(chromedp.WaitVisible(chromedp.CSS(sel)))
}

// Text returns the visible text of the first element matching sel.
func (b *Session) Text(sel string) string {
	b.t.Helper()
	return Run(b, chromedp.Text(chromedp.CSS(sel)))
}

// Attr returns an attribute of the first element matching sel ("" when absent).
func (b *Session) Attr(sel, name string) string {
	b.t.Helper()
	return Run(b, chromedp.AttributeValue(chromedp.CSS(sel), name)).Value
}

// Location returns the current URL.
func (b *Session) Location() string { b.t.Helper(); return Run(b, chromedp.Location()) }

// Eval evaluates a JavaScript expression and decodes its value into T.
func Eval[T any](b *Session, expr string) T {
	b.t.Helper()
	return Run(b, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// SetCookie sets a cookie for the server's origin, e.g. a session made through the API:
// b.SetCookie("glc_access", token).
func (b *Session) SetCookie(name, value string) {
	b.t.Helper()
	b.do(func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		httpOnly := true
		_, err := cdp.Call(ctx, t, network.SetCookie, network.SetCookieParams{Name: name, Value: value, URL: b.srv.URL,
			Path: "/", HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteLax})
		return chromedp.Void{}, err
	})
}

// LoginToken signs the browser in with an access token (the session cookie that the login
// form sets).
func (b *Session) LoginToken(accessToken string) {
	b.t.Helper()
	b.SetCookie("glc_access", accessToken)
}

// LoginAPI signs the browser in through the JSON API (POST /api/v1/auth/login), which is
// quicker than the form when the flow under test starts after the login.
func (b *Session) LoginAPI(email, password string) {
	b.t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, err := http.Post(b.srv.URL+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		b.t.Fatalf("login API: %v", err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &out) != nil || out.AccessToken == "" {
		b.t.Fatalf("login API for %s: %d %s", email, resp.StatusCode, raw)
	}
	b.LoginToken(out.AccessToken)
}

// Login signs in through the /login form (fields "email" and "password") and waits for the
// page after it.
func (b *Session) Login(email, password string) {
	b.t.Helper()
	b.Navigate("/login")
	b.Fill(`input[name="email"]`, email)
	b.Fill(`input[name="password"]`, password)
	b.Submit(`input[name="password"]`)
}

// OutDir is where screenshots go: $GLC_E2E_OUT or test-output/e2e at the repository root.
func OutDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("GLC_E2E_OUT")
	if dir == "" {
		dir = filepath.Join(Root(t), "test-output", "e2e")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Screenshot saves the whole page as <OutDir>/<name>.png and returns the path. It grows the
// viewport to the page's height and takes a viewport screenshot (Chromium's "beyond the
// viewport" capture shifts right-to-left pages sideways).
func (b *Session) Screenshot(name string) string {
	b.t.Helper()
	size := Eval[[3]int64](b, `[innerWidth, innerHeight, Math.max(document.documentElement.scrollHeight, innerHeight)]`)
	b.do(chromedp.EmulateViewport(size[0], size[2]))
	png := Run(b, chromedp.CaptureScreenshot())
	b.do(chromedp.EmulateViewport(size[0], size[1]))
	path := filepath.Join(OutDir(b.t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
	return path
}

// AxeTags are the rule sets Axe checks.
var AxeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// Violation is one failed axe-core rule.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

func (v Violation) String() string {
	var where []string
	for _, n := range v.Nodes {
		where = append(where, fmt.Sprint(n.Target...)+" "+n.HTML)
	}
	return fmt.Sprintf("%s (%s): %s\n    %s", v.ID, v.Impact, v.Help, strings.Join(where, "\n    "))
}

// AxeCheck runs axe-core (web/node_modules/axe-core) on the current page with AxeTags and
// returns the violations.
func (b *Session) AxeCheck() []Violation {
	b.t.Helper()
	src, err := os.ReadFile(filepath.Join(Root(b.t), "web", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		b.t.Fatalf("axe-core missing (run `npm ci --prefix web`): %v", err)
	}
	b.do(chromedp.Evaluate[chromedp.Void](string(src)))
	tags, _ := json.Marshal(AxeTags)
	raw := Eval[json.RawMessage](b, `axe.run(document, {runOnly: {type: "tag", values: `+string(tags)+`}, resultTypes: ["violations"]}).then(r => r.violations)`)
	var out []Violation
	if err := json.Unmarshal(raw, &out); err != nil {
		b.t.Fatalf("axe result: %v", err)
	}
	return out
}

// Axe fails the test listing every accessibility violation on the current page.
func (b *Session) Axe() {
	b.t.Helper()
	vs := b.AxeCheck()
	if len(vs) == 0 {
		return
	}
	var lines []string
	for _, v := range vs {
		lines = append(lines, v.String())
	}
	b.t.Errorf("%s: %d accessibility violation(s):\n  %s", b.Location(), len(vs), strings.Join(lines, "\n  "))
}

// Weight is the number of bytes transferred for the page loaded by the last Navigate, Submit
// or ClickAndWait (and since): the document and its same-origin subresources, media (audio,
// video) excluded.
func (b *Session) Weight() int64 {
	b.t.Helper()
	b.settle()
	b.mu.Lock()
	defer b.mu.Unlock()
	var total float64
	for _, id := range b.order {
		r := b.reqs[id]
		if r.typ == network.ResourceTypeMedia || !b.sameOrigin(r.url) {
			continue
		}
		total += r.bytes
	}
	return int64(total)
}

// Requests lists the URLs requested since the last Navigate (Submit, ClickAndWait).
func (b *Session) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]string, 0, len(b.order))
	for _, id := range b.order {
		out = append(out, b.reqs[id].url)
	}
	return out
}

// CrossOrigin lists the requests since the last Navigate (Submit, ClickAndWait) that went to
// another origin. Data and blob URLs and the browser's own pages (chrome-extension: is
// Chromium's built-in PDF viewer) leave nothing to the network and are not counted.
func (b *Session) CrossOrigin() []string {
	var out []string
	for _, u := range b.Requests() {
		if strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "blob:") || strings.HasPrefix(u, "chrome-extension:") || strings.HasPrefix(u, "chrome:") {
			continue
		}
		if !b.sameOrigin(u) {
			out = append(out, u)
		}
	}
	return out
}

func (b *Session) sameOrigin(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	return u.Scheme+"://"+u.Host == b.origin
}

// ErrNoServer is returned by Get when the server is gone.
var ErrNoServer = errors.New("e2e: server not reachable")

// Get fetches a path with a plain HTTP client (no browser), for quick checks.
func (s *Server) Get(path string) (int, string, error) {
	resp, err := http.Get(s.URL + path)
	if err != nil {
		return 0, "", fmt.Errorf("%w: %v", ErrNoServer, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}
