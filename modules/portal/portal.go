// Package portal serves the home page and the portal-wide pages.
package portal

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/gin-gonic/gin"

	"glc/internal/web"
)

//go:embed all:templates locales
var assets embed.FS

// Deps are what the portal needs.
type Deps struct{}

// Module is the portal module.
type Module struct {
	deps Deps
}

// New builds the module.
func New(d Deps) *Module { return &Module{deps: d} }

// Name implements web.Module.
func (m *Module) Name() string { return "portal" }

// Assets implements web.Module.
func (m *Module) Assets() fs.FS { return assets }

// OpenAPI implements web.Module.
func (m *Module) OpenAPI() []byte { return nil }

// Register implements web.Module.
func (m *Module) Register(r *web.Router) {
	r.Pages.GET("/", func(c *gin.Context) { r.Render.HTML(c, http.StatusOK, "portal/home", "home.title", HomeData{}) })
}

// HomeData is what the home page shows.
type HomeData struct{}
