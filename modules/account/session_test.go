package account_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"glc/internal/app/apptest"
	"glc/internal/auth"
	"glc/internal/testkit"
)

const goodPassword = "a long and unusual passphrase 42"

func TestRegisterApproveLoginRefreshLogout(t *testing.T) {
	s := newServer(t, apptest.Env("GLC_REGISTRATION", "approval"))
	t.Logf("backend: %s", testkit.Backend())
	r := s.Do("POST", "/api/v1/auth/register", "", map[string]any{"email": "Amina.Diallo@Example.org", "password": goodPassword,
		"name": "Amina Diallo", "country": "sn", "language": "fr"})
	if r.Status != 201 {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	m := r.Map(t)
	if m["status"] != "pending" || m["country"] != "SN" || m["language"] != "fr" {
		t.Fatalf("registered: %v", m)
	}
	id := int64(m["id"].(float64))

	// Pending: the right password gets 403 with a message saying so; a wrong one 401.
	r = s.Do("POST", "/api/v1/auth/login", "", map[string]string{"email": "amina.diallo@example.org", "password": goodPassword})
	if r.Status != 403 || r.ErrorCode() != "account_pending" || !strings.Contains(string(r.Body), "waiting for approval") {
		t.Fatalf("pending login: %d %s", r.Status, r.Body)
	}
	if r := s.Do("POST", "/api/v1/auth/login", "", map[string]string{"email": "amina.diallo@example.org", "password": "wrong password 123"}); r.Status != 401 {
		t.Fatalf("pending wrong password: %d", r.Status)
	}
	// The same e-mail in another case cannot register twice.
	if r := s.Do("POST", "/api/v1/auth/register", "", map[string]any{"email": "AMINA.DIALLO@example.org", "password": goodPassword,
		"name": "Other", "country": "SN"}); r.Status != 422 || !strings.Contains(string(r.Body), "already registered") {
		t.Fatalf("duplicate e-mail: %d %s", r.Status, r.Body)
	}

	admin := s.Admin(t)
	if r := s.Do("POST", "/api/v1/users/"+strconv.FormatInt(id, 10)+"/approve", admin.Token, nil); r.Status != 200 || r.Map(t)["status"] != "active" {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	if r := s.Do("POST", "/api/v1/users/"+strconv.FormatInt(id, 10)+"/approve", admin.Token, nil); r.Status != 409 {
		t.Fatalf("approve twice: %d", r.Status)
	}

	p := login(t, s, "amina.diallo@example.org", goodPassword)
	r = s.Do("GET", "/api/v1/me", p.AccessToken, nil)
	if r.Status != 200 || r.Map(t)["email"] != "Amina.Diallo@Example.org" {
		t.Fatalf("me: %d %s", r.Status, r.Body)
	}
	if u := getUser(t, s, id); u.LastLoginAt == nil {
		t.Error("last login not recorded")
	}

	// Refresh rotates: new pair works, the old refresh token is dead.
	r = s.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": p.RefreshToken})
	if r.Status != 200 {
		t.Fatalf("refresh: %d %s", r.Status, r.Body)
	}
	var p2 pair
	r.JSON(t, &p2)
	if p2.RefreshToken == p.RefreshToken || p2.AccessToken == "" {
		t.Fatal("refresh did not rotate")
	}
	if r := s.Do("GET", "/api/v1/me", p2.AccessToken, nil); r.Status != 200 {
		t.Fatalf("me with refreshed token: %d", r.Status)
	}

	// Logout ends the session: its refresh token and access tokens die.
	if r := s.Do("POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": p2.RefreshToken}); r.Status != 204 {
		t.Fatalf("logout: %d %s", r.Status, r.Body)
	}
	if r := s.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": p2.RefreshToken}); r.Status != 401 {
		t.Fatalf("refresh after logout: %d", r.Status)
	}
	if r := s.Do("GET", "/api/v1/me", p2.AccessToken, nil); r.Status != 401 || r.ErrorCode() != "unauthenticated" {
		t.Fatalf("access token after logout: %d %s", r.Status, r.Body)
	}

	// Logout-all ends every session.
	a, b := login(t, s, "amina.diallo@example.org", goodPassword), login(t, s, "amina.diallo@example.org", goodPassword)
	if r := s.Do("POST", "/api/v1/auth/logout-all", a.AccessToken, nil); r.Status != 204 {
		t.Fatalf("logout-all: %d", r.Status)
	}
	for _, x := range []pair{a, b} {
		if r := s.Do("GET", "/api/v1/me", x.AccessToken, nil); r.Status != 401 {
			t.Errorf("access after logout-all: %d", r.Status)
		}
		if r := s.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": x.RefreshToken}); r.Status != 401 {
			t.Errorf("refresh after logout-all: %d", r.Status)
		}
	}
	if r := s.Do("POST", "/api/v1/auth/logout-all", "", map[string]any{}); r.Status != 401 {
		t.Errorf("anonymous logout-all: %d", r.Status)
	}
}

