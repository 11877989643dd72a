package xapi

import (
	"fmt"
	"net/http"

	"glc/internal/apperr"
)

// badRequest is the answer to everything the specification refuses with 400.
func badRequest(msg string) error { return apperr.New(http.StatusBadRequest, "bad_request", "%s", msg) }

func badRequestf(format string, args ...any) error { return badRequest(fmt.Sprintf(format, args...)) }

var (
	errPrecondition   = apperr.New(http.StatusPreconditionFailed, "precondition_failed", "The document has changed (If-Match / If-None-Match failed).")
	errNoPrecondition = apperr.New(http.StatusConflict, "conflict", "The document exists: send If-Match with its ETag (or If-None-Match: *) to change it.")
)
