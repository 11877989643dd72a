package progress_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"glc/internal/app/apptest"
	"glc/internal/testkit"
	"glc/modules/progress"
)

func page(t *testing.T, s *apptest.Server, token, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+path, nil)
	if token != "" {
		req.AddCookie(&http.Cookie{Name: "glc_access", Value: token})
	}
	r := s.Send(req)
	return r.Status, string(r.Body)
}

func TestDashboardAndCoursePages(t *testing.T) {
	s := apptest.New(t)
	courseSchema(t, s.DB)
	first := seedBulk(t, s.DB, 300, 4)
	admin := s.Admin(t)
	ke := s.NewUser(t, []string{"coordinator"}, apptest.Country("KE"))
	learner := s.Learner(t)
	q := "/reports?from=2025-01-01&to=2025-12-31"
	st, body := page(t, s, admin.Token, q)
	if st != 200 {
		t.Fatalf("dashboard: %d", st)
	}
	for _, want := range []string{`<svg xmlns="http://www.w3.org/2000/svg" class="chart"`, `<title id="chart-month-title">Completions by month</title>`,
		`<desc id="chart-course-desc">`, `id="learners-map"`, `<title>Kenya: `, "Seed course 01", "/api/v1/reports/completions?", "format=xlsx", `name="csrf_token"`} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	if st, body := page(t, s, admin.Token, q+"&lang=ar"); st != 200 || !strings.Contains(body, "حالات الإتمام حسب الشهر") || !strings.Contains(body, `<text x="712" y="22" text-anchor="end"`) {
		t.Errorf("Arabic dashboard: %d", st)
	}
	st, body = page(t, s, ke.Token, q)
	if st != 200 || !strings.Contains(body, "These reports cover Kenya only.") || strings.Contains(body, "<th scope=\"row\"><bdi>France</bdi>") {
		t.Errorf("coordinator dashboard: %d", st)
	}
	if st, _ := page(t, s, ke.Token, q+"&country=FR"); st != 403 {
		t.Errorf("coordinator dashboard for FR: %d", st)
	}
	if st, _ := page(t, s, learner.Token, q); st != 403 {
		t.Errorf("learner dashboard: %d", st)
	}
	if st, _ := page(t, s, "", q); st != 303 {
		t.Errorf("anonymous dashboard: %d", st)
	}
	st, body = page(t, s, admin.Token, fmt.Sprintf("/reports/courses/%d?status=completed", first))
	if st != 200 || !strings.Contains(body, "Seed course 01") || !strings.Contains(body, `id="course-completions"`) || !strings.Contains(body, "Seed learner") {
		t.Errorf("course report: %d", st)
	}
	if st, _ := page(t, s, learner.Token, fmt.Sprintf("/reports/courses/%d", first)); st != 403 {
		t.Errorf("learner opens a course report: %d", st)
	}
}

