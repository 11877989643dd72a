package progress

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/httpx"
	"glc/internal/web"
)

// ChartBlock is one chart of the dashboard with its data table and export links.
type ChartBlock struct {
	ID      string
	Heading string
	SVG     any
	Report  *Report
	CSV     string
	XLSX    string
}

// DashboardPage is what /reports shows.
type DashboardPage struct {
	Filter    url.Values
	From, To  string
	Country   string
	OrgID     string
	CourseID  string
	Scope     string
	Charts    []ChartBlock
	Map       any
	Countries []CountryCount
}

func filterValues(f ReportFilter) url.Values {
	v := url.Values{}
	v.Set("from", f.From.Format("2006-01-02"))
	v.Set("to", f.To.Format("2006-01-02"))
	if f.Country != "" {
		v.Set("country", f.Country)
	}
	if f.OrgID != 0 {
		v.Set("organisation_id", strconv.FormatInt(f.OrgID, 10))
	}
	if f.CourseID != 0 {
		v.Set("course_id", strconv.FormatInt(f.CourseID, 10))
	}
	return v
}

func (s *Service) dashboard(c *gin.Context) (*DashboardPage, error) {
	ctx := c.Request.Context()
	lang := web.Lang(c)
	f, err := reportFilter(c)
	if err != nil {
		return nil, err
	}
	f.GroupBy = GroupMonth
	if err := f.validate(s.now(), true); err != nil {
		return nil, err
	}
	if err := scopeReport(ctx, &f); err != nil {
		return nil, err
	}
	rtl := web.Dir(lang) == "rtl"
	d := &DashboardPage{Filter: filterValues(f), From: f.From.Format("2006-01-02"), To: f.To.AddDate(0, 0, -1).Format("2006-01-02"), Country: f.Country}
	if f.OrgID != 0 {
		d.OrgID = strconv.FormatInt(f.OrgID, 10)
	}
	if f.CourseID != 0 {
		d.CourseID = strconv.FormatInt(f.CourseID, 10)
	}
	if p := auth.FromContext(ctx); !p.IsAdmin() {
		if p.ScopeCountry != "" {
			d.Scope = CountryName(p.ScopeCountry, lang)
		} else {
			d.Scope = "#" + strconv.FormatInt(p.ScopeOrgID, 10)
		}
	}
	t := func(id string, args ...any) string { return s.t(lang, id, args...) }
	for _, g := range []string{GroupMonth, GroupCourse, GroupCountry, GroupOrganisation} {
		f.GroupBy = g
		rep, err := s.completions(ctx, f, lang)
		if err != nil {
			return nil, err
		}
		ch := Chart{ID: "chart-" + g, Title: t("progress.reports.chart." + g), RTL: rtl,
			Desc: t("progress.reports.chart_desc", "Enrolments", rep.Totals.Enrolments, "Completions", rep.Totals.Completions, "From", d.From, "To", d.To)}
		for i, r := range rep.Rows {
			if g != GroupMonth && i >= 15 {
				break // the table and the exports hold every row
			}
			ch.Bars = append(ch.Bars, Bar{Label: r.Label, Value: float64(r.Completions), Display: strconv.FormatInt(r.Completions, 10)})
		}
		b := ChartBlock{ID: g, Heading: ch.Title, Report: rep}
		if g == GroupMonth {
			b.SVG = ch.Columns()
		} else {
			b.SVG = ch.HBar()
		}
		q := filterValues(f)
		q.Set("group_by", g)
		q.Set("format", FormatCSV)
		b.CSV = "/api/v1/reports/completions?" + q.Encode()
		q.Set("format", FormatXLSX)
		b.XLSX = "/api/v1/reports/completions?" + q.Encode()
		d.Charts = append(d.Charts, b)
	}
	f.GroupBy = ""
	if d.Countries, err = s.LearnersByCountry(ctx, f, lang); err != nil {
		return nil, err
	}
	entries := make([]MapEntry, len(d.Countries))
	var total int64
	for i, cc := range d.Countries {
		entries[i] = MapEntry{Code: cc.Code, Value: cc.Learners}
		total += cc.Learners
	}
	d.Map = WorldMap("learners-map", t("progress.reports.map"), t("progress.reports.map_desc", "N", total, "Countries", len(d.Countries)), lang, entries)
	return d, nil
}

// CourseReportPage is an instructor's report on one course.
type CourseReportPage struct {
	CourseID int64
	Title    string
	Filter   LearnerFilter
	Learners []LearnerRow
	Total    int64
	Pager    any
	Chart    any
	CSV      string
	XLSX     string
	Statuses []string
}

