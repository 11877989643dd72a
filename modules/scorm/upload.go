package scorm

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
)

// uploadFields are the form fields an upload may carry beside the file: the new lesson's
// settings.
var uploadFields = []string{"max_attempts", "mastery_score"}

// receiveUpload streams the multipart part "file" into a temporary file (never into memory),
// refusing bodies larger than GLC_MAX_UPLOAD_MB with 413. The caller closes and removes it.
// The new lesson's settings fields (max_attempts, mastery_score) are read when they come
// before the file, and checked before the file is read (422 listing the bad fields).
func (s *Service) receiveUpload(c *gin.Context) (*os.File, int64, SettingsIn, error) {
	f, n, fields, err := s.receiveParts(c)
	if err != nil {
		return nil, 0, SettingsIn{}, err
	}
	set, err := settingsForm(func(k string) string { return fields[k] }, false)
	if err != nil {
		removeTemp(f)
		return nil, 0, SettingsIn{}, err
	}
	return f, n, set, nil
}

func (s *Service) receiveParts(c *gin.Context) (*os.File, int64, map[string]string, error) {
	limit := s.cfg.MaxUploadMB << 20
	fields := map[string]string{}
	if c.Request.MultipartForm != nil { // already parsed (the CSRF check read a form field)
		for _, k := range uploadFields {
			fields[k] = c.PostForm(k)
		}
		if _, err := settingsForm(func(k string) string { return fields[k] }, false); err != nil {
			return nil, 0, nil, err
		}
		fh, err := c.FormFile("file")
		if err != nil {
			return nil, 0, nil, apperr.Invalid("file", "is required (a zip file in the multipart part \"file\")")
		}
		if fh.Size > limit {
			return nil, 0, nil, tooLarge(limit)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, 0, nil, err
		}
		defer f.Close()
		tf, n, err := toTemp(f, limit)
		return tf, n, fields, err
	}
	if !strings.HasPrefix(c.ContentType(), "multipart/form-data") {
		return nil, 0, nil, apperr.New(http.StatusUnsupportedMediaType, "unsupported_media_type", "Send the package as multipart/form-data with the zip in the part \"file\".")
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+1<<20)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, 0, nil, apperr.New(http.StatusUnsupportedMediaType, "unsupported_media_type", "Send the package as multipart/form-data with the zip in the part \"file\".")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, 0, nil, apperr.Invalid("file", "is required (a zip file in the multipart part \"file\")")
		}
		if err != nil {
			return nil, 0, nil, uploadError(err, limit)
		}
		if name := part.FormName(); name != "file" {
			if slices.Contains(uploadFields, name) {
				v, err := io.ReadAll(io.LimitReader(part, 101))
				if err != nil {
					part.Close()
					return nil, 0, nil, uploadError(err, limit)
				}
				if len(v) > 100 {
					v = []byte("?") // not a number: refused as such
				}
				fields[name] = string(v)
			}
			part.Close()
			continue
		}
		if _, err := settingsForm(func(k string) string { return fields[k] }, false); err != nil {
			part.Close()
			return nil, 0, nil, err // refused before the file is read
		}
		f, n, err := toTemp(part, limit)
		part.Close()
		if err != nil {
			return nil, 0, nil, uploadError(err, limit)
		}
		return f, n, fields, nil
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