func TestRegistrationModes(t *testing.T) {
	body := map[string]any{"email": "x@example.org", "password": goodPassword, "name": "X", "country": "FR"}
	open := newServer(t, apptest.Env("GLC_REGISTRATION", "open"))
	if r := open.Do("POST", "/api/v1/auth/register", "", body); r.Status != 201 || r.Map(t)["status"] != "active" {
		t.Fatalf("open: %d %s", r.Status, r.Body)
	}
	login(t, open, "x@example.org", goodPassword)
	closed := newServer(t, apptest.Env("GLC_REGISTRATION", "closed"))
	if r := closed.Do("POST", "/api/v1/auth/register", "", body); r.Status != 403 || r.ErrorCode() != "registration_closed" {
		t.Fatalf("closed: %d %s", r.Status, r.Body)
	}
	if countUsers(t, closed) != 0 {
		t.Error("closed registration wrote a user")
	}
}

func TestSuspendedUserRefused(t *testing.T) {
	s := newServer(t)
	admin := s.Admin(t)
	u := s.Learner(t)
	p := login(t, s, u.Email, u.Password)
	r := s.Do("PATCH", "/api/v1/users/"+strconv.FormatInt(u.ID, 10), admin.Token, map[string]any{"status": "suspended"})
	if r.Status != 200 || r.Map(t)["status"] != "suspended" {
		t.Fatalf("suspend: %d %s", r.Status, r.Body)
	}
	// Its tokens (a session token and a sessionless one) die, its refresh token too.
	for _, tok := range []string{p.AccessToken, u.Token} {
		if r := s.Do("GET", "/api/v1/me", tok, nil); r.Status != 401 || r.ErrorCode() != "unauthenticated" {
			t.Errorf("suspended user's token: %d %s", r.Status, r.Body)
		}
	}
	if r := s.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": p.RefreshToken}); r.Status != 401 {
		t.Errorf("suspended refresh: %d", r.Status)
	}
	r = s.Do("POST", "/api/v1/auth/login", "", map[string]string{"email": u.Email, "password": u.Password})
	if r.Status != 403 || r.ErrorCode() != "account_suspended" || !strings.Contains(string(r.Body), "suspended") {
		t.Fatalf("suspended login: %d %s", r.Status, r.Body)
	}
	// Reactivated, the user logs in again.
	s.Do("PATCH", "/api/v1/users/"+strconv.FormatInt(u.ID, 10), admin.Token, map[string]any{"status": "active"})
	login(t, s, u.Email, u.Password)
}

func TestRefreshReuseRevokesFamily(t *testing.T) {
	s := newServer(t)
	u := s.Learner(t)
	p1 := login(t, s, u.Email, u.Password)
	other := login(t, s, u.Email, u.Password) // another session of the same user
	r := s.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": p1.RefreshToken})
	var p2 pair
	r.JSON(t, &p2)
	r = s.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": p2.RefreshToken})
	var p3 pair
	r.JSON(t, &p3)
	if r.Status != 200 {
		t.Fatalf("second refresh: %d", r.Status)
	}
	// The thief replays p1's (rotated) token: 401, and the whole family dies.
	if r := s.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": p1.RefreshToken}); r.Status != 401 || r.ErrorCode() != "unauthenticated" {
		t.Fatalf("reuse: %d %s", r.Status, r.Body)
	}
	if r := s.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": p3.RefreshToken}); r.Status != 401 {
		t.Fatalf("newest token of the family after reuse: %d", r.Status)
	}
	if r := s.Do("GET", "/api/v1/me", p3.AccessToken, nil); r.Status != 401 {
		t.Fatalf("access token of the revoked family: %d", r.Status)
	}
	// The other session is untouched.
	if r := s.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": other.RefreshToken}); r.Status != 200 {
		t.Fatalf("other session: %d", r.Status)
	}
	for _, bad := range []any{map[string]string{"refresh_token": ""}, map[string]string{"refresh_token": "nonsense"}} {
		if r := s.Do("POST", "/api/v1/auth/refresh", "", bad); r.Status != 401 {
			t.Errorf("refresh %v: %d", bad, r.Status)
		}
	}
	if r := s.Do("POST", "/api/v1/auth/refresh", "", `{"refresh_token":1}`); r.Status != 422 {
		t.Errorf("refresh with a number: %d", r.Status)
	}
}

