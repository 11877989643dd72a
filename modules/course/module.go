package course

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/url"
	"time"

	"glc/internal/config"
	"glc/internal/database"
	"glc/internal/web"
	"glc/storage"
)

//go:embed all:templates locales openapi.json
var assets embed.FS

//go:embed openapi.json
var openAPI []byte

// Deps are what the course module needs.
type Deps struct {
	DB    *database.DB
	Store storage.Store
	Cfg   config.Config
	Log   *slog.Logger
}

// Module is the course module.
type Module struct {
	Svc *Service
	// SyncEvery is how often mandatory assignments are re-applied to newcomers.
	SyncEvery time.Duration
}

// New builds the module.
func New(ctx context.Context, d Deps) (*Module, error) {
	svc := NewService(d.DB, d.Store, d.Cfg, d.Log)
	if d.Store.Kind() == "s3" {
		// Signed media URLs point to the S3 endpoint; the player page allows its origin.
		if u, err := d.Store.SignedURL(ctx, "probe", time.Minute, ""); err == nil {
			if pu, err := url.Parse(u); err == nil {
				svc.mediaOrigin = pu.Scheme + "://" + pu.Host
			}
		}
	}
	return &Module{Svc: svc, SyncEvery: 10 * time.Minute}, nil
}

// Name implements web.Module.
func (m *Module) Name() string { return "course" }

// Assets implements web.Module.
func (m *Module) Assets() fs.FS { return assets }

// OpenAPI implements web.Module.
func (m *Module) OpenAPI() []byte { return openAPI }

// Register implements web.Module.
func (m *Module) Register(r *web.Router) {
	registerAPI(r, m.Svc)
	registerPages(r, m.Svc)
}

// Run implements web.Background: it enrols newcomers to the scopes of mandatory assignments.
func (m *Module) Run(ctx context.Context) {
	t := time.NewTicker(m.SyncEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := m.Svc.SyncAssignments(ctx); err != nil && ctx.Err() == nil {
				m.Svc.log.Error("sync course assignments", "err", err)
			} else if n > 0 {
				m.Svc.log.Info("mandatory courses assigned to newcomers", "enrolments", n)
			}
		}
	}
}

// FeaturedCourses returns up to n published courses for the home page, newest first, in lang's
// variant where there is one.
func (s *Service) FeaturedCourses(ctx context.Context, lang string, n int) ([]CourseSummary, error) {
	items, _, err := s.Catalogue(ctx, CatalogueQuery{UI: lang, Variant: lang, Page: Page{Page: 1, PerPage: max(1, min(n, 100))}})
	return items, err
}
