package xapi_test

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"glc/internal/app/apptest"
	"glc/internal/database"
)

// Benchmarks of the record store through HTTP (the whole stack: auth, validation, storage).
// Run them on PostgreSQL with GLC_TEST_DATABASE_URL set, e.g.
//
//	go test ./modules/xapi/ -run '^$' -bench . -benchtime 2000x
//
// BenchmarkFilteredGet seeds GLC_BENCH_STATEMENTS statements with bulk SQL (default
// 1,000,000 on PostgreSQL, 100,000 on SQLite) and reports the p50 and p99 latency of
// filtered queries.

func benchStatement(i int) map[string]any {
	return map[string]any{
		"actor":  map[string]any{"mbox": fmt.Sprintf("mailto:learner%d@example.org", i%1000), "name": "Learner"},
		"verb":   map[string]any{"id": fmt.Sprintf("http://example.org/verbs/v%d", i%50), "display": map[string]any{"en-US": "did"}},
		"object": map[string]any{"id": fmt.Sprintf("http://example.org/activities/a%d", i%5000), "definition": map[string]any{"name": map[string]any{"en-US": "Activity"}}},
		"result": map[string]any{"score": map[string]any{"scaled": 0.8}, "completion": true},
	}
}

func BenchmarkPostStatement(b *testing.B) {
	_, l := newLRS(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l.post(benchStatement(i))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "statements/s")
}

func BenchmarkPostStatementParallel(b *testing.B) {
	_, l := newLRS(b)
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			l.post(benchStatement(i))
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "statements/s")
}

func BenchmarkPostBatch100(b *testing.B) {
	_, l := newLRS(b)
	batch := make([]map[string]any, 100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range batch {
			batch[j] = benchStatement(i*100 + j)
		}
		l.post(batch...)
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "statements/s")
}

