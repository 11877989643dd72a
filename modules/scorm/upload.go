package scorm

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
)

// receiveUpload streams the multipart part "file" into a temporary file (never into memory),
// refusing bodies larger than GLC_MAX_UPLOAD_MB with 413. The caller closes and removes it.
func (s *Service) receiveUpload(c *gin.Context) (*os.File, int64, error) {
	limit := s.cfg.MaxUploadMB << 20
	if c.Request.MultipartForm != nil { // already parsed (the CSRF check read a form field)
		fh, err := c.FormFile("file")
		if err != nil {
			return nil, 0, apperr.Invalid("file", "is required (a zip file in the multipart part \"file\")")
		}
		if fh.Size > limit {
			return nil, 0, tooLarge(limit)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, 0, err
		}
		defer f.Close()
		return toTemp(f, limit)
	}
	if !strings.HasPrefix(c.ContentType(), "multipart/form-data") {
		return nil, 0, apperr.New(http.StatusUnsupportedMediaType, "unsupported_media_type", "Send the package as multipart/form-data with the zip in the part \"file\".")
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+1<<20)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, 0, apperr.New(http.StatusUnsupportedMediaType, "unsupported_media_type", "Send the package as multipart/form-data with the zip in the part \"file\".")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, 0, apperr.Invalid("file", "is required (a zip file in the multipart part \"file\")")
		}
		if err != nil {
			return nil, 0, uploadError(err, limit)
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		f, n, err := toTemp(part, limit)
		part.Close()
		if err != nil {
			return nil, 0, uploadError(err, limit)
		}
		return f, n, nil
	}
}

func toTemp(r io.Reader, limit int64) (*os.File, int64, error) {
	f, err := os.CreateTemp("", "glc-package-*.zip")
	if err != nil {
		return nil, 0, err
	}
	n, err := io.Copy(f, io.LimitReader(r, limit+1))
	if err == nil && n > limit {
		err = tooLarge(limit)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, 0, err
	}
	return f, n, nil
}

func tooLarge(limit int64) error {
	return fmt.Errorf("the package is larger than the upload limit of %d MiB: %w", limit>>20, apperr.ErrTooLarge)
}

func uploadError(err error, limit int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(limit)
	}
	if errors.Is(err, apperr.ErrTooLarge) {
		return err
	}
	if errors.Is(err, multipart.ErrMessageTooLarge) {
		return tooLarge(limit)
	}
	return apperr.New(http.StatusBadRequest, "bad_upload", "The upload could not be read: %v", err)
}

func removeTemp(f *os.File) {
	if f != nil {
		f.Close()
		os.Remove(f.Name())
	}
}
