package quiz_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"glc/internal/testkit"
	"glc/modules/account"
	"glc/modules/quiz"
)

// loadQuiz is a quiz of five quick questions and, for each, a wrong and a right response.
func (e *env) loadQuiz() fixture {
	e.t.Helper()
	f := e.quizFixture(`{"time_limit_seconds": 3600}`)
	for _, q := range []map[string]any{everyKind()[0], everyKind()[1], everyKind()[2], everyKind()[3], everyKind()[4]} {
		e.addQuestion(f, q)
	}
	return f
}

// quickLearners creates n enrolled learners without passwords (fast).
func (e *env) quickLearners(f fixture, n int) []user {
	e.t.Helper()
	out := make([]user, n)
	stamp := time.Now().UnixNano()
	for i := range out {
		u, err := e.Accounts.Create(context.Background(), account.NewUser{Email: fmt.Sprintf("load%d-%d@example.org", stamp, i), Name: fmt.Sprintf("Load %d", i)})
		if err != nil {
			e.t.Fatal(err)
		}
		tok, _, err := e.Accounts.IssueAccess(u)
		if err != nil {
			e.t.Fatal(err)
		}
		out[i] = user{ID: u.ID, Token: tok, P: account.Principal(u)}
		e.Courses.enrol(f.Course, u.ID)
	}
	return out
}

func wrongAnswer(q questionJSON) map[string]any {
	switch q.Kind {
	case "single", "multiple":
		return map[string]any{"option_ids": []string{}}
	case "true_false":
		return map[string]any{"option_ids": []string{"false"}}
	case "short":
		return map[string]any{"text": "wrong"}
	case "numeric":
		return map[string]any{"number": 1}
	}
	return nil
}

