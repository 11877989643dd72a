package library

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/storage"
)

// maxParts bounds the number of parts of a chunked upload.
const maxParts = 10000

// UploadInput starts a chunked upload.
type UploadInput struct {
	Filename string `json:"filename"`
}

// StartUpload opens a chunked upload owned by the caller.
func (s *Service) StartUpload(ctx context.Context, in UploadInput) (*Upload, error) {
	p, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	in.Filename = strings.TrimSpace(in.Filename)
	if in.Filename == "" || len(in.Filename) > 255 {
		return nil, apperr.Invalid("filename", "is required (at most 255 characters)")
	}
	u := &Upload{ID: uuid.NewString(), UserID: p.UserID, Filename: cleanFilename(in.Filename), Status: UploadOpen, Parts: []UploadPart{}}
	return u, s.db.WithContext(ctx).Create(u).Error
}

// ownUpload loads an upload of the caller.
func (s *Service) ownUpload(ctx context.Context, tx *gorm.DB, id string) (*Upload, error) {
	p, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, fmt.Errorf("upload %q: %w", id, apperr.ErrNotFound)
	}
	u, err := s.st.upload(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if u.UserID != p.UserID {
		return nil, fmt.Errorf("upload %s belongs to someone else: %w", id, apperr.ErrForbidden)
	}
	return u, nil
}

// GetUpload returns an upload with the parts received so far (to resume it).
func (s *Service) GetUpload(ctx context.Context, id string) (*Upload, error) {
	return s.ownUpload(ctx, nil, id)
}

// PutPart streams part n (1-based) into storage; sending a part again replaces it. The sum of
// the parts may not pass the upload limit.
func (s *Service) PutPart(ctx context.Context, id string, n int, r io.Reader) (*Upload, error) {
	u, err := s.ownUpload(ctx, nil, id)
	if err != nil {
		return nil, err
	}
	if n < 1 || n > maxParts {
		return nil, apperr.Invalid("n", fmt.Sprintf("must be a part number from 1 to %d", maxParts))
	}
	if u.Status != UploadOpen {
		return nil, fmt.Errorf("upload %s is already complete: %w", id, apperr.ErrConflict)
	}
	var others int64
	for _, p := range u.Parts {
		if p.N != n {
			others += p.Size
		}
	}
	key := fmt.Sprintf("library/uploads/%s/%05d-%s", id, n, uuid.NewString()[:8])
	lr := &limitReader{r: r, max: s.maxBytes - others}
	if _, err := s.objects.Put(ctx, key, lr, -1, "application/octet-stream"); err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), key)
		if lr.n > lr.max {
			return nil, fmt.Errorf("the upload would pass the limit of %d MiB: %w", s.maxBytes>>20, apperr.ErrTooLarge)
		}
		return nil, err
	}
	var oldKey string
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var old UploadPart
		if tx.Where("upload_id = ? AND n = ?", id, n).Take(&old).Error == nil {
			oldKey = old.Key
			if err := tx.Where("upload_id = ? AND n = ?", id, n).Delete(&UploadPart{}).Error; err != nil {
				return err
			}
		}
		if err := tx.Create(&UploadPart{UploadID: id, N: n, Size: lr.n, Key: key}).Error; err != nil {
			return err
		}
		return tx.Model(&Upload{}).Where("id = ?", id).Update("received", gorm.Expr("(SELECT COALESCE(SUM(size), 0) FROM upload_parts WHERE upload_id = ?)", id)).Error
	})
	if err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), key)
		return nil, err
	}
	if oldKey != "" {
		_ = s.objects.Delete(ctx, oldKey)
	}
	return s.st.upload(ctx, nil, id)
}

// partsReader reads the parts one after the other, opening each only when it is reached.
type partsReader struct {
	ctx     context.Context
	objects storage.Store
	keys    []string
	cur     storage.Object
}

