// Package jobs is the durable background job queue: quiz deadlines (run at a given time), CSV
// imports with progress, periodic link checks, report exports. Jobs live in the application
// database, so a job enqueued in a transaction exists only if the transaction commits, and
// every replica of the application can run the queue at once: each job runs once.
//
// It wraps River (github.com/riverqueue/river), the well-kept Go queue on PostgreSQL, through
// its database/sql drivers: riverdatabasesql on PostgreSQL (GORM's pool; poll-only, no
// LISTEN/NOTIFY needed) and riversqlite on the embedded SQLite database. River's schema is
// created by our versioned migration 0002_jobs (see internal/migrations), pinned to a River
// migration version; a River upgrade that brings new River migrations adds a new step.
//
// Modules see only this small API:
//
//	type ImportArgs struct{ FileKey string }
//	func (ImportArgs) Kind() string { return "library.import" }
//
//	jobs.Handle(q, func(ctx context.Context, a ImportArgs) error {
//		... jobs.Progress(ctx, done, total) ...
//	})
//	id, err := q.EnqueueTx(ctx, tx, ImportArgs{FileKey: k}, jobs.Unique(k))
//	st, err := q.Status(ctx, id)
//
// Handlers must be registered (Handle, Periodic) before Run starts. A handler that returns an
// error is retried with backoff until MaxAttempts (default 10), then the job is discarded.
// Handlers should watch ctx: it ends when the job times out (Timeout, default 15 minutes) or
// the process shuts down. A job whose runner dies is rescued (made available again) once
// RescueAfter (default 20 minutes) has passed since its attempt began.
package jobs

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/database"
)

// Args are a job's arguments: JSON-encoded into the job row. Kind names the job type and
// selects its handler; prefix it with the module name ("quiz.deadline").
type Args interface {
	Kind() string
}

// DefaultMaxAttempts is how often a failing job runs before it is discarded.
const DefaultMaxAttempts = 10

// Queue enqueues jobs and runs their handlers.
type Queue struct {
	db      *database.DB
	log     *slog.Logger
	driver  riverdriver.Driver[*sql.Tx]
	workers *river.Workers
	kinds   map[string]bool

	poll        time.Duration
	backoff     func(attempt int) time.Duration
	maxWorkers  int
	timeout     time.Duration
	rescueAfter time.Duration

	mu       sync.Mutex
	periodic []*river.PeriodicJob
	started  bool
	inserter *river.Client[*sql.Tx] // insert-only client, for use before and after Run
	running  *river.Client[*sql.Tx] // the working client while Run runs
}

// Option configures a Queue.
type Option func(*Queue)

// PollInterval sets how often an idle runner looks for due jobs (default 1s). Jobs enqueued
// through the same Queue while it runs start at once without waiting for the poll.
func PollInterval(d time.Duration) Option { return func(q *Queue) { q.poll = d } }

// Backoff sets the delay before retry number attempt (1 after the first failure). The default
// is River's: attempt^4 seconds with jitter.
func Backoff(f func(attempt int) time.Duration) Option { return func(q *Queue) { q.backoff = f } }

// Workers sets how many jobs one runner works on at once (default 10).
func Workers(n int) Option { return func(q *Queue) { q.maxWorkers = n } }

// Timeout sets how long one attempt may run before its context is cancelled (default 15m);
// RescueAfter (default Timeout + 5m) is when a job left running by a dead runner is retried.
func Timeout(run, rescueAfter time.Duration) Option {
	return func(q *Queue) { q.timeout, q.rescueAfter = run, rescueAfter }
}

// New builds a queue on db. Register handlers, then call Run.
func New(db *database.DB, log *slog.Logger, opts ...Option) *Queue {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	q := &Queue{db: db, log: log.With("component", "jobs"), workers: river.NewWorkers(), kinds: map[string]bool{},
		poll: time.Second, maxWorkers: 10, timeout: 15 * time.Minute}
	for _, o := range opts {
		o(q)
	}
	if q.rescueAfter <= q.timeout {
		q.rescueAfter = q.timeout + 5*time.Minute
	}
	if db.Dialect == database.Postgres {
		q.driver = riverdatabasesql.New(db.SQL())
	} else {
		q.driver = riversqlite.New(db.SQL())
	}
	return q
}

// Handle registers the handler of jobs whose args are of type T. It panics when T's kind
// already has a handler or the queue runs already: both are programming errors.
func Handle[T Args](q *Queue, fn func(ctx context.Context, args T) error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var zero T
	if q.started {
		panic(fmt.Sprintf("jobs: Handle(%s) after Run", zero.Kind()))
	}
	if err := river.AddWorkerSafely(q.workers, river.WorkFunc(func(ctx context.Context, j *river.Job[T]) error {
		return fn(withJob(ctx, j.ID), j.Args)
	})); err != nil {
		panic(fmt.Sprintf("jobs: Handle(%s): %v", zero.Kind(), err))
	}
	q.kinds[zero.Kind()] = true
}

