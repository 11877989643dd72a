package programme

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/httpx"
	"glc/internal/web"
)

type pages struct {
	s *Service
	r *web.Renderer
}

func (m *Module) registerPages(r *web.Router) {
	p := pages{s: m.Svc, r: r.Render}
	g := r.Pages
	g.GET("/programmes", p.list)
	g.GET("/programmes/new", p.newForm)
	g.POST("/programmes/new", p.save)
	g.GET("/programmes/:id", p.detail)
	g.GET("/programmes/:id/edit", p.editForm)
	g.POST("/programmes/:id/edit", p.save)
	g.GET("/programmes/:id/sessions/new", p.sessionForm)
	g.POST("/programmes/:id/sessions/new", p.sessionSave)
	g.GET("/programmes/:id/sessions/:sid", p.session)
	g.POST("/programmes/:id/sessions/:sid/apply", p.apply)
	g.POST("/programmes/:id/sessions/:sid/applications/:aid/endorse", p.endorse)
	g.POST("/programmes/:id/sessions/:sid/applications/:aid/decision", p.decide)
	g.POST("/programmes/:id/sessions/:sid/enrol", p.enrol)
}

func pid(c *gin.Context, name string) int64 {
	id, _ := strconv.ParseInt(c.Param(name), 10, 64)
	return id
}

func fieldErrors(err error) (map[string]string, bool) {
	var v *apperr.Validation
	if errors.As(err, &v) {
		return v.Fields, true
	}
	return nil, false
}

// ListData is the programmes page.
type ListData struct {
	Items   []Programme
	Page    int
	Pages   int
	IsAdmin bool
}

func (p pages) list(c *gin.Context) {
	pg, err := httpx.Paging(c)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	items, total, err := p.s.List(c.Request.Context(), pg.Page, pg.PerPage)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	p.r.HTML(c, http.StatusOK, "programme/programmes", "programme.title", ListData{Items: items, Page: pg.Page,
		Pages: int((total + int64(pg.PerPage) - 1) / int64(pg.PerPage)), IsAdmin: auth.Current(c).IsAdmin()})
}

// DetailData is a programme page.
type DetailData struct {
	*Detail
	Courses       []CourseLink
	Mine          map[int64]Application
	IsAdmin       bool
	IsCoordinator bool
}

func (p pages) detail(c *gin.Context) {
	ctx := c.Request.Context()
	d, err := p.s.Get(ctx, pid(c, "id"))
	if err != nil {
		p.r.Error(c, err)
		return
	}
	mine, err := p.s.MyApplications(ctx, d.ID)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	courses, err := p.s.LinkedCourses(ctx, d, web.Lang(c))
	if err != nil {
		p.r.Error(c, err)
		return
	}
	u := auth.Current(c)
	v := p.r.NewView(c, "", DetailData{Detail: d, Courses: courses, Mine: mine, IsAdmin: u.IsAdmin(), IsCoordinator: u.Has(auth.RoleCoordinator)})
	v.Title = d.Title
	p.r.Render(c, http.StatusOK, "programme/programme", v)
}

// FormData is the programme form.
type FormData struct {
	ID        int64
	In        ProgrammeInput
	Languages string
	Courses   string
	Errors    map[string]string
}

func (p pages) newForm(c *gin.Context) {
	if _, err := requireAdmin(c.Request.Context()); err != nil {
		p.r.Error(c, err)
		return
	}
	p.r.HTML(c, http.StatusOK, "programme/programme_form", "programme.new", FormData{})
}

func (p pages) editForm(c *gin.Context) {
	ctx := c.Request.Context()
	if _, err := requireAdmin(ctx); err != nil {
		p.r.Error(c, err)
		return
	}
	d, err := p.s.Get(ctx, pid(c, "id"))
	if err != nil {
		p.r.Error(c, err)
		return
	}
	courses := make([]string, len(d.CourseIDs))
	for i, id := range d.CourseIDs {
		courses[i] = strconv.FormatInt(id, 10)
	}
	in := ProgrammeInput{Title: d.Title, Summary: d.Summary, Description: d.Description, Region: d.Region, Focus: d.Focus,
		DurationDays: d.DurationDays, Published: d.Published}
	p.r.HTML(c, http.StatusOK, "programme/programme_form", "programme.edit", FormData{ID: d.ID, In: in, Languages: d.Languages, Courses: strings.Join(courses, ", ")})
}

