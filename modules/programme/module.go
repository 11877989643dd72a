package programme

import (
	"embed"
	"io/fs"
	"log/slog"

	"glc/internal/database"
	"glc/internal/web"
)

//go:embed all:templates locales openapi.json
var assets embed.FS

//go:embed openapi.json
var openAPI []byte

// Deps are what the programme module needs. Enroller and Courses (both the course module)
// may be nil until it is wired.
type Deps struct {
	DB       *database.DB
	Log      *slog.Logger
	Enroller Enroller
	Courses  Courses
}

// Module is the programme module.
type Module struct {
	Svc *Service
}

// New builds the module.
func New(d Deps) *Module {
	svc := NewService(d.DB, d.Log, d.Enroller)
	svc.courses = d.Courses
	return &Module{Svc: svc}
}

// Name implements web.Module.
func (m *Module) Name() string { return "programme" }

// Assets implements web.Module.
func (m *Module) Assets() fs.FS { return assets }

// OpenAPI implements web.Module.
func (m *Module) OpenAPI() []byte { return openAPI }

// Register implements web.Module.
func (m *Module) Register(r *web.Router) {
	m.registerAPI(r.API)
	m.registerPages(r)
}
