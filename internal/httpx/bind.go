package httpx

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
)

// maxJSONBody bounds JSON request bodies.
const maxJSONBody = 4 << 20

func decodeStrict(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return apperr.New(http.StatusUnsupportedMediaType, "unsupported_media_type", "Send JSON with Content-Type: application/json.")
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.More() {
			return apperr.New(http.StatusBadRequest, "invalid_json", "The body holds more than one JSON value.")
		}
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var big *http.MaxBytesError
	switch {
	case errors.As(err, &big):
		return err
	case errors.Is(err, io.EOF):
		return apperr.New(http.StatusBadRequest, "invalid_json", "The request body is empty; send a JSON object.")
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(http.StatusBadRequest, "invalid_json", "The request body is not valid JSON.")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return apperr.Invalid(field, "must be of type "+typ.Type.String())
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Invalid(name, "is not a known field")
	}
	return apperr.New(http.StatusBadRequest, "invalid_json", "The request body could not be read.")
}

// Page is a validated pagination request.
type Page struct {
	Page    int
	PerPage int
}

// Offset is the number of rows to skip.
func (p Page) Offset() int { return (p.Page - 1) * p.PerPage }

// List is the JSON shape of every paginated list.
type List[T any] struct {
	Items []T   `json:"items"`
	Total int64 `json:"total"`
}

// Paging reads page and per_page (default 1 and 20, per_page at most 100).
func Paging(c *gin.Context) (Page, error) {
	p := Page{Page: 1, PerPage: 20}
	f := apperr.Fields{}
	if s := c.Query("page"); s != "" {
		n, err := strconv.Atoi(s)
		f.Check(err != nil || n < 1, "page", "must be a whole number from 1")
		p.Page = n
	}
	if s := c.Query("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		f.Check(err != nil || n < 1 || n > 100, "per_page", "must be a whole number from 1 to 100")
		p.PerPage = n
	}
	return p, f.Err()
}

// ParamID reads a positive integer path parameter; on failure it answers 404 and returns false.
func ParamID(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id < 1 {
		Fail(c, apperr.ErrNotFound)
		return 0, false
	}
	return id, true
}
