package scorm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/httpx"
	"glc/internal/web"
	webassets "glc/web"
)

var errNotFoundSection = fmt.Errorf("section: %w", apperr.ErrNotFound)

func (h *handlers) registerPages() {
	p := h.r.Pages
	p.GET("/sections/:id/packages/new", h.uploadPage)
	p.POST("/sections/:id/packages", h.uploadSubmit)
	p.GET("/scorm/imports/:id", h.importPage)
	p.GET("/lessons/:id/play", h.playerPage)
	p.GET("/lessons/:id/package", h.packagePage)
	p.POST("/lessons/:id/package", h.packageSubmit)
	p.POST("/lessons/:id/scorm/attempts", h.newAttemptPage)
	p.GET("/lessons/:id/scorm/attempts", h.attemptsPage)
	p.GET("/scorm/attempts/:id", h.attemptPage)
	p.GET("/scorm/frame", h.framePage)
	p.GET("/content/:uuid/:token/*file", h.s.serveContent)
	p.HEAD("/content/:uuid/:token/*file", h.s.serveContent)
}

// requireUser sends anonymous visitors to the login page.
func (h *handlers) requireUser(c *gin.Context) bool {
	if auth.Current(c) == nil {
		c.Redirect(http.StatusSeeOther, "/login?next="+c.Request.URL.RequestURI())
		c.Abort()
		return false
	}
	return true
}

// UploadData is what the upload form shows.
type UploadData struct {
	SectionID int64
	MaxMB     int64
	Error     string
	// Pending is a background import in progress (its id).
	Pending string
	// MaxAttempts and MasteryScore are the optional settings fields as typed; Errors holds
	// the catalogue IDs of their errors by field.
	MaxAttempts  string
	MasteryScore string
	Errors       map[string]string
}

func (h *handlers) uploadPage(c *gin.Context) {
	if !h.requireUser(c) {
		return
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		h.r.Render.Error(c, errNotFoundSection)
		return
	}
	if err := h.s.Authorize(c.Request.Context(), id); err != nil {
		h.r.Render.Error(c, err)
		return
	}
	h.r.Render.HTML(c, http.StatusOK, "scorm/upload", "scorm.upload.title", UploadData{SectionID: id, MaxMB: h.s.cfg.MaxUploadMB})
}

// uploadSubmit is the form post without JavaScript (with JavaScript the page posts to the API
// and shows a progress bar). A refused package or bad settings show the form again (422).
func (h *handlers) uploadSubmit(c *gin.Context) {
	if !h.requireUser(c) {
		return
	}
	res, im, err := h.importUpload(c)
	if err == nil && im != nil {
		h.r.Render.HTML(c, http.StatusAccepted, "scorm/upload", "scorm.upload.title",
			UploadData{SectionID: im.SectionID, MaxMB: h.s.cfg.MaxUploadMB, Pending: im.UUID})
		return
	}
	if err != nil {
		var v *apperr.Validation
		if errors.As(err, &v) {
			id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
			d := UploadData{SectionID: id, MaxMB: h.s.cfg.MaxUploadMB, Errors: settingsErrors(v.Fields)}
			if c.Request.MultipartForm != nil {
				d.MaxAttempts, d.MasteryScore = c.PostForm("max_attempts"), c.PostForm("mastery_score")
			}
			if len(d.Errors) == 0 {
				if d.Error = v.Message; d.Error == "" {
					d.Error = v.Error()
				}
			}
			h.r.Render.HTML(c, http.StatusUnprocessableEntity, "scorm/upload", "scorm.upload.title", d)
			return
		}
		h.r.Render.Error(c, err)
		return
	}
	web.SetFlash(c, "scorm.upload.done")
	c.Redirect(http.StatusSeeOther, packagePageURL(res.ID))
}

// packagePageURL is the page of a package lesson for its instructors (settings, results).
func packagePageURL(lessonID int64) string { return fmt.Sprintf("/lessons/%d/package", lessonID) }

// settingsErrors turns the field errors of lesson settings into catalogue IDs.
func settingsErrors(fields map[string]string) map[string]string {
	out := map[string]string{}
	for _, k := range []string{"max_attempts", "mastery_score"} {
		if _, ok := fields[k]; ok {
			out[k] = "scorm.settings.bad_" + k
		}
	}
	return out
}

// importPage follows a background import: the lesson's page when it is done, the form with
// the reason when it failed, the waiting page (refreshing itself) meanwhile.
func (h *handlers) importPage(c *gin.Context) {
	if !h.requireUser(c) {
		return
	}
	im, err := h.s.ImportStatus(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.r.Render.Error(c, err)
		return
	}
	d := UploadData{SectionID: im.SectionID, MaxMB: h.s.cfg.MaxUploadMB}
	switch im.Status {
	case "done":
		web.SetFlash(c, "scorm.upload.done")
		c.Redirect(http.StatusSeeOther, packagePageURL(*im.LessonID))
		return
	case "failed":
		d.Error = im.Error
	default:
		d.Pending = im.UUID
	}
	h.r.Render.HTML(c, http.StatusOK, "scorm/upload", "scorm.upload.title", d)
}

