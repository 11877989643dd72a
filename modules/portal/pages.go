package portal

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
	"glc/modules/library"
	"glc/modules/programme"
)

type pages struct {
	m *Module
	s *Service
	r *web.Renderer
}

func (m *Module) registerPages(r *web.Router) {
	p := pages{m: m, s: m.Svc, r: r.Render}
	g := r.Pages
	g.GET("/", p.home)
	g.GET("/news", p.newsList)
	g.GET("/news/feed.atom", p.feed)
	g.GET("/news/new", p.newsNew)
	g.POST("/news/new", p.newsSave)
	g.GET("/news/:id", p.article)
	g.GET("/news/:id/edit", p.newsEdit)
	g.POST("/news/:id/edit", p.newsSave)
	g.GET("/events", p.events)
	g.GET("/events/new", p.eventNew)
	g.POST("/events/new", p.eventSave)
	g.GET("/events/:id", p.event)
	g.GET("/events/:id/edit", p.eventEdit)
	g.POST("/events/:id/edit", p.eventSave)
	g.POST("/events/:id/register", p.register)
	g.POST("/events/:id/unregister", p.unregister)
}

// HomeData is what the home page shows; each list may be empty.
type HomeData struct {
	Courses      []CourseCard
	News         []NewsPost
	Sessions     []programme.SessionCard
	Events       []Event
	Publications []library.Resource
}

func (p pages) home(c *gin.Context) {
	ctx := c.Request.Context()
	var d HomeData
	var errs []error
	if p.m.deps.Courses != nil {
		var err error
		d.Courses, err = p.m.deps.Courses.FeaturedCourses(ctx, web.Lang(c), 6)
		errs = append(errs, err)
	}
	var err error
	d.News, _, err = p.s.NewsList(ctx, "", 1, 4)
	errs = append(errs, err)
	d.Events, _, err = p.s.Events(ctx, true, 1, 3)
	errs = append(errs, err)
	if p.m.deps.Sessions != nil {
		d.Sessions, err = p.m.deps.Sessions.Upcoming(ctx, 4)
		errs = append(errs, err)
	}
	if p.m.deps.Publications != nil {
		d.Publications, err = p.m.deps.Publications.Latest(ctx, library.KindPublication, 4)
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		p.r.Error(c, err)
		return
	}
	p.r.HTML(c, http.StatusOK, "portal/home", "home.title", d)
}

// ListData is a page of a list.
type ListData[T any] struct {
	Items   []T
	Page    int
	Pages   int
	CanEdit bool
}

func pageCount(total int64, per int) int { return int((total + int64(per) - 1) / int64(per)) }

func (p pages) newsList(c *gin.Context) {
	pg, err := httpx.Paging(c)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	items, total, err := p.s.NewsList(c.Request.Context(), "", pg.Page, pg.PerPage)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	p.r.HTML(c, http.StatusOK, "portal/news", "news.title", ListData[NewsPost]{Items: items, Page: pg.Page, Pages: pageCount(total, pg.PerPage),
		CanEdit: auth.Current(c).IsAdmin()})
}

func (p pages) feed(c *gin.Context) {
	items, _, err := p.s.NewsList(c.Request.Context(), "", 1, 30)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	title := p.r.Cat.T(web.Lang(c), "site.name") + " · " + p.r.Cat.T(web.Lang(c), "news.title")
	b, err := p.s.Feed(items, p.m.deps.BaseURL, title)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/atom+xml; charset=utf-8", b)
}

// ArticleData is a news item with its rendered body.
type ArticleData struct {
	Post    *NewsPost
	Body    any
	CanEdit bool
}

func (p pages) article(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		p.r.Error(c, apperr.ErrNotFound)
		return
	}
	n, err := p.s.News(c.Request.Context(), id)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	v := p.r.NewView(c, "", ArticleData{Post: n, Body: p.s.Markdown(n.Body), CanEdit: auth.Current(c).IsAdmin()})
	v.Title = n.Title
	p.r.Render(c, http.StatusOK, "portal/article", v)
}

// FormData is an edit form with its values and field errors.
type FormData[T any] struct {
	ID     int64
	In     T
	Errors map[string]string
}

func fieldErrors(err error) (map[string]string, bool) {
	var v *apperr.Validation
	if errors.As(err, &v) {
		return v.Fields, true
	}
	return nil, false
}

func idParam(c *gin.Context) int64 {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	return id
}

func (p pages) newsNew(c *gin.Context) {
	if _, err := requireAdmin(c.Request.Context()); err != nil {
		p.r.Error(c, err)
		return
	}
	p.r.HTML(c, http.StatusOK, "portal/news_form", "news.new", FormData[NewsInput]{In: NewsInput{Language: web.Lang(c)}})
}

func (p pages) newsEdit(c *gin.Context) {
	ctx := c.Request.Context()
	if _, err := requireAdmin(ctx); err != nil {
		p.r.Error(c, err)
		return
	}
	n, err := p.s.News(ctx, idParam(c))
	if err != nil {
		p.r.Error(c, err)
		return
	}
	in := NewsInput{Title: n.Title, Summary: n.Summary, Body: n.Body, Topic: n.Topic, Language: n.Language, PublishedAt: n.PublishedAt.Format("2006-01-02T15:04")}
	p.r.HTML(c, http.StatusOK, "portal/news_form", "news.edit", FormData[NewsInput]{ID: n.ID, In: in})
}

