package app

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"glc/internal/httpx"
	"glc/internal/openapi"
	"glc/internal/web"
	"glc/modules/account"
	"glc/modules/portal"
	"glc/modules/progress"
)

//go:embed openapi.json
var coreOpenAPI []byte

// sessionCookies mean the browser session is in use (CSRF applies).
var sessionCookies = []string{"glc_access", "glc_refresh"}

// modules builds every domain module with its dependencies. Order matters only for
// dependencies between modules (a higher module takes a lower one's service).
func (a *App) modules(ctx context.Context) ([]web.Module, error) {
	accounts, err := account.New(ctx, account.Deps{DB: a.DB, Cfg: a.Cfg, Log: a.Log})
	if err != nil {
		return nil, err
	}
	a.Accounts = accounts.Svc
	a.middleware = append(a.middleware, accounts.Svc.Authenticate())
	home := portal.New(portal.Deps{})
	prog, err := progress.New(ctx, progress.Deps{DB: a.DB, Cfg: a.Cfg, Log: a.Log, Store: a.Store, Jobs: a.Jobs})
	if err != nil {
		return nil, err
	}
	a.Progress = prog.Svc
	return []web.Module{accounts, home, prog}, nil
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
		{Path: "/my/certificates", LabelID: "progress.nav.certificates", Role: "user"},
		{Path: "/reports", LabelID: "progress.nav.reports", Role: "coordinator admin"}}
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
	secure := strings.HasPrefix(a.Cfg.BaseURL, "https://")
	metrics := httpx.NewMetrics(a.Registry)
	e.Use(httpx.RequestID(a.Log), httpx.Recover(), metrics.Middleware(), httpx.AccessLog(), httpx.SecurityHeaders())
	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/readyz", a.readyz)
	e.GET("/metrics", gin.WrapH(promhttp.HandlerFor(a.Registry, promhttp.HandlerOpts{Registry: a.Registry})))
	e.GET("/static/*file", gin.WrapH(web.Static()))
	e.HEAD("/static/*file", gin.WrapH(web.Static()))

	e.Use(cat.LanguageMiddleware(secure), httpx.CSRF(httpx.CSRFOptions{Secure: secure, SessionCookies: sessionCookies, Exempt: []string{"/xapi/"}}))
	for _, mw := range a.middleware {
		e.Use(mw)
	}
	api := e.Group("/api/v1")
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
			if _, ok := failing[k]; ok {
				names = append(names, k)
			}
		}
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "failing": names, "errors": failing})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}