// seedSQL inserts n statements (and their index rows) in bulk, per dialect.
func seedSQL(b *testing.B, s *apptest.Server, n int) {
	b.Helper()
	var stmts []string
	if s.DB.Dialect == database.Postgres {
		stmts = []string{
			`INSERT INTO xapi_statements (statement_id, voided, voiding, verb_id, actor_ifi, object_activity_id, registration, authority_ifi, stored, timestamp, statement)
			SELECT id, false, false, verb, 'mbox:' || mbox, act, reg, 'account:http://bench|seed', st, st,
				jsonb_build_object('id', id, 'actor', jsonb_build_object('mbox', mbox, 'name', 'Learner'),
					'verb', jsonb_build_object('id', verb, 'display', jsonb_build_object('en-US', 'did')),
					'object', jsonb_build_object('id', act, 'definition', jsonb_build_object('name', jsonb_build_object('en-US', 'Activity'))),
					'result', jsonb_build_object('score', jsonb_build_object('scaled', 0.8), 'completion', true),
					'context', CASE WHEN reg IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('registration', reg) END,
					'authority', jsonb_build_object('objectType', 'Agent', 'account', jsonb_build_object('homePage', 'http://bench', 'name', 'seed')),
					'stored', to_char(st AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
					'timestamp', to_char(st AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'version', '1.0.0')
			FROM (SELECT md5(i::text)::uuid::text AS id, 'mailto:learner' || (i % 1000) || '@example.org' AS mbox,
				'http://example.org/verbs/v' || (i % 50) AS verb, 'http://example.org/activities/a' || (i % 5000) AS act,
				CASE WHEN i % 100 = 0 THEN md5('reg' || (i % 10000))::uuid::text END AS reg,
				timestamp '2024-01-01' + i * interval '1 millisecond' AS st
				FROM generate_series(1, ?) AS i) g`,
		}
	} else {
		stmts = []string{
			`WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ?)
			INSERT INTO xapi_statements (statement_id, voided, voiding, verb_id, actor_ifi, object_activity_id, registration, authority_ifi, stored, timestamp, statement)
			SELECT printf('%08x-0000-4000-8000-%012x', i, i), 0, 0, 'http://example.org/verbs/v' || (i % 50), 'mbox:mailto:learner' || (i % 1000) || '@example.org',
				'http://example.org/activities/a' || (i % 5000), CASE WHEN i % 100 = 0 THEN printf('%08x-0000-4000-9000-%012x', i % 10000, i % 10000) END,
				'account:http://bench|seed', strftime('%Y-%m-%d %H:%M:%f', '2024-01-01', '+' || (i / 1000.0) || ' seconds') || '+00:00',
				strftime('%Y-%m-%d %H:%M:%f', '2024-01-01', '+' || (i / 1000.0) || ' seconds') || '+00:00',
				json_object('id', printf('%08x-0000-4000-8000-%012x', i, i), 'actor', json_object('mbox', 'mailto:learner' || (i % 1000) || '@example.org', 'name', 'Learner'),
					'verb', json_object('id', 'http://example.org/verbs/v' || (i % 50)), 'object', json_object('id', 'http://example.org/activities/a' || (i % 5000)),
					'authority', json_object('objectType', 'Agent', 'account', json_object('homePage', 'http://bench', 'name', 'seed')), 'version', '1.0.0')
			FROM g`,
		}
	}
	stmts = append(stmts,
		`INSERT INTO xapi_statement_agents (seq, ifi, direct) SELECT seq, actor_ifi, true FROM xapi_statements`,
		`INSERT INTO xapi_statement_activities (seq, activity_id, direct) SELECT seq, object_activity_id, true FROM xapi_statements`,
		`ANALYZE`)
	start := time.Now()
	for _, q := range stmts {
		args := []any{}
		if q == stmts[0] {
			args = append(args, n)
		}
		if err := s.DB.Exec(q, args...).Error; err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
	b.Logf("seeded %d statements on %s in %s", n, s.DB.Dialect, time.Since(start).Round(time.Second))
}

func BenchmarkFilteredGet(b *testing.B) {
	s, l := newLRS(b)
	n := 100_000
	if s.DB.Dialect == database.Postgres {
		n = 1_000_000
	}
	if v, err := strconv.Atoi(os.Getenv("GLC_BENCH_STATEMENTS")); err == nil && v > 0 {
		n = v
	}
	seedSQL(b, s, n)
	reg := ""
	s.DB.Raw("SELECT registration FROM xapi_statements WHERE registration IS NOT NULL LIMIT 1").Scan(&reg)
	q := func(k, v string) string { return k + "=" + url.QueryEscape(v) }
	agentQ := q("agent", `{"mbox":"mailto:learner7@example.org"}`)
	filters := []struct{ name, query string }{
		{"verb", q("verb", "http://example.org/verbs/v7") + "&limit=25"},
		{"agent", agentQ + "&limit=25"},
		{"activity", q("activity", "http://example.org/activities/a42") + "&limit=25"},
		{"agent+verb", agentQ + "&" + q("verb", "http://example.org/verbs/v7") + "&limit=25"},
		{"registration", q("registration", reg) + "&limit=25"},
		{"agent+since", agentQ + "&" + q("since", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n/2)*time.Millisecond).Format(time.RFC3339Nano)) + "&limit=25"},
		{"verb/limit=100/ascending", q("verb", "http://example.org/verbs/v7") + "&limit=100&ascending=true"},
		{"related_activities", q("activity", "http://example.org/activities/a42") + "&related_activities=true&limit=25"},
	}
	for _, f := range filters {
		b.Run(f.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				start := time.Now()
				got, _ := l.query("?" + f.query)
				lat = append(lat, time.Since(start))
				if len(got) == 0 {
					b.Fatalf("filter %s matched nothing", f.name)
				}
			}
			slices.Sort(lat)
			p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(p(0.5), "p50-ms")
			b.ReportMetric(p(0.99), "p99-ms")
		})
	}
}