func (p pages) newsSave(c *gin.Context) {
	ctx := c.Request.Context()
	in := NewsInput{Title: c.PostForm("title"), Summary: c.PostForm("summary"), Body: strings.ReplaceAll(c.PostForm("body"), "\r\n", "\n"),
		Topic: c.PostForm("topic"), Language: c.PostForm("language"), PublishedAt: c.PostForm("published_at")}
	id := idParam(c)
	var n *NewsPost
	var err error
	if id == 0 {
		n, err = p.s.CreateNews(ctx, in)
	} else {
		n, err = p.s.UpdateNews(ctx, id, in)
	}
	if fe, ok := fieldErrors(err); ok {
		p.r.HTML(c, http.StatusUnprocessableEntity, "portal/news_form", "news.new", FormData[NewsInput]{ID: id, In: in, Errors: fe})
		return
	}
	if err != nil {
		p.r.Error(c, err)
		return
	}
	web.SetFlash(c, "news.saved")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/news/%d", n.ID))
}

func (p pages) events(c *gin.Context) {
	pg, err := httpx.Paging(c)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	items, total, err := p.s.Events(c.Request.Context(), true, pg.Page, pg.PerPage)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	p.r.HTML(c, http.StatusOK, "portal/events", "events.title", ListData[Event]{Items: items, Page: pg.Page, Pages: pageCount(total, pg.PerPage),
		CanEdit: auth.Current(c).IsAdmin()})
}

// EventData is an event page.
type EventData struct {
	Event      *Event
	Programme  any
	Registered bool
	CanEdit    bool
}

func (p pages) event(c *gin.Context) {
	ctx := c.Request.Context()
	e, err := p.s.Event(ctx, idParam(c))
	if err != nil {
		p.r.Error(c, err)
		return
	}
	v := p.r.NewView(c, "", EventData{Event: e, Programme: p.s.Markdown(e.Programme), Registered: p.s.IsRegistered(ctx, e.ID), CanEdit: auth.Current(c).IsAdmin()})
	v.Title = e.Title
	p.r.Render(c, http.StatusOK, "portal/event", v)
}

func (p pages) eventNew(c *gin.Context) {
	if _, err := requireAdmin(c.Request.Context()); err != nil {
		p.r.Error(c, err)
		return
	}
	p.r.HTML(c, http.StatusOK, "portal/event_form", "events.new", FormData[EventInput]{In: EventInput{Language: web.Lang(c), RegistrationOpen: true}})
}

func (p pages) eventEdit(c *gin.Context) {
	ctx := c.Request.Context()
	if _, err := requireAdmin(ctx); err != nil {
		p.r.Error(c, err)
		return
	}
	e, err := p.s.Event(ctx, idParam(c))
	if err != nil {
		p.r.Error(c, err)
		return
	}
	in := EventInput{Title: e.Title, Summary: e.Summary, Programme: e.Programme, StartsAt: e.StartsAt.Format("2006-01-02T15:04"),
		EndsAt: e.EndsAt.Format("2006-01-02T15:04"), Place: e.Place, Language: e.Language, Capacity: e.Capacity, RegistrationOpen: e.RegistrationOpen}
	p.r.HTML(c, http.StatusOK, "portal/event_form", "events.edit", FormData[EventInput]{ID: e.ID, In: in})
}

func (p pages) eventSave(c *gin.Context) {
	ctx := c.Request.Context()
	capacity, capErr := strconv.Atoi(strings.TrimSpace(c.PostForm("capacity")))
	in := EventInput{Title: c.PostForm("title"), Summary: c.PostForm("summary"), Programme: strings.ReplaceAll(c.PostForm("programme"), "\r\n", "\n"),
		StartsAt: c.PostForm("starts_at"), EndsAt: c.PostForm("ends_at"), Place: c.PostForm("place"), Language: c.PostForm("language"),
		Capacity: capacity, RegistrationOpen: c.PostForm("registration_open") == "on"}
	id := idParam(c)
	var e *Event
	var err error
	if capErr != nil {
		err = apperr.Invalid("capacity", "must be a whole number")
		if _, aerr := requireAdmin(ctx); aerr != nil {
			err = aerr
		}
	} else if id == 0 {
		e, err = p.s.CreateEvent(ctx, in)
	} else {
		e, err = p.s.UpdateEvent(ctx, id, in)
	}
	if fe, ok := fieldErrors(err); ok {
		p.r.HTML(c, http.StatusUnprocessableEntity, "portal/event_form", "events.new", FormData[EventInput]{ID: id, In: in, Errors: fe})
		return
	}
	if err != nil {
		p.r.Error(c, err)
		return
	}
	web.SetFlash(c, "events.saved")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/events/%d", e.ID))
}

func (p pages) register(c *gin.Context) {
	id := idParam(c)
	if _, err := p.s.Register(c.Request.Context(), id); err != nil {
		p.r.Error(c, err)
		return
	}
	web.SetFlash(c, "events.registered")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/events/%d", id))
}

func (p pages) unregister(c *gin.Context) {
	id := idParam(c)
	if err := p.s.Unregister(c.Request.Context(), id); err != nil {
		p.r.Error(c, err)
		return
	}
	web.SetFlash(c, "events.unregistered")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/events/%d", id))
}
