package progress

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

// Deps are what the progress module needs. Courses and Accounts may be wired later with
// Service.SetCourses and Service.SetAccounts.
type Deps struct {
	DB       *database.DB
	Cfg      config.Config
	Log      *slog.Logger
	Store    storage.Store
	Courses  Courses
	Accounts Accounts
}

// Module is the progress module.
type Module struct {
	Svc *Service
}

// New builds the module.
func New(_ context.Context, d Deps) (*Module, error) {
	return &Module{Svc: NewService(d)}, nil
}

// Name implements web.Module.
func (m *Module) Name() string { return "progress" }

// Assets implements web.Module.
func (m *Module) Assets() fs.FS { return assets }

// OpenAPI implements web.Module.
func (m *Module) OpenAPI() []byte { return openAPI }

// Register implements web.Module.
func (m *Module) Register(r *web.Router) {
	m.Svc.SetTranslator(r.Render.Cat.T)
	registerAPI(r, m.Svc)
	registerPages(r, m.Svc)
}
