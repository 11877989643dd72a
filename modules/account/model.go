// Package account manages people, organisations, roles, registration, login and tokens.
package account

import (
	"strings"
	"time"
)

// User statuses.
const (
	StatusPending   = "pending"
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// Organisation types.
var OrgTypes = []string{"ncb", "police", "customs", "immigration", "prosecution", "academy", "international", "other"}

// User is a person with an account.
type User struct {
	ID           int64  `gorm:"primaryKey"`
	Email        string `gorm:"size:254;not null"`
	EmailKey     string `gorm:"size:254;not null;uniqueIndex"` // lower-cased e-mail
	Name         string `gorm:"size:200;not null"`
	PasswordHash string `gorm:"size:200;not null;default:''"`
	Language     string `gorm:"size:5;not null;default:'en'"`
	Country      string `gorm:"size:2;not null;default:'';index"`
	OrgID        *int64 `gorm:"index"`
	Roles        string `gorm:"size:200;not null;default:''"` // space-separated extra roles
	Status       string `gorm:"size:20;not null;index"`
	// Coordinator scope: one country or one organisation.
	ScopeCountry string `gorm:"size:2;not null;default:''"`
	ScopeOrgID   *int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	LastLoginAt  *time.Time
}

// RoleList returns the user's roles, learner first.
func (u *User) RoleList() []string {
	out := []string{"learner"}
	for _, r := range strings.Fields(u.Roles) {
		if r != "learner" {
			out = append(out, r)
		}
	}
	return out
}

// Organisation is a national central bureau, police force, agency or international body.
type Organisation struct {
	ID        int64  `gorm:"primaryKey"`
	Name      string `gorm:"size:200;not null"`
	Type      string `gorm:"size:20;not null"`
	Country   string `gorm:"size:2;not null;default:'';index"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// RefreshToken is one stored (hashed) refresh token. Tokens rotated from one login share a
// family; reuse of a used token revokes the family.
type RefreshToken struct {
	ID        int64     `gorm:"primaryKey"`
	UserID    int64     `gorm:"not null;index"`
	Family    string    `gorm:"size:64;not null;index"`
	Hash      string    `gorm:"size:64;not null;uniqueIndex"`
	ExpiresAt time.Time `gorm:"not null"`
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}
