package progress_test

import (
	"context"
	"testing"
	"time"

	"glc/internal/app/apptest"
	"glc/modules/progress"
)

// BenchmarkReports times each report chart on 100,000 learners in 50 courses (about 233,000
// enrolments, 186,000 progress records, 93,000 completions), checking each is one statement:
//
//	go test ./modules/progress/ -run '^$' -bench Reports -benchtime 10x
func BenchmarkReports(b *testing.B) {
	s := apptest.New(b)
	courseSchema(b, s.DB)
	start := time.Now()
	firstCourse := seedBulk(b, s.DB, 100_000, 50)
	var enrolments, completions int64
	s.DB.Raw(`SELECT COUNT(*) FROM course_enrolments`).Scan(&enrolments)
	s.DB.Raw(`SELECT COUNT(*) FROM course_progress WHERE completed_at IS NOT NULL`).Scan(&completions)
	b.Logf("%s: seeded 100000 learners, %d enrolments, %d completions in %s", s.DB.Dialect, enrolments, completions, time.Since(start).Round(time.Millisecond))
	qc := countQueries(b, s.DB)
	ctx := asAdmin(context.Background())
	svc := s.App.Progress
	one := func(b *testing.B, fn func() error) {
		b.Helper()
		b.ResetTimer()
		for b.Loop() {
			var err error
			if n := qc.during(func() { err = fn() }); n != 1 {
				b.Fatalf("%d statements, want 1", n)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, g := range progress.Groupings {
		b.Run("completions_by_"+g, func(b *testing.B) {
			f := period
			f.GroupBy = g
			one(b, func() error { _, err := svc.Completions(ctx, f, "en"); return err })
		})
	}
	b.Run("completions_by_course_in_KE", func(b *testing.B) {
		f := period
		f.GroupBy, f.Country = progress.GroupCourse, "KE"
		one(b, func() error { _, err := svc.Completions(ctx, f, "en"); return err })
	})
	b.Run("learners_by_country_map", func(b *testing.B) {
		one(b, func() error { _, err := svc.LearnersByCountry(ctx, period, "en"); return err })
	})
	b.Run("course_completions_by_month", func(b *testing.B) {
		f := period
		one(b, func() error { _, err := svc.CourseCompletionsOf(ctx, firstCourse, f); return err })
	})
}
