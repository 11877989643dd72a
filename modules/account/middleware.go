package account

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"glc/internal/auth"
)

// Cookie names of the browser session.
const (
	AccessCookie  = "glc_access"
	RefreshCookie = "glc_refresh"
)

type sessionKey struct{}

// sessionFrom returns the session id of the request's access token ("" when none).
func sessionFrom(ctx context.Context) string {
	s, _ := ctx.Value(sessionKey{}).(string)
	return s
}

func setPrincipal(c *gin.Context, u *User, sid string) {
	auth.SetPrincipal(c, Principal(u))
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), sessionKey{}, sid))
}

// Authenticate puts the current user in the context when the request carries a valid access
// token (Authorization: Bearer, or the access cookie) of an active user in a live session.
// Browser sessions whose access cookie is missing or expired are refreshed transparently from
// the refresh cookie. A request with an invalid token continues anonymously; routes that need
// a user refuse it with 401.
func (s *Service) Authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		if h := c.GetHeader("Authorization"); h != "" {
			if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
				if u, cl, err := s.Authenticated(ctx, strings.TrimSpace(tok)); err == nil {
					setPrincipal(c, u, cl.SessionID)
				}
			}
			c.Next()
			return
		}
		if tok, err := c.Cookie(AccessCookie); err == nil && tok != "" {
			if u, cl, err := s.Authenticated(ctx, tok); err == nil {
				setPrincipal(c, u, cl.SessionID)
				c.Next()
				return
			}
		}
		if rt, err := c.Cookie(RefreshCookie); err == nil && rt != "" {
			pair, u, err := s.refresh(ctx, rt, rotationGrace)
			switch {
			case err == nil:
				s.SetSessionCookies(c, pair)
				setPrincipal(c, u, pair.SessionID)
			case errors.Is(err, errRecentlyRotated):
			case errors.Is(err, ErrBadRefresh):
				s.ClearSessionCookies(c)
			default:
				s.log.Warn("refresh from cookie", "err", err)
			}
		}
		c.Next()
	}
}

func (s *Service) secureCookies() bool { return strings.HasPrefix(s.cfg.BaseURL, "https://") }

func (s *Service) cookie(c *gin.Context, name, value string, maxAge time.Duration) {
	ck := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode}
	if maxAge > 0 {
		ck.MaxAge = int(maxAge.Seconds())
	} else {
		ck.MaxAge = -1
	}
	http.SetCookie(c.Writer, ck)
}

// SetSessionCookies stores a token pair in HttpOnly cookies.
func (s *Service) SetSessionCookies(c *gin.Context, p *Pair) {
	s.cookie(c, AccessCookie, p.AccessToken, p.AccessExpires.Sub(s.now()))
	s.cookie(c, RefreshCookie, p.RefreshToken, p.RefreshExpires.Sub(s.now()))
}

// ClearSessionCookies removes the session cookies.
func (s *Service) ClearSessionCookies(c *gin.Context) {
	s.cookie(c, AccessCookie, "", 0)
	s.cookie(c, RefreshCookie, "", 0)
}
