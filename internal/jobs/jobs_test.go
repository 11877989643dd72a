package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/jobs"
	"glc/internal/testkit"
)

type countArgs struct {
	N int `json:"n"`
}

func (countArgs) Kind() string { return "test.count" }

type failArgs struct {
	SucceedOn int `json:"succeed_on"` // 0: never
}

func (failArgs) Kind() string { return "test.fail" }

type progressArgs struct {
	Total int64 `json:"total"`
}

func (progressArgs) Kind() string { return "test.progress" }

type tickArgs struct{}

func (tickArgs) Kind() string { return "test.tick" }

// fast is the queue configuration for tests: short polls and retries.
var fast = []jobs.Option{jobs.PollInterval(50 * time.Millisecond), jobs.Backoff(func(int) time.Duration { return 10 * time.Millisecond })}

// run starts q until the end of the test.
func run(t *testing.T, q *jobs.Queue) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s (%s)", timeout, what, testkit.Backend())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func enqueue(t *testing.T, q *jobs.Queue, args jobs.Args, opts ...jobs.Opt) int64 {
	t.Helper()
	id, err := q.Enqueue(context.Background(), args, opts...)
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return id
}

func status(t *testing.T, q *jobs.Queue, id int64) jobs.Status {
	t.Helper()
	st, err := q.Status(context.Background(), id)
	if err != nil {
		t.Fatalf("status %d: %v", id, err)
	}
	return st
}

func TestJobRunsOnceWithTwoRunners(t *testing.T) {
	db := testkit.DB(t)
	var mu sync.Mutex
	runs := map[int]int{}
	runners := map[string]int{}
	handler := func(name string) func(context.Context, countArgs) error {
		return func(_ context.Context, a countArgs) error {
			mu.Lock()
			runs[a.N]++
			runners[name]++
			mu.Unlock()
			time.Sleep(5 * time.Millisecond)
			return nil
		}
	}
	q1 := jobs.New(db, nil, fast...)
	q2 := jobs.New(db, nil, fast...)
	jobs.Handle(q1, handler("one"))
	jobs.Handle(q2, handler("two"))
	const n = 60
	ids := make([]int64, n)
	for i := range n {
		ids[i] = enqueue(t, q1, countArgs{N: i})
	}
	run(t, q1)
	run(t, q2)
	waitFor(t, 30*time.Second, "every job to complete", func() bool {
		for _, id := range ids {
			if status(t, q1, id).State != jobs.StateCompleted {
				return false
			}
		}
		return true
	})
	mu.Lock()
	defer mu.Unlock()
	for i := range n {
		if runs[i] != 1 {
			t.Errorf("job %d ran %d times", i, runs[i])
		}
	}
	t.Logf("%s: runner one took %d jobs, runner two %d", testkit.Backend(), runners["one"], runners["two"])
}

func TestScheduledJobWaitsForItsTime(t *testing.T) {
	db := testkit.DB(t)
	q := jobs.New(db, nil, fast...)
	var ranAt atomic.Pointer[time.Time]
	jobs.Handle(q, func(context.Context, countArgs) error {
		now := time.Now()
		ranAt.Store(&now)
		return nil
	})
	run(t, q)
	at := time.Now().Add(3 * time.Second)
	id := enqueue(t, q, countArgs{N: 1}, jobs.At(at))
	if st := status(t, q, id); st.State != jobs.StateScheduled || st.ScheduledAt.Sub(at).Abs() > time.Millisecond {
		t.Fatalf("after enqueue: %+v, want scheduled at %s", st, at.UTC())
	}
	// A job due now, enqueued after it, runs first.
	now := enqueue(t, q, countArgs{N: 2})
	waitFor(t, 10*time.Second, "the due job", func() bool { return status(t, q, now).State == jobs.StateCompleted })
	// Before its time it waits: scheduled, or already promoted to available by River's
	// scheduler (which promotes a little ahead; fetching still waits for scheduled_at), never
	// running or done. (On a loaded machine the due job may finish after the scheduled time:
	// then only the run time below is checked.)
	st := status(t, q, id)
	if read := time.Now(); read.Before(at) && st.State != jobs.StateScheduled && st.State != jobs.StateAvailable {
		t.Fatalf("scheduled job is %s at %s, before its time %s", st.State, read, at)
	}
	waitFor(t, 20*time.Second, "the scheduled job", func() bool { return status(t, q, id).State == jobs.StateCompleted })
	if got := *ranAt.Load(); got.Before(at) {
		t.Fatalf("scheduled job ran at %s, before its time %s", got, at)
	}
}