// TestManyLearnersAtOnce has 200 learners (on PostgreSQL; 50 on the embedded SQLite backend,
// whose single writer makes it slow; GLC_QUIZ_LOAD_LEARNERS overrides) answer the same quiz at
// the same time against the running server, each answer sent with a duplicate retry and a late, older retry racing a
// newer answer. Every acknowledged answer must be stored exactly once, and the stored one must
// be the acknowledged answer with the highest seq.
func TestManyLearnersAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	e := newEnv(t)
	t.Logf("backend: %s", testkit.Backend())
	f := e.loadQuiz()
	learners := 50
	if testkit.Postgres() {
		learners = 200
	}
	if n, err := strconv.Atoi(os.Getenv("GLC_QUIZ_LOAD_LEARNERS")); err == nil && n > 0 {
		learners = n
	}
	users := e.quickLearners(f, learners)

	type ack struct {
		attempt, question, seq int64
		body                   string
	}
	var (
		mu     sync.Mutex
		acks   []ack
		failed atomic.Int64
		wg     sync.WaitGroup
	)
	start := make(chan struct{})
	attempts := make([]attemptJSON, learners)
	began := time.Now()
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := e.try("POST", fmt.Sprintf("/api/v1/quizzes/%d/attempts", f.Lesson), u.Token, map[string]any{})
			if err != nil || r.Status != 201 {
				failed.Add(1)
				t.Errorf("start: %v %v", err, r)
				return
			}
			var a attemptJSON
			if err := json.Unmarshal(r.Body, &a); err != nil {
				failed.Add(1)
				return
			}
			attempts[i] = a
			save := func(q questionJSON, resp map[string]any, seq int64) {
				body := map[string]any{"response": resp, "seq": seq}
				r, err := e.try("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%d", a.ID, q.ID), u.Token, body)
				if err != nil || r.Status != 200 {
					failed.Add(1)
					t.Errorf("save: %v %v", err, r)
					return
				}
				raw, _ := json.Marshal(resp)
				mu.Lock()
				acks = append(acks, ack{a.ID, q.ID, seq, string(raw)})
				mu.Unlock()
			}
			for _, q := range a.Questions {
				base := time.Now().UnixMicro()
				right, wrong := rightAnswerNoT(q), wrongAnswer(q)
				save(q, wrong, base)
				save(q, wrong, base) // a retry of the same request
				var inner sync.WaitGroup
				inner.Add(2)
				go func() { defer inner.Done(); save(q, right, base+10) }()
				go func() {
					defer inner.Done()
					time.Sleep(time.Duration(rand.IntN(3)) * time.Millisecond)
					save(q, wrong, base+5)
				}()
				inner.Wait()
			}
		}()
	}
	close(start)
	wg.Wait()
	elapsed := time.Since(began)
	if failed.Load() > 0 {
		t.Fatalf("%d requests failed", failed.Load())
	}
	t.Logf("%d learners, %d acknowledged saves in %v (%.0f saves/s)", learners, len(acks), elapsed.Round(time.Millisecond), float64(len(acks))/elapsed.Seconds())

	// Every (attempt, question) with an acknowledged answer has exactly one row, holding the
	// acknowledged answer with the highest seq.
	best := map[[2]int64]ack{}
	for _, a := range acks {
		k := [2]int64{a.attempt, a.question}
		if cur, ok := best[k]; !ok || a.seq > cur.seq {
			best[k] = a
		}
	}
	if len(best) != learners*5 {
		t.Fatalf("acknowledged answers for %d questions, want %d", len(best), learners*5)
	}
	var rows []quiz.Answer
	if err := e.DB.Where("attempt_id IN (SELECT id FROM quiz_attempts WHERE lesson_id = ?)", f.Lesson).Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(best) {
		t.Fatalf("%d answer rows stored, want %d (one per acknowledged question)", len(rows), len(best))
	}
	seen := map[[2]int64]bool{}
	for _, r := range rows {
		k := [2]int64{r.AttemptID, r.QuestionID}
		if seen[k] {
			t.Fatalf("two rows for %v", k)
		}
		seen[k] = true
		want := best[k]
		var got, exp map[string]any
		_ = json.Unmarshal([]byte(r.Response), &got)
		_ = json.Unmarshal([]byte(want.body), &exp)
		gb, _ := json.Marshal(got)
		eb, _ := json.Marshal(exp)
		if r.Seq != want.seq || string(gb) != string(eb) {
			t.Fatalf("%v stores seq %d %s, want the newest acknowledged seq %d %s", k, r.Seq, gb, want.seq, eb)
		}
	}
	// Everyone submits at once; every newest answer counts.
	var sub sync.WaitGroup
	scores := make([]float64, learners)
	for i, a := range attempts {
		sub.Add(1)
		go func() {
			defer sub.Done()
			r, err := e.try("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", a.ID), users[i].Token, map[string]any{})
			if err != nil || r.Status != 200 {
				t.Errorf("submit: %v %v", err, r)
				return
			}
			var s quiz.Submitted
			_ = json.Unmarshal(r.Body, &s)
			scores[i] = *s.Score
		}()
	}
	sub.Wait()
	for i, s := range scores {
		if s != 6 {
			t.Fatalf("learner %d scored %v, want 6", i, s)
		}
	}
}

// rightAnswerNoT is rightAnswer without a *testing.T (goroutines).
func rightAnswerNoT(q questionJSON) map[string]any {
	byText := func(opts []quiz.OptionView, text string) string {
		for _, o := range opts {
			if o.Text == text {
				return o.ID
			}
		}
		return ""
	}
	switch q.Kind {
	case "single":
		return map[string]any{"option_ids": []string{byText(q.Options, "Lyon")}}
	case "multiple":
		return map[string]any{"option_ids": []string{byText(q.Options, "Red"), byText(q.Options, "Yellow")}}
	case "true_false":
		return map[string]any{"option_ids": []string{"true"}}
	case "short":
		return map[string]any{"text": "NCB"}
	case "numeric":
		return map[string]any{"number": 1923}
	}
	return nil
}

