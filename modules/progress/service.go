package progress

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/config"
	"glc/internal/database"
	"glc/internal/jobs"
	"glc/storage"
)

// Translator translates a catalogue message (web.Catalogue.T).
type Translator func(lang, id string, args ...any) string

// Service holds the progress rules.
type Service struct {
	db       *database.DB
	cfg      config.Config
	log      *slog.Logger
	store    storage.Store
	courses  Courses
	accounts Accounts
	jobs     *jobs.Queue
	t        Translator
	now      func() time.Time
}

// NewService builds the service. Without d.Courses it reads the course module's tables
// (SQLCourses); without d.Accounts it grants roles in the users table (SQLAccounts).
func NewService(d Deps) *Service {
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	courses := d.Courses
	if courses == nil {
		courses = SQLCourses{DB: d.DB}
	}
	accounts := d.Accounts
	if accounts == nil {
		accounts = SQLAccounts{DB: d.DB}
	}
	return &Service{db: d.DB, cfg: d.Cfg, log: log, store: d.Store, courses: courses, accounts: accounts, jobs: d.Jobs,
		t: func(_, id string, _ ...any) string { return id }, now: func() time.Time { return time.Now().UTC() }}
}

// SetCourses wires the course module (the app does it once both are built).
func (s *Service) SetCourses(c Courses) { s.courses = c }

// SetAccounts wires the account module.
func (s *Service) SetAccounts(a Accounts) { s.accounts = a }

// SetTranslator sets the message catalogue used for documents (certificates, transcripts).
func (s *Service) SetTranslator(t Translator) { s.t = t }

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) coursesOrErr() (Courses, error) {
	if s.courses == nil {
		return nil, fmt.Errorf("courses are not available: %w", apperr.ErrNotFound)
	}
	return s.courses, nil
}

// dbx returns tx when set, else the service's database, bound to ctx.
func (s *Service) dbx(ctx context.Context, tx *gorm.DB) *gorm.DB {
	if tx != nil {
		return tx.WithContext(ctx)
	}
	return s.db.WithContext(ctx)
}

// userRow is the read-only view of a user that this module needs (the users table belongs to
// the account module; reports join it in SQL anyway).
type userRow struct {
	ID       int64
	Name     string
	Email    string
	Language string
	Country  string
	OrgID    *int64
	Roles    string
	Status   string
}

func (userRow) TableName() string { return "users" }

func (u userRow) has(role string) bool { return slices.Contains(strings.Fields(u.Roles), role) }

func (s *Service) user(ctx context.Context, tx *gorm.DB, id int64) (*userRow, error) {
	var u userRow
	err := s.dbx(ctx, tx).Take(&u, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("user %d: %w", id, apperr.ErrNotFound)
	}
	return &u, err
}

// months returns the translated month names for documents.
func (s *Service) months(lang string) [12]string {
	var m [12]string
	for i := range m {
		m[i] = s.t(lang, fmt.Sprintf("progress.month.%d", i+1))
	}
	return m
}

// dbTime scans a timestamp computed by SQL (MAX(...)), which SQLite returns as text.
type dbTime struct{ time.Time }

// Scan implements sql.Scanner.
func (t *dbTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		t.Time = time.Time{}
		return nil
	case time.Time:
		t.Time = x.UTC()
		return nil
	case []byte:
		return t.parse(string(x))
	case string:
		return t.parse(x)
	}
	return fmt.Errorf("cannot scan %T into a time", v)
}

func (t *dbTime) parse(s string) error {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("cannot parse time %q", s)
}

// Value implements driver.Valuer.
func (t dbTime) Value() (driver.Value, error) { return t.Time, nil }
