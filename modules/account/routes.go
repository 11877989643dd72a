package account

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"glc/internal/auth"
	"glc/internal/httpx"
	"glc/internal/web"
)

func registerRoutes(r *web.Router, s *Service) {
	r.API.GET("/me", func(c *gin.Context) {
		p, err := auth.Require(c.Request.Context())
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"id": p.UserID, "email": p.Email, "name": p.Name, "roles": p.Roles, "country": p.Country, "language": p.Language})
	})
}
