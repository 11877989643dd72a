package xapi

import (
	"context"
	"log/slog"
	"time"

	"glc/internal/database"
	"glc/storage"
)

// CheckHook may refuse statements before they are stored (cmi5 enforces its statement rules
// for the registrations it launched). Return an error made with BadRequest or apperr
// (forbidden) to refuse the whole request.
type CheckHook func(ctx context.Context, id *Identity, statements []map[string]any) error

// StoredHook is told about statements after they are committed (cmi5 turns them into
// progress). Statements are as stored, with id, stored, authority and version set.
type StoredHook func(ctx context.Context, id *Identity, statements []map[string]any)

// Service is the Learning Record Store.
type Service struct {
	db             *database.DB
	store          storage.Store
	log            *slog.Logger
	baseURL        string
	maxBody        int64
	now            func() time.Time
	authenticators []Authenticator
	checks         []CheckHook
	storedHooks    []StoredHook
	// c5 is cmi5 (nil until enableCMI5: the command line's record store has none).
	c5 *cmi5Service
}

// NewService builds the record store.
func NewService(db *database.DB, store storage.Store, log *slog.Logger, baseURL string, maxBody int64) *Service {
	return &Service{db: db, store: store, log: log, baseURL: baseURL, maxBody: maxBody,
		now: func() time.Time { return time.Now().UTC() }}
}

// OnCheck registers a hook that may refuse statements before they are stored.
func (s *Service) OnCheck(h CheckHook) { s.checks = append(s.checks, h) }

// OnStored registers a hook called after statements are stored.
func (s *Service) OnStored(h StoredHook) { s.storedHooks = append(s.storedHooks, h) }

// BadRequest is the error a hook returns to refuse statements with 400.
func BadRequest(msg string) error { return badRequest(msg) }

// storedTime is the LRS's clock truncated to milliseconds, the precision it reports.
func (s *Service) storedTime() time.Time { return s.now().Truncate(time.Millisecond) }

// formatTime writes a stored time as the LRS reports it.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
