package library

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/storage"
)

// maxCoverBytes bounds cover images.
const maxCoverBytes = 5 << 20

// StoredFile is a file already streamed into object storage, not yet attached to a resource.
type StoredFile struct {
	Key         string
	Filename    string
	ContentType string
	Size        int64
	SHA256      string
	Text        string // extracted text of a PDF, for the search index
}

func (f *StoredFile) row(resourceID, userID int64) *ResourceFile {
	return &ResourceFile{ResourceID: resourceID, Key: f.Key, Filename: f.Filename, ContentType: f.ContentType,
		Size: f.Size, SHA256: f.SHA256, CreatedBy: userID}
}

// limitReader counts what passes and fails once more than max bytes went through.
type limitReader struct {
	r   io.Reader
	n   int64
	max int64
}

var errTooLarge = errors.New("library: upload too large")

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.max {
		return n, errTooLarge
	}
	return n, err
}

// safeContentType turns a sniffed type into the type stored and served: anything a browser
// could run (HTML, XML, SVG, scripts) is served as plain bytes.
func safeContentType(sniffed string) string {
	base := strings.TrimSpace(strings.SplitN(sniffed, ";", 2)[0])
	switch {
	case strings.Contains(base, "html"), strings.Contains(base, "xml"), strings.Contains(base, "javascript"), strings.Contains(base, "svg"):
		return "application/octet-stream"
	}
	return sniffed
}

// cleanFilename keeps the base name of a client's file name for Content-Disposition only; it
// is never used as a path.
func cleanFilename(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" || name == "" {
		name = "file"
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[len(r)-200:])
	}
	return name
}

// StoreFile streams r into object storage under a new key, sniffing its type, hashing it and
// refusing it (413, object removed) past the upload limit. Nothing is held whole in memory.
func (s *Service) StoreFile(ctx context.Context, r io.Reader, filename string) (*StoredFile, error) {
	if _, err := requireEditor(ctx); err != nil {
		return nil, err
	}
	return s.storeStream(ctx, "library/files/"+uuid.NewString(), r, filename, s.maxBytes)
}

func (s *Service) storeStream(ctx context.Context, key string, r io.Reader, filename string, max int64) (*StoredFile, error) {
	br := bufio.NewReaderSize(r, 4096)
	head, _ := br.Peek(512)
	ctype := safeContentType(http.DetectContentType(head))
	lr := &limitReader{r: br, max: max}
	h := sha256.New()
	if _, err := s.objects.Put(ctx, key, io.TeeReader(lr, h), -1, ctype); err != nil {
		_ = s.objects.Delete(context.WithoutCancel(ctx), key)
		if errors.Is(err, errTooLarge) || lr.n > max {
			return nil, fmt.Errorf("the file is larger than the limit of %d MiB: %w", max>>20, apperr.ErrTooLarge)
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, fmt.Errorf("the request is larger than the limit: %w", apperr.ErrTooLarge)
		}
		return nil, err
	}
	f := &StoredFile{Key: key, Filename: cleanFilename(filename), ContentType: ctype, Size: lr.n, SHA256: hex.EncodeToString(h.Sum(nil))}
	if strings.HasPrefix(ctype, "application/pdf") {
		f.Text = s.pdfText(ctx, key, lr.n)
	}
	return f, nil
}

// StoreCover streams an image (PNG, JPEG, GIF or WebP, at most 5 MiB) into storage.
func (s *Service) StoreCover(ctx context.Context, r io.Reader) (*StoredFile, error) {
	if _, err := requireEditor(ctx); err != nil {
		return nil, err
	}
	f, err := s.storeStream(ctx, "library/covers/"+uuid.NewString(), r, "cover", maxCoverBytes)
	if err != nil {
		return nil, err
	}
	switch f.ContentType {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
		return f, nil
	}
	s.Discard(ctx, f)
	return nil, fmt.Errorf("a cover must be a PNG, JPEG, GIF or WebP image: %w", apperr.ErrUnsupported)
}

