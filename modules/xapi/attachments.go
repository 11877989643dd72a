package xapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"os"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"glc/storage"
)

// newHash returns the SHA-2 variant that a hex digest of want's length names.
func newHash(want string) hash.Hash {
	switch len(want) {
	case 96:
		return sha512.New384()
	case 128:
		return sha512.New()
	case 56:
		return sha256.New224()
	}
	return sha256.New()
}

// memPart is the size up to which an attachment part stays in memory; larger parts are
// spooled to a temporary file on their way to the object store.
const memPart = 4 << 20

// maxSignature bounds a JWS signature part.
const maxSignature = 1 << 20

// Part is one attachment sent in a multipart/mixed request.
type Part struct {
	// SHA2 is the hash the client declared (X-Experience-API-Hash).
	SHA2        string
	ContentType string
	Size        int64
	computed    string
	data        []byte
	file        string
}

// NewPart builds an in-memory part (as ParseMultipart does for small parts).
func NewPart(sha2, contentType string, data []byte) Part {
	h := newHash(sha2)
	h.Write(data)
	return Part{SHA2: strings.ToLower(sha2), ContentType: contentType, Size: int64(len(data)), computed: hex.EncodeToString(h.Sum(nil)), data: data}
}

// spoolPart reads a part, hashing it, into memory or (when large) a temporary file.
func spoolPart(r io.Reader, sha2, contentType string) (Part, error) {
	h := newHash(sha2)
	p := Part{SHA2: strings.ToLower(sha2), ContentType: contentType}
	data, err := io.ReadAll(io.TeeReader(io.LimitReader(r, memPart+1), h))
	if err != nil {
		return p, err
	}
	p.Size = int64(len(data))
	if len(data) <= memPart {
		p.data = data
	} else {
		f, err := os.CreateTemp("", "glc-xapi-attachment-*")
		if err != nil {
			return p, err
		}
		p.file = f.Name()
		_, err = f.Write(data)
		if err == nil {
			var n int64
			n, err = io.Copy(f, io.TeeReader(r, h))
			p.Size += n
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(p.file)
			return p, err
		}
	}
	p.computed = hex.EncodeToString(h.Sum(nil))
	return p, nil
}

func (p *Part) open() (io.ReadCloser, error) {
	if p.file == "" {
		return io.NopCloser(bytes.NewReader(p.data)), nil
	}
	return os.Open(p.file)
}

// RemoveParts deletes the temporary files of spooled parts.
func RemoveParts(parts []Part) {
	for _, p := range parts {
		if p.file != "" {
			_ = os.Remove(p.file)
		}
	}
}

func attachmentList(m map[string]any) []map[string]any {
	var out []map[string]any
	if arr, ok := m["attachments"].([]any); ok {
		for _, a := range arr {
			if am, ok := a.(map[string]any); ok {
				out = append(out, am)
			}
		}
	}
	if o, ok := m["object"].(map[string]any); ok && o["objectType"] == "SubStatement" {
		out = append(out, attachmentList(o)...)
	}
	return out
}

// checkAttachments matches the multipart parts with the statements' attachments: every
// attachment without a fileUrl needs its part, every part must be declared, and every
// signature must verify.
func checkAttachments(stmts []map[string]any, parts []Part) error {
	byHash := map[string]*Part{}
	for i := range parts {
		p := &parts[i]
		if p.computed != strings.ToLower(p.SHA2) {
			return badRequestf("attachment part %s does not match its X-Experience-API-Hash", p.SHA2)
		}
		byHash[strings.ToLower(p.SHA2)] = p
	}
	declared := map[string]bool{}
	for _, m := range stmts {
		for _, a := range attachmentList(m) {
			sha := strings.ToLower(a["sha2"].(string))
			declared[sha] = true
			_, hasURL := a["fileUrl"]
			p := byHash[sha]
			if !hasURL && p == nil {
				return badRequestf("attachment %s has no fileUrl and was not sent", sha)
			}
			if a["usageType"] == SignatureUsage {
				if a["contentType"] != "application/octet-stream" {
					return badRequest("a signature attachment must have contentType application/octet-stream")
				}
				if p == nil {
					return badRequest("the signature attachment was not sent")
				}
				if p.Size > maxSignature || p.file != "" {
					return badRequest("the signature is too large")
				}
				if err := verifySignature(m, p.data); err != nil {
					return err
				}
			}
		}
	}
	for sha := range byHash {
		if !declared[sha] {
			return badRequestf("attachment part %s is not declared by any statement", sha)
		}
	}
	return nil
}

