package course_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"glc/internal/app/apptest"
	"glc/internal/database"
	"glc/internal/testkit"
	"glc/modules/course"

	"gorm.io/gorm"
)

// series is a FROM clause yielding i = 1..n: generate_series on PostgreSQL, a recursive CTE
// on SQLite.
func series(d database.Dialect, n int) string {
	if d == database.Postgres {
		return fmt.Sprintf("generate_series(1, %d) AS g(i)", n)
	}
	return fmt.Sprintf("(WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < %d) SELECT i FROM g) g", n)
}

// seedVolume bulk-loads courses published courses (an English variant each, a French one for
// every third), users learners and perUser enrolments for each of them (users*perUser rows).
func seedVolume(t testing.TB, db *database.DB, courses, users, perUser int) {
	t.Helper()
	now := time.Now().UTC()
	topic := "CASE g.i % 4 WHEN 0 THEN 'cybercrime' WHEN 1 THEN 'forensics' WHEN 2 THEN 'border-management' ELSE 'financial-crime' END"
	stmts := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (email, email_key, name, password_hash, language, country, roles, status, scope_country, created_at, updated_at)
SELECT 'load' || g.i || '@example.org', 'load' || g.i || '@example.org', 'Load learner ' || g.i, '', 'en', 'KE', '', 'active', '', ?, ? FROM ` + series(db.Dialect, users), []any{now, now}},
		{`INSERT INTO courses (uuid, slug, default_language, topic, region, level, estimated_hours, status, owner_id, self_enrol, restrict_countries, restrict_org_ids, restrict_roles, published_at, created_at, updated_at)
SELECT 'seed-' || g.i, 'seed-course-' || g.i, 'en', ` + topic + `, 'global', 'introductory', 2, 'published', 1, ?, '', '', '', ?, ?, ? FROM ` + series(db.Dialect, courses), []any{true, now, now, now}},
		{`INSERT INTO course_variants (course_id, language, title, summary, description, tags, created_at, updated_at)
SELECT c.id, 'en', 'Seed course ' || c.id || ' on ' || c.topic, 'Practical training for investigators, number ' || c.id,
  'Learners practise interviews, evidence handling and cooperation across borders. Module ' || c.id, c.topic, ?, ? FROM courses c WHERE c.uuid LIKE 'seed-%'`, []any{now, now}},
		{`INSERT INTO course_variants (course_id, language, title, summary, description, tags, created_at, updated_at)
SELECT c.id, 'fr', 'Formation ' || c.id, 'Formations pratiques pour les enquêteurs', 'Les apprenants pratiquent les auditions et la coopération.', '', ?, ?
FROM courses c WHERE c.uuid LIKE 'seed-%' AND c.id % 3 = 0`, []any{now, now}},
	}
	for _, st := range stmts {
		if err := db.Exec(st.sql, st.args...).Error; err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	var cmin, cmax int64
	db.Raw("SELECT MIN(id), MAX(id) FROM courses WHERE uuid LIKE 'seed-%'").Row().Scan(&cmin, &cmax)
	ks := make([]string, perUser)
	for k := range ks {
		ks[k] = fmt.Sprintf("SELECT %d AS k", k)
	}
	err := db.Exec(fmt.Sprintf(`INSERT INTO course_enrolments (course_id, user_id, status, source, enrolled_at, updated_at)
SELECT %d + ((u.id * 7 + ks.k * 131) %% %d), u.id, 'active', 'self', ?, ? FROM users u CROSS JOIN (%s) ks WHERE u.email LIKE 'load%%'`,
		cmin, cmax-cmin+1, strings.Join(ks, " UNION ALL ")), now, now).Error
	if err != nil {
		t.Fatalf("seed enrolments: %v", err)
	}
	if db.Dialect == database.Postgres {
		for _, tbl := range []string{"users", "courses", "course_variants", "course_enrolments"} {
			if err := db.Exec("ANALYZE " + tbl).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestCatalogueAndMyLearningUseIndexes: with 1,000 courses and 100,000 enrolments, the
// catalogue and My learning queries read course_enrolments through its indexes, never with a
// sequential scan (PostgreSQL only: EXPLAIN).
func TestCatalogueAndMyLearningUseIndexes(t *testing.T) {
	if !testkit.Postgres() {
		t.Skip("EXPLAIN plans are checked on PostgreSQL")
	}
	db := testkit.DB(t)
	start := time.Now()
	seedVolume(t, db, 1000, 20000, 5)
	var n int64
	db.Raw("SELECT COUNT(*) FROM course_enrolments").Scan(&n)
	t.Logf("seeded 1,000 courses and %d enrolments in %s", n, time.Since(start).Round(time.Millisecond))
	if n != 100_000 {
		t.Fatalf("enrolments: %d", n)
	}
	var uid int64
	db.Raw("SELECT MIN(id) + 777 FROM users").Scan(&uid)
	svc := course.NewService(db, testkit.Store(t), apptest.Config(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	type plan struct {
		name string
		sql  string
		args []any
	}
	var plans []plan
	for _, q := range []course.CatalogueQuery{
		{}, {Q: "evidence interviews"}, {Q: "formation", Language: "fr"}, {Topic: "forensics", Sort: "title"}, {Q: "cooperation", Sort: "newest", Level: "introductory"},
	} {
		sql, args := svc.CatalogueSQL(q, uid)
		plans = append(plans, plan{fmt.Sprintf("catalogue %+v", q), sql, args})
	}
	// The search condition is one the GIN index serves. At 1,333 variants the planner prefers to
	// read them all (a few pages), so sequential scans are turned off to show the index path.
	sql, args := svc.CatalogueSQL(course.CatalogueQuery{Q: "517"}, uid)
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SET LOCAL enable_seqscan = off").Error; err != nil {
			return err
		}
		text, err := explain(tx, sql, args)
		if err != nil {
			return err
		}
		if !strings.Contains(text, "idx_course_variants_search") {
			t.Errorf("a selective search does not use the GIN index:\n%s", text)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"", "overdue", "completed"} {
		sql, args := svc.MyCoursesSQL(uid, f)
		plans = append(plans, plan{"my learning " + f, sql, args})
	}
	for _, p := range plans {
		text, err := explain(db.DB, p.sql, p.args)
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if strings.Contains(text, "Seq Scan on course_enrolments") {
			t.Errorf("%s scans course_enrolments sequentially:\n%s", p.name, text)
		}
		if !strings.Contains(text, "idx_course_enrolments_") {
			t.Errorf("%s does not use an enrolment index:\n%s", p.name, text)
		}
		t.Logf("%s:\n%s", p.name, text)
	}
}

// BenchmarkCatalogueAPI measures GET /api/v1/courses under concurrent load (16 clients) on a
// catalogue of 1,000 courses with 100,000 enrolments, and reports p50 and p99 latency. Run with
// GLC_TEST_DATABASE_URL set for PostgreSQL:
//
//	go test -run '^$' -bench CatalogueAPI -benchtime 2000x ./modules/course/
func BenchmarkCatalogueAPI(b *testing.B) {
	s := apptest.New(b)
	seedVolume(b, s.DB, 1000, 20000, 5)
	learner := s.Learner(b)
	paths := []string{"/api/v1/courses", "/api/v1/courses?q=evidence", "/api/v1/courses?topic=forensics&page=3",
		"/api/v1/courses?q=formation&language=fr", "/api/v1/courses?sort=title&per_page=50"}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	b.SetParallelism(8) // 8 × GOMAXPROCS clients
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			req, _ := http.NewRequest("GET", s.URL+paths[i%len(paths)], nil)
			if i%2 == 0 {
				req.Header.Set("Authorization", "Bearer "+learner.Token)
			}
			i++
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			d := time.Since(t0)
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
			}
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}
	})
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) == 0 {
		return
	}
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(p(0.50), "p50_ms")
	b.ReportMetric(p(0.99), "p99_ms")
	b.Logf("%s, %d requests: p50 %.1f ms, p99 %.1f ms", testkit.Backend(), len(lat), p(0.50), p(0.99))
}

// explain returns the plan of a query.
func explain(db *gorm.DB, sql string, args []any) (string, error) {
	rows, err := db.Raw("EXPLAIN "+sql, args...).Rows()
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return "", err
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n"), rows.Err()
}
