package progress_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"glc/internal/app/apptest"
	"glc/internal/auth"
	"glc/internal/database"
	"glc/internal/testkit"
	"glc/modules/progress"
)

// queryCounter counts the SQL statements GORM runs while it is on.
type queryCounter struct {
	on atomic.Bool
	n  atomic.Int64
}

func countQueries(tb testing.TB, db *database.DB) *queryCounter {
	tb.Helper()
	qc := &queryCounter{}
	count := func(db *gorm.DB) {
		// Only the statements of the code under test: the job queue and other background work
		// share the database.
		if qc.on.Load() && db.Statement.Context != nil && db.Statement.Context.Value(countedKey{}) != nil {
			qc.n.Add(1)
		}
	}
	cb := db.Callback()
	name := fmt.Sprintf("test:count:%p", qc)
	for _, err := range []error{
		cb.Query().After("gorm:query").Register(name, count),
		cb.Row().After("gorm:row").Register(name, count),
		cb.Raw().After("gorm:raw").Register(name, count),
		cb.Create().After("gorm:create").Register(name, count),
		cb.Update().After("gorm:update").Register(name, count),
		cb.Delete().After("gorm:delete").Register(name, count),
	} {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return qc
}

// during counts the statements fn runs.
func (qc *queryCounter) during(fn func()) int64 {
	qc.n.Store(0)
	qc.on.Store(true)
	fn()
	qc.on.Store(false)
	return qc.n.Load()
}

// countedKey marks the contexts whose statements a queryCounter counts.
type countedKey struct{}

// asAdmin is an admin's context whose statements queryCounter counts.
func asAdmin(ctx context.Context) context.Context {
	return auth.WithPrincipal(context.WithValue(ctx, countedKey{}, true), &auth.Principal{UserID: 1, Roles: []string{"learner", "admin"}})
}

var period = progress.ReportFilter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}

