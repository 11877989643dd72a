package testkit

import (
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// VersityGWPath is where the versitygw binary is looked for: $GLC_TEST_VERSITYGW, else the
// tool cache used by `make test`.
func VersityGWPath() string {
	if p := os.Getenv("GLC_TEST_VERSITYGW"); p != "" {
		return p
	}
	home, _ := os.UserHomeDir()
	return home + "/.cache/glc-tools/bin/versitygw"
}

// VersityGW is an S3 server (versitygw over a folder) that a test starts, stops and starts
// again on the same address and folder.
type VersityGW struct {
	Addr      string
	Dir       string
	AccessKey string
	SecretKey string
	t         testing.TB
	cmd       *exec.Cmd
}

// StartVersityGW starts versitygw on a free local port over a fresh folder, and stops it at
// the end of the test. It skips the test when the binary is missing.
func StartVersityGW(t testing.TB) *VersityGW {
	t.Helper()
	bin := VersityGWPath()
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("versitygw not found at %s (set GLC_TEST_VERSITYGW): %v", bin, err)
	}
	g := &VersityGW{Addr: FreeAddr(t), Dir: t.TempDir(), AccessKey: "testkey", SecretKey: "testsecret123", t: t}
	g.Start()
	t.Cleanup(g.Stop)
	return g
}

// Start (re)starts the server and waits until it accepts connections.
func (g *VersityGW) Start() {
	g.t.Helper()
	cmd := exec.Command(VersityGWPath(), "--port", g.Addr, "posix", g.Dir)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+g.AccessKey, "ROOT_SECRET_KEY="+g.SecretKey)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		g.t.Fatalf("start versitygw: %v", err)
	}
	g.cmd = cmd
	WaitListening(g.t, g.Addr, 20*time.Second)
}

// Stop kills the server and waits for it to exit.
func (g *VersityGW) Stop() {
	if g.cmd == nil {
		return
	}
	_ = g.cmd.Process.Kill()
	_ = g.cmd.Wait()
	g.cmd = nil
}

// FreeAddr returns a local address with a port that was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// WaitListening waits until addr accepts TCP connections.
func WaitListening(t testing.TB, addr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not listening after %s: %v", addr, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Proxy is a TCP proxy to a server that a test can cut (closing every connection and refusing
// new ones) and restore, to simulate the server going away and coming back.
type Proxy struct {
	Addr     string
	upstream string
	ln       net.Listener
	mu       sync.Mutex
	down     bool
	conns    map[net.Conn]bool
}

// StartProxy listens on a free local port and forwards to upstream until the test ends.
func StartProxy(t testing.TB, upstream string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Addr: ln.Addr().String(), upstream: upstream, ln: ln, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.Cut()
	})
	return p
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		go p.forward(c)
	}
}

func (p *Proxy) forward(c net.Conn) {
	p.mu.Lock()
	down := p.down
	p.mu.Unlock()
	if down {
		c.Close()
		return
	}
	up, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		c.Close()
		up.Close()
		return
	}
	p.conns[c], p.conns[up] = true, true
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
	c.Close()
	up.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// Cut closes every open connection and refuses new ones until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// Restore forwards new connections again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}
