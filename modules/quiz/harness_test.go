package quiz_test

// The course module is not merged yet, so these tests run the quiz module on its own
// router: the same middleware chain as internal/app (request id, recovery, security headers,
// language, CSRF, authentication by the real account module), a real database and object
// store from testkit, and a fake of the Courses interface whose progress table lives in the
// test database (so RecordResult's transaction is the quiz's).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"glc/internal/app/apptest"
	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/config"
	"glc/internal/database"
	"glc/internal/httpx"
	"glc/internal/jobs"
	"glc/internal/testkit"
	"glc/internal/web"
	"glc/modules/account"
	"glc/modules/quiz"
	"glc/storage"
)

// fakeCourses stands in for the course module.
type fakeCourses struct {
	mu       sync.Mutex
	db       *database.DB
	nextID   int64
	courses  map[int64]*fakeCourse
	lessons  map[int64]int64 // lesson -> course
	recorded atomic.Int64
}

type fakeCourse struct {
	published   bool
	instructors map[int64]bool
	enrolled    map[int64]bool
}

func newFakeCourses(t testing.TB, db *database.DB) *fakeCourses {
	t.Helper()
	err := db.Exec(`CREATE TABLE IF NOT EXISTS fake_progress (user_id BIGINT NOT NULL, lesson_id BIGINT NOT NULL,
		status VARCHAR(20) NOT NULL, score DOUBLE PRECISION, max_score DOUBLE PRECISION, percent DOUBLE PRECISION,
		attempts INTEGER NOT NULL, PRIMARY KEY (user_id, lesson_id))`).Error
	if err != nil {
		t.Fatal(err)
	}
	return &fakeCourses{db: db, nextID: 1000, courses: map[int64]*fakeCourse{}, lessons: map[int64]int64{}}
}

func (f *fakeCourses) addCourse(published bool, instructors ...int64) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	c := &fakeCourse{published: published, instructors: map[int64]bool{}, enrolled: map[int64]bool{}}
	for _, id := range instructors {
		c.instructors[id] = true
	}
	f.courses[f.nextID] = c
	return f.nextID
}

func (f *fakeCourses) addLesson(courseID int64) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	f.lessons[f.nextID] = courseID
	return f.nextID
}

func (f *fakeCourses) enrol(courseID int64, users ...int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range users {
		f.courses[courseID].enrolled[u] = true
	}
}

func (f *fakeCourses) manages(p *auth.Principal, c *fakeCourse) bool {
	return p != nil && (p.IsAdmin() || c.instructors[p.UserID])
}

func (f *fakeCourses) Lesson(ctx context.Context, lessonID int64) (quiz.LessonAccess, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := auth.FromContext(ctx)
	cid, ok := f.lessons[lessonID]
	if !ok {
		return quiz.LessonAccess{}, fmt.Errorf("lesson %d: %w", lessonID, apperr.ErrNotFound)
	}
	c := f.courses[cid]
	la := quiz.LessonAccess{LessonID: lessonID, CourseID: cid, Title: fmt.Sprintf("Quiz %d", lessonID), CanManage: f.manages(p, c)}
	la.CanTake = p != nil && c.published && c.enrolled[p.UserID]
	if !c.published && !la.CanManage {
		return quiz.LessonAccess{}, fmt.Errorf("lesson %d: %w", lessonID, apperr.ErrNotFound)
	}
	return la, nil
}

func (f *fakeCourses) Course(ctx context.Context, courseID int64) (quiz.CourseAccess, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.courses[courseID]
	if !ok {
		return quiz.CourseAccess{}, fmt.Errorf("course %d: %w", courseID, apperr.ErrNotFound)
	}
	return quiz.CourseAccess{CourseID: courseID, CanManage: f.manages(auth.FromContext(ctx), c)}, nil
}

func (f *fakeCourses) RecordResult(ctx context.Context, tx *gorm.DB, userID, lessonID int64, r quiz.Result) error {
	f.recorded.Add(1)
	return tx.WithContext(ctx).Exec(`INSERT INTO fake_progress (user_id, lesson_id, status, score, max_score, percent, attempts)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, lesson_id) DO UPDATE SET status = excluded.status, score = excluded.score,
max_score = excluded.max_score, percent = excluded.percent, attempts = excluded.attempts`,
		userID, lessonID, r.Status(), r.Score, r.MaxScore, r.Percent, r.Attempts).Error
}

type progressRow struct {
	Status   string
	Score    float64
	MaxScore float64
	Percent  float64
	Attempts int
}

