package scorm

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"time"

	"glc/internal/config"
	"glc/internal/database"
	"glc/internal/jobs"
	"glc/internal/web"
	"glc/storage"
)

//go:embed all:templates locales openapi.json
var assets embed.FS

//go:embed openapi.json
var openAPI []byte

//go:embed frame/frame.html
var frameHTML string

// Deps are what the SCORM module needs. Lessons is the course module (nil until it is wired:
// package routes then answer 500 with a clear log line); CMI5 may be nil (cmi5 refused).
type Deps struct {
	DB      *database.DB
	Store   storage.Store
	Cfg     config.Config
	Log     *slog.Logger
	Lessons Lessons
	CMI5    CMI5Importer
	// Jobs runs large imports in the background (nil: every import runs in the request).
	Jobs *jobs.Queue
}

// Module is the SCORM module.
type Module struct {
	Svc   *Service
	frame *template.Template
}

// New builds the module.
func New(ctx context.Context, d Deps) (*Module, error) {
	tokens, err := newTokenSigner(ctx, d.DB)
	if err != nil {
		return nil, err
	}
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	if d.Cfg.ContentOrigin == "" {
		log.Warn("scorm: GLC_CONTENT_ORIGIN is not set; package content shares the portal's origin, so packages are trusted as far as the instructors who upload them")
	}
	frame, err := template.New("frame").Parse(frameHTML)
	if err != nil {
		return nil, err
	}
	svc := &Service{db: d.DB, store: d.Store, lessons: d.Lessons, cmi5: d.CMI5, cfg: d.Cfg, log: log, tokens: tokens,
		now: func() time.Time { return time.Now().UTC() }}
	if d.Jobs != nil {
		svc.registerJobs(d.Jobs)
	}
	return &Module{Svc: svc, frame: frame}, nil
}

// Name implements web.Module.
func (m *Module) Name() string { return "scorm" }

// Assets implements web.Module.
func (m *Module) Assets() fs.FS { return assets }

// OpenAPI implements web.Module.
func (m *Module) OpenAPI() []byte { return openAPI }

// Register implements web.Module.
func (m *Module) Register(r *web.Router) {
	h := &handlers{s: m.Svc, r: r, frame: m.frame}
	h.register()
}
