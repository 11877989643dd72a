package library

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/httpx"
)

// maxFieldBytes bounds one text field of a multipart form.
const maxFieldBytes = 64 << 10

// resourceForm is a parsed multipart resource form. The file parts are already in storage.
type resourceForm struct {
	In       ResourceInput
	File     *StoredFile
	Cover    *StoredFile
	UploadID string
	values   map[string][]string
}

// discard removes what the form stored, after a refusal.
func (f *resourceForm) discard(ctx context.Context, s *Service) {
	s.Discard(ctx, f.File)
	s.Discard(ctx, f.Cover)
	if f.UploadID != "" && f.File != nil {
		s.ReleaseUpload(ctx, f.UploadID)
	}
}

// readForm reads a multipart resource form. The parts "file" and "cover" are streamed to
// object storage as they arrive (r.MultipartReader, nothing buffered whole). When the CSRF
// check of a browser session has already parsed the form (Go keeps big files in temporary
// files, not memory), the parsed form is used instead.
func (s *Service) readForm(c *gin.Context, withFile bool) (*resourceForm, error) {
	ctx := c.Request.Context()
	if _, err := requireEditor(ctx); err != nil {
		return nil, err
	}
	form := &resourceForm{values: map[string][]string{}}
	var err error
	if mf := c.Request.MultipartForm; mf != nil {
		err = form.fromParsed(ctx, s, mf, withFile)
	} else {
		err = form.fromStream(c, s, withFile)
	}
	if err == nil {
		err = form.decode()
	}
	if err == nil && form.UploadID != "" {
		if form.File != nil {
			err = apperr.Invalid("upload_id", "send either a file or an upload_id, not both")
		} else if withFile {
			form.File, err = s.TakeUpload(ctx, form.UploadID)
		}
	}
	if err != nil {
		form.discard(ctx, s)
		return nil, err
	}
	return form, nil
}

func (f *resourceForm) store(ctx context.Context, s *Service, name, filename string, r io.Reader) error {
	var err error
	switch name {
	case "file":
		if f.File != nil {
			return apperr.Invalid("file", "send one file")
		}
		f.File, err = s.StoreFile(ctx, r, filename)
	case "cover":
		if f.Cover != nil {
			return apperr.Invalid("cover", "send one cover")
		}
		f.Cover, err = s.StoreCover(ctx, r)
	default:
		return apperr.Invalid(name, "is not a known file field")
	}
	return err
}

func (f *resourceForm) fromStream(c *gin.Context, s *Service, withFile bool) error {
	ctx := c.Request.Context()
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.maxBytes+maxCoverBytes+(4<<20))
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return apperr.New(http.StatusUnsupportedMediaType, "unsupported_media_type", "Send multipart/form-data.")
	}
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return fmt.Errorf("the request is too large: %w", apperr.ErrTooLarge)
			}
			return apperr.New(http.StatusBadRequest, "invalid_multipart", "The multipart body could not be read.")
		}
		if n > 200 {
			return apperr.New(http.StatusBadRequest, "invalid_multipart", "Too many parts.")
		}
		name := part.FormName()
		if part.FileName() != "" || name == "file" || name == "cover" {
			if name == "file" && !withFile {
				return apperr.Invalid("file", "is not accepted here")
			}
			err = f.store(ctx, s, name, part.FileName(), part)
		} else {
			err = f.value(name, part)
		}
		part.Close()
		if err != nil {
			return err
		}
	}
}

func (f *resourceForm) value(name string, r io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(r, maxFieldBytes+1))
	if err != nil {
		return apperr.New(http.StatusBadRequest, "invalid_multipart", "The multipart body could not be read.")
	}
	if len(b) > maxFieldBytes {
		return apperr.Invalid(name, "is too long")
	}
	f.values[name] = append(f.values[name], string(b))
	return nil
}

func (f *resourceForm) fromParsed(ctx context.Context, s *Service, mf *multipart.Form, withFile bool) error {
	for k, vs := range mf.Value {
		f.values[k] = append(f.values[k], vs...)
	}
	for name, fhs := range mf.File {
		if name == "file" && !withFile {
			return apperr.Invalid("file", "is not accepted here")
		}
		for _, fh := range fhs {
			if fh.Size == 0 && fh.Filename == "" {
				continue // an empty file input
			}
			r, err := fh.Open()
			if err != nil {
				return err
			}
			err = f.store(ctx, s, name, fh.Filename, r)
			r.Close()
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// formFields are the text fields a resource form may carry.
var formFields = map[string]bool{"kind": true, "title": true, "summary": true, "authors": true, "language": true, "topic": true,
	"region": true, "published_on": true, "tags": true, "licence": true, "access": true, "access_roles": true,
	"access_countries": true, "access_organisations": true, "series_id": true, "issue_number": true, "contents": true,
	"url": true, "country": true, "upload_id": true, httpx.CSRFField: true}

// decode turns the text fields into the input.
func (f *resourceForm) decode() error {
	fe := apperr.Fields{}
	str := func(k string) *string {
		vs, ok := f.values[k]
		if !ok {
			return nil
		}
		v := strings.ReplaceAll(vs[len(vs)-1], "\r\n", "\n")
		return &v
	}
	list := func(k string) *[]string {
		vs, ok := f.values[k]
		if !ok {
			return nil
		}
		out := []string{}
		for _, v := range vs {
			for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
				out = append(out, p)
			}
		}
		return &out
	}
	for k := range f.values {
		fe.Check(!formFields[k], k, "is not a known field")
	}
	in := &f.In
	in.Kind, in.Title, in.Summary, in.Authors = str("kind"), str("title"), str("summary"), str("authors")
	in.Language, in.Topic, in.Region, in.PublishedOn = str("language"), str("topic"), str("region"), str("published_on")
	in.Tags, in.Licence, in.Access, in.Contents = str("tags"), str("licence"), str("access"), str("contents")
	in.URL, in.Country = str("url"), str("country")
	in.AccessRoles, in.AccessCountries = list("access_roles"), list("access_countries")
	if orgs := list("access_organisations"); orgs != nil {
		ids := []int64{}
		for _, o := range *orgs {
			n, err := strconv.ParseInt(o, 10, 64)
			fe.Check(err != nil, "access_organisations", "must be organisation ids")
			ids = append(ids, n)
		}
		in.AccessOrgs = &ids
	}
	if v := str("series_id"); v != nil {
		n := int64(0)
		if strings.TrimSpace(*v) != "" {
			var err error
			n, err = strconv.ParseInt(strings.TrimSpace(*v), 10, 64)
			fe.Check(err != nil || n < 0, "series_id", "must be a series id")
		}
		in.SeriesID = &n
	}
	if v := str("issue_number"); v != nil {
		n := 0
		if strings.TrimSpace(*v) != "" {
			var err error
			n, err = strconv.Atoi(strings.TrimSpace(*v))
			fe.Check(err != nil || n < 0, "issue_number", "must be a whole number")
		}
		in.IssueNumber = &n
	}
	if v := str("upload_id"); v != nil {
		f.UploadID = strings.TrimSpace(*v)
	}
	return fe.Err()
}