// Discard removes a stored file that was not attached (after a refusal).
func (s *Service) Discard(ctx context.Context, f *StoredFile) {
	if f == nil {
		return
	}
	if err := s.objects.Delete(context.WithoutCancel(ctx), f.Key); err != nil {
		s.log.Warn("library: discard object", "key", f.Key, "err", err)
	}
}

// ReplaceFile adds a new version of a resource's file; older versions are kept.
func (s *Service) ReplaceFile(ctx context.Context, id int64, file *StoredFile) (*ResourceFile, error) {
	p, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	var row *ResourceFile
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		r, err := s.st.resource(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Kind == KindLink {
			return apperr.Invalid("file", "a training website has no file")
		}
		row = file.row(id, p.UserID)
		if err := s.st.addFile(ctx, tx, row); err != nil {
			return err
		}
		r.FileText = file.Text
		return s.st.saveResource(ctx, tx, r)
	})
	return row, err
}

// SetCover stores a new cover for a resource and deletes the old one.
func (s *Service) SetCover(ctx context.Context, id int64, cover *StoredFile) error {
	if _, err := requireEditor(ctx); err != nil {
		return err
	}
	r, err := s.st.resource(ctx, nil, id)
	if err != nil {
		return err
	}
	old := r.CoverKey
	if err := s.db.WithContext(ctx).Model(&Resource{}).Where("id = ?", id).Update("cover_key", cover.Key).Error; err != nil {
		return err
	}
	if old != "" {
		_ = s.objects.Delete(ctx, old)
	}
	return nil
}

// Download is a checked download: either a signed URL to redirect to (S3) or an open object
// to stream (local disk).
type Download struct {
	File   *ResourceFile
	URL    string
	Object storage.Object
}

// Open checks access to a resource's file (the newest version, or version when > 0), counts
// the download when count is set, and returns where the bytes are.
func (s *Service) Open(ctx context.Context, id int64, version int, count bool) (*Download, error) {
	p := auth.FromContext(ctx)
	r, err := s.st.resource(ctx, nil, id)
	if err != nil {
		return nil, err
	}
	if err := canView(p, r); err != nil {
		return nil, err
	}
	f, err := s.fileVersion(ctx, id, version)
	if err != nil {
		return nil, err
	}
	d := &Download{File: f}
	if s.objects.Kind() == "s3" {
		if d.URL, err = s.objects.SignedURL(ctx, f.Key, s.SignedTTL, f.Filename); err != nil {
			return nil, err
		}
	} else if d.Object, err = s.objects.Get(ctx, f.Key); err != nil {
		return nil, err
	}
	if count {
		var uid *int64
		if p != nil {
			uid = &p.UserID
		}
		if err := s.st.countDownload(ctx, id, uid, s.now()); err != nil {
			s.log.Warn("library: count download", "resource", id, "err", err)
		}
	}
	return d, nil
}

func (s *Service) fileVersion(ctx context.Context, id int64, version int) (*ResourceFile, error) {
	if version <= 0 {
		return s.st.latestFile(ctx, nil, id)
	}
	var f ResourceFile
	if err := s.db.WithContext(ctx).Where("resource_id = ? AND version = ?", id, version).Take(&f).Error; err != nil {
		return nil, notFound("version", version, err)
	}
	return &f, nil
}

// SignedURL returns a signed URL of the newest file valid for ttl, after the access check (S3
// only).
func (s *Service) SignedURL(ctx context.Context, id int64, ttl time.Duration) (string, error) {
	r, err := s.st.resource(ctx, nil, id)
	if err != nil {
		return "", err
	}
	if err := canView(auth.FromContext(ctx), r); err != nil {
		return "", err
	}
	f, err := s.st.latestFile(ctx, nil, id)
	if err != nil {
		return "", err
	}
	return s.objects.SignedURL(ctx, f.Key, ttl, f.Filename)
}

// Cover opens a resource's cover image.
func (s *Service) Cover(ctx context.Context, id int64) (storage.Object, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.CoverKey == "" {
		return nil, fmt.Errorf("resource %d has no cover: %w", id, apperr.ErrNotFound)
	}
	return s.objects.Get(ctx, r.CoverKey)
}
