package progress

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
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

// TrainersPage is what /admin/trainers shows.
type TrainersPage struct {
	Candidates []Candidate
	Track      []TrackCourse
	IDs        string
}

func registerLearnerPages(r *web.Router, s *Service) {
	r.Pages.GET("/my/transcript", func(c *gin.Context) {
		if !signedIn(c) {
			return
		}
		tr, err := s.MyTranscript(c.Request.Context(), web.Lang(c))
		if err != nil {
			r.Render.Error(c, err)
			return
		}
		r.Render.HTML(c, http.StatusOK, "progress/transcript", "progress.transcript.heading", tr)
	})
	r.Pages.GET("/admin/trainers", func(c *gin.Context) {
		if !signedIn(c) {
			return
		}
		ctx := c.Request.Context()
		cands, err := s.Candidates(ctx)
		if err != nil {
			r.Render.Error(c, err)
			return
		}
		track, err := s.TrainerTrack(ctx)
		if err != nil {
			r.Render.Error(c, err)
			return
		}
		ids := make([]int64, len(track))
		for i, t := range track {
			ids[i] = t.CourseID
		}
		r.Render.HTML(c, http.StatusOK, "progress/trainers", "progress.trainers.heading", TrainersPage{Candidates: cands, Track: track, IDs: strings.ReplaceAll(joinIDs(ids), " ", ", ")})
	})
	r.Pages.POST("/admin/trainers/track", func(c *gin.Context) {
		var ids []int64
		for _, f := range strings.FieldsFunc(c.PostForm("course_ids"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				r.Render.Error(c, apperr.Invalid("course_ids", "must be course numbers separated by commas"))
				return
			}
			ids = append(ids, id)
		}
		if _, err := s.SetTrainerTrack(c.Request.Context(), ids); err != nil {
			r.Render.Error(c, err)
			return
		}
		web.SetFlash(c, "progress.trainers.saved")
		c.Redirect(http.StatusSeeOther, "/admin/trainers")
	})
	r.Pages.POST("/admin/trainers/:user_id/confirm", func(c *gin.Context) {
		id, err := strconv.ParseInt(c.Param("user_id"), 10, 64)
		if err != nil {
			r.Render.Error(c, apperr.ErrNotFound)
			return
		}
		if err := s.ConfirmTrainer(c.Request.Context(), id); err != nil {
			r.Render.Error(c, err)
			return
		}
		web.SetFlash(c, "progress.trainers.confirmed")
		c.Redirect(http.StatusSeeOther, "/admin/trainers")
	})
}