// Periodic enqueues args every interval, starting when the queue starts. Only one runner (the
// elected leader) enqueues periodic jobs, and at most one is enqueued per interval even when
// runners restart, so a replicated application runs each period's job once.
func Periodic(q *Queue, every time.Duration, args Args) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.started {
		panic(fmt.Sprintf("jobs: Periodic(%s) after Run", args.Kind()))
	}
	q.periodic = append(q.periodic, river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) {
			return args, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
		}, &river.PeriodicJobOpts{ID: "periodic:" + args.Kind(), RunOnStart: true}))
}

// Opt changes how one job is enqueued.
type Opt func(*enqueueOpts)

type enqueueOpts struct {
	river  river.InsertOpts
	unique string
}

// At runs the job no earlier than t.
func At(t time.Time) Opt { return func(o *enqueueOpts) { o.river.ScheduledAt = t.UTC() } }

// MaxAttempts sets how often the job runs before it is discarded (default 10).
func MaxAttempts(n int) Opt { return func(o *enqueueOpts) { o.river.MaxAttempts = n } }

// Unique makes the job unique by key among the jobs of its kind that are not finished yet
// (waiting, scheduled, running or waiting for a retry): enqueueing it again while one is
// unfinished enqueues nothing and returns the existing job's ID. Once the job completed,
// failed for good or was cancelled, the key is free again.
func Unique(key string) Opt { return func(o *enqueueOpts) { o.unique = key } }

// Enqueue stores a job and returns its ID.
func (q *Queue) Enqueue(ctx context.Context, args Args, opts ...Opt) (int64, error) {
	c, err := q.client()
	if err != nil {
		return 0, err
	}
	o := buildOpts(opts)
	res, err := c.Insert(withUniqueKey(ctx, o.unique), args, &o.river)
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return res.Job.ID, nil
}

// EnqueueTx stores a job inside tx, a GORM transaction (db.Tx's argument): the job exists
// only if tx commits.
func (q *Queue) EnqueueTx(ctx context.Context, tx *gorm.DB, args Args, opts ...Opt) (int64, error) {
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return 0, fmt.Errorf("enqueue %s: EnqueueTx needs the *gorm.DB of a transaction", args.Kind())
	}
	c, err := q.client()
	if err != nil {
		return 0, err
	}
	o := buildOpts(opts)
	res, err := c.InsertTx(withUniqueKey(ctx, o.unique), sqlTx, args, &o.river)
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return res.Job.ID, nil
}

func buildOpts(opts []Opt) enqueueOpts {
	var o enqueueOpts
	for _, f := range opts {
		f(&o)
	}
	return o
}

// client returns the running client, or an insert-only one.
func (q *Queue) client() (*river.Client[*sql.Tx], error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running != nil {
		return q.running, nil
	}
	if q.inserter == nil {
		c, err := river.NewClient(q.driver, q.config(false))
		if err != nil {
			return nil, fmt.Errorf("jobs: %w", err)
		}
		q.inserter = c
	}
	return q.inserter, nil
}

func (q *Queue) config(work bool) *river.Config {
	cfg := &river.Config{
		Logger:              q.log,
		MaxAttempts:         DefaultMaxAttempts,
		JobInsertMiddleware: []rivertype.JobInsertMiddleware{&uniqueKeys{}},
		JobTimeout:          q.timeout,
	}
	if !work {
		return cfg
	}
	cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: q.maxWorkers}}
	cfg.Workers = q.workers
	cfg.PeriodicJobs = q.periodic
	cfg.FetchPollInterval = q.poll
	cfg.FetchCooldown = min(q.poll, 100*time.Millisecond)
	cfg.RescueStuckJobsAfter = q.rescueAfter
	if q.backoff != nil {
		cfg.RetryPolicy = retryPolicy{q.backoff}
	}
	return cfg
}

// Run works on jobs until ctx ends, then waits (up to 10s) for running handlers before it
// cancels them. Several runners, in one process or on several replicas, may run at once.
func (q *Queue) Run(ctx context.Context) error {
	q.mu.Lock()
	q.started = true
	hasWork := len(q.kinds) > 0
	q.mu.Unlock()
	if !hasWork {
		<-ctx.Done()
		return nil
	}
	c, err := river.NewClient(q.driver, q.config(true))
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	// The client's own context outlives ctx so that Stop can let running jobs finish.
	if err := c.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	q.mu.Lock()
	q.running = c
	q.mu.Unlock()
	<-ctx.Done()
	q.mu.Lock()
	if q.running == c {
		q.running = nil
	}
	q.mu.Unlock()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := c.Stop(sctx); err != nil {
		q.log.Warn("jobs did not finish in time; cancelling them", "err", err)
		cctx, cancel2 := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel2()
		return c.StopAndCancel(cctx)
	}
	return nil
}