func (p pages) save(c *gin.Context) {
	ctx := c.Request.Context()
	fe := apperr.Fields{}
	days, err := strconv.Atoi(strings.TrimSpace(c.DefaultPostForm("duration_days", "0")))
	fe.Check(err != nil, "duration_days", "must be a whole number")
	in := ProgrammeInput{Title: c.PostForm("title"), Summary: c.PostForm("summary"), Description: strings.ReplaceAll(c.PostForm("description"), "\r\n", "\n"),
		Region: c.PostForm("region"), Focus: c.PostForm("focus"), DurationDays: days, Published: c.PostForm("published") == "on",
		Languages: strings.Fields(strings.ReplaceAll(c.PostForm("languages"), ",", " "))}
	for _, s := range strings.Fields(strings.ReplaceAll(c.PostForm("course_ids"), ",", " ")) {
		n, err := strconv.ParseInt(s, 10, 64)
		fe.Check(err != nil, "course_ids", "must be course numbers")
		in.CourseIDs = append(in.CourseIDs, n)
	}
	id := pid(c, "id")
	var d *Detail
	if _, err = requireAdmin(ctx); err == nil {
		err = fe.Err()
	}
	if err == nil {
		if id == 0 {
			d, err = p.s.Create(ctx, in)
		} else {
			d, err = p.s.Update(ctx, id, in)
		}
	}
	if f, ok := fieldErrors(err); ok {
		p.r.HTML(c, http.StatusUnprocessableEntity, "programme/programme_form", "programme.new", FormData{ID: id, In: in,
			Languages: c.PostForm("languages"), Courses: c.PostForm("course_ids"), Errors: f})
		return
	}
	if err != nil {
		p.r.Error(c, err)
		return
	}
	web.SetFlash(c, "programme.saved")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/programmes/%d", d.ID))
}

// SessionFormData is the session form.
type SessionFormData struct {
	ProgrammeID int64
	In          SessionInput
	States      []string
	Errors      map[string]string
}

func (p pages) sessionForm(c *gin.Context) {
	ctx := c.Request.Context()
	if _, err := requireAdmin(ctx); err != nil {
		p.r.Error(c, err)
		return
	}
	if _, err := p.s.Get(ctx, pid(c, "id")); err != nil {
		p.r.Error(c, err)
		return
	}
	p.r.HTML(c, http.StatusOK, "programme/session_form", "programme.session.new", SessionFormData{ProgrammeID: pid(c, "id"),
		In: SessionInput{Language: web.Lang(c), Status: SessionPlanned, Seats: 20}, States: SessionStates})
}

func (p pages) sessionSave(c *gin.Context) {
	seats, _ := strconv.Atoi(strings.TrimSpace(c.PostForm("seats")))
	in := SessionInput{StartsOn: c.PostForm("starts_on"), EndsOn: c.PostForm("ends_on"), Place: c.PostForm("place"),
		Language: c.PostForm("language"), Seats: seats, Status: c.PostForm("status")}
	id := pid(c, "id")
	_, err := p.s.AddSession(c.Request.Context(), id, in)
	if f, ok := fieldErrors(err); ok {
		p.r.HTML(c, http.StatusUnprocessableEntity, "programme/session_form", "programme.session.new", SessionFormData{ProgrammeID: id, In: in, States: SessionStates, Errors: f})
		return
	}
	if err != nil {
		p.r.Error(c, err)
		return
	}
	web.SetFlash(c, "programme.saved")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/programmes/%d", id))
}

// SessionData is the page where coordinators endorse and admins decide and enrol.
type SessionData struct {
	Programme    *Detail
	Session      *Session
	Applications []Application
	IsAdmin      bool
}

func (p pages) session(c *gin.Context) {
	ctx := c.Request.Context()
	d, err := p.s.Get(ctx, pid(c, "id"))
	if err != nil {
		p.r.Error(c, err)
		return
	}
	ss, err := p.s.session(ctx, d.ID, pid(c, "sid"))
	if err != nil {
		p.r.Error(c, err)
		return
	}
	apps, err := p.s.Applications(ctx, d.ID, ss.ID)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	v := p.r.NewView(c, "", SessionData{Programme: d, Session: ss, Applications: apps, IsAdmin: auth.Current(c).IsAdmin()})
	v.Title = d.Title
	p.r.Render(c, http.StatusOK, "programme/session", v)
}

func (p pages) back(c *gin.Context, flash, to string) {
	web.SetFlash(c, flash)
	c.Redirect(http.StatusSeeOther, to)
}

func (p pages) apply(c *gin.Context) {
	id, sid := pid(c, "id"), pid(c, "sid")
	if _, err := p.s.Apply(c.Request.Context(), id, sid, ApplyInput{Motivation: c.PostForm("motivation")}); err != nil {
		p.r.Error(c, err)
		return
	}
	p.back(c, "programme.applied", fmt.Sprintf("/programmes/%d", id))
}

func (p pages) endorse(c *gin.Context) {
	id, sid := pid(c, "id"), pid(c, "sid")
	if _, err := p.s.Endorse(c.Request.Context(), id, sid, pid(c, "aid")); err != nil {
		p.r.Error(c, err)
		return
	}
	p.back(c, "programme.endorsed", fmt.Sprintf("/programmes/%d/sessions/%d", id, sid))
}

func (p pages) decide(c *gin.Context) {
	id, sid := pid(c, "id"), pid(c, "sid")
	if _, err := p.s.Decide(c.Request.Context(), id, sid, pid(c, "aid"), DecideInput{Decision: c.PostForm("decision")}); err != nil {
		p.r.Error(c, err)
		return
	}
	p.back(c, "programme.decided", fmt.Sprintf("/programmes/%d/sessions/%d", id, sid))
}

func (p pages) enrol(c *gin.Context) {
	id, sid := pid(c, "id"), pid(c, "sid")
	if _, err := p.s.EnrolParticipants(c.Request.Context(), id, sid); err != nil {
		p.r.Error(c, err)
		return
	}
	p.back(c, "programme.enrolled", fmt.Sprintf("/programmes/%d/sessions/%d", id, sid))
}