func (f *fakeCourses) progress(t testing.TB, userID, lessonID int64) *progressRow {
	t.Helper()
	var rows []progressRow
	if err := f.db.Raw("SELECT status, score, max_score, percent, attempts FROM fake_progress WHERE user_id = ? AND lesson_id = ?", userID, lessonID).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		return nil
	}
	return &rows[0]
}

// env is a running quiz module behind a real HTTP server.
type env struct {
	t        testing.TB
	srv      *httptest.Server
	DB       *database.DB
	Store    storage.Store
	Cfg      config.Config
	Accounts *account.Service
	Mod      *quiz.Module
	Courses  *fakeCourses
	Render   *web.Renderer
	Engine   *gin.Engine
	stop     func()
}

// envConfig is what envOpts change.
type envConfig struct {
	deps     quiz.Deps
	noCloser bool
}

type envOpt func(*envConfig)

// noCloser leaves the job queue (deadline jobs) off: tests drive CloseExpired by hand.
func noCloser(c *envConfig) { c.noCloser = true }

// newEnv starts the module on a fresh database and store.
func newEnv(t testing.TB, opts ...envOpt) *env {
	t.Helper()
	db := testkit.DB(t)
	return startEnv(t, apptest.Config(t), db, testkit.Store(t), newFakeCourses(t, db), opts...)
}

// startEnv starts the module on an existing database and store (restart tests).
func startEnv(t testing.TB, cfg config.Config, db *database.DB, store storage.Store, courses *fakeCourses, opts ...envOpt) *env {
	t.Helper()
	level := slog.LevelError
	if os.Getenv("GLC_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx := context.Background()
	acc, err := account.New(ctx, account.Deps{DB: db, Cfg: cfg, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	queue := jobs.New(db, log, jobs.PollInterval(100*time.Millisecond))
	ec := envConfig{deps: quiz.Deps{DB: db, Store: store, Log: log, Courses: courses, Jobs: queue}}
	for _, o := range opts {
		o(&ec)
	}
	mod, err := quiz.New(ec.deps)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := web.NewCatalogue(web.Assets(), acc.Assets(), mod.Assets())
	if err != nil {
		t.Fatal(err)
	}
	render, err := web.NewRenderer(cat, web.Source{Name: "core", FS: web.Assets()}, web.Source{Name: "account", FS: acc.Assets()},
		web.Source{Name: "quiz", FS: mod.Assets()})
	if err != nil {
		t.Fatal(err)
	}
	render.Nav = []web.NavItem{{Path: "/", LabelID: "nav.home"}}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.ContextWithFallback = true
	e.Use(httpx.RequestID(log), httpx.Recover(), httpx.AccessLog(), httpx.SecurityHeaders(httpx.SecurityOptions{}), httpx.BodyLimit(20<<20))
	e.GET("/static/*file", gin.WrapH(web.Static()))
	e.Use(cat.LanguageMiddleware(false), httpx.CSRF(httpx.CSRFOptions{SessionCookies: []string{account.AccessCookie, account.RefreshCookie},
		OnFail: func(c *gin.Context, err error) {
			if strings.HasPrefix(c.Request.URL.Path, "/api/") {
				httpx.Fail(c, err)
				return
			}
			render.Error(c, err)
		}}), acc.Svc.Authenticate())
	api := e.Group("/api/v1")
	api.Use(func(c *gin.Context) { c.Header("Cache-Control", "no-store"); c.Next() })
	r := &web.Router{Engine: e, API: api, Pages: e.Group("/"), Render: render}
	mod.Register(r)
	e.NoRoute(func(c *gin.Context) {
		if strings.HasPrefix(c.Request.URL.Path, "/api/") {
			httpx.Fail(c, apperr.ErrNotFound)
			return
		}
		render.Error(c, apperr.ErrNotFound)
	})
	srv := httptest.NewServer(e)
	bg, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		if !ec.noCloser {
			if err := queue.Run(bg); err != nil {
				t.Errorf("job queue: %v", err)
			}
		}
		close(done)
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			srv.Close()
			cancel()
			<-done
		})
	}
	t.Cleanup(stop)
	return &env{t: t, srv: srv, DB: db, Store: store, Cfg: cfg, Accounts: acc.Svc, Mod: mod, Courses: courses, Render: render, Engine: e, stop: stop}
}

// Stop shuts the server and its background closer down (as a process exit would).
func (e *env) Stop() { e.stop() }

// URL is the server's base URL.
func (e *env) URL() string { return e.srv.URL }

type user struct {
	ID    int64
	Token string
	P     *auth.Principal
}

var userSeq atomic.Int64

