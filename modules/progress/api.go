package progress

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/httpx"
	"glc/internal/web"
)

func registerAPI(r *web.Router, s *Service) {
	api := r.API
	api.GET("/me/certificates", func(c *gin.Context) {
		items, err := s.MyCertificates(c.Request.Context())
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		c.JSON(http.StatusOK, httpx.List[CertificateView]{Items: items, Total: int64(len(items))})
	})
	api.GET("/certificates", func(c *gin.Context) { listCertificates(c, s) })
	// Gin cannot route a parameter followed by a suffix (/certificates/{code}.pdf): the
	// parameter takes the whole segment and the handler strips ".pdf".
	api.GET("/certificates/:code", func(c *gin.Context) {
		code, ok := strings.CutSuffix(c.Param("code"), ".pdf")
		if !ok {
			httpx.Fail(c, fmt.Errorf("no such endpoint (certificates are served as {code}.pdf): %w", apperr.ErrNotFound))
			return
		}
		sendCertificatePDF(c, s, code)
	})
	api.GET("/certificates/:code/verify", func(c *gin.Context) {
		v, err := s.Verify(c.Request.Context(), c.Param("code"))
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		c.JSON(http.StatusOK, v)
	})
	api.POST("/certificates/:code/revoke", func(c *gin.Context) {
		var in struct {
			Reason string `json:"reason"`
		}
		if !httpx.BindJSON(c, &in) {
			return
		}
		v, err := s.Revoke(c.Request.Context(), c.Param("code"), in.Reason)
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		c.JSON(http.StatusOK, v)
	})
}

func listCertificates(c *gin.Context, s *Service) {
	pg, err := httpx.Paging(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	var f CertificateFilter
	fe := apperr.Fields{}
	f.CourseID = queryID(c, fe, "course_id")
	f.UserID = queryID(c, fe, "user_id")
	if v := c.Query("revoked"); v != "" {
		b, err := strconv.ParseBool(v)
		fe.Check(err != nil, "revoked", "must be true or false")
		f.Revoked = &b
	}
	if err := fe.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	items, total, err := s.ListCertificates(c.Request.Context(), f, pg)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, httpx.List[CertificateView]{Items: items, Total: total})
}

// queryID reads an optional positive id from the query string.
func queryID(c *gin.Context, f apperr.Fields, name string) int64 {
	v := c.Query(name)
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	f.Check(err != nil || id < 1, name, "must be a positive whole number")
	return id
}

func sendCertificatePDF(c *gin.Context, s *Service, code string) {
	b, cert, err := s.CertificatePDF(c.Request.Context(), code)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="certificate-%s.pdf"`, cert.Code))
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "application/pdf", b)
}
