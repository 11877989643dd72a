package account

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/config"
	"glc/internal/database"
)

// Service holds the account rules.
type Service struct {
	db     *database.DB
	cfg    config.Config
	tokens *auth.Tokens
	log    *slog.Logger
	now    func() time.Time
}

// NewService builds the service.
func NewService(db *database.DB, cfg config.Config, tokens *auth.Tokens, log *slog.Logger) *Service {
	return &Service{db: db, cfg: cfg, tokens: tokens, log: log, now: func() time.Time { return time.Now().UTC() }}
}

// Tokens returns the access-token issuer.
func (s *Service) Tokens() *auth.Tokens { return s.tokens }

// AllRoles are the roles a user can hold.
var AllRoles = []string{auth.RoleLearner, auth.RoleInstructor, auth.RoleCoordinator, auth.RoleAdmin}

// NewUser is what creating a user takes.
type NewUser struct {
	Email    string
	Password string // empty: no usable password until activation
	Name     string
	Country  string
	OrgID    *int64
	Roles    []string
	Language string
	Status   string
}

func normEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// Create validates and stores a user.
func (s *Service) Create(ctx context.Context, in NewUser) (*User, error) {
	f := apperr.Fields{}
	in.Email = strings.TrimSpace(in.Email)
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
		f.Add("email", "must be a valid e-mail address")
	}
	in.Name = strings.TrimSpace(in.Name)
	f.Check(in.Name == "" || len(in.Name) > 200, "name", "is required (at most 200 characters)")
	if in.Password != "" {
		if msg := PasswordProblem(in.Password, in.Email); msg != "" {
			f.Add("password", msg)
		}
	}
	for _, r := range in.Roles {
		f.Check(!slices.Contains(AllRoles, r), "roles", "must be among learner, instructor, coordinator, admin")
	}
	if in.Language == "" {
		in.Language = "en"
	}
	if in.Status == "" {
		in.Status = StatusActive
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	u := &User{Email: in.Email, EmailKey: normEmail(in.Email), Name: in.Name, Language: in.Language,
		Country: strings.ToUpper(in.Country), OrgID: in.OrgID, Roles: strings.Join(in.Roles, " "), Status: in.Status}
	if in.Password != "" {
		h, err := auth.HashPassword(in.Password)
		if err != nil {
			return nil, err
		}
		u.PasswordHash = h
	}
	if err := s.db.WithContext(ctx).Create(u).Error; err != nil {
		if database.IsUniqueViolation(err) {
			return nil, apperr.Invalid("email", "is already registered")
		}
		return nil, err
	}
	return u, nil
}

// Get loads a user by id.
func (s *Service) Get(ctx context.Context, id int64) (*User, error) {
	var u User
	err := s.db.WithContext(ctx).Take(&u, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("user %d: %w", id, apperr.ErrNotFound)
	}
	return &u, err
}

// Principal turns a user into the request principal.
func Principal(u *User) *auth.Principal {
	p := &auth.Principal{UserID: u.ID, Email: u.Email, Name: u.Name, Roles: u.RoleList(), Country: u.Country,
		Language: u.Language, ScopeCountry: u.ScopeCountry}
	if u.OrgID != nil {
		p.OrgID = *u.OrgID
	}
	if u.ScopeOrgID != nil {
		p.ScopeOrgID = *u.ScopeOrgID
	}
	return p
}

// IssueAccess signs an access token for the user.
func (s *Service) IssueAccess(u *User) (string, time.Time, error) { return s.tokens.Issue(u.ID) }

// PasswordProblem returns why pw is not acceptable, or "".
func PasswordProblem(pw, email string) string {
	if len([]rune(pw)) < 12 {
		return "must be at least 12 characters long"
	}
	if len(pw) > 256 {
		return "must be at most 256 characters long"
	}
	local := strings.ToLower(strings.SplitN(email, "@", 2)[0])
	if len(local) >= 3 && strings.Contains(strings.ToLower(pw), local) {
		return "must not contain the name part of your e-mail address"
	}
	return ""
}
