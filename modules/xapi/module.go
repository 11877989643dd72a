package xapi

import (
	"context"
	_ "embed"
	"io/fs"
	"log/slog"

	"glc/internal/config"
	"glc/internal/database"
	"glc/internal/web"
	"glc/storage"
)

//go:embed openapi.json
var openAPI []byte

// Deps are what the record store needs.
type Deps struct {
	DB    *database.DB
	Store storage.Store
	Cfg   config.Config
	Log   *slog.Logger
}

// Module is the xAPI module.
type Module struct {
	Svc *Service
}

// New builds the module.
func New(_ context.Context, d Deps) (*Module, error) {
	maxBody := d.Cfg.MaxUploadMB << 20
	if maxBody <= 0 {
		maxBody = 64 << 20
	}
	return &Module{Svc: NewService(d.DB, d.Store, d.Log, BaseURL(d.Cfg), maxBody)}, nil
}

// Name implements web.Module.
func (m *Module) Name() string { return "xapi" }

// Assets implements web.Module: the record store has no pages.
func (m *Module) Assets() fs.FS { return nil }

// OpenAPI implements web.Module.
func (m *Module) OpenAPI() []byte { return openAPI }

// Register implements web.Module.
func (m *Module) Register(r *web.Router) {
	h := &lrsHandler{s: m.Svc}
	r.Engine.Any("/xapi/*path", h.serve)
	registerAPI(r, m.Svc)
}

// BaseURL is the portal's public URL, the home page of GLC's xAPI accounts.
func BaseURL(cfg config.Config) string {
	if cfg.BaseURL != "" {
		return cfg.BaseURL
	}
	return "http://" + cfg.Addr
}
