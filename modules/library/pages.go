package library

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/web"
)

type pages struct {
	s *Service
	r *web.Renderer
}

func (m *Module) registerPages(r *web.Router) {
	p := pages{s: m.Svc, r: r.Render}
	g := r.Pages
	g.GET("/library", p.search)
	g.GET("/library/new", p.newForm)
	g.POST("/library/new", p.create)
	g.GET("/library/resources/:id", p.resource)
	g.GET("/library/resources/:id/edit", p.editForm)
	g.POST("/library/resources/:id/edit", p.update)
	g.POST("/library/resources/:id/files", p.replace)
	g.POST("/library/resources/:id/delete", p.delete)
	g.GET("/library/series/new", p.seriesForm)
	g.POST("/library/series/new", p.seriesCreate)
	g.GET("/library/series/:id", p.series)
}

// FacetLink is one facet value as a link that toggles it.
type FacetLink struct {
	Label   string
	LabelID string // a catalogue ID for kinds
	Lang    string // the language of Label when it is a language's own name
	Count   int64
	URL     string
	Active  bool
}

// FacetGroup is a facet with its links.
type FacetGroup struct {
	ID      string
	LabelID string
	Links   []FacetLink
}

// SearchData is the library page.
type SearchData struct {
	Query  Query
	Result *SearchResult
	Facets []FacetGroup
	Series []Series
	// The filters' choices, with the number of results each would give.
	Kinds     []Option
	Languages []Option
	Topics    []Option
	Years     []Option
	Page      int
	Pages     int
	CanEdit   bool
}

func facetGroups(q url.Values, f Facets, topics []Topic) []FacetGroup {
	groups := []FacetGroup{}
	for _, g := range []struct {
		name   string
		values []Facet
	}{{"kind", f.Kind}, {"language", f.Language}, {"topic", f.Topic}, {"year", f.Year}} {
		fg := FacetGroup{ID: "facet-" + g.name, LabelID: "library.facet." + g.name}
		for _, v := range g.values {
			u := url.Values{}
			for k, vs := range q {
				if k != "page" && k != "lang" {
					u[k] = vs
				}
			}
			active := q.Get(g.name) == v.Value
			if active {
				u.Del(g.name)
			} else {
				u.Set(g.name, v.Value)
			}
			l := FacetLink{Label: v.Value, Count: v.Count, URL: "/library?" + u.Encode(), Active: active}
			switch g.name {
			case "kind":
				l.LabelID = "library.kind." + v.Value
			case "language":
				l.Label, l.Lang = web.LanguageName(v.Value), v.Value
			case "topic":
				l.Label = TopicName(topics, v.Value)
			}
			fg.Links = append(fg.Links, l)
		}
		if len(fg.Links) > 0 {
			groups = append(groups, fg)
		}
	}
	return groups
}

// kindOptions lists every kind with the number of results it would give.
func kindOptions(facets []Facet, selected string) []Option {
	n := counts(facets)
	out := make([]Option, len(Kinds))
	for i, k := range Kinds {
		out[i] = Option{Value: k, Label: "library.kind." + k, Count: n[k], Counted: true, Selected: k == selected}
	}
	return out
}

func (p pages) search(c *gin.Context) {
	q, err := queryFrom(c)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	ctx := c.Request.Context()
	res, err := p.s.Search(ctx, q)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	series, _, err := p.s.AllSeries(ctx, 1, 50)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	topics, err := p.s.TopicList(ctx, web.Lang(c))
	if err != nil {
		p.r.Error(c, err)
		return
	}
	d := SearchData{Query: q, Result: res, Facets: facetGroups(c.Request.URL.Query(), res.Facets, topics), Series: series,
		Kinds: kindOptions(res.Facets.Kind, q.Kind), Languages: filterOptions(languageOptions(), res.Facets.Language, q.Language),
		Topics: filterOptions(topicOptions(topics), res.Facets.Topic, q.Topic), Years: yearOptions(res.Facets.Year, q.Year),
		Page: q.Page, Pages: int((res.Total + int64(q.PerPage) - 1) / int64(q.PerPage)), CanEdit: CanEdit(ctx)}
	p.r.HTML(c, http.StatusOK, "library/library", "library.title", d)
}

