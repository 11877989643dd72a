package xapi

import (
	"context"
	"embed"
	_ "embed"
	"io/fs"
	"log/slog"

	"glc/internal/config"
	"glc/internal/database"
	"glc/internal/jobs"
	"glc/internal/web"
	"glc/modules/scorm"
	"glc/storage"
)

//go:embed openapi.json
var openAPI []byte

//go:embed all:templates locales openapi.json
var assets embed.FS

// Deps are what the record store and cmi5 need. Lessons is the course module as the package
// modules see it (nil until it is wired: cmi5 routes then answer 500 with a clear log line);
// Jobs runs the sweep that abandons silent cmi5 sessions (nil: no sweep).
type Deps struct {
	DB      *database.DB
	Store   storage.Store
	Cfg     config.Config
	Log     *slog.Logger
	Lessons scorm.Lessons
	Jobs    *jobs.Queue
}

// Module is the xAPI module.
type Module struct {
	Svc *Service
}

// New builds the module.
func New(ctx context.Context, d Deps) (*Module, error) {
	maxBody := d.Cfg.MaxUploadMB << 20
	if maxBody <= 0 {
		maxBody = 64 << 20
	}
	svc := NewService(d.DB, d.Store, d.Log, BaseURL(d.Cfg), maxBody)
	if err := svc.enableCMI5(ctx, d.Cfg, d.Lessons, d.Jobs); err != nil {
		return nil, err
	}
	return &Module{Svc: svc}, nil
}

// CMI5 is the importer the SCORM module hands cmi5 packages to.
func (m *Module) CMI5() scorm.CMI5Importer { return m.Svc }

// Name implements web.Module.
func (m *Module) Name() string { return "xapi" }

// Assets implements web.Module: the cmi5 player's templates and messages.
func (m *Module) Assets() fs.FS { return assets }

// OpenAPI implements web.Module.
func (m *Module) OpenAPI() []byte { return openAPI }

// Register implements web.Module.
func (m *Module) Register(r *web.Router) {
	h := &lrsHandler{s: m.Svc}
	r.Engine.Any("/xapi/*path", h.serve)
	registerAPI(r, m.Svc)
	registerCMI5(r, m.Svc)
}

// BaseURL is the portal's public URL, the home page of GLC's xAPI accounts.
func BaseURL(cfg config.Config) string {
	if cfg.BaseURL != "" {
		return cfg.BaseURL
	}
	return "http://" + cfg.Addr
}
