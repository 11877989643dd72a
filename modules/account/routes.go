package account

import (
	"glc/internal/web"
)

func registerRoutes(r *web.Router, s *Service) {
	a := api{s: s}
	r.API.POST("/auth/register", a.register)
	r.API.POST("/auth/login", a.login)
	r.API.POST("/auth/refresh", a.refresh)
	r.API.POST("/auth/logout", a.logout)
	r.API.POST("/auth/logout-all", a.logoutAll)
	r.API.POST("/auth/activate", a.activate)
	r.API.GET("/me", a.me)
	r.API.PATCH("/me", a.patchMe)
	r.API.GET("/users", a.listUsers)
	r.API.POST("/users", a.createUser)
	r.API.POST("/users/import", a.importUsers)
	r.API.GET("/users/imports/:id", a.getImport)
	r.API.GET("/users/:id", a.getUser)
	r.API.PATCH("/users/:id", a.patchUser)
	r.API.POST("/users/:id/approve", a.approve)
	r.API.POST("/users/:id/activation", a.issueActivation)
	r.API.GET("/countries", a.countries)
	r.API.GET("/organisations", a.listOrgs)
	r.API.POST("/organisations", a.createOrg)
	r.API.GET("/organisations/:id", a.getOrg)
	r.API.PATCH("/organisations/:id", a.patchOrg)
	r.API.DELETE("/organisations/:id", a.deleteOrg)
	registerPages(r, s)
}
