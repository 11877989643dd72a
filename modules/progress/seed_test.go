package progress_test

import (
	"fmt"
	"testing"
	"time"

	"glc/internal/database"
)

// seedCountries are the learners' countries in the bulk seed (learner i is in country i % 30).
var seedCountries = []string{"KE", "NG", "GH", "ZA", "EG", "MA", "FR", "ES", "DE", "IT", "BR", "AR", "MX", "CO", "PE",
	"IN", "PK", "ID", "PH", "TH", "VN", "JP", "KR", "AU", "CA", "US", "GB", "TR", "SA", "AE"}

// seedBase is the first enrolment date of the bulk seed; enrolments spread over a year.
var seedBase = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// seedBulk inserts learners learners in 20 organisations and 30 countries, courses courses,
// about 2.3 enrolments per learner spread over 2025, and progress for four enrolments in five
// (two in five completed ten days after enrolling) with bulk SQL: a recursive CTE on SQLite,
// generate_series on PostgreSQL. It returns the first course id.
func seedBulk(tb testing.TB, db *database.DB, learners, courses int) int64 {
	tb.Helper()
	pg := db.Dialect == database.Postgres
	now := time.Now().UTC()
	ex := func(q string, args ...any) {
		tb.Helper()
		if err := db.Exec(q, args...).Error; err != nil {
			tb.Fatalf("seed: %v\n%s", err, q)
		}
	}
	var firstOrg int64
	for i := range 20 {
		ex(`INSERT INTO organisations (name, type, country, created_at, updated_at) VALUES (?, 'police', ?, ?, ?)`, fmt.Sprintf("Seed organisation %02d", i+1), seedCountries[i], now, now)
	}
	db.Raw(`SELECT MIN(id) FROM organisations WHERE name LIKE 'Seed organisation %'`).Scan(&firstOrg)
	var firstCourse int64
	for i := range courses {
		slug := fmt.Sprintf("seed-%d-%d", i, now.UnixNano())
		ex(`INSERT INTO courses (uuid, slug, default_language, estimated_hours, status, owner_id, created_at, updated_at) VALUES (?, ?, 'en', 5, 'published', 1, ?, ?)`,
			fmt.Sprintf("10000000-0000-4000-8000-%012d", i), slug, now, now)
		var id int64
		db.Raw(`SELECT id FROM courses WHERE slug = ?`, slug).Scan(&id)
		if i == 0 {
			firstCourse = id
		}
		ex(`INSERT INTO course_variants (course_id, language, title, created_at, updated_at) VALUES (?, 'en', ?, ?, ?)`, id, fmt.Sprintf("Seed course %02d", i+1), now, now)
	}
	countryCase := "CASE i % 30"
	for i, c := range seedCountries {
		countryCase += fmt.Sprintf(" WHEN %d THEN '%s'", i, c)
	}
	countryCase += " END"
	var seq, day, plusDays string
	if pg {
		seq = "FROM generate_series(1, ?) AS s(i)"
		day = "(TIMESTAMPTZ '2025-01-01 00:00:00+00' + ((u.id % 365) * INTERVAL '1 day') + ((u.id % 86400) * INTERVAL '1 second'))"
		plusDays = "e.enrolled_at + INTERVAL '10 days'"
	} else {
		seq = "FROM seq"
		day = "strftime('%Y-%m-%d %H:%M:%S+00:00', '2025-01-01', '+' || (u.id % 365) || ' days', '+' || (u.id % 86400) || ' seconds')"
		plusDays = "strftime('%Y-%m-%d %H:%M:%S+00:00', e.enrolled_at, '+10 days')"
	}
	with := ""
	if !pg {
		with = "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?) "
	}
	ex(with+`INSERT INTO users (email, email_key, name, password_hash, language, country, org_id, roles, status, scope_country, created_at, updated_at)
SELECT 'seed' || i || '@bench.example', 'seed' || i || '@bench.example', 'Seed learner ' || i, '', 'en', `+countryCase+`, ? + (i % 20), '', 'active', '', ?, ? `+seq,
		orderArgs(pg, learners, firstOrg, now, now)...)
	for k, cond := range []string{"1 = 1", "1 = 1", "u.id % 3 = 0"} {
		ex(`INSERT INTO course_enrolments (course_id, user_id, status, source, enrolled_at, updated_at)
SELECT ? + ((u.id + ?) % ?), u.id, 'active', 'self', `+day+`, ?
FROM users u WHERE u.email_key LIKE 'seed%@bench.example' AND `+cond, firstCourse, k*17, courses, now)
	}
	ex(`INSERT INTO course_progress (user_id, course_id, status, percent_complete, lessons_done, lessons_total, time_spent_seconds,
  graded_lessons, passed_lessons, completed_at, rule_snapshot, created_at, updated_at)
SELECT e.user_id, e.course_id,
  CASE WHEN (e.user_id + e.course_id) % 5 IN (1, 2) THEN 'completed' ELSE 'in_progress' END,
  CASE WHEN (e.user_id + e.course_id) % 5 IN (1, 2) THEN 100 ELSE 50 END, 2, 4,
  600 + (e.user_id % 7) * 300, 1, CASE WHEN (e.user_id + e.course_id) % 5 = 4 THEN 0 ELSE 1 END,
  CASE WHEN (e.user_id + e.course_id) % 5 IN (1, 2) THEN `+plusDays+` END, '', ?, ?
FROM course_enrolments e JOIN users u ON u.id = e.user_id
WHERE u.email_key LIKE 'seed%@bench.example' AND (e.user_id + e.course_id) % 5 <> 0`, now, now)
	ex("ANALYZE")
	return firstCourse
}

// orderArgs puts the row count where the dialect's sequence wants it.
func orderArgs(pg bool, n int, rest ...any) []any {
	if pg {
		return append(rest, n)
	}
	return append([]any{n}, rest...)
}
