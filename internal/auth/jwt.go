package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Token types carried in the "typ" claim.
const (
	TypeAccess = "access"
)

// Claims are the access token's claims.
type Claims struct {
	Type string `json:"typ"`
	jwt.RegisteredClaims
}

// Key is one HMAC signing key with its id.
type Key struct {
	ID     string
	Secret []byte
}

// Tokens issues and verifies access tokens. Exactly one algorithm (HS256) is accepted; every
// registered claim is set and checked. Keys carry a kid so that a new key can be introduced
// while tokens signed with the old one still verify.
type Tokens struct {
	Issuer   string
	Audience string
	TTL      time.Duration
	current  Key
	keys     map[string][]byte
	now      func() time.Time
}

// NewTokens builds the issuer; current signs, every key in keys (and current) verifies.
func NewTokens(issuer, audience string, ttl time.Duration, current Key, older ...Key) (*Tokens, error) {
	if len(current.Secret) < 32 {
		return nil, errors.New("auth: signing key shorter than 32 bytes")
	}
	t := &Tokens{Issuer: issuer, Audience: audience, TTL: ttl, current: current, keys: map[string][]byte{current.ID: current.Secret}, now: time.Now}
	for _, k := range older {
		t.keys[k.ID] = k.Secret
	}
	return t, nil
}

// KeyID derives a short public id for a secret.
func KeyID(secret []byte) string {
	sum := sha256.Sum256(secret)
	return hex.EncodeToString(sum[:4])
}

// SetClock replaces the clock (tests).
func (t *Tokens) SetClock(now func() time.Time) { t.now = now }

// Issue signs an access token for user id.
func (t *Tokens) Issue(userID int64) (token string, expires time.Time, err error) {
	now := t.now().UTC()
	exp := now.Add(t.TTL)
	jti := make([]byte, 16)
	_, _ = rand.Read(jti)
	c := Claims{Type: TypeAccess, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: t.Issuer, Subject: strconv.FormatInt(userID, 10), Audience: jwt.ClaimStrings{t.Audience},
		ExpiresAt: jwt.NewNumericDate(exp), NotBefore: jwt.NewNumericDate(now), IssuedAt: jwt.NewNumericDate(now),
		ID: base64.RawURLEncoding.EncodeToString(jti),
	}}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	tok.Header["kid"] = t.current.ID
	s, err := tok.SignedString(t.current.Secret)
	return s, exp, err
}

// ErrInvalidToken is returned for every token that must be refused.
var ErrInvalidToken = errors.New("auth: invalid token")

// Verify checks signature, algorithm, kid, issuer, audience, expiry, not-before, issued-at
// and type, and returns the user id.
func (t *Tokens) Verify(token string) (int64, *Claims, error) {
	var c Claims
	parsed, err := jwt.ParseWithClaims(token, &c, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		key, ok := t.keys[kid]
		if !ok {
			return nil, fmt.Errorf("unknown key id %q", kid)
		}
		return key, nil
	},
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(t.Issuer), jwt.WithAudience(t.Audience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(t.now),
		jwt.WithStrictDecoding(),
	)
	if err != nil || !parsed.Valid {
		return 0, nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if c.Type != TypeAccess || c.NotBefore == nil || c.ID == "" {
		return 0, nil, fmt.Errorf("%w: not an access token", ErrInvalidToken)
	}
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil || id < 1 {
		return 0, nil, fmt.Errorf("%w: bad subject", ErrInvalidToken)
	}
	return id, &c, nil
}
