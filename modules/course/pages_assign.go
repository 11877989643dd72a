package course

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"glc/internal/auth"
	"glc/internal/web"
)

// The page where admins and coordinators make a course mandatory for a scope with a due date,
// and see the assignments made (admins: all; coordinators: those within their scope).

func registerAssign(g *gin.RouterGroup, p *pages) {
	g.GET("/assignments", p.assignments)
	g.POST("/assignments", p.assign)
}

// Choice is an option of a select box.
type Choice struct {
	Value string
	Label string
}

// AssignmentRow is an assignment as the page lists it.
type AssignmentRow struct {
	AssignmentView
	CourseTitle string
	CourseLang  string
	Scope       string // the scope's name: a country, an organisation; "" for everyone
}

// AssignData is the mandatory assignment page.
type AssignData struct {
	Courses   []Choice
	Countries []Choice
	Orgs      []Choice
	// Admin may assign to everyone and to any country or organisation.
	Admin  bool
	Rows   []AssignmentRow
	Errors map[string]string
	Form   map[string]string
}

// countryRow and orgRow read the account module's tables.
type countryRow struct {
	Code, NameEn, NameFr, NameEs, NameAr string
}

func (countryRow) TableName() string { return "countries" }

func (c countryRow) name(lang string) string {
	switch lang {
	case "fr":
		return c.NameFr
	case "es":
		return c.NameEs
	case "ar":
		return c.NameAr
	}
	return c.NameEn
}

type orgRow struct {
	ID      int64
	Name    string
	Country string
}

func (orgRow) TableName() string { return "organisations" }

// assignOptions lists what the principal may choose: published courses, and the countries and
// organisations of their scope (all for admins).
func (s *Service) assignOptions(ctx context.Context, p *auth.Principal, ui string) (courses, countries, orgs []Choice, err error) {
	items, _, err := s.Catalogue(ctx, CatalogueQuery{UI: ui, Variant: ui, Page: Page{Page: 1, PerPage: 100}, Sort: "title"})
	if err != nil {
		return nil, nil, nil, err
	}
	for _, c := range items {
		courses = append(courses, Choice{Value: strconv.FormatInt(c.ID, 10), Label: c.Title})
	}
	cq := s.db.WithContext(ctx).Model(&countryRow{})
	oq := s.db.WithContext(ctx).Model(&orgRow{}).Order("name, id")
	if !p.IsAdmin() {
		switch {
		case p.ScopeCountry != "":
			cq, oq = cq.Where("code = ?", p.ScopeCountry), oq.Where("country = ?", p.ScopeCountry)
		case p.ScopeOrgID != 0:
			cq, oq = cq.Where("1 = 0"), oq.Where("id = ?", p.ScopeOrgID)
		default:
			cq, oq = cq.Where("1 = 0"), oq.Where("1 = 0")
		}
	}
	var cs []countryRow
	if err := cq.Find(&cs).Error; err != nil {
		return nil, nil, nil, err
	}
	for _, c := range cs {
		countries = append(countries, Choice{Value: c.Code, Label: c.name(ui)})
	}
	col := collate.New(language.Make(ui))
	sort.SliceStable(countries, func(i, j int) bool { return col.CompareString(countries[i].Label, countries[j].Label) < 0 })
	var os []orgRow
	if err := oq.Find(&os).Error; err != nil {
		return nil, nil, nil, err
	}
	for _, o := range os {
		orgs = append(orgs, Choice{Value: strconv.FormatInt(o.ID, 10), Label: o.Name + " (" + o.Country + ")"})
	}
	return courses, countries, orgs, nil
}