func TestCourseLearnersAPIAndCSV(t *testing.T) {
	s := apptest.New(t)
	courseSchema(t, s.DB)
	teacher, other := s.Instructor(t), s.Instructor(t)
	course, ls := newCourse(t, s.DB.DB, teacher.ID, "Border checks", 3, textLesson, textLesson)
	past := time.Now().UTC().AddDate(0, 0, -3)
	a := s.Learner(t, apptest.Name("Aïcha Diallo"), apptest.Country("SN"))
	b := s.Learner(t, apptest.Name("=cmd|' /C calc'!A0"), apptest.Country("KE"))
	c := s.Learner(t, apptest.Name("Carlos Ruiz"), apptest.Country("MX"))
	enrol(t, s.DB.DB, course, a.ID, nil)
	enrol(t, s.DB.DB, course, b.ID, &past)
	enrol(t, s.DB.DB, course, c.ID, nil)
	record(t, s.App.Progress, s.DB, a.ID, ls[0], progress.StatusCompleted)
	record(t, s.App.Progress, s.DB, a.ID, ls[1], progress.StatusCompleted)
	record(t, s.App.Progress, s.DB, b.ID, ls[0], progress.StatusCompleted)
	path := fmt.Sprintf("/api/v1/courses/%d/learners", course)
	var list struct {
		Items []progress.LearnerRow `json:"items"`
		Total int64                 `json:"total"`
	}
	for _, c := range []struct {
		query string
		names []string
	}{
		{"", []string{"=cmd|' /C calc'!A0", "Aïcha Diallo", "Carlos Ruiz"}},
		{"?status=completed", []string{"Aïcha Diallo"}},
		{"?status=in_progress", []string{"=cmd|' /C calc'!A0"}},
		{"?status=overdue", []string{"=cmd|' /C calc'!A0"}},
		{"?status=not_started", []string{"Carlos Ruiz"}},
		{"?q=carl", []string{"Carlos Ruiz"}},
		{"?country=sn", []string{"Aïcha Diallo"}},
		{"?sort=progress&per_page=1", []string{"Aïcha Diallo"}},
	} {
		r := s.Do("GET", path+c.query, teacher.Token, nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", c.query, r.Status, r.Body)
		}
		r.JSON(t, &list)
		var got []string
		for _, it := range list.Items {
			got = append(got, it.Name)
		}
		if strings.Join(got, ",") != strings.Join(c.names, ",") {
			t.Errorf("%s: %v, want %v", c.query, got, c.names)
		}
	}
	s.Do("GET", path+"?status=completed", teacher.Token, nil).JSON(t, &list)
	if it := list.Items[0]; it.PercentComplete != 100 || it.CompletedAt == nil || it.LastAccessAt == nil || it.TimeSpentSeconds != 240 {
		t.Errorf("completed learner row: %+v", it)
	}
	for _, c := range []struct {
		tok, query string
		status     int
	}{{other.Token, "", 403}, {a.Token, "", 403}, {"", "", 401}, {teacher.Token, "?status=lost", 422}, {teacher.Token, "?sort=age", 422}, {teacher.Token, "?format=pdf", 422}} {
		if r := s.Do("GET", path+c.query, c.tok, nil); r.Status != c.status {
			t.Errorf("%q: %d, want %d", c.query, r.Status, c.status)
		}
	}
	r := s.Do("GET", path+"?format=csv", teacher.Token, nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\ufeff")))).ReadAll()
	if err != nil || len(recs) != 4 || recs[0][0] != "Name" {
		t.Fatalf("csv: %v %q", err, recs)
	}
	if recs[1][0] != "'=cmd|' /C calc'!A0" {
		t.Errorf("formula not neutralised in CSV: %q", recs[1][0])
	}
	r = s.Do("GET", path+"?format=xlsx", teacher.Token, nil)
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	rows, _ := f.GetRows("Learners")
	if len(rows) != 4 || rows[2][0] != "Aïcha Diallo" {
		t.Errorf("xlsx rows: %q", rows)
	}
	// Completions over time, for the chart.
	r = s.Do("GET", fmt.Sprintf("/api/v1/courses/%d/completions", course), teacher.Token, nil)
	var months struct {
		Items []progress.MonthCount `json:"items"`
	}
	r.JSON(t, &months)
	if len(months.Items) != 1 || months.Items[0].Count != 1 || months.Items[0].Month != time.Now().UTC().Format("2006-01") {
		t.Errorf("completions by month: %+v", months.Items)
	}
}

// TestBackgroundExport runs a records export through the job queue: 202, progress, then the
// file, whose rows equal a direct SQL count.
func TestBackgroundExport(t *testing.T) {
	s := apptest.New(t)
	courseSchema(t, s.DB)
	t.Logf("backend: %s", testkit.Backend())
	seedBulk(t, s.DB, 2500, 5)
	admin, other := s.Admin(t), s.Admin(t)
	r := s.Do("POST", "/api/v1/reports/exports", admin.Token, map[string]any{"report": "records", "format": "csv", "from": "2025-01-01", "to": "2026-01-01", "country": "KE"})
	if r.Status != 202 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	var v progress.ExportView
	r.JSON(t, &v)
	deadline := time.Now().Add(60 * time.Second)
	for v.Status != progress.ExportDone {
		if v.Status == progress.ExportFailed || time.Now().After(deadline) {
			t.Fatalf("export: %+v", v)
		}
		time.Sleep(200 * time.Millisecond)
		s.Do("GET", "/api/v1/reports/exports/"+v.ID, admin.Token, nil).JSON(t, &v)
	}
	if v.Percent != 100 || v.Done != v.Total || v.DownloadURL == "" {
		t.Fatalf("finished export: %+v", v)
	}
	if r := s.Do("GET", "/api/v1/reports/exports/"+v.ID, other.Token, nil); r.Status != 200 {
		t.Errorf("another admin reads the export: %d", r.Status)
	}
	learner := s.Learner(t)
	if r := s.Do("GET", v.DownloadURL, learner.Token, nil); r.Status != 403 {
		t.Errorf("a learner downloads the export: %d", r.Status)
	}
	r = s.Do("GET", v.DownloadURL, admin.Token, nil)
	body := r.Body
	if r.Status == http.StatusFound { // S3: a short-lived signed URL
		resp, err := http.Get(r.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	} else if r.Status != 200 {
		t.Fatalf("download: %d %s", r.Status, r.Body)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	s.DB.Raw(`SELECT COUNT(*) FROM course_enrolments e JOIN users u ON u.id = e.user_id WHERE u.country = 'KE' AND e.enrolled_at >= ? AND e.enrolled_at < ?`,
		time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)).Scan(&want)
	if int64(len(recs)-1) != want || int64(v.Total) != want || want == 0 {
		t.Fatalf("export has %d rows (job said %d), SQL says %d", len(recs)-1, v.Total, want)
	}
	for _, rec := range recs[1:] {
		if rec[2] != "KE" {
			t.Fatalf("row outside the filter: %q", rec)
		}
	}
	// The export page shows the progress bar and the link.
	st, html := page(t, s, admin.Token, "/reports/exports/"+v.ID)
	if st != 200 || !strings.Contains(html, "<progress") || !strings.Contains(html, v.DownloadURL) {
		t.Errorf("export page: %d", st)
	}
	for _, c := range []struct {
		body   map[string]any
		status int
	}{
		{map[string]any{"report": "everything", "format": "csv"}, 422},
		{map[string]any{"report": "records", "format": "pdf"}, 422},
		{map[string]any{"report": "completions", "format": "csv"}, 422}, // needs group_by
		{map[string]any{"report": "records", "format": "csv", "from": "soon"}, 422},
	} {
		if r := s.Do("POST", "/api/v1/reports/exports", admin.Token, c.body); r.Status != c.status {
			t.Errorf("%v: %d, want %d", c.body, r.Status, c.status)
		}
	}
	if r := s.Do("GET", "/api/v1/reports/exports/not-a-uuid", admin.Token, nil); r.Status != 404 {
		t.Errorf("bad export id: %d", r.Status)
	}
}

// TestPagesHaveNoMissingMessages renders the pages with numbers in their messages and checks
// that no message ID shows instead of its text.
func TestPagesHaveNoMissingMessages(t *testing.T) {
	s := apptest.New(t)
	first := seedBulk(t, s.DB, 200, 3)
	admin := s.Admin(t)
	for _, lang := range []string{"en", "fr", "es", "ar"} {
		for _, path := range []string{"/reports?from=2025-01-01&to=2025-12-31", fmt.Sprintf("/reports/courses/%d", first), "/my/transcript", "/my/certificates", "/verify", "/admin/trainers"} {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			st, body := page(t, s, admin.Token, path+sep+"lang="+lang)
			if st != 200 || strings.Contains(body, "[progress.") {
				i := strings.Index(body, "[progress.")
				t.Errorf("%s %s: %d %s", lang, path, st, body[max(i, 0):min(len(body), max(i, 0)+60)])
			}
		}
	}
}