// ResourcePage is a resource's page: its detail and the name of its topic.
type ResourcePage struct {
	*Detail
	TopicName string
}

func (p pages) resource(c *gin.Context) {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	ctx := c.Request.Context()
	d, err := p.s.Detail(ctx, id)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	topics, err := p.s.TopicList(ctx, web.Lang(c))
	if err != nil {
		p.r.Error(c, err)
		return
	}
	v := p.r.NewView(c, "", ResourcePage{Detail: d, TopicName: TopicName(topics, d.Resource.Topic)})
	v.Title = d.Resource.Title
	p.r.Render(c, http.StatusOK, "library/resource", v)
}

func (p pages) series(c *gin.Context) {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	sp, err := p.s.Series(c.Request.Context(), id)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	v := p.r.NewView(c, "", sp)
	v.Title = sp.Series.Title
	p.r.Render(c, http.StatusOK, "library/series", v)
}

// FormData is the resource form.
type FormData struct {
	ID     int64
	Values url.Values
	Errors map[string]string
	Kinds  []string
	Access []string
	Series []Series
	Topics []Option
	// FreeTopic: no topic list is wired, the topic is typed in.
	FreeTopic bool
	Editing   bool
}

func (p pages) form(c *gin.Context, status int, d FormData) {
	d.Kinds = Kinds
	d.Access = []string{AccessPublic, AccessMembers, AccessRestricted}
	d.Series, _, _ = p.s.AllSeries(c.Request.Context(), 1, 100)
	if d.Values == nil {
		d.Values = url.Values{}
	}
	topics, err := p.s.TopicList(c.Request.Context(), web.Lang(c))
	if err != nil {
		p.r.Error(c, err)
		return
	}
	d.Topics, d.FreeTopic = formTopicOptions(topics, d.Values.Get("topic")), topics == nil
	title := "library.new"
	if d.Editing {
		title = "library.edit"
	}
	p.r.HTML(c, status, "library/resource_form", title, d)
}

func validationFields(err error) (map[string]string, bool) {
	var v *apperr.Validation
	if errors.As(err, &v) {
		return v.Fields, true
	}
	return nil, false
}

func (p pages) newForm(c *gin.Context) {
	if _, err := requireEditor(c.Request.Context()); err != nil {
		p.r.Error(c, err)
		return
	}
	p.form(c, http.StatusOK, FormData{Values: url.Values{"access": {AccessPublic}, "language": {web.Lang(c)}}})
}

func (p pages) create(c *gin.Context) {
	ctx := c.Request.Context()
	form, err := p.s.readForm(c, true)
	var r *Resource
	if err == nil {
		if r, err = p.s.Create(ctx, form.In, form.File, form.Cover); err != nil {
			form.discard(ctx, p.s)
		}
	}
	if fe, ok := validationFields(err); ok {
		vals := url.Values{}
		if mf := c.Request.MultipartForm; mf != nil {
			vals = mf.Value
		}
		p.form(c, http.StatusUnprocessableEntity, FormData{Values: vals, Errors: fe})
		return
	}
	if err != nil {
		p.r.Error(c, err)
		return
	}
	web.SetFlash(c, "library.saved")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/library/resources/%d", r.ID))
}

// values turns a resource back into form values.
func values(r *Resource) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"kind": r.Kind, "title": r.Title, "summary": r.Summary, "authors": r.Authors, "language": r.Language,
		"topic": r.Topic, "region": r.Region, "published_on": r.Date(), "tags": r.Tags, "licence": r.Licence, "access": r.Access,
		"contents": r.Contents, "url": r.URL, "country": r.Country} {
		v.Set(k, s)
	}
	sc := ScopeOf(r)
	v.Set("access_roles", joinStrings(sc.Roles))
	v.Set("access_countries", joinStrings(sc.Countries))
	orgs := make([]string, len(sc.Orgs))
	for i, o := range sc.Orgs {
		orgs[i] = strconv.FormatInt(o, 10)
	}
	v.Set("access_organisations", joinStrings(orgs))
	if r.SeriesID != nil {
		v.Set("series_id", strconv.FormatInt(*r.SeriesID, 10))
		v.Set("issue_number", strconv.Itoa(r.IssueNumber))
	}
	return v
}

