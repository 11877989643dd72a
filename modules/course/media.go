package course

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // image sizes
	_ "image/jpeg" // image sizes
	_ "image/png"  // image sizes
	"io"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	_ "golang.org/x/image/webp" // image sizes
	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/storage"
)

// sniffSize is how much of an upload is read before it is stored, to tell its type.
const sniffSize = 64 << 10

// Media classes.
const (
	classVideo    = "video"
	classDocument = "document"
	classImage    = "image"
)

// Sniff tells an upload's content type from its first bytes (never from its name) and its
// class: video (MP4, WebM), document (PDF, Office Open XML, OpenDocument, legacy Office) or
// image (PNG, JPEG, GIF, WebP). Anything else is "" and refused.
func Sniff(head []byte) (contentType, class string) {
	switch {
	case isMP4(head):
		return "video/mp4", classVideo
	case bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}) && bytes.Contains(head[:min(len(head), 64)], []byte("webm")):
		return "video/webm", classVideo
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "application/pdf", classDocument
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return "application/vnd.ms-office", classDocument
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		if ct := officeZip(head); ct != "" {
			return ct, classDocument
		}
		return "", ""
	}
	switch ct := http.DetectContentType(head); ct {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
		return ct, classImage
	case "video/mp4", "video/webm":
		return ct, classVideo
	}
	return "", ""
}

// isMP4 checks for an ISO base media file with an MP4 brand (ftyp box first).
func isMP4(b []byte) bool {
	if len(b) < 16 || string(b[4:8]) != "ftyp" {
		return false
	}
	size := int(b[0])<<24 | int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	if size < 16 || size > len(b) {
		size = min(len(b), 64)
	}
	brands := []string{"isom", "iso2", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "dash", "msnv"}
	for i := 8; i+4 <= size; i += 4 {
		if i == 12 { // minor version
			continue
		}
		if slices.Contains(brands, string(b[i:i+4])) {
			return true
		}
	}
	return false
}

// officeZip recognises Office Open XML and OpenDocument files among zip archives by the names
// of their first entries.
func officeZip(head []byte) string {
	// OpenDocument: the first entry is "mimetype", stored, holding the type.
	if len(head) > 30 && string(head[30:min(len(head), 38)]) == "mimetype" {
		rest := head[38:min(len(head), 38+80)]
		for _, t := range []string{"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet", "application/vnd.oasis.opendocument.presentation"} {
			if bytes.HasPrefix(rest, []byte(t)) {
				return t
			}
		}
		return ""
	}
	ooxml := false
	for off := 0; off+30 <= len(head); {
		i := bytes.Index(head[off:], []byte("PK\x03\x04"))
		if i < 0 || off+i+30 > len(head) {
			break
		}
		h := head[off+i:]
		n := int(h[26]) | int(h[27])<<8
		if 30+n > len(h) {
			break
		}
		name := string(h[30 : 30+n])
		switch {
		case name == "[Content_Types].xml":
			ooxml = true
		case strings.HasPrefix(name, "word/"):
			return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		case strings.HasPrefix(name, "xl/"):
			return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		case strings.HasPrefix(name, "ppt/"):
			return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
		}
		off += i + 30 + n
	}
	_ = ooxml
	return ""
}

// classesFor lists what can be uploaded to a lesson of kind.
func classesFor(kind string) []string {
	switch kind {
	case KindVideo:
		return []string{classVideo, classImage}
	case KindDocument:
		return []string{classDocument, classImage}
	case KindText:
		return []string{classImage}
	}
	return nil
}

// limitReader fails with a 413 once more than n bytes have been read.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, apperr.ErrTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, fmt.Errorf("the file is larger than the limit: %w", apperr.ErrTooLarge)
	}
	return n, err
}

// MaxUpload is the largest accepted upload in bytes.
func (s *Service) MaxUpload() int64 { return s.cfg.MaxUploadMB << 20 }

// SafeName keeps a file name for Content-Disposition only (never as a path).
func SafeName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	if len([]rune(name)) > 150 {
		name = string([]rune(name)[:150])
	}
	if name == "." || name == "" {
		return "file"
	}
	return name
}