// latencies collects request durations from parallel goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) report(b *testing.B, unit string, elapsed time.Duration) {
	if len(l.d) == 0 {
		return
	}
	slices.Sort(l.d)
	q := func(p float64) float64 {
		return float64(l.d[min(len(l.d)-1, int(p*float64(len(l.d))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(l.d))/elapsed.Seconds(), unit+"/s")
	b.ReportMetric(q(0.50), "p50_ms")
	b.ReportMetric(q(0.99), "p99_ms")
	b.ReportMetric(0, "ns/op")
}

// benchClients is how many clients the benchmarks run at once (GLC_QUIZ_BENCH_CLIENTS,
// default 100).
func benchClients(b *testing.B) {
	n := 100
	if v, err := strconv.Atoi(os.Getenv("GLC_QUIZ_BENCH_CLIENTS")); err == nil && v > 0 {
		n = v
	}
	b.SetParallelism(max(1, n/runtime.GOMAXPROCS(0)))
}

// BenchmarkSaveAnswer measures PUT /attempts/{id}/answers/{question} through the HTTP server
// with 100 learners answering at once (run it on PostgreSQL: set GLC_TEST_DATABASE_URL):
//
//	go test ./modules/quiz/ -run '^$' -bench 'SaveAnswer|Submit' -benchtime 3000x
//
// It reports answers (or submissions) per second and the p50 and p99 latency.
func BenchmarkSaveAnswer(b *testing.B) {
	e := newEnv(b)
	f := e.loadQuiz()
	users := e.quickLearners(f, 100)
	type target struct {
		u user
		a attemptJSON
	}
	targets := make([]target, len(users))
	for i, u := range users {
		targets[i] = target{u, e.start(f, u)}
	}
	var next, seq atomic.Int64
	seq.Store(time.Now().UnixMicro())
	var lat latencies
	benchClients(b)
	b.ResetTimer()
	began := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := next.Add(1)
			tg := targets[int(n)%len(targets)]
			q := tg.a.Questions[int(n/int64(len(targets)))%len(tg.a.Questions)]
			body := map[string]any{"response": rightAnswerNoT(q), "seq": seq.Add(1)}
			t0 := time.Now()
			r, err := e.try("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%d", tg.a.ID, q.ID), tg.u.Token, body)
			if err != nil || r.Status != 200 {
				b.Errorf("save: %v %v", err, r)
				return
			}
			lat.add(time.Since(t0))
		}
	})
	elapsed := time.Since(began)
	b.StopTimer()
	lat.report(b, "answers", elapsed)
}

// BenchmarkSubmit measures POST /attempts/{id}/submit (grading five answered questions and
// recording the result) with many learners submitting at once.
func BenchmarkSubmit(b *testing.B) {
	e := newEnv(b)
	f := e.loadQuiz()
	users := e.quickLearners(f, b.N)
	ids := make([]int64, b.N)
	for i, u := range users {
		a, _, err := e.Mod.Svc.Start(u.ctx(), f.Lesson)
		if err != nil {
			b.Fatal(err)
		}
		for _, q := range a.Questions {
			raw, _ := json.Marshal(rightAnswerNoT(questionJSON{Kind: q.Kind, Options: q.Options}))
			var r quiz.Response
			_ = json.Unmarshal(raw, &r)
			if _, err := e.Mod.Svc.SaveAnswer(u.ctx(), a.ID, q.ID, r, nil); err != nil {
				b.Fatal(err)
			}
		}
		ids[i] = a.ID
	}
	var next atomic.Int64
	var lat latencies
	benchClients(b)
	b.ResetTimer()
	began := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1) - 1)
			t0 := time.Now()
			r, err := e.try("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", ids[i]), users[i].Token, map[string]any{})
			if err != nil || r.Status != 200 {
				b.Errorf("submit: %v %v", err, r)
				return
			}
			lat.add(time.Since(t0))
		}
	})
	elapsed := time.Since(began)
	b.StopTimer()
	lat.report(b, "submits", elapsed)
	var wrong int64
	e.DB.Model(&quiz.Attempt{}).Where("lesson_id = ? AND (status <> ? OR score <> ?)", f.Lesson, quiz.StatusFinished, 6).Count(&wrong)
	if wrong > 0 {
		b.Fatalf("%d attempts not finished with full marks", wrong)
	}
}
