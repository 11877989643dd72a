package library

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"

	"glc/internal/config"
	"glc/internal/database"
	"glc/internal/web"
	"glc/storage"
)

//go:embed all:templates locales openapi.json
var assets embed.FS

//go:embed openapi.json
var openAPI []byte

// Deps are what the library needs.
type Deps struct {
	DB    *database.DB
	Store storage.Store
	Cfg   config.Config
	Log   *slog.Logger
	// Topics is the topic list resources are filed under (the course topics); nil leaves
	// topics free text.
	Topics Topics
}

// Module is the library module.
type Module struct {
	Svc *Service
}

// New builds the module.
func New(_ context.Context, d Deps) (*Module, error) {
	s := NewService(d.DB, d.Store, d.Log, d.Cfg.MaxUploadMB)
	s.LinkCheck = d.Cfg.LinkCheck
	s.topics = d.Topics
	return &Module{Svc: s}, nil
}

// Name implements web.Module.
func (m *Module) Name() string { return "library" }

// Assets implements web.Module.
func (m *Module) Assets() fs.FS { return assets }

// OpenAPI implements web.Module.
func (m *Module) OpenAPI() []byte { return openAPI }

// Register implements web.Module.
func (m *Module) Register(r *web.Router) {
	m.registerAPI(r.API)
	m.registerPages(r)
}

// Run implements web.Background: the link checker, only when GLC_LINK_CHECK=true.
func (m *Module) Run(ctx context.Context) {
	if m.Svc.LinkCheck {
		m.Svc.runLinkChecker(ctx)
	}
}
