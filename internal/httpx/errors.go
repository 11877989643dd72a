// Package httpx holds the HTTP plumbing: the Gin engine, middleware, error responses and
// pagination.
package httpx

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"glc/internal/apperr"
)

// ErrorBody is the JSON shape of every API error.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong.
type ErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// StatusClientClosed is recorded when the client went away before the answer (nginx's 499).
const StatusClientClosed = 499

// Classify maps an error to a status and body.
func Classify(err error) (int, ErrorDetail) {
	var v *apperr.Validation
	var st *apperr.Status
	var rl *apperr.RateLimited
	switch {
	case errors.As(err, &v):
		msg := v.Message
		if msg == "" {
			msg = "The request has invalid fields."
		}
		return http.StatusUnprocessableEntity, ErrorDetail{Code: "validation_failed", Message: msg, Fields: v.Fields}
	case errors.As(err, &st):
		return st.HTTP, ErrorDetail{Code: st.Code, Message: st.Message}
	case errors.As(err, &rl):
		return http.StatusTooManyRequests, ErrorDetail{Code: "rate_limited", Message: rl.Message}
	case errors.Is(err, apperr.ErrNotFound):
		return http.StatusNotFound, ErrorDetail{Code: "not_found", Message: message(err, "Not found.")}
	case errors.Is(err, apperr.ErrForbidden):
		return http.StatusForbidden, ErrorDetail{Code: "forbidden", Message: message(err, "You are not allowed to do this.")}
	case errors.Is(err, apperr.ErrUnauthenticated):
		return http.StatusUnauthorized, ErrorDetail{Code: "unauthenticated", Message: message(err, "Authentication is required.")}
	case errors.Is(err, apperr.ErrConflict):
		return http.StatusConflict, ErrorDetail{Code: "conflict", Message: message(err, "The request conflicts with the current state.")}
	case errors.Is(err, apperr.ErrTooLarge):
		return http.StatusRequestEntityTooLarge, ErrorDetail{Code: "too_large", Message: message(err, "The request is too large.")}
	case errors.Is(err, apperr.ErrUnsupported):
		return http.StatusUnsupportedMediaType, ErrorDetail{Code: "unsupported_media_type", Message: message(err, "This type of content is not accepted.")}
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, ErrorDetail{Code: "too_large", Message: fmt.Sprintf("The request is larger than the limit of %d bytes.", mbe.Limit)}
	// Safety nets for store errors a service passed on unconverted.
	case errors.Is(err, gorm.ErrRecordNotFound):
		return http.StatusNotFound, ErrorDetail{Code: "not_found", Message: "Not found."}
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return http.StatusConflict, ErrorDetail{Code: "conflict", Message: "The request conflicts with the current state."}
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, ErrorDetail{Code: "timeout", Message: "The request took too long; try again."}
	case errors.Is(err, context.Canceled):
		return StatusClientClosed, ErrorDetail{Code: "canceled", Message: "The request was canceled."}
	}
	return http.StatusInternalServerError, ErrorDetail{Code: "internal", Message: "Something went wrong on our side."}
}

// message returns the wrapped text before the sentinel, or def.
func message(err error, def string) string {
	s := err.Error()
	for _, sentinel := range []error{apperr.ErrNotFound, apperr.ErrForbidden, apperr.ErrUnauthenticated, apperr.ErrConflict, apperr.ErrTooLarge, apperr.ErrUnsupported} {
		if s == sentinel.Error() {
			return def
		}
		s = strings.TrimSuffix(s, ": "+sentinel.Error())
	}
	if s == "" {
		return def
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Fail writes err as a JSON error response and aborts the chain. 5xx errors are logged.
func Fail(c *gin.Context, err error) {
	status, d := Classify(err)
	var rl *apperr.RateLimited
	if errors.As(err, &rl) {
		c.Header("Retry-After", fmt.Sprint(int(math.Ceil(rl.RetryAfter.Seconds()))))
	}
	if status >= 500 && status != http.StatusServiceUnavailable {
		_ = c.Error(err)
		Logger(c).ErrorContext(c.Request.Context(), "request failed", "err", err)
	}
	c.AbortWithStatusJSON(status, ErrorBody{Error: d})
}

// BindJSON decodes the body into v, refusing unknown fields and malformed JSON with 422/400.
func BindJSON(c *gin.Context, v any) bool {
	if err := decodeStrict(c.Request, v); err != nil {
		Fail(c, err)
		return false
	}
	return true
}
