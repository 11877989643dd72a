// Package auth issues and verifies tokens, hashes passwords and carries the current user.
package auth

import (
	"context"
	"slices"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
)

// Roles.
const (
	RoleLearner     = "learner"
	RoleInstructor  = "instructor"
	RoleCoordinator = "coordinator"
	RoleAdmin       = "admin"
)

// Principal is the authenticated user of a request.
type Principal struct {
	UserID   int64
	Email    string
	Name     string
	Roles    []string
	Country  string
	OrgID    int64 // 0 when none
	Language string
	// Coordinator scope: a country code or an organisation id (one of them).
	ScopeCountry string
	ScopeOrgID   int64
}

// Has reports whether the principal holds role (admins hold every role's powers only where a
// service says so; Has is literal).
func (p *Principal) Has(role string) bool {
	if p == nil {
		return false
	}
	if role == RoleLearner {
		return true
	}
	return slices.Contains(p.Roles, role)
}

// IsAdmin reports whether the principal is an admin.
func (p *Principal) IsAdmin() bool { return p.Has(RoleAdmin) }

// Covers reports whether p may act on (approve, see reports of) a person of the given country
// and organisation (0: none): admins cover everyone, a coordinator covers their scope (one
// organisation, or one country), others nobody. Services use it for object-level checks.
func (p *Principal) Covers(country string, orgID int64) bool {
	switch {
	case p == nil:
		return false
	case p.IsAdmin():
		return true
	case !p.Has(RoleCoordinator):
		return false
	case p.ScopeOrgID != 0:
		return orgID == p.ScopeOrgID
	}
	return p.ScopeCountry != "" && country == p.ScopeCountry
}

type ctxKey struct{}

const ginKey = "glc.principal"

// WithPrincipal stores p in ctx.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal in ctx, or nil for anonymous requests.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}

// SetPrincipal attaches p to the Gin context and its request context.
func SetPrincipal(c *gin.Context, p *Principal) {
	c.Set(ginKey, p)
	c.Request = c.Request.WithContext(WithPrincipal(c.Request.Context(), p))
}

// Current returns the request's principal, or nil.
func Current(c *gin.Context) *Principal {
	if v, ok := c.Get(ginKey); ok {
		p, _ := v.(*Principal)
		return p
	}
	return nil
}

// Require returns the principal or apperr.ErrUnauthenticated.
func Require(ctx context.Context) (*Principal, error) {
	p := FromContext(ctx)
	if p == nil {
		return nil, apperr.ErrUnauthenticated
	}
	return p, nil
}

// RequireRole returns the principal when it holds one of roles; 401 or 403 otherwise.
func RequireRole(ctx context.Context, roles ...string) (*Principal, error) {
	p, err := Require(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		if p.Has(r) {
			return p, nil
		}
	}
	return nil, apperr.ErrForbidden
}
