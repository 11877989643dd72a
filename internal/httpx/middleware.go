package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"glc/internal/logctx"
)

type ctxKey int

const requestIDKey ctxKey = 0

// RequestIDHeader carries the request ID in and out.
const RequestIDHeader = "X-Request-ID"

// RequestID gives every request an ID (kept from the header when it looks sane), puts it in the
// response header and in a logger stored in the request context.
func RequestID(base *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(RequestIDHeader)
		if len(id) < 8 || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
			id = newID()
		}
		c.Header(RequestIDHeader, id)
		l := base.With("request_id", id)
		ctx := context.WithValue(c.Request.Context(), requestIDKey, id)
		ctx = logctx.With(ctx, l)
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// RequestIDFrom returns the request ID in ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

// LoggerFrom returns the request's logger, or slog.Default().
func LoggerFrom(ctx context.Context) *slog.Logger { return logctx.From(ctx, slog.Default()) }

// Logger returns the request's logger.
func Logger(c *gin.Context) *slog.Logger { return LoggerFrom(c.Request.Context()) }

// AccessLog logs one line per request.
func AccessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		status := c.Writer.Status()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		if strings.HasPrefix(route, "/static/") || route == "/healthz" || route == "/metrics" {
			level = slog.LevelDebug
		}
		Logger(c).Log(c.Request.Context(), level, "request", "method", c.Request.Method, "path", c.Request.URL.Path,
			"route", route, "status", status, "bytes", c.Writer.Size(), "ms", time.Since(start).Milliseconds(), "ip", c.ClientIP())
	}
}

// Recover turns a panic into a 500 and logs the stack.
func Recover() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				Logger(c).ErrorContext(c.Request.Context(), "panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				if !c.Writer.Written() {
					c.AbortWithStatusJSON(http.StatusInternalServerError, ErrorBody{Error: ErrorDetail{Code: "internal", Message: "Something went wrong on our side."}})
				} else {
					c.Abort()
				}
			}
		}()
		c.Next()
	}
}

// SecurityOptions configure SecurityHeaders.
type SecurityOptions struct {
	// TLS adds Strict-Transport-Security (the portal is served over https).
	TLS bool
	// FrameOrigins may be framed by pages besides the portal itself (GLC_CONTENT_ORIGIN, which
	// serves uploaded package content).
	FrameOrigins []string
}

// SecurityHeaders sets conservative defaults. Pages load nothing from other origins. Handlers
// that serve package content replace the CSP with their own.
func SecurityHeaders(o SecurityOptions) gin.HandlerFunc {
	frames := strings.TrimSpace("'self' " + strings.Join(o.FrameOrigins, " "))
	csp := "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; script-src 'self'; object-src 'none'; frame-src " + frames + "; frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		h.Set("Content-Security-Policy", csp)
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
		if o.TLS {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		c.Next()
	}
}

// BodyLimit refuses request bodies larger than limit bytes (413) before any middleware reads
// them (the CSRF check parses forms).
func BodyLimit(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > limit {
			Fail(c, &http.MaxBytesError{Limit: limit})
			return
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}
