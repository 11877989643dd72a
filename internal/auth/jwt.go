package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Token types carried in the "typ" claim.
const (
	TypeAccess = "access"
)

// Signing algorithms; a deployment allow-lists exactly one.
const (
	AlgHS256 = "HS256"
	AlgEdDSA = "EdDSA"
)

// Claims are the access token's claims. SessionID ("sid") names the login session (refresh
// token family) the token was issued for; it is empty for tokens issued outside a session.
type Claims struct {
	Type      string `json:"typ"`
	SessionID string `json:"sid,omitempty"`
	jwt.RegisteredClaims
}

// Key is one signing key with its id: an HMAC secret (HS256) or an Ed25519 private key (EdDSA).
type Key struct {
	ID      string
	Secret  []byte
	Private ed25519.PrivateKey
}

// Tokens issues and verifies access tokens. Exactly one algorithm is accepted; every
// registered claim is set and checked. Keys carry a kid so that a new key can be introduced
// while tokens signed with an older one still verify.
type Tokens struct {
	Issuer   string
	Audience string
	TTL      time.Duration
	alg      string
	current  Key
	verify   map[string]any
	now      func() time.Time
}

// NewTokens builds the issuer for alg; keys[0] signs, every key verifies.
func NewTokens(issuer, audience string, ttl time.Duration, alg string, keys ...Key) (*Tokens, error) {
	if len(keys) == 0 {
		return nil, errors.New("auth: no signing key")
	}
	t := &Tokens{Issuer: issuer, Audience: audience, TTL: ttl, alg: alg, current: keys[0], verify: map[string]any{}, now: time.Now}
	for _, k := range keys {
		if k.ID == "" {
			return nil, errors.New("auth: key without id")
		}
		switch alg {
		case AlgHS256:
			if len(k.Secret) < 32 {
				return nil, errors.New("auth: HS256 signing key shorter than 32 bytes")
			}
			t.verify[k.ID] = k.Secret
		case AlgEdDSA:
			if len(k.Private) != ed25519.PrivateKeySize {
				return nil, errors.New("auth: EdDSA key is not an Ed25519 private key")
			}
			t.verify[k.ID] = k.Private.Public()
		default:
			return nil, fmt.Errorf("auth: unsupported algorithm %q", alg)
		}
	}
	return t, nil
}

// Alg returns the algorithm in use.
func (t *Tokens) Alg() string { return t.alg }

// KeyID derives a short public id for a secret or public key.
func KeyID(material []byte) string {
	sum := sha256.Sum256(material)
	return hex.EncodeToString(sum[:4])
}

// HSKey turns a secret into an HS256 key.
func HSKey(secret []byte) Key { return Key{ID: KeyID(secret), Secret: secret} }

// EdKey turns a 32-byte Ed25519 seed into an EdDSA key.
func EdKey(seed []byte) (Key, error) {
	if len(seed) != ed25519.SeedSize {
		return Key{}, fmt.Errorf("auth: an Ed25519 seed has %d bytes, got %d", ed25519.SeedSize, len(seed))
	}
	priv := ed25519.NewKeyFromSeed(seed)
	return Key{ID: KeyID(priv.Public().(ed25519.PublicKey)), Private: priv}, nil
}

// GenerateKeyText returns new key material for alg as one line of text: 32 random bytes in hex
// (an HS256 secret or an Ed25519 seed).
func GenerateKeyText() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// ParseKeys reads stored key material: one key a line (first line signs, the others still
// verify, for rotation). HS256 lines are secrets of at least 32 characters; EdDSA lines are
// hex Ed25519 seeds. Blank lines and lines starting with # are ignored.
func ParseKeys(alg, text string) ([]Key, error) {
	var keys []Key
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		switch alg {
		case AlgHS256:
			if len(line) < 32 {
				return nil, errors.New("auth: a stored HS256 key is shorter than 32 characters")
			}
			keys = append(keys, HSKey([]byte(line)))
		case AlgEdDSA:
			seed, err := hex.DecodeString(line)
			if err != nil {
				return nil, errors.New("auth: a stored Ed25519 seed is not hex")
			}
			k, err := EdKey(seed)
			if err != nil {
				return nil, err
			}
			keys = append(keys, k)
		default:
			return nil, fmt.Errorf("auth: unsupported algorithm %q", alg)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("auth: no key in the stored key material")
	}
	return keys, nil
}

// SetClock replaces the clock (tests).
func (t *Tokens) SetClock(now func() time.Time) { t.now = now }

// Issue signs an access token for user id within session sid ("" for none).
func (t *Tokens) Issue(userID int64, sid string) (token string, expires time.Time, err error) {
	now := t.now().UTC()
	exp := now.Add(t.TTL)
	jti := make([]byte, 16)
	_, _ = rand.Read(jti)
	c := Claims{Type: TypeAccess, SessionID: sid, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: t.Issuer, Subject: strconv.FormatInt(userID, 10), Audience: jwt.ClaimStrings{t.Audience},
		ExpiresAt: jwt.NewNumericDate(exp), NotBefore: jwt.NewNumericDate(now), IssuedAt: jwt.NewNumericDate(now),
		ID: base64.RawURLEncoding.EncodeToString(jti),
	}}
	var tok *jwt.Token
	var key any
	switch t.alg {
	case AlgEdDSA:
		tok, key = jwt.NewWithClaims(jwt.SigningMethodEdDSA, c), t.current.Private
	default:
		tok, key = jwt.NewWithClaims(jwt.SigningMethodHS256, c), t.current.Secret
	}
	tok.Header["kid"] = t.current.ID
	s, err := tok.SignedString(key)
	return s, exp, err
}

// ErrInvalidToken is returned for every token that must be refused.
var ErrInvalidToken = errors.New("auth: invalid token")

// Verify checks signature, algorithm, kid, issuer, audience, expiry, not-before, issued-at,
// id and type, and returns the user id.
func (t *Tokens) Verify(token string) (int64, *Claims, error) {
	var c Claims
	parsed, err := jwt.ParseWithClaims(token, &c, func(tok *jwt.Token) (any, error) {
		if tok.Method.Alg() != t.alg {
			return nil, fmt.Errorf("algorithm %q not allowed", tok.Method.Alg())
		}
		kid, _ := tok.Header["kid"].(string)
		key, ok := t.verify[kid]
		if !ok {
			return nil, fmt.Errorf("unknown key id %q", kid)
		}
		return key, nil
	},
		jwt.WithValidMethods([]string{t.alg}),
		jwt.WithIssuer(t.Issuer), jwt.WithAudience(t.Audience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(t.now),
		jwt.WithStrictDecoding(),
	)
	if err != nil || !parsed.Valid {
		return 0, nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if c.Type != TypeAccess || c.NotBefore == nil || c.IssuedAt == nil || c.ID == "" {
		return 0, nil, fmt.Errorf("%w: not an access token", ErrInvalidToken)
	}
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil || id < 1 {
		return 0, nil, fmt.Errorf("%w: bad subject", ErrInvalidToken)
	}
	return id, &c, nil
}
