package account

import (
	"strings"

	"github.com/gin-gonic/gin"
)

// Cookie names of the browser session.
const (
	AccessCookie  = "glc_access"
	RefreshCookie = "glc_refresh"
)

// Authenticate puts the current user in the context when the request carries a valid access
// token (Authorization: Bearer, or the access cookie) of an active user. A request with an
// invalid token continues anonymously; routes that need a user refuse it with 401.
func (s *Service) Authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		tok := ""
		if h := c.GetHeader("Authorization"); strings.HasPrefix(h, "Bearer ") {
			tok = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
		} else if ck, err := c.Cookie(AccessCookie); err == nil {
			tok = ck
		}
		if tok == "" {
			c.Next()
			return
		}
		id, _, err := s.tokens.Verify(tok)
		if err != nil {
			c.Next()
			return
		}
		u, err := s.Get(c.Request.Context(), id)
		if err != nil || u.Status != StatusActive {
			c.Next()
			return
		}
		setPrincipal(c, u)
		c.Next()
	}
}