// OutlineRow is one line of the player's outline.
type OutlineRow struct {
	Identifier string `json:"id"`
	Title      string `json:"title"`
	Depth      int    `json:"depth"`
	Launchable bool   `json:"launchable"`
	Status     string `json:"status"`
	StatusID   string `json:"-"`
	Locked     bool   `json:"locked"`
	Hidden     bool   `json:"hidden"`
	// Choice: the learner may open it from the outline; Flow: continue/previous may reach it.
	Choice      bool `json:"choice"`
	Flow        bool `json:"flow"`
	ForwardOnly bool `json:"forward_only"`
}

// PlayerData is what the player page shows.
type PlayerData struct {
	LessonID    int64
	CourseID    int64
	Title       string
	Standard    string
	Attempt     *Attempt
	Outline     []OutlineRow
	Labels      map[string]string
	FrameURL    string
	FrameOrigin string
	Manage      bool
	CanRetry    bool
	TotalTime   string
	// Spent is the time spent in the attempt, a <time> element.
	Spent template.HTML
	// AttemptStatusID is the catalogue ID of the attempt's status.
	AttemptStatusID string
}

func (h *handlers) playerPage(c *gin.Context) {
	if !h.requireUser(c) {
		return
	}
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	if p, ok := h.s.cmi5.(CMI5Player); ok {
		if to := p.PlayerPath(c.Request.Context(), id); to != "" {
			c.Redirect(http.StatusSeeOther, to)
			return
		}
	}
	d, err := h.s.Player(c.Request.Context(), id)
	if err != nil {
		h.r.Render.Error(c, err)
		return
	}
	d.Labels = map[string]string{}
	for _, st := range []string{"not attempted", "incomplete", "browsed", "completed", "passed", "failed", "unknown"} {
		d.Labels[st] = h.r.Render.Cat.T(web.Lang(c), statusID(st))
	}
	d.Spent = spent(d.Attempt.TotalCS)
	d.FrameURL = h.s.contentBase() + "/scorm/frame?std=" + d.Standard
	d.FrameOrigin = h.s.contentBase()
	if d.FrameOrigin == "" {
		d.FrameOrigin = h.s.requestOrigin(c.Request)
	}
	// The player frames the API frame, which may be on the content origin.
	c.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "+
		"object-src 'none'; frame-src 'self' "+h.s.contentBase()+"; frame-ancestors 'self'; base-uri 'self'; form-action 'self'")
	h.r.Render.HTML(c, http.StatusOK, "scorm/player", "", d)
}

