package xapi_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net/textproto"
	"os"
	"strings"
	"testing"
	"time"

	"glc/modules/xapi"
)

type part struct {
	contentType string
	data        []byte
	sha         string // defaults to the data's SHA-256
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// multipartBody builds a multipart/mixed statement request.
func multipartBody(t testing.TB, stmts any, parts ...part) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{"Content-Type": {"application/json"}}
	pw, _ := w.CreatePart(h)
	raw, _ := json.Marshal(stmts)
	pw.Write(raw)
	for _, p := range parts {
		s := p.sha
		if s == "" {
			s = sha(p.data)
		}
		pw, _ := w.CreatePart(textproto.MIMEHeader{"Content-Type": {p.contentType}, "Content-Transfer-Encoding": {"binary"}, "X-Experience-API-Hash": {s}})
		pw.Write(p.data)
	}
	w.Close()
	return "multipart/mixed; boundary=" + w.Boundary(), buf.Bytes()
}

func withAttachment(st map[string]any, usage, contentType string, data []byte) map[string]any {
	st["attachments"] = append(toAny(st["attachments"]), map[string]any{"usageType": usage, "display": map[string]any{"en-US": "file"},
		"contentType": contentType, "length": len(data), "sha2": sha(data)})
	return st
}

func toAny(x any) []any { a, _ := x.([]any); return a }

func TestAttachments(t *testing.T) {
	s, l := newLRS(t)
	text := []byte("hello attachment")
	img := bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 100)
	st := withAttachment(stmt("ann", "uploaded", "essay"), "http://example.org/usage/essay", "text/plain", text)
	st = withAttachment(st, "http://example.org/usage/figure", "image/png", img)
	ct, body := multipartBody(t, st, part{"text/plain", text, ""}, part{"image/png", img, ""})
	r := l.req("POST", "/statements", body, map[string]string{"Content-Type": ct})
	if r.Status != 200 {
		t.Fatalf("POST multipart: %d %s", r.Status, r.Body)
	}
	var id []string
	r.JSON(t, &id)
	// Kept in object storage by hash.
	for _, data := range [][]byte{text, img} {
		obj, err := s.Store.Get(context.Background(), "xapi/attachments/"+sha(data))
		if err != nil {
			t.Fatalf("attachment not in object storage: %v", err)
		}
		got, _ := io.ReadAll(obj)
		obj.Close()
		if !bytes.Equal(got, data) {
			t.Errorf("stored attachment differs")
		}
	}
	// Returned as multipart with attachments=true, plain JSON otherwise.
	g := l.req("GET", "/statements?attachments=true&statementId="+id[0], nil, nil)
	parts := readMultipart(t, g.Header.Get("Content-Type"), g.Body)
	if len(parts) != 3 || !strings.Contains(string(parts[0].data), id[0]) || !bytes.Equal(parts[1].data, text) || !bytes.Equal(parts[2].data, img) || parts[2].sha != sha(img) {
		t.Fatalf("multipart response: %d parts", len(parts))
	}
	g = l.req("GET", "/statements?attachments=true", nil, nil)
	if parts := readMultipart(t, g.Header.Get("Content-Type"), g.Body); len(parts) != 3 {
		t.Errorf("query multipart: %d parts", len(parts))
	}
	if g := l.req("GET", "/statements?statementId="+id[0], nil, nil); !strings.HasPrefix(g.Header.Get("Content-Type"), "application/json") {
		t.Errorf("without attachments=true: %s", g.Header.Get("Content-Type"))
	}
	// A large attachment is spooled to a temporary file, stored, then the file is removed.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	big := bytes.Repeat([]byte("0123456789abcdef"), 5<<16) // 5 MiB
	bigSt := withAttachment(stmt("ann", "uploaded", "video"), "http://example.org/usage/video", "video/mp4", big)
	ct, body = multipartBody(t, bigSt, part{"video/mp4", big, ""})
	if r := l.req("POST", "/statements", body, map[string]string{"Content-Type": ct}); r.Status != 200 {
		t.Fatalf("POST large attachment: %d %s", r.Status, r.Body)
	}
	if info, err := s.Store.Stat(context.Background(), "xapi/attachments/"+sha(big)); err != nil || info.Size != int64(len(big)) {
		t.Fatalf("large attachment in store: %v %v", info, err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// A fileUrl attachment needs no part.
	remote := stmt("ann", "linked", "essay")
	remote["attachments"] = []any{map[string]any{"usageType": "http://example.org/u", "display": map[string]any{"en": "r"},
		"contentType": "application/pdf", "length": 10, "sha2": sha([]byte("remote")), "fileUrl": "https://files.example.org/r.pdf"}}
	l.post(remote)
	// Refusals: nothing stored.
	before := countStatements(t, s)
	other := []byte("other")
	cases := []struct {
		name  string
		stmt  any
		parts []part
	}{
		{"missing part", withAttachment(stmt("a", "v", "x"), "http://example.org/u", "text/plain", other), nil},
		{"undeclared part", stmt("a", "v", "x"), []part{{"text/plain", other, ""}}},
		{"hash does not match content", withAttachment(stmt("a", "v", "x"), "http://example.org/u", "text/plain", other), []part{{"text/plain", []byte("tampered"), sha(other)}}},
		{"batch with one missing part", []any{withAttachment(stmt("a", "v", "x"), "http://example.org/u", "text/plain", other), withAttachment(stmt("b", "v", "x"), "http://example.org/u", "text/plain", []byte("nope"))}, []part{{"text/plain", other, ""}}},
	}
	for _, c := range cases {
		ct, body := multipartBody(t, c.stmt, c.parts...)
		if r := l.req("POST", "/statements", body, map[string]string{"Content-Type": ct}); r.Status != 400 {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
		}
	}
	if r := l.req("POST", "/statements", "--x\r\n\r\n", map[string]string{"Content-Type": "multipart/mixed"}); r.Status != 400 {
		t.Errorf("multipart without boundary: %d", r.Status)
	}
	if after := countStatements(t, s); after != before {
		t.Errorf("refused requests stored %d statements", after-before)
	}
}

func readMultipart(t testing.TB, ct string, body []byte) []part {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("content type %q", ct)
	}
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var out []part
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(p)
		out = append(out, part{p.Header.Get("Content-Type"), data, p.Header.Get("X-Experience-API-Hash")})
	}
}

