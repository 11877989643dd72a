package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// NewOpaque returns a random opaque token (refresh tokens, activation links) and the hash under
// which it is stored. Only the hash is kept; the token itself is shown once.
func NewOpaque() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashOpaque(token)
}

// HashOpaque is the SHA-256 (hex) of an opaque token. The tokens carry 256 random bits, so a
// fast hash is enough: there is nothing to brute-force.
func HashOpaque(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewID returns a random 128-bit identifier in hex (session ids).
func NewID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
