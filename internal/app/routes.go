package app

import (
	"context"
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"glc/internal/apperr"
	"glc/internal/httpx"
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
	webassets "glc/web"
)

//go:embed openapi.json
var coreOpenAPI []byte

// sessionCookies mean the browser session is in use (CSRF applies).
var sessionCookies = []string{"glc_access", "glc_refresh"}

// modules builds every domain module with its dependencies. Order matters only for
// dependencies between modules (a higher module takes a lower one's service).
func (a *App) modules(ctx context.Context) ([]web.Module, error) {
	accounts, err := account.New(ctx, account.Deps{DB: a.DB, Cfg: a.Cfg, Log: a.Log, Jobs: a.Jobs})
	if err != nil {
		return nil, err
	}
	a.Accounts = accounts.Svc
	a.middleware = append(a.middleware, accounts.Svc.Authenticate())
	courses, err := course.New(ctx, course.Deps{DB: a.DB, Store: a.Store, Cfg: a.Cfg, Log: a.Log})
	if err != nil {
		return nil, err
	}
	a.Courses = courses.Svc
	quizzes, err := quiz.New(quiz.Deps{DB: a.DB, Store: a.Store, Log: a.Log, Courses: quizCourses{courses.Svc}, Jobs: a.Jobs,
		MaxUploadMB: a.Cfg.MaxUploadMB})
	if err != nil {
		return nil, err
	}
	a.Quizzes = quizzes.Svc
	courses.Svc.RegisterKind(course.KindQuiz, quizKind{quizzes.Svc})
	lib, err := library.New(ctx, library.Deps{DB: a.DB, Store: a.Store, Cfg: a.Cfg, Log: a.Log, Topics: libraryTopics{courses.Svc}})
	if err != nil {
		return nil, err
	}
	a.Library = lib.Svc
	progs := programme.New(programme.Deps{DB: a.DB, Log: a.Log, Enroller: programmeCourses{courses.Svc}, Courses: programmeCourses{courses.Svc}})
	a.Programmes = progs.Svc
	home := portal.New(portal.Deps{DB: a.DB, BaseURL: a.Cfg.BaseURL, Courses: featuredCourses{courses.Svc}, Publications: lib.Svc, Sessions: progs.Svc})
	a.Portal = home.Svc
	// Packages are course lessons of kind "package" (tests may wire a fake course module).
	if a.ScormLessons == nil {
		a.ScormLessons = scormLessons{courses.Svc}
	}
	lrs, err := xapi.New(ctx, xapi.Deps{DB: a.DB, Store: a.Store, Cfg: a.Cfg, Log: a.Log, Lessons: a.ScormLessons, Jobs: a.Jobs})
	if err != nil {
		return nil, err
	}
	a.LRS = lrs.Svc
	packages, err := scorm.New(ctx, scorm.Deps{DB: a.DB, Store: a.Store, Cfg: a.Cfg, Log: a.Log, Lessons: a.ScormLessons, CMI5: lrs.CMI5(), Jobs: a.Jobs})
	if err != nil {
		return nil, err
	}
	a.Packages = packages.Svc
	courses.Svc.RegisterKind(course.KindPackage, packageKind{packages.Svc})
	// The demo course ends with a lesson of each of these kinds (before any lesson a test adds).
	a.DemoLessons = append([]DemoLesson{demoPackageLesson, demoQuizLesson}, a.DemoLessons...)
	prog, err := progress.New(ctx, progress.Deps{DB: a.DB, Cfg: a.Cfg, Log: a.Log, Store: a.Store, Jobs: a.Jobs, Accounts: accountRoles{accounts.Svc}})
	if err != nil {
		return nil, err
	}
	a.Progress = prog.Svc
	courses.Svc.SetProgressListener(prog.Svc)
	return []web.Module{accounts, courses, quizzes, lib, progs, home, lrs, packages, prog}, nil
}

