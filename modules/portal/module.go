package portal

import (
	"context"
	"embed"
	"io/fs"

	"glc/internal/database"
	"glc/internal/web"
	"glc/modules/library"
	"glc/modules/programme"
)

//go:embed all:templates locales openapi.json
var assets embed.FS

//go:embed openapi.json
var openAPI []byte

// CourseCard is a featured course on the home page.
type CourseCard struct {
	ID      int64
	Title   string
	Summary string
	URL     string
}

// FeaturedCourses gives the home page's featured courses (the course module provides it).
type FeaturedCourses interface {
	FeaturedCourses(ctx context.Context, lang string, n int) ([]CourseCard, error)
}

// Publications gives the newest library items of a kind (*library.Service).
type Publications interface {
	Latest(ctx context.Context, kind string, n int) ([]library.Resource, error)
}

// Sessions gives the upcoming programme sessions (*programme.Service).
type Sessions interface {
	Upcoming(ctx context.Context, n int) ([]programme.SessionCard, error)
}

// Deps are what the portal needs; the interfaces may be nil (their part of the home page is
// then empty).
type Deps struct {
	DB           *database.DB
	BaseURL      string
	Courses      FeaturedCourses
	Publications Publications
	Sessions     Sessions
}

// Module is the portal module.
type Module struct {
	Svc  *Service
	deps Deps
}

// New builds the module.
func New(d Deps) *Module { return &Module{Svc: NewService(d.DB), deps: d} }

// Name implements web.Module.
func (m *Module) Name() string { return "portal" }

// Assets implements web.Module.
func (m *Module) Assets() fs.FS { return assets }

// OpenAPI implements web.Module.
func (m *Module) OpenAPI() []byte { return openAPI }

// Register implements web.Module.
func (m *Module) Register(r *web.Router) {
	m.registerAPI(r.API)
	m.registerPages(r)
}
