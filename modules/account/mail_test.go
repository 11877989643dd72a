package account_test

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"

	"glc/internal/app/apptest"
)

// fakeSMTP is a minimal SMTP server on 127.0.0.1 that records the messages it receives.
type fakeSMTP struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string // "rcpt\ndata"
}

func startSMTP(t *testing.T) *fakeSMTP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSMTP{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	return f
}

func (f *fakeSMTP) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	w := func(s string) { c.Write([]byte(s + "\r\n")) }
	w("220 fake ESMTP")
	var rcpt string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			w("250-fake")
			w("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			w("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			rcpt = strings.Trim(strings.TrimSpace(line)[len("RCPT TO:"):], "<>")
			w("250 ok")
		case cmd == "DATA":
			w("354 go on")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(l)
			}
			f.mu.Lock()
			f.msgs = append(f.msgs, rcpt+"\n"+data.String())
			f.mu.Unlock()
			w("250 queued")
		case cmd == "RSET", cmd == "NOOP":
			w("250 ok")
		case cmd == "QUIT":
			w("221 bye")
			return
		default:
			w("502 not implemented")
		}
	}
}

func (f *fakeSMTP) messages() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.msgs...)
}

func TestMailWhenSMTPConfigured(t *testing.T) {
	smtp := startSMTP(t)
	s := newServer(t, apptest.Env("GLC_SMTP_ADDR", smtp.ln.Addr().String()), apptest.Env("GLC_SMTP_FROM", "noreply@glc.example"),
		apptest.Env("GLC_REGISTRATION", "approval"))
	admin := s.Admin(t)
	r := importCSV(t, s, admin.Token, "email,name,country,language\nana@example.org,Ana,ES,es\nbo@example.org,Bo,SE,en\n")
	if r.Status != 200 {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	s.App.Accounts.WaitImports()
	msgs := smtp.messages()
	if len(msgs) != 2 || !strings.HasPrefix(msgs[0], "ana@example.org\n") || !strings.Contains(msgs[0], "/activate?token=") ||
		!strings.Contains(msgs[0], "From: noreply@glc.example") {
		t.Fatalf("activation e-mails: %q", msgs)
	}
	// Approval e-mails go out in the user's language.
	pending := s.NewUser(t, nil, apptest.Status("pending"), apptest.Lang("fr"))
	if r := s.Do("POST", path("/api/v1/users/%d/approve", pending.ID), admin.Token, nil); r.Status != 200 {
		t.Fatalf("approve: %d", r.Status)
	}
	msgs = smtp.messages()
	if len(msgs) != 3 || !strings.Contains(msgs[2], "est validé") {
		t.Fatalf("approval e-mail: %q", msgs)
	}
}