func TestRefreshTokenExpires(t *testing.T) {
	s := newServer(t, apptest.Env("GLC_REFRESH_TTL", "1h"))
	u := s.Learner(t)
	p := login(t, s, u.Email, u.Password)
	now := time.Now()
	s.App.Accounts.SetClock(func() time.Time { return now.Add(61 * time.Minute) })
	defer s.App.Accounts.SetClock(time.Now)
	if r := s.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": p.RefreshToken}); r.Status != 401 {
		t.Fatalf("expired refresh token: %d", r.Status)
	}
	if r := s.Do("GET", "/api/v1/me", p.AccessToken, nil); r.Status != 401 {
		t.Fatalf("expired access token: %d", r.Status)
	}
}

// TestTokenAttacks sends crafted tokens to a protected route: each must get 401.
func TestTokenAttacks(t *testing.T) {
	s := newServer(t)
	u := s.Learner(t)
	p := login(t, s, u.Email, u.Password)
	key := []byte(testSecret)
	kid := auth.KeyID(key)
	iss := s.Cfg.BaseURL
	now := time.Now()
	base := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": iss, "aud": []string{"glc"}, "sub": strconv.FormatInt(u.ID, 10), "typ": "access",
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "jti": "j1"}
	}
	sign := func(m jwt.SigningMethod, k any, kid string, c jwt.MapClaims) string {
		tok := jwt.NewWithClaims(m, c)
		tok.Header["kid"] = kid
		str, err := tok.SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return str
	}
	set := func(k string, v any) jwt.MapClaims { c := base(); c[k] = v; return c }
	valid := sign(jwt.SigningMethodHS256, key, kid, base())
	if r := s.Do("GET", "/api/v1/me", valid, nil); r.Status != 200 {
		t.Fatalf("the well-formed crafted token is refused (%d): the attack cases would prove nothing", r.Status)
	}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, base()).SignedString(jwt.UnsafeAllowNoneSignatureType)
	parts := strings.Split(valid, ".")
	claimsJSON, _ := base64.RawURLEncoding.DecodeString(parts[1])
	admin := s.Admin(t)
	forgedPayload := strings.Replace(string(claimsJSON), `"sub":"`+strconv.FormatInt(u.ID, 10)+`"`, `"sub":"`+strconv.FormatInt(admin.ID, 10)+`"`, 1)
	if forgedPayload == string(claimsJSON) {
		t.Fatal("payload not tampered")
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sig[0] ^= 0xff
	suspended := s.NewUser(t, nil, apptest.Status("suspended"))
	cases := map[string]string{
		"alg none":           none,
		"HS512":              sign(jwt.SigningMethodHS512, key, kid, base()),
		"RS256":              sign(jwt.SigningMethodRS256, rsaKey, kid, base()),
		"EdDSA":              sign(jwt.SigningMethodEdDSA, edKey, kid, base()),
		"wrong audience":     sign(jwt.SigningMethodHS256, key, kid, set("aud", []string{"someone-else"})),
		"wrong issuer":       sign(jwt.SigningMethodHS256, key, kid, set("iss", "https://evil.example")),
		"expired":            sign(jwt.SigningMethodHS256, key, kid, set("exp", now.Add(-time.Second).Unix())),
		"not yet valid":      sign(jwt.SigningMethodHS256, key, kid, set("nbf", now.Add(5*time.Minute).Unix())),
		"tampered payload":   parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(forgedPayload)) + "." + parts[2],
		"tampered signature": parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig),
		"unknown kid":        sign(jwt.SigningMethodHS256, key, "0badc0de", base()),
		"refresh token":      p.RefreshToken,
		"refresh typ claim":  sign(jwt.SigningMethodHS256, key, kid, set("typ", "refresh")),
		"suspended user":     suspended.Token,
		"deleted user":       sign(jwt.SigningMethodHS256, key, kid, set("sub", "999999")),
		"unknown session":    sign(jwt.SigningMethodHS256, key, kid, set("sid", "0123456789abcdef0123456789abcdef")),
	}
	// A session of u used with another subject.
	_, c, err := s.App.Accounts.Tokens().Verify(p.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	cs := set("sub", strconv.FormatInt(admin.ID, 10))
	cs["sid"] = c.SessionID
	cases["other session owner"] = sign(jwt.SigningMethodHS256, []byte("not the server secret, wrong key!!"), kid, cs)
	cases["session of another user"] = func() string {
		// signed with the right key: sub=admin, sid=u's session
		return sign(jwt.SigningMethodHS256, key, kid, cs)
	}()
	for name, tok := range cases {
		r := s.Do("GET", "/api/v1/me", tok, nil)
		if r.Status != 401 || r.ErrorCode() != "unauthenticated" {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
		// On an admin route too: never 200/403, always 401.
		if r := s.Do("GET", "/api/v1/users", tok, nil); r.Status != 401 {
			t.Errorf("%s on /users: %d", name, r.Status)
		}
	}
}

func TestEdDSADeployment(t *testing.T) {
	s := apptest.New(t, apptest.Env("GLC_JWT_ALG", "EdDSA"))
	u := s.Learner(t)
	p := login(t, s, u.Email, u.Password)
	tok, _, err := jwt.NewParser().ParseUnverified(p.AccessToken, jwt.MapClaims{})
	if err != nil || tok.Method.Alg() != "EdDSA" || tok.Header["kid"] == "" {
		t.Fatalf("token header: %v %v", tok.Header, err)
	}
	if r := s.Do("GET", "/api/v1/me", p.AccessToken, nil); r.Status != 200 {
		t.Fatalf("EdDSA token: %d", r.Status)
	}
	// An HS256 token (any key) is refused by an EdDSA deployment.
	c := tok.Claims.(jwt.MapClaims)
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	hs.Header["kid"] = tok.Header["kid"]
	str, _ := hs.SignedString([]byte(testSecret))
	if r := s.Do("GET", "/api/v1/me", str, nil); r.Status != 401 {
		t.Fatalf("HS256 token on EdDSA deployment: %d", r.Status)
	}
	// A second app on the same data folder and database verifies the first one's tokens.
	s2 := apptest.Start(t, s.Cfg, s.DB, s.Store)
	if r := s2.Do("GET", "/api/v1/me", p.AccessToken, nil); r.Status != 200 {
		t.Fatalf("token on a second instance: %d", r.Status)
	}
}

func TestBootstrapAdmin(t *testing.T) {
	s := newServer(t, apptest.Env("GLC_ADMIN_EMAIL", "root@example.org"), apptest.Env("GLC_ADMIN_PASSWORD", goodPassword))
	p := login(t, s, "root@example.org", goodPassword)
	r := s.Do("GET", "/api/v1/me", p.AccessToken, nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"admin"`) {
		t.Fatalf("bootstrap admin: %d %s", r.Status, r.Body)
	}
	// A second start creates nobody else.
	before := countUsers(t, s)
	apptest.Start(t, s.Cfg, s.DB, s.Store)
	if countUsers(t, s) != before {
		t.Error("second start created another admin")
	}
	// A weak bootstrap password stops the start.
	cfg := apptest.Config(t, apptest.Env("GLC_ADMIN_EMAIL", "weak@example.org"), apptest.Env("GLC_ADMIN_PASSWORD", "password"))
	db := testkit.DB(t)
	if _, err := buildApp(cfg, db); err == nil {
		t.Error("weak GLC_ADMIN_PASSWORD accepted")
	}
}
