package xapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
)

// Scopes a credential can hold (the xAPI specification's OAuth scopes).
const (
	ScopeStatementsWrite    = "statements/write"
	ScopeStatementsRead     = "statements/read"
	ScopeStatementsReadMine = "statements/read/mine"
	ScopeAllRead            = "all/read"
	ScopeAll                = "all"
	ScopeState              = "state"
	ScopeProfile            = "profile"
	ScopeDefine             = "define"
)

// AllScopes lists the scopes accepted when creating credentials.
var AllScopes = []string{ScopeStatementsWrite, ScopeStatementsRead, ScopeStatementsReadMine, ScopeAllRead, ScopeAll, ScopeState, ScopeProfile, ScopeDefine}

// NewCredential is what an admin asks for.
type NewCredential struct {
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
}

// CreatedCredential is returned once, with the secret.
type CreatedCredential struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Username  string    `json:"username"`
	Password  string    `json:"password"`
	Scopes    []string  `json:"scopes"`
	Authority any       `json:"authority"`
	CreatedAt time.Time `json:"created_at"`
}

// CredentialView is a credential without its secret.
type CredentialView struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Username   string     `json:"username"`
	Scopes     []string   `json:"scopes"`
	Authority  any        `json:"authority"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func view(c *Credential) CredentialView {
	var a any
	_ = json.Unmarshal([]byte(c.Authority), &a)
	return CredentialView{ID: c.ID, Name: c.Name, Username: c.Username, Scopes: strings.Fields(c.Scopes),
		Authority: a, CreatedAt: c.CreatedAt, LastUsedAt: c.LastUsedAt}
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// CreateCredential stores new credentials. Callers that are not the CLI must be admins.
func (s *Service) CreateCredential(ctx context.Context, in NewCredential) (*CreatedCredential, error) {
	var createdBy *int64
	if p := auth.FromContext(ctx); p != nil {
		if !p.IsAdmin() {
			return nil, apperr.ErrForbidden
		}
		createdBy = &p.UserID
	} else if !isSystem(ctx) {
		return nil, apperr.ErrUnauthenticated
	}
	f := apperr.Fields{}
	in.Name = strings.TrimSpace(in.Name)
	f.Check(in.Name == "" || len(in.Name) > 200, "name", "is required (at most 200 characters)")
	if len(in.Scopes) == 0 {
		in.Scopes = []string{ScopeAll}
	}
	for _, sc := range in.Scopes {
		f.Check(!slices.Contains(AllScopes, sc), "scopes", "must be among "+strings.Join(AllScopes, ", "))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	slices.Sort(in.Scopes)
	in.Scopes = slices.Compact(in.Scopes)
	username := "lrs_" + strings.ToLower(hex.EncodeToString([]byte(randomToken(9)))[:16])
	password := randomToken(32)
	authority := map[string]any{"objectType": "Agent", "name": in.Name,
		"account": map[string]any{"homePage": s.baseURL, "name": username}}
	araw, _ := json.Marshal(authority)
	c := &Credential{Name: in.Name, Username: username, SecretHash: hashSecret(password), Scopes: strings.Join(in.Scopes, " "),
		Authority: string(araw), CreatedBy: createdBy, CreatedAt: s.now()}
	if err := s.db.WithContext(ctx).Create(c).Error; err != nil {
		return nil, err
	}
	return &CreatedCredential{ID: c.ID, Name: c.Name, Username: username, Password: password, Scopes: in.Scopes,
		Authority: authority, CreatedAt: c.CreatedAt}, nil
}

// ListCredentials lists credentials (admins only), newest first.
func (s *Service) ListCredentials(ctx context.Context, offset, limit int) ([]CredentialView, int64, error) {
	if _, err := auth.RequireRole(ctx, auth.RoleAdmin); err != nil {
		return nil, 0, err
	}
	var total int64
	if err := s.db.WithContext(ctx).Model(&Credential{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Credential
	if err := s.db.WithContext(ctx).Order("id DESC").Offset(offset).Limit(limit).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]CredentialView, len(rows))
	for i := range rows {
		out[i] = view(&rows[i])
	}
	return out, total, nil
}

// DeleteCredential revokes credentials (admins only).
func (s *Service) DeleteCredential(ctx context.Context, id int64) error {
	if _, err := auth.RequireRole(ctx, auth.RoleAdmin); err != nil {
		return err
	}
	res := s.db.WithContext(ctx).Delete(&Credential{}, id)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("credential %d: %w", id, apperr.ErrNotFound)
	}
	return nil
}

// checkBasic returns the credential whose username and secret match.
func (s *Service) checkBasic(ctx context.Context, username, password string) (*Credential, error) {
	var c Credential
	err := s.db.WithContext(ctx).Where("username = ?", username).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		hashSecret(password) // same work as a known user
		return nil, apperr.ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(hashSecret(password)), []byte(c.SecretHash)) != 1 {
		return nil, apperr.ErrUnauthenticated
	}
	now := s.now()
	if c.LastUsedAt == nil || now.Sub(*c.LastUsedAt) > time.Minute {
		_ = s.db.WithContext(ctx).Model(&Credential{}).Where("id = ?", c.ID).Update("last_used_at", now).Error
	}
	return &c, nil
}

type systemKey struct{}

// SystemContext marks ctx as the administrator's command line (glc lrs credential create).
func SystemContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, systemKey{}, true)
}

func isSystem(ctx context.Context) bool { v, _ := ctx.Value(systemKey{}).(bool); return v }