func TestFailuresRetryThenStop(t *testing.T) {
	db := testkit.DB(t)
	q := jobs.New(db, nil, fast...)
	var mu sync.Mutex
	calls := map[int]int{} // succeed_on -> calls
	jobs.Handle(q, func(_ context.Context, a failArgs) error {
		mu.Lock()
		calls[a.SucceedOn]++
		n := calls[a.SucceedOn]
		mu.Unlock()
		if a.SucceedOn != 0 && n >= a.SucceedOn {
			return nil
		}
		return fmt.Errorf("attempt %d failed", n)
	})
	run(t, q)
	never := enqueue(t, q, failArgs{}, jobs.MaxAttempts(3))
	third := enqueue(t, q, failArgs{SucceedOn: 3}, jobs.MaxAttempts(5))
	waitFor(t, 20*time.Second, "both jobs to finish", func() bool {
		return status(t, q, never).Finished() && status(t, q, third).Finished()
	})
	st := status(t, q, never)
	if st.State != jobs.StateDiscarded || st.Attempt != 3 || st.MaxAttempts != 3 || len(st.Errors) != 3 || st.Errors[2] != "attempt 3 failed" {
		t.Errorf("always failing job: %+v", st)
	}
	st = status(t, q, third)
	if st.State != jobs.StateCompleted || st.Attempt != 3 || len(st.Errors) != 2 {
		t.Errorf("job that succeeds on its third attempt: %+v", st)
	}
	time.Sleep(200 * time.Millisecond) // a discarded job must not run again
	mu.Lock()
	defer mu.Unlock()
	if calls[0] != 3 || calls[3] != 3 {
		t.Errorf("handler calls: %v, want 3 and 3", calls)
	}
}

func TestEnqueueTxFollowsTheTransaction(t *testing.T) {
	db := testkit.DB(t)
	q := jobs.New(db, nil, fast...)
	ran := make(chan int, 4)
	jobs.Handle(q, func(_ context.Context, a countArgs) error { ran <- a.N; return nil })
	ctx := context.Background()
	var rolledBack, committed int64
	errRollback := errors.New("roll back")
	err := db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		rolledBack, err = q.EnqueueTx(ctx, tx, countArgs{N: 1})
		if err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("tx: %v", err)
	}
	// (Checked before the next insert: SQLite hands a rolled back ID out again.)
	if _, err := q.Status(ctx, rolledBack); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("job enqueued in a rolled back transaction: status err = %v", err)
	}
	if err := db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		committed, err = q.EnqueueTx(ctx, tx, countArgs{N: 2})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var count int64
	if err := db.Table("river_job").Count(&count).Error; err != nil || count != 1 {
		t.Fatalf("river_job holds %d rows (%v), want only the committed job", count, err)
	}
	run(t, q)
	select {
	case n := <-ran:
		if n != 2 {
			t.Fatalf("ran job %d, want the committed one", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("committed job did not run")
	}
	waitFor(t, 5*time.Second, "completion", func() bool { return status(t, q, committed).State == jobs.StateCompleted })
	if _, err := q.EnqueueTx(ctx, db.DB, countArgs{}); err == nil {
		t.Error("EnqueueTx outside a transaction was accepted")
	}
}

func TestUniqueKeys(t *testing.T) {
	db := testkit.DB(t)
	q := jobs.New(db, nil, fast...)
	release := make(chan struct{})
	jobs.Handle(q, func(ctx context.Context, a countArgs) error {
		if a.N == 1 {
			<-release
		}
		return nil
	})
	jobs.Handle(q, func(context.Context, failArgs) error { return nil })
	ctx := context.Background()
	a := enqueue(t, q, countArgs{N: 1}, jobs.Unique("attempt-7"))
	again := enqueue(t, q, countArgs{N: 1}, jobs.Unique("attempt-7"))
	if again != a {
		t.Fatalf("second enqueue with the same key made job %d, want existing %d", again, a)
	}
	var inTx int64
	if err := db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		inTx, err = q.EnqueueTx(ctx, tx, countArgs{N: 1}, jobs.Unique("attempt-7"))
		return err
	}); err != nil || inTx != a {
		t.Fatalf("EnqueueTx with the same key: %d %v, want %d", inTx, err, a)
	}
	other := enqueue(t, q, countArgs{N: 3}, jobs.Unique("attempt-8"))
	otherKind := enqueue(t, q, failArgs{SucceedOn: 1}, jobs.Unique("attempt-7"))
	plain1 := enqueue(t, q, countArgs{N: 4})
	plain2 := enqueue(t, q, countArgs{N: 4})
	ids := map[int64]bool{a: true, other: true, otherKind: true, plain1: true, plain2: true}
	if len(ids) != 5 {
		t.Fatalf("distinct jobs share ids: %d %d %d %d %d", a, other, otherKind, plain1, plain2)
	}
	run(t, q)
	// While the job runs, its key still holds.
	waitFor(t, 10*time.Second, "the unique job to start", func() bool { return status(t, q, a).State == jobs.StateRunning })
	if id := enqueue(t, q, countArgs{N: 1}, jobs.Unique("attempt-7")); id != a {
		t.Fatalf("enqueue while running made job %d, want %d", id, a)
	}
	close(release)
	waitFor(t, 10*time.Second, "the unique job to complete", func() bool { return status(t, q, a).State == jobs.StateCompleted })
	// Once finished, the key is free again.
	if id := enqueue(t, q, countArgs{N: 5}, jobs.Unique("attempt-7")); id == a {
		t.Fatal("the key of a completed job still blocks a new job")
	}
	// The same arguments again, once the first job completed: a new job too.
	same := enqueue(t, q, countArgs{N: 6}, jobs.Unique("attempt-9"))
	waitFor(t, 10*time.Second, "the job to complete", func() bool { return status(t, q, same).State == jobs.StateCompleted })
	if id := enqueue(t, q, countArgs{N: 6}, jobs.Unique("attempt-9")); id == same {
		t.Fatal("the key of a completed job with the same arguments still blocks a new job")
	}
}