// jws signs payload as a compact JWS; with cert, the header carries it as x5c.
func jws(t testing.TB, alg string, key *rsa.PrivateKey, cert []byte, payload any) []byte {
	t.Helper()
	hdr := map[string]any{"alg": alg}
	if cert != nil {
		hdr["x5c"] = []string{base64.StdEncoding.EncodeToString(cert)}
	}
	h, _ := json.Marshal(hdr)
	p, _ := json.Marshal(payload)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
	var sig []byte
	switch alg {
	case "HS256":
		m := hmac.New(sha256.New, []byte("secret"))
		m.Write([]byte(input))
		sig = m.Sum(nil)
	default:
		hash := map[string]crypto.Hash{"RS256": crypto.SHA256, "RS384": crypto.SHA384, "RS512": crypto.SHA512}[alg]
		d := hash.New()
		d.Write([]byte(input))
		var err error
		if sig, err = rsa.SignPKCS1v15(rand.Reader, key, hash, d.Sum(nil)); err != nil {
			t.Fatal(err)
		}
	}
	return []byte(input + "." + base64.RawURLEncoding.EncodeToString(sig))
}

func TestSignedStatements(t *testing.T) {
	_, l := newLRS(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "signer"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	send := func(st map[string]any, sig []byte, contentType string) int {
		signed := clone(st)
		signed = withAttachment(signed, xapi.SignatureUsage, contentType, sig)
		ct, body := multipartBody(t, signed, part{contentType, sig, ""})
		return l.req("POST", "/statements", body, map[string]string{"Content-Type": ct}).Status
	}
	base := stmt("sam", "signed", "contract")
	base["id"] = newID()
	for _, alg := range []string{"RS256", "RS384", "RS512"} {
		st := clone(base)
		st["id"] = newID()
		if got := send(st, jws(t, alg, key, nil, st), "application/octet-stream"); got != 200 {
			t.Errorf("%s signature refused: %d", alg, got)
		}
	}
	withCert := clone(base)
	withCert["id"] = newID()
	if got := send(withCert, jws(t, "RS256", key, cert, withCert), "application/octet-stream"); got != 200 {
		t.Errorf("signature with x5c refused: %d", got)
	}
	tampered := clone(base)
	tampered["verb"] = verb("forged")
	cases := []struct {
		name string
		sig  []byte
		ct   string
	}{
		{"HS256", jws(t, "HS256", nil, nil, base), "application/octet-stream"},
		{"payload differs", jws(t, "RS256", key, nil, tampered), "application/octet-stream"},
		{"not a JWS", []byte("not.a.jws.at.all"), "application/octet-stream"},
		{"payload not JSON", []byte(base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256"}`)) + "." + base64.RawURLEncoding.EncodeToString([]byte("{broken")) + ".c2ln"), "application/octet-stream"},
		{"wrong content type", jws(t, "RS256", key, nil, base), "text/plain"},
		{"x5c of another key", jws(t, "RS256", other, cert, base), "application/octet-stream"},
	}
	for _, c := range cases {
		st := clone(base)
		if got := send(st, c.sig, c.ct); got != 400 {
			t.Errorf("%s: %d, want 400", c.name, got)
		}
	}
	_ = fmt.Sprint
}
