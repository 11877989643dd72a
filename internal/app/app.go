// Package app wires everything: config -> database -> storage -> modules -> router.
package app

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"glc/internal/apperr"
	"glc/internal/config"
	"glc/internal/database"
	"glc/internal/jobs"
	"glc/internal/migrations"
	"glc/internal/openapi"
	"glc/internal/web"
	"glc/modules/account"
	"glc/modules/course"
	"glc/modules/library"
	"glc/modules/portal"
	"glc/modules/programme"
	"glc/modules/progress"
	"glc/modules/quiz"
	"glc/modules/scorm"
	"glc/modules/xapi"
	"glc/storage"
)

// Version is set at build time with -ldflags "-X glc/internal/app.Version=...".
var Version = "dev"

// App is one running GLC process.
type App struct {
	Cfg      config.Config
	Log      *slog.Logger
	DB       *database.DB
	Store    storage.Store
	Registry *prometheus.Registry
	Engine   *gin.Engine
	Render   *web.Renderer
	Doc      *openapi.Doc
	// Jobs is the durable job queue; modules register handlers on it when they are built
	// (jobs.Handle) and enqueue with Jobs.Enqueue/EnqueueTx. It runs with the background work.
	Jobs     *jobs.Queue
	Accounts *account.Service
	LRS      *xapi.Service
	Courses  *course.Service
	// Quizzes is the quiz service (lessons of kind quiz).
	Quizzes *quiz.Service
	// Packages is the SCORM service (lessons of kind package).
	Packages *scorm.Service
	Library  *library.Service
	// Progress is the progress, certificates and reports service.
	Progress *progress.Service
	// Programmes is the training programme service.
	Programmes *programme.Service
	// Portal is the news and events service.
	Portal *portal.Service
	// DemoLessons are lessons added at the end of the demo course by the modules that
	// implement more lesson kinds (quiz, package), when modules() wires them.
	DemoLessons []DemoLesson
	closers     []func() error
	bg          []func(ctx context.Context)
	bgWait      sync.WaitGroup
	// middleware runs on every page and API route (authentication).
	middleware []gin.HandlerFunc

	// ScormLessons is the course module as the SCORM module sees it: the course service's
	// adapter (scorm_adapter.go) unless a test sets a fake with an Option.
	ScormLessons scorm.Lessons
}

// Option changes the app before its modules are built (tests wire fakes with it).
type Option func(*App)

var errNotFound = apperr.ErrNotFound

// ErrSchemaOutdated means migrations are pending and auto-migration is off.
var ErrSchemaOutdated = errors.New("the database schema is out of date")

// OpenDB connects the configured database.
func OpenDB(ctx context.Context, cfg config.Config, log *slog.Logger) (*database.DB, error) {
	return database.Open(ctx, database.Options{URL: cfg.DatabaseURL, SQLitePath: cfg.SQLitePath(), Logger: log})
}

// Open connects the database and object store.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*database.DB, storage.Store, error) {
	db, err := OpenDB(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	store, err := OpenStore(ctx, cfg)
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	return db, store, nil
}

// OpenStore opens the configured object store.
func OpenStore(ctx context.Context, cfg config.Config) (storage.Store, error) {
	if cfg.UsesS3() {
		s, err := storage.NewS3(ctx, storage.S3Config{Endpoint: cfg.S3Endpoint, Bucket: cfg.S3Bucket,
			AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey, Region: cfg.S3Region, UseTLS: cfg.S3UseTLS})
		if err != nil {
			return nil, fmt.Errorf("object storage: %w", err)
		}
		return s, nil
	}
	s, err := storage.NewLocal(filepath.Join(cfg.DataDir, "objects"))
	if err != nil {
		return nil, fmt.Errorf("object storage: %w", err)
	}
	return s, nil
}

// Migrator returns the migrator with every known step.
func Migrator(db *database.DB) (*database.Migrator, error) {
	return database.NewMigrator(db, migrations.All())
}

// New builds the application on an open database and store. It checks (or applies, when
// cfg.AutoMigrate) the schema first.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, db *database.DB, store storage.Store, opts ...Option) (*App, error) {
	m, err := Migrator(db)
	if err != nil {
		return nil, err
	}
	if cfg.AutoMigrate {
		ran, err := m.Up(ctx, "")
		if err != nil {
			return nil, err
		}
		if len(ran) > 0 {
			log.Info("migrations applied", "steps", ran)
		}
	} else {
		pending, err := m.Pending(ctx)
		if err != nil {
			return nil, err
		}
		if len(pending) > 0 {
			return nil, fmt.Errorf("%w: %d migration(s) pending (first %s); run `glc migrate` or set GLC_AUTO_MIGRATE=true", ErrSchemaOutdated, len(pending), pending[0])
		}
	}
	a := &App{Cfg: cfg, Log: log, DB: db, Store: store, Registry: prometheus.NewRegistry(),
		Jobs: jobs.New(db, log, jobs.PollInterval(cfg.JobPoll))}
	for _, o := range opts {
		o(a)
	}
	a.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(db.SQL(), string(db.Dialect)))
	if err := a.buildModules(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// Close releases what the app holds (not the database and store it was given).
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		_ = a.closers[i]()
	}
}

// Serve listens on cfg.Addr until ctx ends, then shuts down gracefully: it stops accepting,
// lets in-flight requests finish (up to ShutdownWait) and stops background work.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: a.Engine, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
	bgCtx, stopBG := context.WithCancel(ctx)
	a.StartBackground(bgCtx)
	errc := make(chan error, 1)
	go func() {
		a.Log.Info("listening", "addr", ln.Addr().String(), "base_url", a.Cfg.BaseURL)
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		stopBG()
		a.WaitBackground()
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "grace", a.Cfg.ShutdownWait.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.Cfg.ShutdownWait)
	defer cancel()
	err := srv.Shutdown(sctx)
	stopBG()
	a.WaitBackground()
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	a.Log.Info("stopped")
	return nil
}

// StartBackground starts the job queue and the modules' background work until ctx ends;
// WaitBackground waits for them to return after that.
func (a *App) StartBackground(ctx context.Context) {
	run := func(f func(context.Context)) {
		a.bgWait.Add(1)
		go func() {
			defer a.bgWait.Done()
			f(ctx)
		}()
	}
	run(func(ctx context.Context) {
		if err := a.Jobs.Run(ctx); err != nil {
			a.Log.Error("job queue stopped", "err", err)
		}
	})
	for _, f := range a.bg {
		run(f)
	}
}

// WaitBackground waits until the background work started by StartBackground has returned
// (its context must have ended).
func (a *App) WaitBackground() { a.bgWait.Wait() }
