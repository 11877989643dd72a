package account

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/config"
	"glc/internal/database"
	"glc/internal/jobs"
	"glc/internal/web"
)

// Service holds the account rules.
type Service struct {
	db     *database.DB
	cfg    config.Config
	tokens *auth.Tokens
	log    *slog.Logger
	now    func() time.Time
	mailer Mailer
	// translate renders a catalogue message in a language (e-mails); set once the catalogue
	// is loaded.
	translate func(lang, id string, args ...any) string

	countriesOnce sync.Once
	countries     []Country
	countryByCode map[string]Country
	countriesErr  error

	imports sync.WaitGroup
	bgCtx   context.Context
	jobs    *jobs.Queue
}

// NewService builds the service.
func NewService(db *database.DB, cfg config.Config, tokens *auth.Tokens, log *slog.Logger) *Service {
	s := &Service{db: db, cfg: cfg, tokens: tokens, log: log, now: func() time.Time { return time.Now().UTC() },
		bgCtx: context.Background()}
	if cfg.SMTPAddr != "" {
		s.mailer = &SMTPMailer{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom}
	}
	s.translate = func(_, id string, _ ...any) string { return id }
	return s
}

// Tokens returns the access-token issuer.
func (s *Service) Tokens() *auth.Tokens { return s.tokens }

// SetClock replaces the clock of the service and its token issuer (tests).
func (s *Service) SetClock(now func() time.Time) {
	s.now = func() time.Time { return now().UTC() }
	s.tokens.SetClock(now)
}

// SetMailer replaces the mailer (nil: no e-mail).
func (s *Service) SetMailer(m Mailer) { s.mailer = m }

// AllRoles are the roles a user can hold.
var AllRoles = []string{auth.RoleLearner, auth.RoleInstructor, auth.RoleCoordinator, auth.RoleAdmin}

func normEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// checkEmail records a field error when e is not a plain e-mail address.
func checkEmail(f apperr.Fields, field, e string) {
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > 254 || strings.ContainsAny(e, " <>\"") {
		f.Add(field, "must be a valid e-mail address")
	}
}

func checkName(f apperr.Fields, n string) {
	f.Check(n == "" || len([]rune(n)) > 200, "name", "is required (at most 200 characters)")
}

func checkLanguage(f apperr.Fields, l string) {
	f.Check(!web.Supported(l), "language", "must be one of en, fr, es, ar")
}

func checkRoles(f apperr.Fields, roles []string) {
	for _, r := range roles {
		f.Check(!slices.Contains(AllRoles, r), "roles", "must be among learner, instructor, coordinator, admin")
	}
}

// normRoles drops duplicates and "learner" (everyone is a learner) and sorts.
func normRoles(roles []string) []string {
	var out []string
	for _, r := range roles {
		r = strings.TrimSpace(strings.ToLower(r))
		if r != "" && r != auth.RoleLearner && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

// checkCountry records a field error when code is not a known country; empty passes unless
// required.
func (s *Service) checkCountry(ctx context.Context, f apperr.Fields, field, code string, required bool) {
	if code == "" {
		f.Check(required, field, "is required")
		return
	}
	if _, ok := s.country(ctx, code); !ok {
		f.Add(field, "must be an ISO 3166-1 alpha-2 country code")
	}
}

// checkOrg records a field error when id names no organisation.
func (s *Service) checkOrg(ctx context.Context, f apperr.Fields, field string, id *int64) {
	if id == nil {
		return
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&Organisation{}).Where("id = ?", *id).Count(&n).Error; err != nil || n == 0 {
		f.Add(field, "must name an existing organisation")
	}
}

// loadCountries reads the country list once.
func (s *Service) loadCountries(ctx context.Context) error {
	s.countriesOnce.Do(func() {
		var list []Country
		if err := s.db.WithContext(ctx).Order("code").Find(&list).Error; err != nil {
			s.countriesErr = err
			return
		}
		s.countries = list
		s.countryByCode = make(map[string]Country, len(list))
		for _, c := range list {
			s.countryByCode[c.Code] = c
		}
	})
	return s.countriesErr
}

// Countries lists every country and territory, by code.
func (s *Service) Countries(ctx context.Context) ([]Country, error) {
	if err := s.loadCountries(ctx); err != nil {
		return nil, err
	}
	return s.countries, nil
}

func (s *Service) country(ctx context.Context, code string) (Country, bool) {
	if s.loadCountries(ctx) != nil {
		return Country{}, false
	}
	c, ok := s.countryByCode[code]
	return c, ok
}

// CountryName returns the name of code in lang, or the code itself.
func (s *Service) CountryName(ctx context.Context, code, lang string) string {
	if c, ok := s.country(ctx, code); ok {
		return c.Name(lang)
	}
	return code
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

// byEmail loads a user by e-mail (case-insensitive); nil when there is none.
func (s *Service) byEmail(ctx context.Context, email string) (*User, error) {
	var u User
	err := s.db.WithContext(ctx).Where("email_key = ?", normEmail(email)).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
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

// IssueAccess signs an access token for the user outside any session (tests, tools).
func (s *Service) IssueAccess(u *User) (string, time.Time, error) { return s.tokens.Issue(u.ID, "") }

// Mail sends a message in the user's language when SMTP is configured; failures are logged.
func (s *Service) mail(ctx context.Context, u *User, subjectID, bodyID string, args ...any) {
	if s.mailer == nil {
		return
	}
	msg := Message{To: u.Email, Subject: s.translate(u.Language, subjectID), Body: s.translate(u.Language, bodyID, args...)}
	if err := s.mailer.Send(ctx, []Message{msg}); err != nil {
		s.log.Warn("e-mail not sent", "to", u.ID, "err", err)
	}
}