func TestProgress(t *testing.T) {
	db := testkit.DB(t)
	q := jobs.New(db, nil, fast...)
	halfway := make(chan struct{})
	release := make(chan struct{})
	jobs.Handle(q, func(ctx context.Context, a progressArgs) error {
		if err := jobs.Progress(ctx, a.Total/2, a.Total); err != nil {
			return err
		}
		close(halfway)
		<-release
		return jobs.Progress(ctx, a.Total, a.Total)
	})
	run(t, q)
	ctx := context.Background()
	id := enqueue(t, q, progressArgs{Total: 1000})
	if st := status(t, q, id); st.Done != 0 || st.Total != 0 {
		t.Fatalf("progress before start: %+v", st)
	}
	select {
	case <-halfway:
	case <-time.After(10 * time.Second):
		t.Fatal("job did not start")
	}
	st := status(t, q, id)
	if st.State != jobs.StateRunning || st.Done != 500 || st.Total != 1000 {
		t.Fatalf("while running: %+v, want running 500/1000", st)
	}
	close(release)
	waitFor(t, 10*time.Second, "completion", func() bool { return status(t, q, id).State == jobs.StateCompleted })
	if st := status(t, q, id); st.Done != 1000 || st.Total != 1000 {
		t.Fatalf("after completion: %+v", st)
	}
	if err := jobs.Progress(ctx, 1, 2); !errors.Is(err, jobs.ErrNotInJob) {
		t.Fatalf("Progress outside a job: %v", err)
	}
	if _, err := q.Status(ctx, id+1000); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("status of a missing job: %v", err)
	}
}

func TestPeriodic(t *testing.T) {
	db := testkit.DB(t)
	q := jobs.New(db, nil, fast...)
	var ticks atomic.Int32
	jobs.Handle(q, func(context.Context, tickArgs) error { ticks.Add(1); return nil })
	jobs.Periodic(q, time.Second, tickArgs{})
	start := time.Now()
	run(t, q)
	waitFor(t, 15*time.Second, "two periodic runs", func() bool { return ticks.Load() >= 2 })
	elapsed := time.Since(start)
	if max := int32(elapsed/time.Second) + 2; ticks.Load() > max {
		t.Fatalf("%d runs in %s: more than one per period", ticks.Load(), elapsed)
	}
	defer func() {
		if recover() == nil {
			t.Error("Handle after Run did not panic")
		}
	}()
	jobs.Handle(q, func(context.Context, countArgs) error { return nil })
}

func TestHandleTwicePanics(t *testing.T) {
	q := jobs.New(testkit.DB(t), nil)
	jobs.Handle(q, func(context.Context, countArgs) error { return nil })
	defer func() {
		if recover() == nil {
			t.Error("a second handler for the same kind was accepted")
		}
	}()
	jobs.Handle(q, func(context.Context, countArgs) error { return nil })
}

func TestRunWithoutHandlersWaits(t *testing.T) {
	q := jobs.New(testkit.DB(t), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := q.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() == nil {
		t.Fatal("Run returned before its context ended")
	}
}

// BenchmarkThroughput measures jobs completed per second by one runner with 20 workers:
// go test ./internal/jobs -run '^$' -bench Throughput (with GLC_TEST_DATABASE_URL for
// PostgreSQL).
func BenchmarkThroughput(b *testing.B) {
	db := testkit.DB(b)
	q := jobs.New(db, nil, jobs.PollInterval(20*time.Millisecond), jobs.Workers(20))
	var done atomic.Int64
	jobs.Handle(q, func(context.Context, countArgs) error { done.Add(1); return nil })
	ctx := context.Background()
	enqueue := func(n int) {
		err := db.Tx(ctx, func(tx *gorm.DB) error {
			for i := range n {
				if _, err := q.EnqueueTx(ctx, tx, countArgs{N: i}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = q.Run(rctx) }()
	b.ResetTimer()
	start := time.Now()
	for sent := 0; sent < b.N; sent += 500 {
		enqueue(min(500, b.N-sent))
	}
	for done.Load() < int64(b.N) {
		time.Sleep(5 * time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
}