func (p *partsReader) Read(b []byte) (int, error) {
	for {
		if p.cur == nil {
			if len(p.keys) == 0 {
				return 0, io.EOF
			}
			o, err := p.objects.Get(p.ctx, p.keys[0])
			if err != nil {
				return 0, err
			}
			p.cur, p.keys = o, p.keys[1:]
		}
		n, err := p.cur.Read(b)
		if err == io.EOF {
			p.cur.Close()
			p.cur = nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}

func (p *partsReader) Close() {
	if p.cur != nil {
		p.cur.Close()
	}
}

// CompleteUpload streams parts 1..N, in order, into one object and deletes the parts. Every
// number from 1 to the highest must have arrived.
func (s *Service) CompleteUpload(ctx context.Context, id string) (*Upload, error) {
	u, err := s.ownUpload(ctx, nil, id)
	if err != nil {
		return nil, err
	}
	if u.Status != UploadOpen {
		return nil, fmt.Errorf("upload %s is already complete: %w", id, apperr.ErrConflict)
	}
	if len(u.Parts) == 0 {
		return nil, apperr.Invalid("parts", "no part has been received")
	}
	keys := make([]string, len(u.Parts))
	for i, p := range u.Parts {
		if p.N != i+1 {
			return nil, apperr.Invalid("parts", fmt.Sprintf("part %d is missing", i+1))
		}
		keys[i] = p.Key
	}
	pr := &partsReader{ctx: ctx, objects: s.objects, keys: keys}
	f, err := s.storeStream(ctx, "library/files/"+uuid.NewString(), pr, u.Filename, s.maxBytes)
	pr.Close()
	if err != nil {
		return nil, err
	}
	res := s.db.WithContext(ctx).Model(&Upload{}).Where("id = ? AND status = ?", id, UploadOpen).Updates(map[string]any{
		"status": UploadComplete, "key": f.Key, "size": f.Size, "sha256": f.SHA256, "content_type": f.ContentType})
	if res.Error != nil || res.RowsAffected == 0 {
		s.Discard(ctx, f)
		if res.Error != nil {
			return nil, res.Error
		}
		return nil, fmt.Errorf("upload %s was completed meanwhile: %w", id, apperr.ErrConflict)
	}
	s.dropParts(ctx, id, u.Parts)
	return s.st.upload(ctx, nil, id)
}

func (s *Service) dropParts(ctx context.Context, id string, parts []UploadPart) {
	for _, p := range parts {
		_ = s.objects.Delete(ctx, p.Key)
	}
	_ = s.db.WithContext(ctx).Where("upload_id = ?", id).Delete(&UploadPart{}).Error
}

// AbortUpload deletes an upload that has not been used and its stored bytes.
func (s *Service) AbortUpload(ctx context.Context, id string) error {
	u, err := s.ownUpload(ctx, nil, id)
	if err != nil {
		return err
	}
	if u.Status == UploadUsed {
		return fmt.Errorf("upload %s is attached to a resource: %w", id, apperr.ErrConflict)
	}
	s.dropParts(ctx, id, u.Parts)
	if u.Key != "" {
		_ = s.objects.Delete(ctx, u.Key)
	}
	return s.db.WithContext(ctx).Where("id = ?", id).Delete(&Upload{}).Error
}

// TakeUpload turns a completed upload of the caller into a stored file, marking it used so it
// is attached only once. Release undoes that after a refusal.
func (s *Service) TakeUpload(ctx context.Context, id string) (*StoredFile, error) {
	u, err := s.ownUpload(ctx, nil, id)
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) || errors.Is(err, apperr.ErrForbidden) {
			return nil, apperr.Invalid("upload_id", "does not name one of your uploads")
		}
		return nil, err
	}
	if u.Status != UploadComplete {
		return nil, apperr.Invalid("upload_id", "is not a completed, unused upload")
	}
	res := s.db.WithContext(ctx).Model(&Upload{}).Where("id = ? AND status = ?", id, UploadComplete).Update("status", UploadUsed)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, apperr.Invalid("upload_id", "is not a completed, unused upload")
	}
	f := &StoredFile{Key: u.Key, Filename: u.Filename, ContentType: u.ContentType, Size: u.Size, SHA256: u.SHA256}
	if strings.HasPrefix(f.ContentType, "application/pdf") {
		f.Text = s.pdfText(ctx, f.Key, f.Size)
	}
	return f, nil
}

// ReleaseUpload makes a taken upload usable again after the resource was refused.
func (s *Service) ReleaseUpload(ctx context.Context, id string) {
	_ = s.db.WithContext(context.WithoutCancel(ctx)).Model(&Upload{}).Where("id = ? AND status = ?", id, UploadUsed).Update("status", UploadComplete).Error
}
