package progress

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"glc/internal/auth"
	"glc/internal/web"
)

func registerPages(r *web.Router, s *Service) {
	p := r.Pages
	p.GET("/verify", func(c *gin.Context) {
		if code := strings.TrimSpace(c.Query("code")); code != "" {
			c.Redirect(http.StatusSeeOther, "/verify/"+url.PathEscape(code))
			return
		}
		r.Render.HTML(c, http.StatusOK, "progress/verify", "progress.verify.title", VerifyPage{})
	})
	p.GET("/verify/:code", func(c *gin.Context) {
		v, err := s.Verify(c.Request.Context(), c.Param("code"))
		if err != nil {
			r.Render.Error(c, err)
			return
		}
		r.Render.HTML(c, http.StatusOK, "progress/verify", "progress.verify.title", VerifyPage{Checked: true, V: v})
	})
	p.GET("/my/certificates", func(c *gin.Context) {
		if auth.Current(c) == nil {
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			return
		}
		items, err := s.MyCertificates(c.Request.Context())
		if err != nil {
			r.Render.Error(c, err)
			return
		}
		r.Render.HTML(c, http.StatusOK, "progress/certificates", "progress.certificates.title", items)
	})
}

// VerifyPage is what the verification page shows.
type VerifyPage struct {
	Checked bool
	V       Verification
}
