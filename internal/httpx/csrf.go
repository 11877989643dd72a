package httpx

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
)

// CSRF cookie, form field and header names.
const (
	CSRFCookie = "glc_csrf"
	CSRFField  = "csrf_token"
	CSRFHeader = "X-CSRF-Token"
	csrfCtxKey = "glc.csrf"
)

// CSRFOptions configure the double-submit check.
type CSRFOptions struct {
	// Secure marks the cookie Secure (when served over TLS).
	Secure bool
	// SessionCookies are cookies whose presence means the browser session is in use.
	SessionCookies []string
	// Exempt path prefixes (e.g. /xapi/ which authenticates each request itself).
	Exempt []string
	// OnFail answers a refused request (default: the JSON error); pages render an HTML page.
	OnFail func(c *gin.Context, err error)
}

// CSRF implements double-submit protection for browser requests: every unsafe request that
// does not carry an Authorization header, and either carries the session cookie or is not a
// JSON request, must echo the glc_csrf cookie in the csrf_token form field or X-CSRF-Token
// header. A JSON request without cookies cannot be forged cross-site (it needs a CORS
// preflight that we never grant).
func CSRF(o CSRFOptions) gin.HandlerFunc {
	return func(c *gin.Context) {
		token, err := c.Cookie(CSRFCookie)
		if err != nil || len(token) < 32 {
			token = newID() + newID()
			http.SetCookie(c.Writer, &http.Cookie{Name: CSRFCookie, Value: token, Path: "/", HttpOnly: true, Secure: o.Secure, SameSite: http.SameSiteLaxMode})
		}
		c.Set(csrfCtxKey, token)
		if safeMethod(c.Request.Method) || c.GetHeader("Authorization") != "" || exempt(c.Request.URL.Path, o.Exempt) {
			c.Next()
			return
		}
		if !usesSession(c, o.SessionCookies) && strings.HasPrefix(c.ContentType(), "application/json") {
			c.Next()
			return
		}
		sent := c.GetHeader(CSRFHeader)
		if sent == "" {
			sent = c.PostForm(CSRFField)
		}
		if subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
			err := apperr.New(http.StatusForbidden, "csrf_failed", "The form has expired or did not come from this site. Reload the page and try again.")
			if o.OnFail != nil {
				o.OnFail(c, err)
				c.Abort()
				return
			}
			Fail(c, err)
			return
		}
		c.Next()
	}
}

// CSRFToken returns the token for forms rendered in this request.
func CSRFToken(c *gin.Context) string { return c.GetString(csrfCtxKey) }

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func exempt(path string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

func usesSession(c *gin.Context, names []string) bool {
	for _, n := range names {
		if _, err := c.Cookie(n); err == nil {
			return true
		}
	}
	return false
}