func joinStrings(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

func (p pages) editForm(c *gin.Context) {
	ctx := c.Request.Context()
	if _, err := requireEditor(ctx); err != nil {
		p.r.Error(c, err)
		return
	}
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	r, err := p.s.Get(ctx, id)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	p.form(c, http.StatusOK, FormData{ID: id, Values: values(r), Editing: true})
}

func (p pages) update(c *gin.Context) {
	ctx := c.Request.Context()
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	if err := c.Request.ParseForm(); err != nil {
		p.r.Error(c, apperr.Invalid("form", "could not be read"))
		return
	}
	form := &resourceForm{values: c.Request.PostForm}
	err := form.decode()
	if err == nil {
		if form.In.SeriesID == nil {
			zero := int64(0)
			form.In.SeriesID = &zero
		}
		_, err = p.s.Update(ctx, id, form.In)
	}
	if fe, ok := validationFields(err); ok {
		p.form(c, http.StatusUnprocessableEntity, FormData{ID: id, Values: c.Request.PostForm, Errors: fe, Editing: true})
		return
	}
	if err != nil {
		p.r.Error(c, err)
		return
	}
	web.SetFlash(c, "library.saved")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/library/resources/%d", id))
}

func (p pages) replace(c *gin.Context) {
	ctx := c.Request.Context()
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	form, err := p.s.readForm(c, true)
	if err == nil && form.File == nil {
		form.discard(ctx, p.s)
		err = apperr.Invalid("file", "is required")
	}
	if err == nil {
		if _, err = p.s.ReplaceFile(ctx, id, form.File); err != nil {
			form.discard(ctx, p.s)
		}
		p.s.Discard(ctx, form.Cover)
	}
	if err != nil {
		p.r.Error(c, err)
		return
	}
	web.SetFlash(c, "library.replaced")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/library/resources/%d", id))
}

func (p pages) delete(c *gin.Context) {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	if err := p.s.Delete(c.Request.Context(), id); err != nil {
		p.r.Error(c, err)
		return
	}
	web.SetFlash(c, "library.deleted")
	c.Redirect(http.StatusSeeOther, "/library")
}

// SeriesFormData is the series form.
type SeriesFormData struct {
	In        SeriesInput
	Errors    map[string]string
	Topics    []Option
	FreeTopic bool
}

func (p pages) seriesFormPage(c *gin.Context, status int, d SeriesFormData) {
	topics, err := p.s.TopicList(c.Request.Context(), web.Lang(c))
	if err != nil {
		p.r.Error(c, err)
		return
	}
	d.Topics, d.FreeTopic = formTopicOptions(topics, d.In.Topic), topics == nil
	p.r.HTML(c, status, "library/series_form", "library.series.new", d)
}

func (p pages) seriesForm(c *gin.Context) {
	if _, err := requireEditor(c.Request.Context()); err != nil {
		p.r.Error(c, err)
		return
	}
	p.seriesFormPage(c, http.StatusOK, SeriesFormData{In: SeriesInput{Language: web.Lang(c)}})
}

func (p pages) seriesCreate(c *gin.Context) {
	in := SeriesInput{Title: c.PostForm("title"), Description: c.PostForm("description"), Language: c.PostForm("language"), Topic: c.PostForm("topic")}
	sr, err := p.s.CreateSeries(c.Request.Context(), in)
	if fe, ok := validationFields(err); ok {
		p.seriesFormPage(c, http.StatusUnprocessableEntity, SeriesFormData{In: in, Errors: fe})
		return
	}
	if err != nil {
		p.r.Error(c, err)
		return
	}
	web.SetFlash(c, "library.saved")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/library/series/%d", sr.ID))
}
