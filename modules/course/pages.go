package course

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/httpx"
	"glc/internal/web"
)

type pages struct {
	svc *Service
	r   *web.Renderer
}

func registerPages(r *web.Router, s *Service) {
	p := &pages{svc: s, r: r.Render}
	g := r.Pages
	g.GET("/courses", p.catalogue)
	g.GET("/courses/:ref", p.course)
	g.POST("/courses/:ref/enrol", p.enrol)
	g.POST("/courses/:ref/unenrol", p.unenrol)
	g.GET("/lessons/:id", p.lesson)
	g.GET("/my", p.my)
	registerTeach(g, p)
	registerAdmin(g, p)
	registerAssign(g, p)
}

// fail shows err as a page; anonymous visitors are sent to log in first.
func (p *pages) fail(c *gin.Context, err error) {
	if errors.Is(err, apperr.ErrUnauthenticated) {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	p.r.Error(c, err)
}

func pageNum(c *gin.Context) Page {
	n, err := strconv.Atoi(c.Query("page"))
	if err != nil || n < 1 {
		n = 1
	}
	return Page{Page: n, PerPage: 12}
}

// Pager is what the shared "pager" partial needs.
type Pager struct {
	Page  int
	Pages int
	View  *web.View
}

func pager(v *web.View, pg Page, total int64) Pager {
	return Pager{Page: pg.Page, Pages: int((total + int64(pg.PerPage) - 1) / int64(pg.PerPage)), View: v}
}

// CatalogueData is what the catalogue page shows.
type CatalogueData struct {
	Query   CatalogueQuery
	Items   []CourseSummary
	Total   int64
	Topics  []TopicView
	Levels  []string
	Regions []string
	Langs   []web.Language
	Sorts   []string
	Pager   Pager
	Errors  map[string]string
}

func (p *pages) catalogue(c *gin.Context) {
	ctx := c.Request.Context()
	q := CatalogueQuery{Q: strings.TrimSpace(c.Query("q")), Topic: c.Query("topic"), Language: c.Query("language"), Region: c.Query("region"),
		Level: c.Query("level"), Sort: c.Query("sort"), UI: web.Lang(c), Page: pageNum(c)}
	d := &CatalogueData{Query: q, Levels: Levels, Regions: Regions, Langs: web.Languages,
		Sorts: []string{"relevance", "newest", "title"}}
	status := http.StatusOK
	var err error
	d.Items, d.Total, err = p.svc.Catalogue(ctx, q)
	var v *apperr.Validation
	if errors.As(err, &v) {
		d.Errors, status = v.Fields, http.StatusUnprocessableEntity
	} else if err != nil {
		p.fail(c, err)
		return
	}
	if d.Topics, err = p.svc.Topics(ctx, web.Lang(c), false); err != nil {
		p.fail(c, err)
		return
	}
	view := p.r.NewView(c, "course.catalogue.title", d)
	d.Pager = pager(view, q.Page, d.Total)
	p.r.Render(c, status, "course/catalogue", view)
}

// loadRef resolves a course by id or slug.
func (p *pages) loadRef(c *gin.Context) (*CourseView, error) {
	ref, variant, ui := c.Param("ref"), c.Query("variant"), web.Lang(c)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		return p.svc.Get(c.Request.Context(), id, variant, ui)
	}
	return p.svc.GetBySlug(c.Request.Context(), ref, variant, ui)
}

// CourseData is what the course page shows.
type CourseData struct {
	Course   *CourseView
	CanEnrol bool
	Hours    string
	// Percent is the share of required lessons the enrolled caller has completed.
	Percent int
}

func hours(h float64) string { return strconv.FormatFloat(h, 'f', -1, 64) }

func (p *pages) course(c *gin.Context) {
	cv, err := p.loadRef(c)
	if err != nil {
		p.fail(c, err)
		return
	}
	d := &CourseData{Course: cv, Hours: hours(cv.EstimatedHours),
		CanEnrol: cv.Status == StatusPublished && cv.SelfEnrolment && (cv.Enrolment == nil || cv.Enrolment.Status != EnrolActive)}
	if pr := auth.Current(c); pr != nil && cv.Enrolment != nil && cv.Enrolment.Status == EnrolActive {
		pct, _, err := p.svc.percentages(c.Request.Context(), pr.UserID, []int64{cv.ID})
		if err != nil {
			p.fail(c, err)
			return
		}
		d.Percent = pct[cv.ID]
	}
	view := p.r.NewView(c, "", d)
	view.Title = cv.Title
	p.r.Render(c, http.StatusOK, "course/course", view)
}

