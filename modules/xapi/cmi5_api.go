package xapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"glc/internal/auth"
	"glc/internal/httpx"
	"glc/internal/web"
)

func registerCMI5(r *web.Router, s *Service) {
	h := &cmi5Handlers{s: s, r: r}
	r.API.POST("/lessons/:id/launches", h.launchAPI)
	r.API.POST("/lessons/:id/waivers", h.waiveAPI)
	r.API.GET("/lessons/:id/cmi5", h.courseAPI)
	r.Pages.GET("/lessons/:id/cmi5", h.playerPage)
	r.Pages.GET("/lessons/:id/cmi5/return", h.returnPage)
	r.Pages.GET("/cmi5/content/:uuid/:token/*file", s.serveContent)
	r.Pages.HEAD("/cmi5/content/:uuid/:token/*file", s.serveContent)
}

type cmi5Handlers struct {
	s *Service
	r *web.Router
}

func (h *cmi5Handlers) launchAPI(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	var in LaunchIn
	if c.Request.ContentLength != 0 && !httpx.BindJSON(c, &in) {
		return
	}
	out, err := h.s.Launch(c.Request.Context(), c.Request, id, in)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}

func (h *cmi5Handlers) waiveAPI(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	var in WaiveIn
	if !httpx.BindJSON(c, &in) {
		return
	}
	out, err := h.s.Waive(c.Request.Context(), id, in)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}

func (h *cmi5Handlers) courseAPI(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	out, err := h.s.Course(c.Request.Context(), id, web.Lang(c))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// requireUser sends anonymous visitors to the login page.
func (h *cmi5Handlers) requireUser(c *gin.Context) bool {
	if auth.Current(c) == nil {
		c.Redirect(http.StatusSeeOther, "/login?next="+c.Request.URL.RequestURI())
		c.Abort()
		return false
	}
	return true
}

// PlayerData is what the cmi5 player page shows.
type PlayerData struct {
	Course *CourseView
	Rows   []PlayerRow
	// StatusID is the catalogue ID of the lesson's status.
	StatusID string
	// Labels are the statuses in the page's language, for the script that refreshes them.
	Labels map[string]string
}

// PlayerRow is one line of the player's list.
type PlayerRow struct {
	AUView
	StatusID string
}

func statusID(st string) string {
	switch st {
	case "not_attempted", "in_progress", "completed", "passed", "failed", "waived":
		return "cmi5.status." + st
	}
	return "cmi5.status.not_attempted"
}

func (h *cmi5Handlers) playerPage(c *gin.Context) {
	if !h.requireUser(c) {
		return
	}
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	cv, err := h.s.Course(c.Request.Context(), id, web.Lang(c))
	if err != nil {
		h.r.Render.Error(c, err)
		return
	}
	d := PlayerData{Course: cv, StatusID: statusID(cv.Status), Labels: map[string]string{}}
	for _, st := range []string{"not_attempted", "in_progress", "completed", "passed", "failed", "waived"} {
		d.Labels[st] = h.r.Render.Cat.T(web.Lang(c), statusID(st))
	}
	for _, it := range cv.Items {
		d.Rows = append(d.Rows, PlayerRow{AUView: it, StatusID: statusID(it.Status)})
	}
	frames := "'self'"
	if h.s.c5.cfg.ContentOrigin != "" {
		frames += " " + h.s.c5.cfg.ContentOrigin
	}
	c.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "+
		"object-src 'none'; frame-src "+frames+"; frame-ancestors 'self'; base-uri 'self'; form-action 'self'")
	h.r.Render.HTML(c, http.StatusOK, "xapi/cmi5_player", "", d)
}

// returnPage is the returnURL of LMS.LaunchData: where an AU sends the learner when it ends.
// In the player's frame it tells the player (same origin) to refresh; in a window of its own
// it links back to the player.
func (h *cmi5Handlers) returnPage(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	h.r.Render.HTML(c, http.StatusOK, "xapi/cmi5_return", "cmi5.return.title", map[string]any{"LessonID": id})
}
