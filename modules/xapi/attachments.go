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
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"glc/storage"
)

// hashOf computes the SHA-2 of data with the variant that a hex digest of want's length names.
func hashOf(data []byte, want string) string {
	var h hash.Hash
	switch len(want) {
	case 96:
		h = sha512.New384()
	case 128:
		h = sha512.New()
	case 56:
		h = sha256.New224()
	default:
		h = sha256.New()
	}
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
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
		if hashOf(p.Data, p.SHA2) != strings.ToLower(p.SHA2) {
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
				if err := verifySignature(m, p.Data); err != nil {
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
		if _, err := s.store.Put(ctx, key, bytes.NewReader(p.Data), int64(len(p.Data)), p.ContentType); err != nil {
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
		rows[i] = attachmentRow{SHA2: strings.ToLower(p.SHA2), ContentType: p.ContentType, Length: int64(len(p.Data)),
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
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, nil, badRequestf("the multipart body cannot be read: %v", err)
		}
		ct := p.Header.Get("Content-Type")
		if i == 0 {
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
		parts = append(parts, Part{SHA2: strings.ToLower(sha), ContentType: ct, Data: data})
	}
	if stmt == nil {
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