// UploadMedia stores an upload for a lesson. Videos (video lessons) and documents (document
// lessons) become the lesson's media in language (default: the course's default language),
// replacing the previous one; images are attached for use in the lesson's Markdown. The
// content is streamed to storage; its type comes from its bytes.
func (s *Service) UploadMedia(ctx context.Context, lessonID int64, language, name string, r io.Reader) (*MediaView, error) {
	a, err := s.editLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	allowed := classesFor(a.l.Kind)
	if allowed == nil {
		return nil, apperr.Invalid("kind", "files can only be uploaded to text, video and document lessons")
	}
	f := apperr.Fields{}
	var lp *string
	if language != "" {
		lp = &language
	}
	lang, err := s.contentLanguage(ctx, a.c, lp, f)
	if err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	file, err := s.storeUpload(ctx, a.c.ID, &a.l.ID, lang, name, r, allowed)
	if err != nil {
		return nil, err
	}
	var old *int64
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(file).Error; err != nil {
			return err
		}
		if classOf(file.ContentType) == classImage {
			return nil // an image for the lesson's Markdown
		}
		var ct Content
		err := tx.Where("lesson_id = ? AND language = ?", lessonID, lang).Take(&ct).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			// A media file in a language the lesson has no text in yet: copy the title.
			var def Content
			if err := tx.Where("lesson_id = ? AND language = ?", lessonID, a.c.DefaultLanguage).Take(&def).Error; err != nil {
				return err
			}
			ct = Content{LessonID: lessonID, Language: lang, Title: def.Title, CreatedAt: s.now()}
		} else if err != nil {
			return err
		}
		old = ct.MediaFileID
		ct.MediaFileID, ct.UpdatedAt = &file.ID, s.now()
		if err := tx.Save(&ct).Error; err != nil {
			return err
		}
		return touch(tx, a.c.ID, s.now())
	})
	if err != nil {
		_ = s.store.Delete(context.WithoutCancel(ctx), file.Key)
		return nil, err
	}
	if old != nil {
		s.removeFile(ctx, *old)
	}
	return mediaView(lessonID, file, lang), nil
}

func classOf(contentType string) string {
	switch {
	case strings.HasPrefix(contentType, "video/"):
		return classVideo
	case strings.HasPrefix(contentType, "image/"):
		return classImage
	}
	return classDocument
}

// storeUpload sniffs, streams to storage and describes an upload (not yet saved in the database).
func (s *Service) storeUpload(ctx context.Context, courseID int64, lessonID *int64, lang, name string, r io.Reader, allowed []string) (*File, error) {
	p := s.principalID(ctx)
	br := bufio.NewReaderSize(&limitReader{r: r, n: s.MaxUpload()}, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if len(head) == 0 {
		return nil, apperr.Invalid("file", "is empty")
	}
	ct, class := Sniff(head)
	if class == "" || !slices.Contains(allowed, class) {
		return nil, fmt.Errorf("this file type is not accepted here (accepted: %s): %w", strings.Join(allowed, ", "), apperr.ErrUnsupported)
	}
	id := uuid.NewString()
	key := fmt.Sprintf("courses/%d/files/%s", courseID, id)
	info, err := s.store.Put(ctx, key, br, -1, ct)
	if err != nil {
		_ = s.store.Delete(context.WithoutCancel(ctx), key)
		return nil, err
	}
	f := &File{UUID: id, CourseID: courseID, LessonID: lessonID, Language: lang, Key: key, ContentType: ct, Size: info.Size,
		Name: SafeName(name), CreatedBy: p, CreatedAt: s.now()}
	if class == classImage {
		if err := s.imageSize(ctx, f); err != nil {
			_ = s.store.Delete(context.WithoutCancel(ctx), key)
			return nil, apperr.Invalid("file", "is not a readable image")
		}
	}
	return f, nil
}

func (s *Service) imageSize(ctx context.Context, f *File) error {
	obj, err := s.store.Get(ctx, f.Key)
	if err != nil {
		return err
	}
	defer obj.Close()
	cfg, _, err := image.DecodeConfig(bufio.NewReader(obj))
	if err != nil {
		return err
	}
	f.Width, f.Height = cfg.Width, cfg.Height
	return nil
}

func (s *Service) removeFile(ctx context.Context, id int64) {
	var f File
	if err := s.db.WithContext(ctx).Take(&f, id).Error; err != nil {
		return
	}
	if err := s.db.WithContext(ctx).Delete(&File{}, id).Error; err != nil {
		return
	}
	if err := s.store.Delete(context.WithoutCancel(ctx), f.Key); err != nil {
		s.log.Warn("delete replaced media", "key", f.Key, "err", err)
	}
}

func mediaView(lessonID int64, f *File, lang string) *MediaView {
	u := fmt.Sprintf("/api/v1/lessons/%d/files/%d", lessonID, f.ID)
	return &MediaView{ID: f.ID, URL: u, DownloadURL: u + "?download=1", ContentType: f.ContentType, Size: f.Size, Name: f.Name, Width: f.Width, Height: f.Height}
}

func coverURL(courseID int64, f File) string {
	return fmt.Sprintf("/api/v1/courses/%d/cover?v=%d", courseID, f.ID)
}

func (s *Service) fillCover(ctx context.Context, c *Course, u *string, w, h *int) error {
	if c.CoverFileID == nil {
		return nil
	}
	var f File
	err := s.db.WithContext(ctx).Take(&f, *c.CoverFileID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	*u, *w, *h = coverURL(c.ID, f), f.Width, f.Height
	return nil
}

// LessonFile returns a file of a lesson that the caller may open.
func (s *Service) LessonFile(ctx context.Context, lessonID, fileID int64) (*File, error) {
	if _, err := s.readLesson(ctx, lessonID); err != nil {
		return nil, err
	}
	var f File
	err := s.db.WithContext(ctx).Where("id = ? AND lesson_id = ?", fileID, lessonID).Take(&f).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("file %d: %w", fileID, apperr.ErrNotFound)
	}
	return &f, err
}

// LessonMedia returns the lesson's media in the chosen variant.
func (s *Service) LessonMedia(ctx context.Context, lessonID int64, variant, ui string) (*File, error) {
	v, err := s.Lesson(ctx, lessonID, variant, ui)
	if err != nil {
		return nil, err
	}
	if v.Media == nil {
		return nil, fmt.Errorf("lesson %d has no media: %w", lessonID, apperr.ErrNotFound)
	}
	return s.LessonFile(ctx, lessonID, v.Media.ID)
}

// UploadCover sets a course's cover image.
func (s *Service) UploadCover(ctx context.Context, courseID int64, name string, r io.Reader) (*CourseView, error) {
	a, err := s.editCourse(ctx, courseID)
	if err != nil {
		return nil, err
	}
	file, err := s.storeUpload(ctx, courseID, nil, "", name, r, []string{classImage})
	if err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(file).Error; err != nil {
			return err
		}
		return tx.Model(&Course{}).Where("id = ?", courseID).Updates(map[string]any{"cover_file_id": file.ID, "updated_at": s.now()}).Error
	})
	if err != nil {
		_ = s.store.Delete(context.WithoutCancel(ctx), file.Key)
		return nil, err
	}
	if a.c.CoverFileID != nil {
		s.removeFile(ctx, *a.c.CoverFileID)
	}
	return s.Get(ctx, courseID, "", "")
}

