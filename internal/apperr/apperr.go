// Package apperr holds the typed errors that services return and handlers map to responses.
package apperr

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Sentinel errors; wrap them with fmt.Errorf("...: %w", ErrX) to add a message.
var (
	ErrNotFound        = errors.New("not found")
	ErrForbidden       = errors.New("forbidden")
	ErrUnauthenticated = errors.New("authentication required")
	ErrConflict        = errors.New("conflict")
	ErrTooLarge        = errors.New("too large")
	ErrUnsupported     = errors.New("unsupported media type")
)

// Validation is a validation failure with messages per field.
type Validation struct {
	Message string
	Fields  map[string]string
}

func (v *Validation) Error() string {
	keys := make([]string, 0, len(v.Fields))
	for k := range v.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+" "+v.Fields[k])
	}
	msg := v.Message
	if msg == "" {
		msg = "validation failed"
	}
	if len(parts) == 0 {
		return msg
	}
	return msg + ": " + strings.Join(parts, "; ")
}

// Fields collects field errors; Err returns nil when there are none.
type Fields map[string]string

// Add records msg for field unless the field already has one.
func (f Fields) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Check records msg for field when bad is true.
func (f Fields) Check(bad bool, field, msg string) {
	if bad {
		f.Add(field, msg)
	}
}

// Err returns a *Validation or nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Validation{Fields: f}
}

// Invalid returns a validation error for one field.
func Invalid(field, msg string) error {
	return &Validation{Fields: map[string]string{field: msg}}
}

// RateLimited says the caller must wait.
type RateLimited struct {
	RetryAfter time.Duration
	Message    string
}

func (r *RateLimited) Error() string { return r.Message }

// Status is an error with an explicit HTTP status and code, for the rare case the sentinels
// do not fit (e.g. 403 "account_pending").
type Status struct {
	HTTP    int
	Code    string
	Message string
}

func (s *Status) Error() string { return s.Message }

// New returns a *Status.
func New(http int, code, format string, args ...any) error {
	return &Status{HTTP: http, Code: code, Message: fmt.Sprintf(format, args...)}
}