// TestReportsAreOneQueryAndMatchSQL checks every grouping of the completions report and the
// map against counts made directly in SQL, and that each is one statement.
func TestReportsAreOneQueryAndMatchSQL(t *testing.T) {
	s := apptest.New(t)
	courseSchema(t, s.DB)
	t.Logf("backend: %s", testkit.Backend())
	firstCourse := seedBulk(t, s.DB, 3000, 8)
	qc := countQueries(t, s.DB)
	ctx := asAdmin(context.Background())
	svc := s.App.Progress
	count := func(q string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := s.DB.Raw(q, args...).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	enrolSQL := `SELECT COUNT(*) FROM course_enrolments e JOIN users u ON u.id = e.user_id WHERE e.enrolled_at >= ? AND e.enrolled_at < ?`
	doneSQL := `SELECT COUNT(*) FROM course_progress cp JOIN users u ON u.id = cp.user_id WHERE cp.completed_at >= ? AND cp.completed_at < ?`
	var orgIDs []int64
	s.DB.Raw(`SELECT id FROM organisations WHERE name LIKE 'Seed organisation %' ORDER BY id`).Scan(&orgIDs)
	for _, g := range progress.Groupings {
		t.Run(g, func(t *testing.T) {
			f := period
			f.GroupBy = g
			var rep *progress.Report
			var err error
			if n := qc.during(func() { rep, err = svc.Completions(ctx, f, "en") }); n != 1 {
				t.Fatalf("%s report ran %d statements, want 1", g, n)
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Rows) == 0 {
				t.Fatal("empty report")
			}
			byKey := map[string]progress.ReportRow{}
			for _, r := range rep.Rows {
				byKey[r.Key] = r
			}
			check := func(key, extra string, args ...any) {
				t.Helper()
				r, ok := byKey[key]
				if !ok {
					t.Fatalf("no row %q in %v", key, rep.Rows)
				}
				from, to := f.From, f.To
				wantE := count(enrolSQL+extra, append([]any{from, to}, args...)...)
				wantC := count(doneSQL+strings.ReplaceAll(extra, "e.course_id", "cp.course_id"), append([]any{from, to}, args...)...)
				if r.Enrolments != wantE || r.Completions != wantC {
					t.Errorf("%s %s: enrolments %d completions %d, SQL says %d %d", g, key, r.Enrolments, r.Completions, wantE, wantC)
				}
			}
			switch g {
			case progress.GroupCountry:
				for _, c := range []string{"KE", "FR", "AE"} {
					check(c, " AND u.country = ?", c)
				}
				if byKey["KE"].Label != "Kenya" {
					t.Errorf("label %q", byKey["KE"].Label)
				}
			case progress.GroupOrganisation:
				for _, id := range orgIDs[:3] {
					check(fmt.Sprint(id), " AND u.org_id = ?", id)
				}
				if !strings.HasPrefix(byKey[fmt.Sprint(orgIDs[0])].Label, "Seed organisation") {
					t.Errorf("label %q", byKey[fmt.Sprint(orgIDs[0])].Label)
				}
			case progress.GroupCourse:
				for _, id := range []int64{firstCourse, firstCourse + 5} {
					check(fmt.Sprint(id), " AND e.course_id = ?", id)
				}
				if byKey[fmt.Sprint(firstCourse)].Label != "Seed course 01" {
					t.Errorf("label %q", byKey[fmt.Sprint(firstCourse)].Label)
				}
			case progress.GroupMonth:
				for _, m := range []time.Month{time.January, time.June, time.December} {
					start := time.Date(2025, m, 1, 0, 0, 0, 0, time.UTC)
					r := byKey[start.Format("2006-01")]
					wantE := count(enrolSQL, start, start.AddDate(0, 1, 0))
					wantC := count(doneSQL, start, start.AddDate(0, 1, 0))
					if r.Enrolments != wantE || r.Completions != wantC {
						t.Errorf("month %s: %d %d, SQL says %d %d", start.Format("2006-01"), r.Enrolments, r.Completions, wantE, wantC)
					}
				}
			}
			if tot := count(enrolSQL, f.From, f.To); rep.Totals.Enrolments != tot {
				t.Errorf("total enrolments %d, SQL says %d", rep.Totals.Enrolments, tot)
			}
			graded, passed := count(`SELECT COALESCE(SUM(p.graded_lessons), 0) FROM course_enrolments e JOIN course_progress p ON p.user_id = e.user_id AND p.course_id = e.course_id WHERE e.enrolled_at >= ? AND e.enrolled_at < ?`, f.From, f.To),
				count(`SELECT COALESCE(SUM(p.passed_lessons), 0) FROM course_enrolments e JOIN course_progress p ON p.user_id = e.user_id AND p.course_id = e.course_id WHERE e.enrolled_at >= ? AND e.enrolled_at < ?`, f.From, f.To)
			if rep.Totals.Graded != graded || rep.Totals.Passed != passed {
				t.Errorf("graded/passed %d/%d, SQL says %d/%d", rep.Totals.Graded, rep.Totals.Passed, graded, passed)
			}
		})
	}
	t.Run("map", func(t *testing.T) {
		var items []progress.CountryCount
		var err error
		if n := qc.during(func() { items, err = svc.LearnersByCountry(ctx, period, "fr") }); n != 1 || err != nil {
			t.Fatalf("map: %d statements, %v", n, err)
		}
		for _, it := range items {
			want := count(`SELECT COUNT(DISTINCT e.user_id) FROM course_enrolments e JOIN users u ON u.id = e.user_id WHERE u.country = ? AND e.enrolled_at >= ? AND e.enrolled_at < ?`, it.Code, period.From, period.To)
			if it.Learners != want {
				t.Errorf("%s: %d learners, SQL says %d", it.Code, it.Learners, want)
			}
		}
		if len(items) != 30 {
			t.Errorf("%d countries", len(items))
		}
	})
	t.Run("course completions over time", func(t *testing.T) {
		var items []progress.MonthCount
		// The access check reads the course and the caller's enrolment; the chart is one query.
		if n := qc.during(func() { items, _ = svc.CourseCompletions(ctx, firstCourse, period.From, period.To) }); n != 2+1 {
			t.Errorf("course chart ran %d statements, want 2 for access and 1 for the chart", n)
		}
		var sum int64
		for _, it := range items {
			sum += it.Count
		}
		if want := count(`SELECT COUNT(*) FROM course_progress WHERE course_id = ? AND completed_at >= ? AND completed_at < ?`, firstCourse, period.From, period.To); sum != want || want == 0 {
			t.Errorf("course completions %d, SQL says %d", sum, want)
		}
	})
}

// TestCoordinatorScope checks that a coordinator's reports hold only their country or
// organisation, and that asking for another scope is refused.
func TestCoordinatorScope(t *testing.T) {
	s := apptest.New(t)
	courseSchema(t, s.DB)
	seedBulk(t, s.DB, 600, 5)
	var org int64
	s.DB.Raw(`SELECT MIN(id) FROM organisations WHERE name LIKE 'Seed organisation %'`).Scan(&org)
	ke := s.NewUser(t, []string{"coordinator"}, apptest.Country("KE")) // scope: their country
	orgCoord := s.NewUser(t, []string{"coordinator"}, apptest.Country("FR"), apptest.ScopeOrg(org))
	unscoped := s.NewUser(t, []string{"coordinator"})
	sqlExec(t, s.DB.DB, `UPDATE users SET scope_country = '', scope_org_id = NULL WHERE id = ?`, unscoped.ID)
	learner, instructor, admin := s.Learner(t), s.Instructor(t), s.Admin(t)
	q := "/api/v1/reports/completions?from=2025-01-01&to=2026-01-01&group_by="
	get := func(tok, path string) *apptest.Response { return s.Do("GET", path, tok, nil) }

	var rep progress.Report
	r := get(ke.Token, q+"country")
	if r.Status != 200 {
		t.Fatalf("coordinator report: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &rep)
	if len(rep.Rows) != 1 || rep.Rows[0].Key != "KE" || rep.Country != "KE" {
		t.Fatalf("KE coordinator sees %+v", rep.Rows)
	}
	var all progress.Report
	get(admin.Token, q+"country").JSON(t, &all)
	for _, row := range all.Rows {
		if row.Key == "KE" && (row.Enrolments != rep.Rows[0].Enrolments || row.Completions != rep.Rows[0].Completions) {
			t.Fatalf("KE numbers differ: admin %+v, coordinator %+v", row, rep.Rows[0])
		}
	}
	if len(all.Rows) != 30 {
		t.Fatalf("admin sees %d countries", len(all.Rows))
	}
	// By course, the coordinator's numbers are limited to their learners.
	var byCourse progress.Report
	get(ke.Token, q+"course").JSON(t, &byCourse)
	if byCourse.Totals.Enrolments != rep.Totals.Enrolments || byCourse.Totals.Enrolments >= all.Totals.Enrolments {
		t.Fatalf("course report not scoped: %d vs %d of %d", byCourse.Totals.Enrolments, rep.Totals.Enrolments, all.Totals.Enrolments)
	}
	var orgRep progress.Report
	get(orgCoord.Token, q+"organisation").JSON(t, &orgRep)
	if len(orgRep.Rows) != 1 || orgRep.Rows[0].Key != fmt.Sprint(org) {
		t.Fatalf("organisation coordinator sees %+v", orgRep.Rows)
	}
	var items struct {
		Items []progress.CountryCount `json:"items"`
	}
	get(ke.Token, "/api/v1/reports/countries?from=2025-01-01&to=2026-01-01").JSON(t, &items)
	if len(items.Items) != 1 || items.Items[0].Code != "KE" {
		t.Fatalf("KE coordinator's map: %+v", items.Items)
	}
	for _, c := range []struct {
		who    string
		tok    string
		path   string
		status int
	}{
		{"coordinator asks for another country", ke.Token, q + "country&country=FR", 403},
		{"coordinator asks for own country", ke.Token, q + "country&country=ke", 200},
		{"organisation coordinator asks for another organisation", orgCoord.Token, fmt.Sprintf("%sorganisation&organisation_id=%d", q, org+1), 403},
		{"coordinator without a scope", unscoped.Token, q + "country", 403},
		{"learner", learner.Token, q + "country", 403},
		{"instructor", instructor.Token, q + "country", 403},
		{"anonymous", "", q + "country", 401},
		{"bad grouping", admin.Token, q + "planet", 422},
		{"bad date", admin.Token, "/api/v1/reports/completions?group_by=month&from=yesterday", 422},
		{"period backwards", admin.Token, "/api/v1/reports/completions?group_by=month&from=2026-01-01&to=2025-01-01", 422},
		{"map for another country", ke.Token, "/api/v1/reports/countries?country=FR", 403},
		{"export for another country", ke.Token, "", 403},
	} {
		var st int
		if c.path == "" {
			st = s.Do("POST", "/api/v1/reports/exports", c.tok, map[string]any{"report": "records", "format": "csv", "country": "FR"}).Status
		} else {
			st = get(c.tok, c.path).Status
		}
		if st != c.status {
			t.Errorf("%s: %d, want %d", c.who, st, c.status)
		}
	}
}
