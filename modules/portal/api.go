package portal

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"glc/internal/httpx"
)

type api struct{ s *Service }

func (m *Module) registerAPI(g *gin.RouterGroup) {
	a := api{m.Svc}
	g.GET("/news", a.newsList)
	g.POST("/news", a.newsCreate)
	g.GET("/news/:id", a.newsGet)
	g.PATCH("/news/:id", a.newsUpdate)
	g.DELETE("/news/:id", a.newsDelete)
	g.GET("/events", a.eventList)
	g.POST("/events", a.eventCreate)
	g.GET("/events/:id", a.eventGet)
	g.PATCH("/events/:id", a.eventUpdate)
	g.GET("/events/:id/registrations", a.registrations)
	g.POST("/events/:id/registrations", a.register)
	g.DELETE("/events/:id/registrations", a.unregister)
}

func reply(c *gin.Context, status int, v any, err error) {
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(status, v)
}

// NewsOut is a news item with its body rendered to sanitized HTML.
type NewsOut struct {
	*NewsPost
	BodyHTML string `json:"body_html"`
}

func (a api) newsList(c *gin.Context) {
	p, err := httpx.Paging(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	items, total, err := a.s.NewsList(c.Request.Context(), c.Query("language"), p.Page, p.PerPage)
	reply(c, http.StatusOK, httpx.List[NewsPost]{Items: items, Total: total}, err)
}

func (a api) newsCreate(c *gin.Context) {
	if _, err := requireAdmin(c.Request.Context()); err != nil {
		httpx.Fail(c, err)
		return
	}
	var in NewsInput
	if !httpx.BindJSON(c, &in) {
		return
	}
	n, err := a.s.CreateNews(c.Request.Context(), in)
	reply(c, http.StatusCreated, n, err)
}

func (a api) newsGet(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	n, err := a.s.News(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, NewsOut{NewsPost: n, BodyHTML: string(a.s.Markdown(n.Body))})
}

func (a api) newsUpdate(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	if _, err := requireAdmin(c.Request.Context()); err != nil {
		httpx.Fail(c, err)
		return
	}
	var in NewsInput
	if !httpx.BindJSON(c, &in) {
		return
	}
	n, err := a.s.UpdateNews(c.Request.Context(), id, in)
	reply(c, http.StatusOK, n, err)
}

func (a api) newsDelete(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	if err := a.s.DeleteNews(c.Request.Context(), id); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a api) eventList(c *gin.Context) {
	p, err := httpx.Paging(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	items, total, err := a.s.Events(c.Request.Context(), c.Query("all") != "true", p.Page, p.PerPage)
	reply(c, http.StatusOK, httpx.List[Event]{Items: items, Total: total}, err)
}

func (a api) eventCreate(c *gin.Context) {
	if _, err := requireAdmin(c.Request.Context()); err != nil {
		httpx.Fail(c, err)
		return
	}
	var in EventInput
	if !httpx.BindJSON(c, &in) {
		return
	}
	e, err := a.s.CreateEvent(c.Request.Context(), in)
	reply(c, http.StatusCreated, e, err)
}

func (a api) eventGet(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	e, err := a.s.Event(c.Request.Context(), id)
	reply(c, http.StatusOK, e, err)
}

func (a api) eventUpdate(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	if _, err := requireAdmin(c.Request.Context()); err != nil {
		httpx.Fail(c, err)
		return
	}
	var in EventInput
	if !httpx.BindJSON(c, &in) {
		return
	}
	e, err := a.s.UpdateEvent(c.Request.Context(), id, in)
	reply(c, http.StatusOK, e, err)
}

func (a api) registrations(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	list, err := a.s.Registrations(c.Request.Context(), id)
	reply(c, http.StatusOK, httpx.List[Registration]{Items: list, Total: int64(len(list))}, err)
}

func (a api) register(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	r, err := a.s.Register(c.Request.Context(), id)
	reply(c, http.StatusCreated, r, err)
}

func (a api) unregister(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	if err := a.s.Unregister(c.Request.Context(), id); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