// Cover returns the cover image of a course the caller may see.
func (s *Service) Cover(ctx context.Context, courseID int64) (*File, error) {
	a, err := s.readCourse(ctx, courseID)
	if err != nil {
		return nil, err
	}
	if a.c.CoverFileID == nil {
		return nil, fmt.Errorf("course %d has no cover: %w", courseID, apperr.ErrNotFound)
	}
	var f File
	if err := s.db.WithContext(ctx).Take(&f, *a.c.CoverFileID).Error; err != nil {
		return nil, fmt.Errorf("cover: %w", apperr.ErrNotFound)
	}
	return &f, nil
}

// SignedTTL is how long a signed media URL lives.
const SignedTTL = 5 * time.Minute

// Redirects reports whether f is handed out as a signed URL to the object store (S3) rather
// than streamed by the app: large media and downloads are; images and PDFs shown in the page
// are streamed so that they come from our own origin.
func (s *Service) Redirects(f *File, download bool) bool {
	if s.store.Kind() != "s3" {
		return false
	}
	return download || classOf(f.ContentType) == classVideo
}

// SignedURL returns a short-lived URL of f on the object store.
func (s *Service) SignedURL(ctx context.Context, f *File, download bool) (string, error) {
	name := ""
	if download {
		name = f.Name
	}
	return s.store.SignedURL(ctx, f.Key, SignedTTL, name)
}

// Open opens f's object.
func (s *Service) Open(ctx context.Context, f *File) (storage.Object, error) {
	return s.store.Get(ctx, f.Key)
}

// MediaOrigin is the origin of signed media URLs ("" when media come from our own origin).
func (s *Service) MediaOrigin() string { return s.mediaOrigin }

// lessonFiles lists a lesson's files (for its editor).
func (s *Service) lessonFiles(ctx context.Context, lessonID int64) ([]MediaView, error) {
	var fs []File
	if err := s.db.WithContext(ctx).Where("lesson_id = ?", lessonID).Order("id").Find(&fs).Error; err != nil {
		return nil, err
	}
	out := make([]MediaView, len(fs))
	for i := range fs {
		out[i] = *mediaView(lessonID, &fs[i], fs[i].Language)
	}
	return out, nil
}