func (s *Service) courseReport(c *gin.Context) (*CourseReportPage, error) {
	ctx := c.Request.Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return nil, fmt.Errorf("course: %w", apperr.ErrNotFound)
	}
	pg, err := httpx.Paging(c)
	if err != nil {
		return nil, err
	}
	f := learnerFilter(c)
	rows, total, err := s.Learners(ctx, id, f, pg)
	if err != nil {
		return nil, err
	}
	lang := web.Lang(c)
	o, err := s.courses.Outline(ctx, nil, id, lang)
	if err != nil {
		return nil, err
	}
	to := s.now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	months, err := s.courseCompletions(ctx, s.db.DB, id, ReportFilter{From: to.AddDate(-1, 0, 0), To: to})
	if err != nil {
		return nil, err
	}
	ch := Chart{ID: "course-completions", Title: s.t(lang, "progress.course_report.chart"), RTL: web.Dir(lang) == "rtl",
		Desc: s.t(lang, "progress.course_report.chart_desc", "Title", o.Title)}
	for _, m := range months {
		ch.Bars = append(ch.Bars, Bar{Label: m.Month, Value: float64(m.Count), Display: strconv.FormatInt(m.Count, 10)})
	}
	q := c.Request.URL.Query()
	q.Del("page")
	q.Set("format", FormatCSV)
	api := fmt.Sprintf("/api/v1/courses/%d/learners?", id)
	p := &CourseReportPage{CourseID: id, Title: o.Title, Filter: f, Learners: rows, Total: total, Chart: ch.Columns(), CSV: api + q.Encode(),
		Statuses: []string{StatusNotStarted, StatusInProgress, StatusCompleted, "overdue"}}
	q.Set("format", FormatXLSX)
	p.XLSX = api + q.Encode()
	pages := int((total + int64(pg.PerPage) - 1) / int64(pg.PerPage))
	p.Pager = map[string]any{"Page": pg.Page, "Pages": pages}
	return p, nil
}

func registerReportPages(r *web.Router, s *Service) {
	p := r.Pages
	p.GET("/reports", func(c *gin.Context) {
		if !signedIn(c) {
			return
		}
		d, err := s.dashboard(c)
		if err != nil {
			r.Render.Error(c, err)
			return
		}
		r.Render.HTML(c, http.StatusOK, "progress/reports", "progress.reports.title", d)
	})
	p.POST("/reports/exports", func(c *gin.Context) {
		if !signedIn(c) {
			return
		}
		in := ExportInput{Report: c.PostForm("report"), Format: c.PostForm("format"), GroupBy: c.PostForm("group_by"), From: c.PostForm("from"),
			To: c.PostForm("to"), Country: c.PostForm("country"), Lang: web.Lang(c)}
		in.OrgID, _ = strconv.ParseInt(c.PostForm("organisation_id"), 10, 64)
		in.CourseID, _ = strconv.ParseInt(c.PostForm("course_id"), 10, 64)
		v, err := s.StartExport(c.Request.Context(), in)
		if err != nil {
			r.Render.Error(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, "/reports/exports/"+v.ID)
	})
	p.GET("/reports/exports/:id", func(c *gin.Context) {
		if !signedIn(c) {
			return
		}
		v, err := s.ExportStatus(c.Request.Context(), c.Param("id"))
		if err != nil {
			r.Render.Error(c, err)
			return
		}
		r.Render.HTML(c, http.StatusOK, "progress/export", "progress.export.title", v)
	})
	p.GET("/reports/courses/:id", func(c *gin.Context) {
		if !signedIn(c) {
			return
		}
		d, err := s.courseReport(c)
		if err != nil {
			r.Render.Error(c, err)
			return
		}
		v := r.Render.NewView(c, "progress.course_report.title", d)
		v.Title = v.T("progress.course_report.title") + " · " + d.Title
		d.Pager = map[string]any{"Page": d.Pager.(map[string]any)["Page"], "Pages": d.Pager.(map[string]any)["Pages"], "View": v}
		r.Render.Render(c, http.StatusOK, "progress/course_report", v)
	})
}

// signedIn sends anonymous visitors to the login page and reports whether there is a user.
func signedIn(c *gin.Context) bool {
	if auth.Current(c) != nil {
		return true
	}
	c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
	c.Abort()
	return false
}

// statusLabel is the catalogue id of a learner status.
func statusLabel(st string) string { return "progress.status." + strings.TrimSpace(st) }
