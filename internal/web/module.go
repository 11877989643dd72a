package web

import (
	"context"
	"io/fs"

	"github.com/gin-gonic/gin"
)

// Module is one domain area (modules/*). The app collects every module's assets and API
// description, then lets each register its routes.
type Module interface {
	// Name is the module's page namespace: its templates/x.html renders as "<Name>/x".
	Name() string
	// Assets holds templates/*.html and locales/<lang>.toml; nil when the module has none.
	Assets() fs.FS
	// OpenAPI is the module's fragment of the API description ({"paths":..,"components":..}),
	// paths relative to /api/v1; nil when it has no API.
	OpenAPI() []byte
	// Register mounts the module's routes.
	Register(r *Router)
}

// Background is implemented by modules that run work beside the server (job workers,
// sweepers). Run returns when ctx ends.
type Background interface {
	Run(ctx context.Context)
}

// Router is what a module registers its routes on.
type Router struct {
	Engine *gin.Engine
	// API is /api/v1; JSON handlers.
	API *gin.RouterGroup
	// Pages is the root group for HTML pages.
	Pages *gin.RouterGroup
	// Render renders pages in the layout.
	Render *Renderer
}
