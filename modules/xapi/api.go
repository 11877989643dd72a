package xapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"glc/internal/httpx"
	"glc/internal/web"
)

func registerAPI(r *web.Router, s *Service) {
	g := r.API.Group("/lrs/credentials")
	g.POST("", func(c *gin.Context) {
		var in NewCredential
		if !httpx.BindJSON(c, &in) {
			return
		}
		out, err := s.CreateCredential(c.Request.Context(), in)
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		c.JSON(http.StatusCreated, out)
	})
	g.GET("", func(c *gin.Context) {
		p, err := httpx.Paging(c)
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		items, total, err := s.ListCredentials(c.Request.Context(), p.Offset(), p.PerPage)
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		c.JSON(http.StatusOK, httpx.List[CredentialView]{Items: items, Total: total})
	})
	g.DELETE("/:id", func(c *gin.Context) {
		id, ok := httpx.ParamID(c, "id")
		if !ok {
			return
		}
		if err := s.DeleteCredential(c.Request.Context(), id); err != nil {
			httpx.Fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	})
}
