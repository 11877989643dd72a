package progress

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"

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

// Deps are what the progress module needs. Courses and Accounts may be wired later with
// Service.SetCourses and Service.SetAccounts.
type Deps struct {
	DB       *database.DB
	Cfg      config.Config
	Log      *slog.Logger
	Store    storage.Store
	Courses  Courses
	Accounts Accounts
	// Jobs runs large exports in the background; without it they run at once.
	Jobs *jobs.Queue
}

// Module is the progress module.
type Module struct {
	Svc *Service
}

// New builds the module.
func New(_ context.Context, d Deps) (*Module, error) {
	svc := NewService(d)
	if d.Jobs != nil {
		jobs.Handle(d.Jobs, func(ctx context.Context, a ExportArgs) error { return svc.RunExport(ctx, a.ExportID) })
		jobs.Handle(d.Jobs, func(ctx context.Context, a RecomputeCourseArgs) error {
			_, err := svc.RecomputeCourse(ctx, a.CourseID)
			return err
		})
	}
	return &Module{Svc: svc}, nil
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
	registerProgressAPI(r, m.Svc)
	registerReportsAPI(r, m.Svc)
	registerTrainerAPI(r, m.Svc)
	registerPages(r, m.Svc)
	registerReportPages(r, m.Svc)
	registerLearnerPages(r, m.Svc)
}