func attachmentKey(sha string) string { return "xapi/attachments/" + strings.ToLower(sha) }

// putAttachments stores the parts in the object store (content-addressed, so repeats are free).
func (s *Service) putAttachments(ctx context.Context, parts []Part) error {
	for _, p := range parts {
		key := attachmentKey(p.SHA2)
		if _, err := s.store.Stat(ctx, key); err == nil {
			continue
		} else if !errors.Is(err, storage.ErrNotExist) {
			return err
		}
		r, err := p.open()
		if err != nil {
			return err
		}
		_, err = s.store.Put(ctx, key, r, p.Size, p.ContentType)
		r.Close()
		if err != nil {
			return fmt.Errorf("store attachment: %w", err)
		}
	}
	return nil
}

func (s *Service) saveAttachmentRows(tx *gorm.DB, parts []Part) error {
	if len(parts) == 0 {
		return nil
	}
	rows := make([]attachmentRow, len(parts))
	for i, p := range parts {
		rows[i] = attachmentRow{SHA2: strings.ToLower(p.SHA2), ContentType: p.ContentType, Length: p.Size,
			ObjectKey: attachmentKey(p.SHA2), CreatedAt: s.now()}
	}
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
}

// ParseMultipart reads a multipart/mixed statement request: the first part is the JSON
// statement(s), the others are attachments identified by X-Experience-API-Hash.
func ParseMultipart(body io.Reader, contentType string) ([]byte, []Part, error) {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil || params["boundary"] == "" {
		return nil, nil, badRequest("multipart/mixed needs a boundary")
	}
	mr := multipart.NewReader(body, params["boundary"])
	var stmt []byte
	var parts []Part
	for i := 0; ; i++ {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, badRequestf("the multipart body cannot be read: %v", err)
		}
		ct := p.Header.Get("Content-Type")
		if i == 0 {
			data, err := io.ReadAll(p)
			if err != nil {
				return nil, nil, badRequestf("the multipart body cannot be read: %v", err)
			}
			if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
				return nil, nil, badRequest("the first part must be the statement(s) as application/json")
			}
			stmt = data
			continue
		}
		sha := p.Header.Get("X-Experience-API-Hash")
		if sha == "" {
			return nil, nil, badRequest("every attachment part needs an X-Experience-API-Hash header")
		}
		if enc := p.Header.Get("Content-Transfer-Encoding"); enc != "" && !strings.EqualFold(enc, "binary") {
			return nil, nil, badRequest("attachment parts must use Content-Transfer-Encoding: binary")
		}
		part, err := spoolPart(p, sha, ct)
		if err != nil {
			RemoveParts(parts)
			return nil, nil, badRequestf("the multipart body cannot be read: %v", err)
		}
		parts = append(parts, part)
	}
	if stmt == nil {
		RemoveParts(parts)
		return nil, nil, badRequest("the multipart body holds no statement")
	}
	return stmt, parts, nil
}

// writeMultipart writes the statement result and the attachments it references.
func (s *Service) writeMultipart(ctx context.Context, w io.Writer, boundary string, result []byte, shas []string) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(boundary); err != nil {
		return err
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", "application/json")
	pw, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := pw.Write(result); err != nil {
		return err
	}
	for _, sha := range shas {
		var row attachmentRow
		if err := s.db.WithContext(ctx).Where("sha2 = ?", sha).Take(&row).Error; err != nil {
			continue
		}
		obj, err := s.store.Get(ctx, row.ObjectKey)
		if err != nil {
			continue
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", row.ContentType)
		h.Set("Content-Transfer-Encoding", "binary")
		h.Set("X-Experience-API-Hash", row.SHA2)
		pw, err := mw.CreatePart(h)
		if err == nil {
			_, err = io.Copy(pw, obj)
		}
		obj.Close()
		if err != nil {
			return err
		}
	}
	return mw.Close()
}