// AssignmentsInScope lists the latest mandatory assignments the principal may see: all for
// admins; for a coordinator those whose scope is their country or organisation (or an
// organisation of their country).
func (s *Service) AssignmentsInScope(ctx context.Context, ui string, limit int) ([]AssignmentRow, error) {
	p, err := auth.RequireRole(ctx, auth.RoleAdmin, auth.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Order("created_at DESC, id DESC").Limit(limit)
	if !p.IsAdmin() {
		switch {
		case p.ScopeCountry != "":
			q = q.Where("scope_country = ? OR scope_org_id IN (?)", p.ScopeCountry, s.db.Model(&orgRow{}).Select("id").Where("country = ?", p.ScopeCountry))
		case p.ScopeOrgID != 0:
			q = q.Where("scope_org_id = ?", p.ScopeOrgID)
		default:
			q = q.Where("1 = 0")
		}
	}
	var as []Assignment
	if err := q.Find(&as).Error; err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(as))
	for _, a := range as {
		ids = append(ids, a.CourseID)
	}
	titles := map[int64]CourseSummary{}
	sums, err := s.summaries(ctx, uniq(ids), nil, prefs(ctx, "", ui), ui)
	if err != nil {
		return nil, err
	}
	for _, c := range sums {
		titles[c.ID] = c
	}
	var counts []struct {
		AssignmentID int64
		N            int64
	}
	if len(as) > 0 {
		aids := make([]int64, len(as))
		for i, a := range as {
			aids[i] = a.ID
		}
		if err := s.db.WithContext(ctx).Model(&Enrolment{}).Select("assignment_id, COUNT(*) AS n").
			Where("assignment_id IN ? AND status = ?", aids, EnrolActive).Group("assignment_id").Scan(&counts).Error; err != nil {
			return nil, err
		}
	}
	n := map[int64]int64{}
	for _, c := range counts {
		n[c.AssignmentID] = c.N
	}
	out := make([]AssignmentRow, len(as))
	for i, a := range as {
		v := assignmentView(a)
		v.Enrolled = n[a.ID]
		row := AssignmentRow{AssignmentView: v, CourseTitle: titles[a.CourseID].Title, CourseLang: titles[a.CourseID].Language}
		switch {
		case a.ScopeCountry != "":
			var c countryRow
			if s.db.WithContext(ctx).Where("code = ?", a.ScopeCountry).Take(&c).Error == nil {
				row.Scope = c.name(ui)
			} else {
				row.Scope = a.ScopeCountry
			}
		case a.ScopeOrgID != nil:
			var o orgRow
			if s.db.WithContext(ctx).Take(&o, *a.ScopeOrgID).Error == nil {
				row.Scope = o.Name
			}
		}
		out[i] = row
	}
	return out, nil
}

func (p *pages) assignments(c *gin.Context) { p.renderAssign(c, http.StatusOK, nil, nil) }

func (p *pages) renderAssign(c *gin.Context, status int, errs, form map[string]string) {
	ctx := c.Request.Context()
	pr, err := auth.RequireRole(ctx, auth.RoleAdmin, auth.RoleCoordinator)
	if err != nil {
		p.fail(c, err)
		return
	}
	d := &AssignData{Admin: pr.IsAdmin(), Errors: errs, Form: form}
	if d.Courses, d.Countries, d.Orgs, err = p.svc.assignOptions(ctx, pr, web.Lang(c)); err != nil {
		p.fail(c, err)
		return
	}
	if d.Rows, err = p.svc.AssignmentsInScope(ctx, web.Lang(c), 100); err != nil {
		p.fail(c, err)
		return
	}
	if d.Form == nil {
		d.Form = map[string]string{"due_at": time.Now().AddDate(0, 1, 0).Format("2006-01-02")}
	}
	p.r.Render(c, status, "course/assignments", p.r.NewView(c, "course.assign.title", d))
}

func (p *pages) assign(c *gin.Context) {
	form := map[string]string{}
	for _, k := range []string{"course_id", "scope", "country", "org_id", "due_at"} {
		form[k] = strings.TrimSpace(c.PostForm(k))
	}
	in := AssignInput{DueAt: form["due_at"]}
	errs := map[string]string{}
	switch form["scope"] {
	case "all":
		in.All = true
	case "country":
		in.Country = form["country"]
	case "org":
		if id, err := strconv.ParseInt(form["org_id"], 10, 64); err == nil {
			in.OrgID = &id
		} else {
			errs["org_id"] = p.r.Cat.T(web.Lang(c), "course.assign.pick_org")
		}
	default:
		errs["scope"] = p.r.Cat.T(web.Lang(c), "course.assign.pick_scope")
	}
	courseID, err := strconv.ParseInt(form["course_id"], 10, 64)
	if err != nil {
		errs["course_id"] = p.r.Cat.T(web.Lang(c), "course.assign.pick_course")
	}
	if len(errs) > 0 {
		p.renderAssign(c, http.StatusUnprocessableEntity, errs, form)
		return
	}
	_, err = p.svc.Assign(c.Request.Context(), courseID, in)
	if fe := formErrors(err); fe != nil {
		p.renderAssign(c, http.StatusUnprocessableEntity, fe, form)
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	web.SetFlash(c, "course.assign.done")
	c.Redirect(http.StatusSeeOther, "/assignments")
}