func (h *handlers) newAttemptPage(c *gin.Context) {
	if !h.requireUser(c) {
		return
	}
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	if _, err := h.s.NewAttempt(c.Request.Context(), id); err != nil {
		h.r.Render.Error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/lessons/%d/play", id))
}

// AttemptsData is the instructors' list of a lesson's attempts (a learner sees their own).
type AttemptsData struct {
	LessonID int64
	Title    string
	Manage   bool
	// Previews: the list shows the previews (staff trying the lesson) instead of learners'
	// attempts; PreviewCount counts them (for the link between the two lists).
	Previews     bool
	PreviewCount int64
	Attempts     []AttemptRow
	Page         int
	Pages        int
}

// AttemptRow is one attempt in the list.
type AttemptRow struct {
	Attempt      Attempt
	Person       Person
	TotalTime    template.HTML
	Score        string
	CompletionID string
	SuccessID    string
}

func (h *handlers) attemptsPage(c *gin.Context) {
	if !h.requireUser(c) {
		return
	}
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	pg, err := httpx.Paging(c)
	if err != nil {
		h.r.Render.Error(c, err)
		return
	}
	ctx := c.Request.Context()
	acc, err := h.s.access(ctx, id)
	if err != nil {
		h.r.Render.Error(c, err)
		return
	}
	f := AttemptFilter{Previews: PreviewsExclude}
	previews := acc.Manage && c.Query("previews") == PreviewsOnly
	if previews {
		f.Previews = PreviewsOnly
	}
	list, total, err := h.s.Attempts(ctx, id, f, pg.Offset(), pg.PerPage)
	if err != nil {
		h.r.Render.Error(c, err)
		return
	}
	pkg, _, err := h.s.Package(ctx, id)
	if err != nil {
		h.r.Render.Error(c, err)
		return
	}
	people, err := h.s.People(ctx, id, acc, list)
	if err != nil {
		h.r.Render.Error(c, err)
		return
	}
	d := AttemptsData{LessonID: id, Title: pkg.Title, Manage: acc.Manage, Previews: previews}
	if acc.Manage {
		if d.PreviewCount, err = h.s.CountPreviews(ctx, id); err != nil {
			h.r.Render.Error(c, err)
			return
		}
	}
	for _, a := range list {
		d.Attempts = append(d.Attempts, AttemptRow{Attempt: a, Person: people[a.UserID], TotalTime: spent(a.TotalCS),
			Score: scoreText(a.ScoreRaw, a.ScoreMax), CompletionID: statusID(a.CompletionStatus), SuccessID: statusID(a.SuccessStatus)})
	}
	d.Page, d.Pages = pg.Page, int((total+int64(pg.PerPage)-1)/int64(pg.PerPage))
	h.r.Render.HTML(c, http.StatusOK, "scorm/attempts", "scorm.attempts.title", d)
}

// spent is the <time> element of a time spent (centiseconds, as SCORM counts them).
func spent(cs int64) template.HTML {
	return web.DurationElement(time.Duration(cs) * 10 * time.Millisecond)
}

func scoreText(raw, max *float64) string {
	if raw == nil {
		return ""
	}
	s := strconv.FormatFloat(*raw, 'f', -1, 64)
	if max != nil {
		s += " / " + strconv.FormatFloat(*max, 'f', -1, 64)
	}
	return s
}

// AttemptPageData is one attempt in full.
type AttemptPageData struct {
	Detail       AttemptOut
	Person       Person
	Manage       bool
	Title        string
	Items        []ItemView
	CompletionID string
	SuccessID    string
	ScoreText    string
	Spent        template.HTML
}

// ItemView is an item's CMI data, pretty-printed.
type ItemView struct {
	ItemOut
	Title        string
	JSON         string
	CompletionID string
	SuccessID    string
	Spent        template.HTML
}

func (h *handlers) attemptPage(c *gin.Context) {
	if !h.requireUser(c) {
		return
	}
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	d, err := h.s.Attempt(c.Request.Context(), id)
	if err != nil {
		h.r.Render.Error(c, err)
		return
	}
	out := detailOut(d)
	people, err := h.s.People(c.Request.Context(), d.Attempt.LessonID, d.Access, []Attempt{*d.Attempt})
	if err != nil {
		h.r.Render.Error(c, err)
		return
	}
	data := AttemptPageData{Detail: out, Person: people[d.Attempt.UserID], Manage: d.Access.Manage, Title: d.Manifest.Title, CompletionID: statusID(out.CompletionStatus),
		SuccessID: statusID(out.SuccessStatus), ScoreText: scoreText(d.Attempt.ScoreRaw, d.Attempt.ScoreMax), Spent: spent(d.Attempt.TotalCS)}
	for i, it := range out.Items {
		var buf bytes.Buffer
		_ = json.Indent(&buf, it.CMI, "", "  ")
		title := it.Identifier
		if x := d.Manifest.Find(it.Identifier); x != nil {
			title = x.Title
		}
		data.Items = append(data.Items, ItemView{ItemOut: it, Title: title, JSON: buf.String(),
			CompletionID: statusID(it.CompletionStatus), SuccessID: statusID(it.SuccessStatus), Spent: spent(d.Items[i].TotalCS())})
	}
	h.r.Render.HTML(c, http.StatusOK, "scorm/attempt", "scorm.attempt.title", data)
}

// FrameData is what the API frame page needs.
type FrameData struct {
	Parent    string
	Runtime   string
	Library   string
	Style     string
	Standard  string
	ParentOff bool
}

// framePage serves the API frame: a page on the content origin that holds the scorm-again
// runtime (window.API / window.API_1484_11) and frames the SCO. It takes launch data from the
// player page by postMessage, accepted only from the portal's origin.
func (h *handlers) framePage(c *gin.Context) {
	if !h.s.onContentHost(c.Request) {
		httpx.Fail(c, apperr.ErrNotFound)
		return
	}
	std := c.Query("std")
	lib := "scorm-again/scorm12.min.js"
	if std == StandardSCORM2004 {
		lib = "scorm-again/scorm2004.min.js"
	} else {
		std = StandardSCORM12
	}
	v := h.r.Render.NewView(c, "", nil)
	d := FrameData{Parent: h.s.mainOrigin(c.Request), Runtime: v.Asset("js/scorm-runtime.js"), Style: v.Asset("css/scorm-frame.css"),
		Library: webassets.URL(lib), Standard: std}
	var buf bytes.Buffer
	if err := h.frame.Execute(&buf, d); err != nil {
		httpx.Fail(c, err)
		return
	}
	hd := c.Writer.Header()
	hd.Del("X-Frame-Options")
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors "+d.Parent)
	hd.Set("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

// statusID is the catalogue ID of a status word ("not attempted" -> scorm.status.not_attempted).
func statusID(status string) string {
	switch status {
	case "not attempted", "incomplete", "browsed", "completed", "passed", "failed":
		return "scorm.status." + strings.ReplaceAll(status, " ", "_")
	}
	return "scorm.status.unknown"
}
