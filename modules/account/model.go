// Package account manages people, organisations, roles, registration, login and tokens.
package account

import (
	"slices"
	"strings"
	"time"
)

// User statuses.
const (
	StatusPending   = "pending"
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// Statuses lists every user status.
var Statuses = []string{StatusPending, StatusActive, StatusSuspended}

// OrgTypes are the kinds of organisation: national central bureau, police force, customs,
// immigration, prosecution service, training academy, international body.
var OrgTypes = []string{"ncb", "police", "customs", "immigration", "prosecution", "academy", "international"}

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
		if r != "learner" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// HasRole reports whether the user holds role.
func (u *User) HasRole(role string) bool { return slices.Contains(u.RoleList(), role) }

// Organisation is a national central bureau, police force, agency or international body.
type Organisation struct {
	ID        int64     `gorm:"primaryKey" json:"id"`
	Name      string    `gorm:"size:200;not null" json:"name"`
	Type      string    `gorm:"size:20;not null" json:"type"`
	Country   string    `gorm:"size:2;not null;default:'';index" json:"country"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Country is an ISO 3166-1 country or territory with its names.
type Country struct {
	Code   string `gorm:"primaryKey;size:2"`
	NameEn string
	NameFr string
	NameEs string
	NameAr string
}

// Name returns the country's name in lang (English when unknown).
func (c Country) Name(lang string) string {
	switch lang {
	case "fr":
		return c.NameFr
	case "es":
		return c.NameEs
	case "ar":
		return c.NameAr
	}
	return c.NameEn
}

// UserSession is one login: the family of refresh tokens rotated from it. Access tokens name
// it in their "sid" claim, so revoking the session ends them too.
type UserSession struct {
	ID         string `gorm:"primaryKey;size:32"`
	UserID     int64  `gorm:"not null;index"`
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  *time.Time
}

// RefreshToken is one stored (hashed) refresh token of a session. Each is used once; using
// one that was already used revokes its session.
type RefreshToken struct {
	ID        int64     `gorm:"primaryKey"`
	UserID    int64     `gorm:"not null;index"`
	SessionID string    `gorm:"size:32;not null;index"`
	Hash      string    `gorm:"size:64;not null;uniqueIndex"`
	ExpiresAt time.Time `gorm:"not null"`
	UsedAt    *time.Time
	CreatedAt time.Time
}

// ActivationToken is a one-time, expiring link with which a user sets a password.
type ActivationToken struct {
	ID        int64     `gorm:"primaryKey"`
	UserID    int64     `gorm:"not null;index"`
	Hash      string    `gorm:"size:64;not null;uniqueIndex"`
	ExpiresAt time.Time `gorm:"not null"`
	UsedAt    *time.Time
	CreatedAt time.Time
}

// LoginAttempt counts failed logins for one key (an account or a client address), shared by
// every replica through the database.
type LoginAttempt struct {
	Key         string    `gorm:"primaryKey;size:300"`
	Failures    int       `gorm:"not null;default:0"`
	WindowStart time.Time `gorm:"not null"`
	Strikes     int       `gorm:"not null;default:0"`
	LockedUntil *time.Time
	UpdatedAt   time.Time `gorm:"not null;index"`
}

// UserImport records one CSV import: its progress and, once finished, its result (JSON).
type UserImport struct {
	ID         int64  `gorm:"primaryKey"`
	PublicID   string `gorm:"size:36;not null;uniqueIndex"`
	CreatedBy  int64  `gorm:"not null;index"`
	Status     string `gorm:"size:20;not null"`
	Total      int    `gorm:"not null;default:0"`
	Done       int    `gorm:"not null;default:0"`
	Data       string `gorm:"type:text;not null;default:''"` // the CSV while it waits to be imported
	Result     string `gorm:"type:text;not null;default:''"`
	Error      string `gorm:"type:text;not null;default:''"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt *time.Time
}

// Import statuses.
const (
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)