// State is where a job is in its life.
type State string

// Job states (River's).
const (
	StateAvailable State = "available" // waiting for a runner
	StateScheduled State = "scheduled" // waiting for its time
	StateRunning   State = "running"
	StateRetryable State = "retryable" // failed; waiting for its next attempt
	StateCompleted State = "completed"
	StateDiscarded State = "discarded" // failed MaxAttempts times
	StateCancelled State = "cancelled"
	StatePending   State = "pending"
)

// Status describes a job.
type Status struct {
	ID          int64
	Kind        string
	State       State
	Attempt     int // attempts begun so far
	MaxAttempts int
	// Errors are the messages of the failed attempts, oldest first.
	Errors      []string
	ScheduledAt time.Time
	FinalizedAt *time.Time
	// Done and Total are the last progress the handler reported (0 and 0 when none).
	Done, Total int64
}

// Finished reports whether the job will not run again.
func (s Status) Finished() bool {
	return s.State == StateCompleted || s.State == StateDiscarded || s.State == StateCancelled
}

// Status returns the job's state and progress; a missing job is apperr.ErrNotFound.
func (q *Queue) Status(ctx context.Context, id int64) (Status, error) {
	c, err := q.client()
	if err != nil {
		return Status{}, err
	}
	row, err := c.JobGet(ctx, id)
	if errors.Is(err, rivertype.ErrNotFound) {
		return Status{}, fmt.Errorf("job %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return Status{}, err
	}
	st := Status{ID: row.ID, Kind: row.Kind, State: State(row.State), Attempt: row.Attempt, MaxAttempts: row.MaxAttempts,
		ScheduledAt: row.ScheduledAt.UTC(), FinalizedAt: row.FinalizedAt}
	for _, e := range row.Errors {
		st.Errors = append(st.Errors, e.Error)
	}
	var meta struct {
		Output *progress `json:"output"`
	}
	if len(row.Metadata) > 0 && json.Unmarshal(row.Metadata, &meta) == nil && meta.Output != nil {
		st.Done, st.Total = meta.Output.Done, meta.Output.Total
	}
	return st, nil
}

// progress is stored as the job's River output, which River lets a running job update.
type progress struct {
	Done  int64 `json:"done"`
	Total int64 `json:"total"`
}

type jobKey struct{}

func withJob(ctx context.Context, id int64) context.Context {
	return context.WithValue(ctx, jobKey{}, id)
}

// ErrNotInJob is returned by Progress outside a job handler.
var ErrNotInJob = errors.New("jobs: not called from a job handler")

// Progress records how far the running job is (done of total), readable through Status. Call
// it from inside a handler, every few hundred items rather than every item.
func Progress(ctx context.Context, done, total int64) error {
	id, ok := ctx.Value(jobKey{}).(int64)
	if !ok {
		return ErrNotInJob
	}
	c := river.ClientFromContext[*sql.Tx](ctx)
	_, err := c.JobUpdate(ctx, id, &river.JobUpdateParams{Output: progress{Done: done, Total: total}})
	return err
}

type retryPolicy struct{ backoff func(int) time.Duration }

func (p retryPolicy) NextRetry(j *rivertype.JobRow) time.Time {
	return time.Now().UTC().Add(p.backoff(j.Attempt))
}

type uniqueKeyCtx struct{}

func withUniqueKey(ctx context.Context, key string) context.Context {
	if key == "" {
		return ctx
	}
	return context.WithValue(ctx, uniqueKeyCtx{}, key)
}

// unfinishedStates is River's bit set of the states that hold a unique key: available (bit 0),
// pending (4), retryable (5), running (6) and scheduled (7).
const unfinishedStates byte = 1<<0 | 1<<4 | 1<<5 | 1<<6 | 1<<7

// uniqueKeys is a River insert middleware that turns jobs.Unique(key) into River's unique key
// (kind and key hashed) held while the job is unfinished.
type uniqueKeys struct{ river.MiddlewareDefaults }

func (*uniqueKeys) InsertMany(ctx context.Context, many []*rivertype.JobInsertParams, doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	if key, ok := ctx.Value(uniqueKeyCtx{}).(string); ok {
		for _, p := range many {
			sum := sha256.Sum256([]byte("glc-unique\x00" + p.Kind + "\x00" + key))
			p.UniqueKey = sum[:]
			p.UniqueStates = unfinishedStates
		}
	}
	return doInner(ctx)
}
