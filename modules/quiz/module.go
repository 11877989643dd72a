// Package quiz holds question banks, quizzes and attempts: authoring (nine question kinds,
// JSON and GIFT import/export), taking a quiz with answers saved one by one and never lost,
// grading (automatic, by hand, regrades, overrides with an audit log), deadlines closed by a
// scheduled job, and instructors' results and statistics.
//
// The module depends on the course module only through the Courses interface, which the app
// wires.
package quiz

import (
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"time"

	"glc/internal/database"
	"glc/internal/jobs"
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
	// Jobs runs the deadline jobs (the module registers its handlers on it).
	Jobs *jobs.Queue
	// MaxUploadMB bounds question media (default 20).
	MaxUploadMB int64
	// Now is the clock (tests); nil is the wall clock.
	Now func() time.Time
}

// Module is the quiz module.
type Module struct {
	Svc *Service
}

// New builds the module.
func New(d Deps) (*Module, error) {
	if d.DB == nil || d.Store == nil || d.Courses == nil || d.Jobs == nil {
		return nil, errors.New("quiz: DB, Store, Courses and Jobs are required")
	}
	svc := NewService(d.DB, d.Store, d.Courses, d.Jobs, d.Log, d.Now)
	if d.MaxUploadMB > 0 {
		svc.maxUpload = d.MaxUploadMB << 20
	}
	return &Module{Svc: svc}, nil
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