func (a *App) buildModules(ctx context.Context) error {
	mods, err := a.modules(ctx)
	if err != nil {
		return err
	}
	sources := []web.Source{{Name: "core", FS: web.Assets()}}
	catFS := []fs.FS{web.Assets()}
	fragments := [][]byte{coreOpenAPI}
	for _, m := range mods {
		if fsys := m.Assets(); fsys != nil {
			sources = append(sources, web.Source{Name: m.Name(), FS: fsys})
			catFS = append(catFS, fsys)
		}
		if f := m.OpenAPI(); f != nil {
			fragments = append(fragments, f)
		}
	}
	cat, err := web.NewCatalogue(catFS...)
	if err != nil {
		return err
	}
	render, err := web.NewRenderer(cat, sources...)
	if err != nil {
		return err
	}
	render.Nav = []web.NavItem{{Path: "/", LabelID: "nav.home"},
		{Path: "/courses", LabelID: "course.nav.catalogue"}, {Path: "/library", LabelID: "nav.library"},
		{Path: "/programmes", LabelID: "nav.programmes"}, {Path: "/events", LabelID: "nav.events"}, {Path: "/news", LabelID: "nav.news"},
		{Path: "/my", LabelID: "course.nav.my", Role: "user"},
		{Path: "/teach", LabelID: "course.nav.teach", Role: "instructor"},
		{Path: "/my/certificates", LabelID: "progress.nav.certificates", Role: "user"},
		{Path: "/reports", LabelID: "progress.nav.reports", Role: "coordinator admin"},
		{Path: "/approvals", LabelID: "account.nav.approvals", Role: "coordinator"},
		{Path: "/admin/users", LabelID: "account.nav.users", Role: "admin"},
		{Path: "/assignments", LabelID: "course.nav.assignments", Role: "coordinator admin"},
		{Path: "/admin/courses", LabelID: "course.nav.admin_courses", Role: "admin"},
		{Path: "/admin/organisations", LabelID: "account.nav.organisations", Role: "admin"}}
	doc, err := openapi.Build(Version, fragments...)
	if err != nil {
		return err
	}
	docJSON, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	a.Doc = doc
	a.Render = render

	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.ContextWithFallback = true
	e.HandleMethodNotAllowed = false
	e.MaxMultipartMemory = 8 << 20
	// Only the configured reverse proxies may say who the client is (login throttling counts
	// per client address).
	if err := e.SetTrustedProxies(a.Cfg.TrustedProxies); err != nil {
		return fmt.Errorf("GLC_TRUSTED_PROXIES: %w", err)
	}
	secure := strings.HasPrefix(a.Cfg.BaseURL, "https://")
	metrics := httpx.NewMetrics(a.Registry)
	var frames []string
	if a.Cfg.ContentOrigin != "" {
		frames = append(frames, a.Cfg.ContentOrigin)
	}
	e.Use(httpx.RequestID(a.Log), httpx.Recover(), metrics.Middleware(), httpx.AccessLog(),
		httpx.SecurityHeaders(httpx.SecurityOptions{TLS: secure, FrameOrigins: frames}), httpx.BodyLimit(a.Cfg.MaxUploadMB<<20))
	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/readyz", a.readyz)
	e.GET("/metrics", metricsAuth(a.Cfg.MetricsToken), gin.WrapH(promhttp.HandlerFor(a.Registry, promhttp.HandlerOpts{Registry: a.Registry})))
	static := gin.WrapH(webassets.Handler(web.Static()))
	e.GET("/static/*file", static)
	e.HEAD("/static/*file", static)

	e.Use(cat.LanguageMiddleware(secure), httpx.CSRF(httpx.CSRFOptions{Secure: secure, SessionCookies: sessionCookies, Exempt: []string{"/xapi/"},
		OnFail: func(c *gin.Context, err error) {
			if strings.HasPrefix(c.Request.URL.Path, "/api/") {
				httpx.Fail(c, err)
				return
			}
			render.Error(c, err)
		}}))
	for _, mw := range a.middleware {
		e.Use(mw)
	}
	api := e.Group("/api/v1")
	api.Use(func(c *gin.Context) { c.Header("Cache-Control", "no-store"); c.Next() })
	api.GET("/openapi.json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", docJSON) })
	r := &web.Router{Engine: e, API: api, Pages: e.Group("/"), Render: render}
	for _, m := range mods {
		m.Register(r)
		if bg, ok := m.(web.Background); ok {
			a.bg = append(a.bg, bg.Run)
		}
	}
	e.NoRoute(func(c *gin.Context) {
		if strings.HasPrefix(c.Request.URL.Path, "/api/") {
			httpx.Fail(c, fmt.Errorf("no such endpoint: %w", errNotFound))
			return
		}
		render.Error(c, errNotFound)
	})
	a.Engine = e
	return nil
}

func (a *App) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	failing := map[string]string{}
	if err := a.DB.Ping(ctx); err != nil {
		failing["database"] = err.Error()
	}
	if err := a.Store.Ping(ctx); err != nil {
		failing["storage"] = err.Error()
	}
	if len(failing) > 0 {
		names := make([]string, 0, len(failing))
		for _, k := range []string{"database", "storage"} {
			if msg, ok := failing[k]; ok {
				names = append(names, k)
				// The reasons go to the log only: they name hosts and paths.
				httpx.Logger(c).Warn("not ready", "dependency", k, "err", msg)
			}
		}
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "failing": names})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// metricsAuth asks for the bearer token when one is configured (GLC_METRICS_TOKEN).
func metricsAuth(token string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if token == "" {
			return
		}
		got, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
			httpx.Fail(c, fmt.Errorf("/metrics needs the scrape token (GLC_METRICS_TOKEN): %w", apperr.ErrUnauthenticated))
			c.Abort()
		}
	}
}
