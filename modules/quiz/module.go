// Package quiz holds question banks, quizzes and attempts: authoring (nine question kinds,
// JSON and GIFT import/export), taking a quiz with answers saved one by one and never lost,
// grading (automatic, by hand, regrades, overrides with an audit log), deadlines closed by a
// background closer, and instructors' results and statistics.
//
// The module depends on the course module only through the Courses interface, which the app
// wires.
package quiz

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"time"

	"glc/internal/database"
	"glc/internal/web"
	"glc/storage"
)

//go:embed all:templates locales openapi.json
var assets embed.FS

//go:embed openapi.json
var openAPI []byte

// Deps are what the quiz module needs.
type Deps struct {
	DB      *database.DB
	Store   storage.Store
	Log     *slog.Logger
	Courses Courses
	// MaxUploadMB bounds question media (default 20).
	MaxUploadMB int64
	// Now is the clock (tests); nil is the wall clock.
	Now func() time.Time
	// CloseEvery is how often the deadline closer looks when no deadline is nearer (default 5 s).
	CloseEvery time.Duration
}

// Module is the quiz module.
type Module struct {
	Svc   *Service
	every time.Duration
}

// New builds the module.
func New(d Deps) (*Module, error) {
	if d.DB == nil || d.Store == nil || d.Courses == nil {
		return nil, errors.New("quiz: DB, Store and Courses are required")
	}
	svc := NewService(d.DB, d.Store, d.Courses, d.Log, d.Now)
	if d.MaxUploadMB > 0 {
		svc.maxUpload = d.MaxUploadMB << 20
	}
	every := d.CloseEvery
	if every <= 0 {
		every = 5 * time.Second
	}
	return &Module{Svc: svc, every: every}, nil
}

// Name implements web.Module.
func (m *Module) Name() string { return "quiz" }

// Assets implements web.Module.
func (m *Module) Assets() fs.FS { return assets }

// OpenAPI implements web.Module.
func (m *Module) OpenAPI() []byte { return openAPI }

// Register implements web.Module.
func (m *Module) Register(r *web.Router) {
	registerAPI(r, m.Svc)
	registerPages(r, m.Svc)
}

// Run implements web.Background: it closes attempts at their deadline.
func (m *Module) Run(ctx context.Context) { m.Svc.RunCloser(ctx, m.every) }
