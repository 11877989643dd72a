package auth_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"glc/internal/auth"
)

var secret = []byte("0123456789abcdef0123456789abcdef-test")

func claims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{"iss": "https://glc.test", "aud": []string{"glc"}, "sub": "42", "typ": "access",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(15 * time.Minute).Unix(), "jti": "abc"}
}

func sign(t *testing.T, m jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestVerifyRefusesAttacks crafts every kind of bad token and checks that Verify refuses it,
// and that the well-formed one passes.
func TestVerifyRefusesAttacks(t *testing.T) {
	tk, err := auth.NewTokens("https://glc.test", "glc", 15*time.Minute, auth.AlgHS256, auth.HSKey(secret))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	kid := auth.KeyID(secret)
	good := sign(t, jwt.SigningMethodHS256, secret, kid, claims(now))
	if id, c, err := tk.Verify(good); err != nil || id != 42 || c.Type != "access" {
		t.Fatalf("good token refused: %v", err)
	}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	with := func(k string, v any) jwt.MapClaims {
		c := claims(now)
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	parts := strings.Split(good, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tamperedPayload := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"sub":"42"`, `"sub":"1"`, 1))) + "." + parts[2]
	sig := []byte(parts[2])
	sig[3] ^= 0x01
	if sig[3] == parts[2][3] {
		sig[3]++
	}
	tamperedSig := parts[0] + "." + parts[1] + "." + string(sig)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims(now)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	cases := map[string]string{
		"alg none":           none,
		"HS512":              sign(t, jwt.SigningMethodHS512, secret, kid, claims(now)),
		"RS256":              sign(t, jwt.SigningMethodRS256, rsaKey, kid, claims(now)),
		"EdDSA":              sign(t, jwt.SigningMethodEdDSA, edKey, kid, claims(now)),
		"wrong audience":     sign(t, jwt.SigningMethodHS256, secret, kid, with("aud", []string{"other"})),
		"wrong issuer":       sign(t, jwt.SigningMethodHS256, secret, kid, with("iss", "https://evil.test")),
		"expired":            sign(t, jwt.SigningMethodHS256, secret, kid, with("exp", now.Add(-time.Minute).Unix())),
		"not yet valid":      sign(t, jwt.SigningMethodHS256, secret, kid, with("nbf", now.Add(10*time.Minute).Unix())),
		"issued in future":   sign(t, jwt.SigningMethodHS256, secret, kid, with("iat", now.Add(10*time.Minute).Unix())),
		"no exp":             sign(t, jwt.SigningMethodHS256, secret, kid, with("exp", nil)),
		"no nbf":             sign(t, jwt.SigningMethodHS256, secret, kid, with("nbf", nil)),
		"no jti":             sign(t, jwt.SigningMethodHS256, secret, kid, with("jti", nil)),
		"refresh type":       sign(t, jwt.SigningMethodHS256, secret, kid, with("typ", "refresh")),
		"no type":            sign(t, jwt.SigningMethodHS256, secret, kid, with("typ", nil)),
		"bad subject":        sign(t, jwt.SigningMethodHS256, secret, kid, with("sub", "admin")),
		"unknown kid":        sign(t, jwt.SigningMethodHS256, secret, "deadbeef", claims(now)),
		"no kid":             sign(t, jwt.SigningMethodHS256, secret, "", claims(now)),
		"other secret":       sign(t, jwt.SigningMethodHS256, []byte("another secret that is long enough!!"), kid, claims(now)),
		"tampered payload":   tamperedPayload,
		"tampered signature": tamperedSig,
		"garbage":            "not.a.token",
		"empty":              "",
	}
	for name, tok := range cases {
		if _, _, err := tk.Verify(tok); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestIssueVerifyAndRotation(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	old := auth.HSKey([]byte("the old secret, long enough to be used ok"))
	oldTokens, _ := auth.NewTokens("iss", "glc", time.Minute, auth.AlgHS256, old)
	oldTokens.SetClock(func() time.Time { return now })
	tokOld, _, err := oldTokens.Issue(7, "sess")
	if err != nil {
		t.Fatal(err)
	}
	// A new key signs; the old one still verifies.
	tk, _ := auth.NewTokens("iss", "glc", time.Minute, auth.AlgHS256, auth.HSKey(secret), old)
	tk.SetClock(func() time.Time { return now })
	if id, c, err := tk.Verify(tokOld); err != nil || id != 7 || c.SessionID != "sess" {
		t.Fatalf("token of the older key: %v %d %+v", err, id, c)
	}
	tokNew, exp, _ := tk.Issue(8, "")
	if !exp.Equal(now.Add(time.Minute)) {
		t.Errorf("expiry %v", exp)
	}
	if _, _, err := oldTokens.Verify(tokNew); err == nil {
		t.Error("a token of a key the verifier lacks was accepted")
	}
	tk.SetClock(func() time.Time { return now.Add(2 * time.Minute) })
	if _, _, err := tk.Verify(tokNew); err == nil {
		t.Error("expired token accepted")
	}
}

func TestEdDSATokens(t *testing.T) {
	text, _ := auth.GenerateKeyText()
	keys, err := auth.ParseKeys(auth.AlgEdDSA, text)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := auth.NewTokens("iss", "glc", time.Minute, auth.AlgEdDSA, keys...)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, _ := tk.Issue(5, "")
	if id, _, err := tk.Verify(tok); err != nil || id != 5 {
		t.Fatalf("EdDSA token: %v", err)
	}
	// Algorithm confusion: an HS256 token keyed with the public key must fail.
	pub := keys[0].Private.Public().(ed25519.PublicKey)
	c := claims(time.Now())
	c["iss"] = "iss"
	forged := sign(t, jwt.SigningMethodHS256, []byte(pub), keys[0].ID, c)
	if _, _, err := tk.Verify(forged); err == nil {
		t.Error("HS256 token accepted by an EdDSA deployment")
	}
	if _, err := auth.ParseKeys(auth.AlgEdDSA, "zz"); err == nil {
		t.Error("bad seed accepted")
	}
	if _, err := auth.ParseKeys(auth.AlgHS256, "short"); err == nil {
		t.Error("short secret accepted")
	}
	if _, err := auth.NewTokens("iss", "glc", time.Minute, "none", auth.HSKey(secret)); err == nil {
		t.Error("algorithm none accepted")
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := auth.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !auth.CheckPassword(h, "correct horse battery staple") {
		t.Error("right password refused")
	}
	if auth.CheckPassword(h, "correct horse battery stapler") || auth.CheckPassword("", "") || auth.CheckPassword("$bogus", "x") {
		t.Error("wrong password accepted")
	}
}

func TestOpaque(t *testing.T) {
	a, ha := auth.NewOpaque()
	b, hb := auth.NewOpaque()
	if a == b || ha == hb || len(a) < 40 || auth.HashOpaque(a) != ha || ha == a {
		t.Errorf("opaque tokens: %q %q %q %q", a, ha, b, hb)
	}
}
