package portal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"regexp"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/database"
)

// Service holds the news and event rules. Admins publish news and events; members register.
type Service struct {
	db     *database.DB
	md     goldmark.Markdown
	policy *bluemonday.Policy
	now    func() time.Time
}

// NewService builds the service.
func NewService(db *database.DB) *Service {
	return &Service{db: db, md: goldmark.New(goldmark.WithExtensions(extension.GFM)), policy: bluemonday.UGCPolicy(),
		now: func() time.Time { return time.Now().UTC() }}
}

// Markdown renders Markdown to sanitized HTML (goldmark, then bluemonday's UGC policy).
func (s *Service) Markdown(src string) template.HTML {
	var b bytes.Buffer
	if err := s.md.Convert([]byte(src), &b); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(s.policy.SanitizeBytes(b.Bytes())) // #nosec G203 -- sanitized above
}

var langRe = regexp.MustCompile(`^[a-z]{2}$`)

func requireAdmin(ctx context.Context) (*auth.Principal, error) {
	return auth.RequireRole(ctx, auth.RoleAdmin)
}

func notFound(what string, id any, err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("%s %v: %w", what, id, apperr.ErrNotFound)
	}
	return err
}

// NewsInput creates or edits a news item. PublishedAt is RFC 3339 or YYYY-MM-DD; empty
// means now.
type NewsInput struct {
	Title       string `json:"title"`
	Summary     string `json:"summary"`
	Body        string `json:"body"`
	Topic       string `json:"topic"`
	Language    string `json:"language"`
	PublishedAt string `json:"published_at"`
}