// user creates a user with roles (none: a learner) and an access token.
func (e *env) user(roles ...string) user {
	e.t.Helper()
	n := userSeq.Add(1)
	u, err := e.Accounts.Create(context.Background(), account.NewUser{Email: fmt.Sprintf("q%d-%d@example.org", n, time.Now().UnixNano()%1e6),
		Name: fmt.Sprintf("Learner %d", n), Roles: roles})
	if err != nil {
		e.t.Fatal(err)
	}
	tok, _, err := e.Accounts.IssueAccess(u)
	if err != nil {
		e.t.Fatal(err)
	}
	return user{ID: u.ID, Token: tok, P: account.Principal(u)}
}

// ctx is a context carrying u as the principal (service-level calls).
func (u user) ctx() context.Context { return auth.WithPrincipal(context.Background(), u.P) }

var client = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends a JSON request; body may be a string, []byte or a value to encode.
func (e *env) do(method, path, token string, body any) *apptest.Response {
	e.t.Helper()
	r, err := e.try(method, path, token, body)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

func (e *env) try(method, path, token string, body any) (*apptest.Response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil || method != "GET" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return &apptest.Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, err
}

// want fails unless r has status.
func want(t testing.TB, r *apptest.Response, status int, what string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.Status, status, r.Body)
	}
}

// fixture is a published course with one instructor and a quiz lesson.
type fixture struct {
	Course, Lesson int64
	Teacher        user
}

// quizFixture creates a course, an instructor and a quiz with the given settings (JSON).
func (e *env) quizFixture(settings string) fixture {
	e.t.Helper()
	teacher := e.user("instructor")
	cid := e.Courses.addCourse(true, teacher.ID)
	lid := e.Courses.addLesson(cid)
	if err := e.Mod.Svc.CreateQuizJSON(context.Background(), nil, lid, cid, json.RawMessage(settings)); err != nil {
		e.t.Fatal(err)
	}
	return fixture{Course: cid, Lesson: lid, Teacher: teacher}
}

// learner creates a learner enrolled in the fixture's course.
func (e *env) learner(f fixture) user {
	u := e.user()
	e.Courses.enrol(f.Course, u.ID)
	return u
}

// addQuestion posts a question to the quiz and returns its id.
func (e *env) addQuestion(f fixture, q map[string]any) int64 {
	e.t.Helper()
	r := e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/questions", f.Lesson), f.Teacher.Token, q)
	want(e.t, r, 201, "add question")
	return int64(r.Map(e.t)["id"].(float64))
}

// attemptJSON is the part of an attempt the tests read.
type attemptJSON struct {
	ID        int64      `json:"id"`
	Status    string     `json:"status"`
	Deadline  *time.Time `json:"deadline"`
	Position  int        `json:"position"`
	Score     *float64   `json:"score"`
	MaxScore  *float64   `json:"max_score"`
	Percent   *float64   `json:"percent"`
	Passed    *bool      `json:"passed"`
	ClosedBy  string     `json:"closed_by"`
	Questions []struct {
		ID              int64             `json:"id"`
		Kind            string            `json:"kind"`
		Prompt          string            `json:"prompt"`
		Locked          bool              `json:"locked"`
		Options         []quiz.OptionView `json:"options"`
		Prompts         []quiz.OptionView `json:"prompts"`
		Choices         []quiz.OptionView `json:"choices"`
		Items           []quiz.OptionView `json:"items"`
		Response        *quiz.Response    `json:"response"`
		Score           *float64          `json:"score"`
		CorrectResponse *quiz.Response    `json:"correct_response"`
		Feedback        []string          `json:"feedback"`
	} `json:"questions"`
}

// start starts an attempt (201) and decodes it.
func (e *env) start(f fixture, u user) attemptJSON {
	e.t.Helper()
	r := e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/attempts", f.Lesson), u.Token, nil)
	want(e.t, r, 201, "start attempt")
	var a attemptJSON
	r.JSON(e.t, &a)
	return a
}

func (e *env) attempt(id int64, u user) attemptJSON {
	e.t.Helper()
	r := e.do("GET", fmt.Sprintf("/api/v1/attempts/%d", id), u.Token, nil)
	want(e.t, r, 200, "get attempt")
	var a attemptJSON
	r.JSON(e.t, &a)
	return a
}

// answer saves a response and returns the HTTP response.
func (e *env) answer(attemptID, questionID int64, u user, resp any, seq int64) *apptest.Response {
	e.t.Helper()
	body := map[string]any{"response": resp}
	if seq > 0 {
		body["seq"] = seq
	}
	return e.do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%d", attemptID, questionID), u.Token, body)
}

// count returns the number of rows of a table matching where.
func (e *env) count(table, where string, args ...any) int64 {
	e.t.Helper()
	var n int64
	if err := e.DB.Table(table).Where(where, args...).Count(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}
