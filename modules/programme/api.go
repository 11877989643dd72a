package programme

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"glc/internal/httpx"
)

type api struct{ s *Service }

func (m *Module) registerAPI(g *gin.RouterGroup) {
	a := api{m.Svc}
	g.GET("/programmes", a.list)
	g.POST("/programmes", a.create)
	g.GET("/programmes/:id", a.get)
	g.PATCH("/programmes/:id", a.update)
	g.POST("/programmes/:id/sessions", a.addSession)
	g.PATCH("/programmes/:id/sessions/:sid", a.updateSession)
	g.GET("/programmes/:id/sessions/:sid/applications", a.applications)
	g.POST("/programmes/:id/sessions/:sid/applications", a.apply)
	g.POST("/programmes/:id/sessions/:sid/applications/:aid/endorse", a.endorse)
	g.POST("/programmes/:id/sessions/:sid/applications/:aid/decision", a.decide)
	g.GET("/programmes/:id/sessions/:sid/participants", a.participants)
	g.POST("/programmes/:id/sessions/:sid/enrol", a.enrol)
}

// ids reads the programme, session and application ids present in the path.
func ids(c *gin.Context, names ...string) ([]int64, bool) {
	out := make([]int64, len(names))
	for i, n := range names {
		id, ok := httpx.ParamID(c, n)
		if !ok {
			return nil, false
		}
		out[i] = id
	}
	return out, true
}

func reply(c *gin.Context, status int, v any, err error) {
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(status, v)
}

func (a api) list(c *gin.Context) {
	p, err := httpx.Paging(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	items, total, err := a.s.List(c.Request.Context(), p.Page, p.PerPage)
	reply(c, http.StatusOK, httpx.List[Programme]{Items: items, Total: total}, err)
}

func (a api) create(c *gin.Context) {
	if _, err := requireAdmin(c.Request.Context()); err != nil {
		httpx.Fail(c, err)
		return
	}
	var in ProgrammeInput
	if !httpx.BindJSON(c, &in) {
		return
	}
	d, err := a.s.Create(c.Request.Context(), in)
	reply(c, http.StatusCreated, d, err)
}

func (a api) get(c *gin.Context) {
	id, ok := ids(c, "id")
	if !ok {
		return
	}
	d, err := a.s.Get(c.Request.Context(), id[0])
	reply(c, http.StatusOK, d, err)
}

func (a api) update(c *gin.Context) {
	id, ok := ids(c, "id")
	if !ok {
		return
	}
	if _, err := requireAdmin(c.Request.Context()); err != nil {
		httpx.Fail(c, err)
		return
	}
	var in ProgrammeInput
	if !httpx.BindJSON(c, &in) {
		return
	}
	d, err := a.s.Update(c.Request.Context(), id[0], in)
	reply(c, http.StatusOK, d, err)
}

func (a api) addSession(c *gin.Context) {
	id, ok := ids(c, "id")
	if !ok {
		return
	}
	if _, err := requireAdmin(c.Request.Context()); err != nil {
		httpx.Fail(c, err)
		return
	}
	var in SessionInput
	if !httpx.BindJSON(c, &in) {
		return
	}
	ss, err := a.s.AddSession(c.Request.Context(), id[0], in)
	reply(c, http.StatusCreated, ss, err)
}

func (a api) updateSession(c *gin.Context) {
	id, ok := ids(c, "id", "sid")
	if !ok {
		return
	}
	if _, err := requireAdmin(c.Request.Context()); err != nil {
		httpx.Fail(c, err)
		return
	}
	var in SessionInput
	if !httpx.BindJSON(c, &in) {
		return
	}
	ss, err := a.s.UpdateSession(c.Request.Context(), id[0], id[1], in)
	reply(c, http.StatusOK, ss, err)
}

func (a api) applications(c *gin.Context) {
	id, ok := ids(c, "id", "sid")
	if !ok {
		return
	}
	list, err := a.s.Applications(c.Request.Context(), id[0], id[1])
	reply(c, http.StatusOK, httpx.List[Application]{Items: list, Total: int64(len(list))}, err)
}

func (a api) apply(c *gin.Context) {
	id, ok := ids(c, "id", "sid")
	if !ok {
		return
	}
	var in ApplyInput
	if !httpx.BindJSON(c, &in) {
		return
	}
	app, err := a.s.Apply(c.Request.Context(), id[0], id[1], in)
	reply(c, http.StatusCreated, app, err)
}

func (a api) endorse(c *gin.Context) {
	id, ok := ids(c, "id", "sid", "aid")
	if !ok {
		return
	}
	app, err := a.s.Endorse(c.Request.Context(), id[0], id[1], id[2])
	reply(c, http.StatusOK, app, err)
}

func (a api) decide(c *gin.Context) {
	id, ok := ids(c, "id", "sid", "aid")
	if !ok {
		return
	}
	if _, err := requireAdmin(c.Request.Context()); err != nil {
		httpx.Fail(c, err)
		return
	}
	var in DecideInput
	if !httpx.BindJSON(c, &in) {
		return
	}
	app, err := a.s.Decide(c.Request.Context(), id[0], id[1], id[2], in)
	reply(c, http.StatusOK, app, err)
}

func (a api) participants(c *gin.Context) {
	id, ok := ids(c, "id", "sid")
	if !ok {
		return
	}
	list, err := a.s.Participants(c.Request.Context(), id[0], id[1])
	reply(c, http.StatusOK, httpx.List[Application]{Items: list, Total: int64(len(list))}, err)
}

func (a api) enrol(c *gin.Context) {
	id, ok := ids(c, "id", "sid")
	if !ok {
		return
	}
	res, err := a.s.EnrolParticipants(c.Request.Context(), id[0], id[1])
	reply(c, http.StatusOK, res, err)
}