func parseTime(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func (s *Service) newsFrom(in NewsInput, p *NewsPost) error {
	f := apperr.Fields{}
	p.Title, p.Summary, p.Body = strings.TrimSpace(in.Title), strings.TrimSpace(in.Summary), in.Body
	p.Topic, p.Language = strings.ToLower(strings.TrimSpace(in.Topic)), strings.TrimSpace(in.Language)
	f.Check(p.Title == "" || len(p.Title) > 300, "title", "is required (at most 300 characters)")
	f.Check(len(p.Summary) > 2000, "summary", "must be at most 2000 characters")
	f.Check(strings.TrimSpace(p.Body) == "" || len(p.Body) > 100000, "body", "is required (at most 100000 characters)")
	f.Check(len(p.Topic) > 60, "topic", "must be at most 60 characters")
	f.Check(!langRe.MatchString(p.Language), "language", "must be a two-letter language code")
	if strings.TrimSpace(in.PublishedAt) == "" {
		if p.PublishedAt.IsZero() {
			p.PublishedAt = s.now()
		}
	} else if t, ok := parseTime(in.PublishedAt); ok {
		p.PublishedAt = t
	} else {
		f.Add("published_at", "must be a date such as 2026-03-31 or a time such as 2026-03-31T09:00:00Z")
	}
	return f.Err()
}

// CreateNews publishes a news item.
func (s *Service) CreateNews(ctx context.Context, in NewsInput) (*NewsPost, error) {
	p, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	n := &NewsPost{CreatedBy: p.UserID}
	if err := s.newsFrom(in, n); err != nil {
		return nil, err
	}
	return n, s.db.WithContext(ctx).Create(n).Error
}

// UpdateNews edits a news item.
func (s *Service) UpdateNews(ctx context.Context, id int64, in NewsInput) (*NewsPost, error) {
	if _, err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	n, err := s.News(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.newsFrom(in, n); err != nil {
		return nil, err
	}
	return n, s.db.WithContext(ctx).Save(n).Error
}

// DeleteNews removes a news item.
func (s *Service) DeleteNews(ctx context.Context, id int64) error {
	if _, err := requireAdmin(ctx); err != nil {
		return err
	}
	if _, err := s.News(ctx, id); err != nil {
		return err
	}
	return s.db.WithContext(ctx).Delete(&NewsPost{}, id).Error
}

// News loads one item; items dated in the future are shown to admins only.
func (s *Service) News(ctx context.Context, id int64) (*NewsPost, error) {
	var n NewsPost
	if err := s.db.WithContext(ctx).Take(&n, id).Error; err != nil {
		return nil, notFound("news item", id, err)
	}
	if n.PublishedAt.After(s.now()) && !auth.FromContext(ctx).IsAdmin() {
		return nil, fmt.Errorf("news item %d: %w", id, apperr.ErrNotFound)
	}
	return &n, nil
}

// NewsList returns published items, newest first, optionally of one language.
func (s *Service) NewsList(ctx context.Context, lang string, page, perPage int) ([]NewsPost, int64, error) {
	q := s.db.WithContext(ctx).Model(&NewsPost{}).Where("published_at <= ?", s.now())
	if lang != "" {
		q = q.Where("language = ?", lang)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	out := []NewsPost{}
	err := q.Order("published_at DESC").Order("id DESC").Limit(perPage).Offset((page - 1) * perPage).Find(&out).Error
	return out, total, err
}

// EventInput creates or edits an event.
type EventInput struct {
	Title            string `json:"title"`
	Summary          string `json:"summary"`
	Programme        string `json:"programme"`
	StartsAt         string `json:"starts_at"`
	EndsAt           string `json:"ends_at"`
	Place            string `json:"place"`
	Language         string `json:"language"`
	Capacity         int    `json:"capacity"`
	RegistrationOpen bool   `json:"registration_open"`
}

func eventFrom(in EventInput, e *Event) error {
	f := apperr.Fields{}
	e.Title, e.Summary, e.Programme = strings.TrimSpace(in.Title), strings.TrimSpace(in.Summary), in.Programme
	e.Place, e.Language, e.Capacity, e.RegistrationOpen = strings.TrimSpace(in.Place), strings.TrimSpace(in.Language), in.Capacity, in.RegistrationOpen
	f.Check(e.Title == "" || len(e.Title) > 300, "title", "is required (at most 300 characters)")
	f.Check(len(e.Summary) > 2000, "summary", "must be at most 2000 characters")
	f.Check(len(e.Programme) > 50000, "programme", "must be at most 50000 characters")
	f.Check(e.Place == "" || len(e.Place) > 200, "place", "is required (at most 200 characters)")
	f.Check(!langRe.MatchString(e.Language), "language", "must be a two-letter language code")
	f.Check(e.Capacity < 0 || e.Capacity > 100000, "capacity", "must be from 0 (no registration) to 100000")
	start, ok1 := parseTime(in.StartsAt)
	end, ok2 := parseTime(in.EndsAt)
	f.Check(!ok1, "starts_at", "must be a time such as 2026-05-12T09:00:00Z")
	f.Check(!ok2, "ends_at", "must be a time such as 2026-05-14T17:00:00Z")
	f.Check(ok1 && ok2 && end.Before(start), "ends_at", "must not be before starts_at")
	e.StartsAt, e.EndsAt = start, end
	return f.Err()
}

// CreateEvent adds an event.
func (s *Service) CreateEvent(ctx context.Context, in EventInput) (*Event, error) {
	p, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	e := &Event{CreatedBy: p.UserID}
	if err := eventFrom(in, e); err != nil {
		return nil, err
	}
	return e, s.db.WithContext(ctx).Create(e).Error
}

// UpdateEvent edits an event.
func (s *Service) UpdateEvent(ctx context.Context, id int64, in EventInput) (*Event, error) {
	if _, err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	e, err := s.Event(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := eventFrom(in, e); err != nil {
		return nil, err
	}
	return e, s.db.WithContext(ctx).Omit("registered").Save(e).Error
}

// Event loads one event with its registration count.
func (s *Service) Event(ctx context.Context, id int64) (*Event, error) {
	var e Event
	if err := s.db.WithContext(ctx).Take(&e, id).Error; err != nil {
		return nil, notFound("event", id, err)
	}
	err := s.db.WithContext(ctx).Model(&Registration{}).Where("event_id = ?", id).Count(&e.Registered).Error
	return &e, err
}

// Events lists events ending from now on (upcoming) or all, by start.
func (s *Service) Events(ctx context.Context, upcoming bool, page, perPage int) ([]Event, int64, error) {
	q := s.db.WithContext(ctx).Model(&Event{})
	if upcoming {
		q = q.Where("ends_at >= ?", s.now())
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	out := []Event{}
	if err := q.Order("starts_at").Limit(perPage).Offset((page - 1) * perPage).Find(&out).Error; err != nil {
		return nil, 0, err
	}
	return out, total, s.countRegistrations(ctx, out)
}

func (s *Service) countRegistrations(ctx context.Context, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	ids := make([]int64, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	var rows []struct {
		EventID int64
		N       int64
	}
	if err := s.db.WithContext(ctx).Model(&Registration{}).Select("event_id, COUNT(*) AS n").Where("event_id IN ?", ids).Group("event_id").Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		for i := range events {
			if events[i].ID == r.EventID {
				events[i].Registered = r.N
			}
		}
	}
	return nil
}

// Register signs the caller up for an event while places remain.
func (s *Service) Register(ctx context.Context, id int64) (*Registration, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	var reg *Registration
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if s.db.Dialect == database.Postgres { // one registration at a time per event
			if err := tx.Exec("SELECT id FROM events WHERE id = ? FOR UPDATE", id).Error; err != nil {
				return err
			}
		}
		var e Event
		if err := tx.Take(&e, id).Error; err != nil {
			return notFound("event", id, err)
		}
		if !e.RegistrationOpen || e.Capacity == 0 || e.EndsAt.Before(s.now()) {
			return fmt.Errorf("registration for this event is closed: %w", apperr.ErrConflict)
		}
		var n int64
		if err := tx.Model(&Registration{}).Where("event_id = ?", id).Count(&n).Error; err != nil {
			return err
		}
		if n >= int64(e.Capacity) {
			return fmt.Errorf("the event is full: %w", apperr.ErrConflict)
		}
		reg = &Registration{EventID: id, UserID: p.UserID}
		if err := tx.Create(reg).Error; err != nil {
			if database.IsUniqueViolation(err) {
				return fmt.Errorf("you are already registered: %w", apperr.ErrConflict)
			}
			return err
		}
		return nil
	})
	return reg, err
}

// Unregister cancels the caller's registration.
func (s *Service) Unregister(ctx context.Context, id int64) error {
	p, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	res := s.db.WithContext(ctx).Where("event_id = ? AND user_id = ?", id, p.UserID).Delete(&Registration{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("you are not registered for event %d: %w", id, apperr.ErrNotFound)
	}
	return nil
}

// IsRegistered reports whether the caller is registered for the event.
func (s *Service) IsRegistered(ctx context.Context, id int64) bool {
	p := auth.FromContext(ctx)
	if p == nil {
		return false
	}
	var n int64
	s.db.WithContext(ctx).Model(&Registration{}).Where("event_id = ? AND user_id = ?", id, p.UserID).Count(&n)
	return n > 0
}

// Registrations lists an event's registrations (admins).
func (s *Service) Registrations(ctx context.Context, id int64) ([]Registration, error) {
	if _, err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if _, err := s.Event(ctx, id); err != nil {
		return nil, err
	}
	out := []Registration{}
	err := s.db.WithContext(ctx).Where("event_id = ?", id).Order("created_at").Find(&out).Error
	return out, err
}
