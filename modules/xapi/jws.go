package xapi

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"

	_ "crypto/sha256" // RS256
	_ "crypto/sha512" // RS384, RS512
)

var jwsHashes = map[string]crypto.Hash{"RS256": crypto.SHA256, "RS384": crypto.SHA384, "RS512": crypto.SHA512}

// verifySignature checks a signature attachment: a compact JWS signed with RS256, RS384 or
// RS512 whose payload is the statement as it was before the signature was added. When the
// JWS header carries an x5c certificate chain, the signature must verify with its first
// certificate's key.
func verifySignature(stmt map[string]any, jws []byte) error {
	parts := strings.Split(strings.TrimSpace(string(jws)), ".")
	if len(parts) != 3 {
		return badRequest("the signature is not a compact JWS")
	}
	hraw, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[0], "="))
	praw, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	sig, err3 := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[2], "="))
	if err1 != nil || err2 != nil || err3 != nil {
		return badRequest("the signature is not a compact JWS")
	}
	var header struct {
		Alg string   `json:"alg"`
		X5C []string `json:"x5c"`
	}
	if err := json.Unmarshal(hraw, &header); err != nil {
		return badRequest("the JWS header is not JSON")
	}
	hash, ok := jwsHashes[header.Alg]
	if !ok {
		return badRequestf("the JWS algorithm %q is not RS256, RS384 or RS512", header.Alg)
	}
	var payload map[string]any
	if err := decodeJSON(praw, &payload); err != nil {
		return badRequest("the JWS payload is not a JSON statement")
	}
	if !signedMatches(payload, stmt) {
		return badRequest("the JWS payload does not match the statement")
	}
	if len(header.X5C) > 0 {
		der, err := base64.StdEncoding.DecodeString(header.X5C[0])
		if err != nil {
			return badRequest("the JWS x5c certificate cannot be read")
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return badRequest("the JWS x5c certificate cannot be read")
		}
		pub, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok {
			return badRequest("the JWS x5c certificate does not hold an RSA key")
		}
		h := hash.New()
		h.Write([]byte(parts[0] + "." + parts[1]))
		if rsa.VerifyPKCS1v15(pub, hash, h.Sum(nil), sig) != nil {
			return badRequest("the JWS signature does not verify")
		}
	}
	return nil
}

// signedMatches compares the signed payload with the statement, ignoring what the LRS sets
// and the attachments (the signature is one of them).
func signedMatches(payload, stmt map[string]any) bool {
	clean := func(m map[string]any, ref map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			switch k {
			case "attachments", "authority", "stored", "version":
				continue
			case "id", "timestamp":
				if _, ok := ref[k]; !ok {
					continue
				}
			}
			out[k] = v
		}
		return out
	}
	a := normalize(clean(payload, payload))
	b := normalize(clean(copyMap(stmt), payload))
	return reflect.DeepEqual(a, b)
}

func copyMap(m map[string]any) map[string]any {
	raw, _ := json.Marshal(m)
	var out map[string]any
	_ = decodeJSON(raw, &out)
	return out
}
