package account_test

import (
	"strconv"
	"testing"
	"time"

	"glc/internal/app/apptest"
)

func tryLogin(s *apptest.Server, email, password string) *apptest.Response {
	return s.Do("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
}

func retryAfter(t *testing.T, r *apptest.Response) int {
	t.Helper()
	if r.Status != 429 || r.ErrorCode() != "rate_limited" {
		t.Fatalf("want 429 rate_limited, got %d %s", r.Status, r.Body)
	}
	n, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || n <= 0 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	return n
}

// TestThrottleAcrossInstances sends the failed logins of one account alternately to two app
// instances sharing one database: the sixth attempt is refused by either of them, even with
// the right password, and the lock grows when the failures go on.
func TestThrottleAcrossInstances(t *testing.T) {
	s1 := newServer(t)
	s2 := apptest.Start(t, s1.Cfg, s1.DB, s1.Store)
	u := s1.Learner(t)
	now := time.Now()
	clock := func() time.Time { return now }
	for _, s := range []*apptest.Server{s1, s2} {
		s.App.Accounts.SetClock(func() time.Time { return clock() })
	}
	servers := []*apptest.Server{s1, s2}
	for i := 0; i < 5; i++ {
		if r := tryLogin(servers[i%2], u.Email, "wrong password "+strconv.Itoa(i)); r.Status != 401 {
			t.Fatalf("failure %d: %d %s", i+1, r.Status, r.Body)
		}
	}
	first := retryAfter(t, tryLogin(s2, u.Email, u.Password))
	if first < 250 || first > 300 {
		t.Errorf("first lock Retry-After %d, want about 300", first)
	}
	retryAfter(t, tryLogin(s1, u.Email, u.Password))
	// Other accounts are not affected.
	other := s1.Learner(t)
	login(t, s2, other.Email, other.Password)

	// After the lock, five more failures lock for twice as long.
	now = now.Add(6 * time.Minute)
	for i := 0; i < 5; i++ {
		if r := tryLogin(servers[i%2], u.Email, "still wrong "+strconv.Itoa(i)); r.Status != 401 {
			t.Fatalf("failure %d after the lock: %d", i+1, r.Status)
		}
	}
	second := retryAfter(t, tryLogin(s1, u.Email, u.Password))
	if second < 550 || second > 600 {
		t.Errorf("second lock Retry-After %d, want about 600", second)
	}
	// Once the lock has passed, the right password works and clears the count.
	now = now.Add(11 * time.Minute)
	login(t, s2, u.Email, u.Password)
	for i := 0; i < 4; i++ {
		tryLogin(s1, u.Email, "wrong again "+strconv.Itoa(i))
	}
	login(t, s1, u.Email, u.Password)
}

// TestUnknownEmailLooksLikeWrongPassword: same status, same body, same throttling.
func TestUnknownEmailLooksLikeWrongPassword(t *testing.T) {
	s := newServer(t)
	u := s.Learner(t)
	start := time.Now()
	wrong := tryLogin(s, u.Email, "not the password 1")
	tWrong := time.Since(start)
	start = time.Now()
	unknown := tryLogin(s, "nobody@example.org", "not the password 1")
	tUnknown := time.Since(start)
	t.Logf("wrong password %v, unknown e-mail %v", tWrong, tUnknown)
	if wrong.Status != 401 || unknown.Status != 401 || string(wrong.Body) != string(unknown.Body) {
		t.Fatalf("wrong password %d %s vs unknown e-mail %d %s", wrong.Status, wrong.Body, unknown.Status, unknown.Body)
	}
	for i := 0; i < 4; i++ {
		tryLogin(s, "nobody@example.org", "x")
	}
	retryAfter(t, tryLogin(s, "nobody@example.org", "x"))
}

// TestThrottlePerAddress: failures from one address across accounts are limited; successful
// logins never count.
func TestThrottlePerAddress(t *testing.T) {
	s := newServer(t, apptest.Env("GLC_LOGIN_IP_LIMIT", "3"))
	u := s.Learner(t)
	for i := 0; i < 10; i++ { // a classroom logging in together
		login(t, s, u.Email, u.Password)
	}
	for i := 0; i < 3; i++ {
		if r := tryLogin(s, "someone"+strconv.Itoa(i)+"@example.org", "guess"); r.Status != 401 {
			t.Fatalf("failure %d: %d", i, r.Status)
		}
	}
	retryAfter(t, tryLogin(s, u.Email, u.Password))
	// A spoofed X-Forwarded-For does not escape the limit (no trusted proxy is configured).
	req := map[string]string{"email": u.Email, "password": u.Password}
	r := s.Do("POST", "/api/v1/auth/login", "", req)
	retryAfter(t, r)
	hr, _ := newJSONRequest(s, "/api/v1/auth/login", req)
	hr.Header.Set("X-Forwarded-For", "203.0.113.9")
	retryAfter(t, s.Send(hr))
}