func (p *pages) enrol(c *gin.Context) {
	cv, err := p.loadRef(c)
	if err != nil {
		p.fail(c, err)
		return
	}
	if _, _, err := p.svc.SelfEnrol(c.Request.Context(), cv.ID); err != nil {
		p.fail(c, err)
		return
	}
	web.SetFlash(c, "course.flash.enrolled")
	target := fmt.Sprintf("/courses/%d", cv.ID)
	if cv.ContinueLessonID > 0 {
		target = fmt.Sprintf("/lessons/%d", cv.ContinueLessonID)
	}
	c.Redirect(http.StatusSeeOther, target)
}

func (p *pages) unenrol(c *gin.Context) {
	cv, err := p.loadRef(c)
	if err != nil {
		p.fail(c, err)
		return
	}
	pr := auth.Current(c)
	if pr == nil {
		p.fail(c, apperr.ErrUnauthenticated)
		return
	}
	if err := p.svc.Unenrol(c.Request.Context(), cv.ID, pr.UserID); err != nil {
		p.fail(c, err)
		return
	}
	web.SetFlash(c, "course.flash.unenrolled")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/courses/%d", cv.ID))
}

// LessonData is what the lesson player shows.
type LessonData struct {
	Lesson   *LessonView
	Course   *CourseView
	Track    bool // record progress (enrolled learner)
	Position string
	IsPDF    bool
}

func (p *pages) lesson(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		p.fail(c, apperr.ErrNotFound)
		return
	}
	ctx := c.Request.Context()
	variant, ui := c.Query("variant"), web.Lang(c)
	lv, err := p.svc.Lesson(ctx, id, variant, ui)
	if err != nil {
		p.fail(c, err)
		return
	}
	cv, err := p.svc.Get(ctx, lv.CourseID, lv.Language, ui)
	if err != nil {
		p.fail(c, err)
		return
	}
	track := cv.Enrolment != nil && cv.Enrolment.Status == EnrolActive
	// Opening a lesson page is the "viewed" event (pages work without JavaScript); videos also
	// report their position from media-progress.js.
	if track && lv.Available {
		if pv, err := p.svc.Progress(ctx, id, ProgressInput{Event: "viewed"}); err == nil {
			if lv.Progress == nil {
				lv.Progress = pv
			} else {
				lv.Progress.Status = pv.Status
			}
			for i := range cv.Sections {
				for j := range cv.Sections[i].Lessons {
					if cv.Sections[i].Lessons[j].ID == id {
						cv.Sections[i].Lessons[j].Status = pv.Status
					}
				}
			}
		}
	}
	d := &LessonData{Lesson: lv, Course: cv, Track: track}
	if lv.Progress != nil {
		d.Position = strconv.FormatFloat(lv.Progress.PositionSeconds, 'f', 1, 64)
	}
	d.IsPDF = lv.Media != nil && lv.Media.ContentType == "application/pdf"
	if o := p.svc.MediaOrigin(); o != "" && lv.Kind == KindVideo {
		c.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: "+o+"; style-src 'self'; script-src 'self'; object-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'")
	} else if d.IsPDF {
		c.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; script-src 'self'; object-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'")
	}
	view := p.r.NewView(c, "", d)
	view.Title = lv.Title
	p.r.Render(c, http.StatusOK, "course/lesson", view)
}

// MyData is what "My learning" shows.
type MyData struct {
	Overdue    []MyCourse
	InProgress []MyCourse
	Completed  []MyCourse
	Total      int64
}

func (p *pages) my(c *gin.Context) {
	items, total, err := p.svc.MyCourses(c.Request.Context(), "", web.Lang(c), Page{Page: 1, PerPage: 100})
	if err != nil {
		p.fail(c, err)
		return
	}
	d := &MyData{Total: total}
	for _, it := range items {
		switch {
		case it.Enrolment.Overdue:
			d.Overdue = append(d.Overdue, it)
		case it.Enrolment.CompletedAt != nil:
			d.Completed = append(d.Completed, it)
		default:
			d.InProgress = append(d.InProgress, it)
		}
	}
	p.r.HTML(c, http.StatusOK, "course/my", "course.my.title", d)
}

// formErrors returns the field errors of a validation failure, or nil.
func formErrors(err error) map[string]string {
	var v *apperr.Validation
	if errors.As(err, &v) {
		return v.Fields
	}
	return nil
}

var _ = httpx.CSRFHeader
