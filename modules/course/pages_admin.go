package course

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/web"
)

func registerAdmin(g *gin.RouterGroup, p *pages) {
	g.GET("/admin/courses", p.adminCourses)
	g.GET("/admin/topics", p.adminTopics)
	g.POST("/admin/topics", p.saveTopic)
	g.POST("/admin/topics/:id", p.saveTopic)
}

// AdminCoursesData is the admins' list of every course.
type AdminCoursesData struct {
	Items    []CourseSummary
	Total    int64
	Pager    Pager
	Q        string
	Status   string
	Statuses []string
	Errors   map[string]string
}

func (p *pages) adminCourses(c *gin.Context) {
	pg := pageNum(c)
	pg.PerPage = 25
	in := AdminQuery{Q: c.Query("q"), Status: c.Query("status"), Page: pg}
	items, total, err := p.svc.AdminCourses(c.Request.Context(), web.Lang(c), in)
	d := &AdminCoursesData{Items: items, Total: total, Q: in.Q, Status: in.Status, Statuses: []string{StatusDraft, StatusPublished, StatusArchived}}
	status := http.StatusOK
	if errs := formErrors(err); errs != nil {
		d.Errors, status = errs, http.StatusUnprocessableEntity
	} else if err != nil {
		p.fail(c, err)
		return
	}
	view := p.r.NewView(c, "course.admin.courses_title", d)
	d.Pager = pager(view, pg, total)
	p.r.Render(c, status, "course/admin_courses", view)
}

// AdminTopicsData is the admins' editor of the topic list.
type AdminTopicsData struct {
	Topics []TopicView
	// EditID is the topic whose form failed (0: the new topic form).
	EditID int64
	Errors map[string]string
	Form   map[string]string
	// Langs are the languages a topic is named in.
	Langs []string
}

func (p *pages) adminTopics(c *gin.Context) { p.renderTopics(c, http.StatusOK, 0, nil, nil) }

func (p *pages) renderTopics(c *gin.Context, status int, editID int64, errs, form map[string]string) {
	_, err := auth.RequireRole(c.Request.Context(), auth.RoleAdmin)
	var topics []TopicView
	if err == nil {
		topics, err = p.svc.Topics(c.Request.Context(), web.Lang(c), true)
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	d := &AdminTopicsData{Topics: topics, EditID: editID, Errors: errs, Form: form, Langs: []string{"en", "fr", "es", "ar"}}
	p.r.Render(c, status, "course/admin_topics", p.r.NewView(c, "course.admin.topics_title", d))
}

func (p *pages) saveTopic(c *gin.Context) {
	id := paramID(c)
	if c.Param("id") != "" && id <= 0 {
		p.fail(c, fmt.Errorf("topic %q: %w", c.Param("id"), apperr.ErrNotFound))
		return
	}
	active := c.PostForm("active") == "on"
	in := TopicInput{NameEn: formPtr(c, "name_en"), NameFr: formPtr(c, "name_fr"), NameEs: formPtr(c, "name_es"), NameAr: formPtr(c, "name_ar")}
	if id == 0 {
		in.Slug = formPtr(c, "slug")
	} else {
		in.Active = &active
	}
	_, err := p.svc.SaveTopic(c.Request.Context(), id, in, web.Lang(c))
	if errs := formErrors(err); errs != nil {
		form := map[string]string{}
		for _, k := range []string{"slug", "name_en", "name_fr", "name_es", "name_ar"} {
			form[k] = c.PostForm(k)
		}
		p.renderTopics(c, http.StatusUnprocessableEntity, id, errs, form)
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	web.SetFlash(c, "course.flash.saved")
	c.Redirect(http.StatusSeeOther, "/admin/topics")
}
