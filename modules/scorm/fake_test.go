package scorm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net"
	"net/http"
	"sync"
	"testing"

	"glc/internal/app"
	"glc/internal/app/apptest"
	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/testkit"
	"glc/modules/scorm"
)

// fakeLessons stands in for the course module until it lands: sections owned by an
// instructor, lessons in them, enrolled learners, and the results Progress received.
type fakeLessons struct {
	mu       sync.Mutex
	next     int64
	sections map[int64]int64 // section -> owning instructor
	lessons  map[int64]*fakeLesson
	results  []fakeResult
	settings scorm.LessonSettings
	failNext error // CreatePackageLesson fails once with it
	people   map[int64]scorm.Person
}

type fakeLesson struct {
	section  int64
	title    string
	enrolled map[int64]bool
}

type fakeResult struct {
	User, Lesson int64
	R            scorm.Result
}

func newFake() *fakeLessons {
	return &fakeLessons{next: 100, sections: map[int64]int64{}, lessons: map[int64]*fakeLesson{}, people: map[int64]scorm.Person{}}
}

func (f *fakeLessons) AddSection(id, owner int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sections[id] = owner
}

func (f *fakeLessons) Enrol(lesson, user int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lessons[lesson].enrolled[user] = true
}

func (f *fakeLessons) LessonCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.lessons)
}

func (f *fakeLessons) Results() []fakeResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeResult(nil), f.results...)
}

func (f *fakeLessons) canEdit(ctx context.Context, section int64) error {
	p := auth.FromContext(ctx)
	owner, ok := f.sections[section]
	if !ok {
		return fmt.Errorf("section %d: %w", section, apperr.ErrNotFound)
	}
	if p == nil || (!p.IsAdmin() && p.UserID != owner) {
		return apperr.ErrForbidden
	}
	return nil
}

func (f *fakeLessons) CheckSection(ctx context.Context, section int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.canEdit(ctx, section)
}

func (f *fakeLessons) CreatePackageLesson(ctx context.Context, section int64, title string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.canEdit(ctx, section); err != nil {
		return 0, err
	}
	if err := f.failNext; err != nil {
		f.failNext = nil
		return 0, err
	}
	f.next++
	f.lessons[f.next] = &fakeLesson{section: section, title: title, enrolled: map[int64]bool{}}
	return f.next, nil
}

func (f *fakeLessons) DeletePackageLesson(ctx context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.lessons, id)
	return nil
}

func (f *fakeLessons) Access(ctx context.Context, id int64) (scorm.LessonAccess, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.lessons[id]
	if !ok {
		return scorm.LessonAccess{}, fmt.Errorf("lesson %d: %w", id, apperr.ErrNotFound)
	}
	p := auth.FromContext(ctx)
	acc := scorm.LessonAccess{LessonID: id, CourseID: 1, Title: l.title, Settings: f.settings}
	switch {
	case p == nil:
		return acc, apperr.ErrUnauthenticated
	case p.IsAdmin() || f.sections[l.section] == p.UserID:
		acc.Manage, acc.Learn = true, false
	case l.enrolled[p.UserID]:
		acc.Learn, acc.Tracked = true, true
	default:
		return acc, fmt.Errorf("lesson %d: %w", id, apperr.ErrForbidden)
	}
	return acc, nil
}

func (f *fakeLessons) RecordResult(ctx context.Context, user, lesson int64, r scorm.Result) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.results = append(f.results, fakeResult{User: user, Lesson: lesson, R: r})
	return nil
}

func (f *fakeLessons) People(ctx context.Context, lesson int64, ids []int64) (map[int64]scorm.Person, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.lessons[lesson]
	if !ok {
		return nil, fmt.Errorf("lesson %d: %w", lesson, apperr.ErrNotFound)
	}
	if err := f.canEdit(ctx, l.section); err != nil {
		return nil, err
	}
	out := map[int64]scorm.Person{}
	for _, id := range ids {
		if p, ok := f.people[id]; ok {
			out[id] = p
		}
	}
	return out, nil
}

// env is a running app with the fake course module, an instructor owning section 1 and two
// learners.
type env struct {
	s          *apptest.Server
	fake       *fakeLessons
	instructor apptest.TestUser
	other      apptest.TestUser // another instructor
	learner    apptest.TestUser
	learner2   apptest.TestUser
}

func newEnv(t *testing.T, opts ...apptest.Option) *env {
	t.Helper()
	return newEnvOn(t, nil, opts...)
}

// newEnvOn is newEnv on a given listener (nil: any loopback port).
func newEnvOn(t *testing.T, ln net.Listener, opts ...apptest.Option) *env {
	t.Helper()
	fake := newFake()
	s := apptest.StartListener(t, ln, apptest.Config(t, opts...), testkit.DB(t), testkit.Store(t), func(a *app.App) { a.ScormLessons = fake })
	e := &env{s: s, fake: fake, instructor: s.Instructor(t), other: s.Instructor(t), learner: s.Learner(t), learner2: s.Learner(t)}
	fake.AddSection(1, e.instructor.ID)
	for _, u := range []apptest.TestUser{e.instructor, e.other, e.learner, e.learner2} {
		fake.people[u.ID] = scorm.Person{Name: u.User.Name, Email: u.Email}
	}
	return e
}

// upload posts a package to a section's import endpoint.
func (e *env) upload(t *testing.T, section int64, token string, zipData []byte) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", "package.zip")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(zipData)
	mw.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/sections/%d/packages", e.s.URL, section), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.s.Send(req)
}

// importOK imports a package and returns the new lesson id, with learner enrolled.
func (e *env) importOK(t *testing.T, zipData []byte) int64 {
	t.Helper()
	r := e.upload(t, 1, e.instructor.Token, zipData)
	if r.Status != http.StatusCreated {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	var res scorm.ImportResult
	r.JSON(t, &res)
	e.fake.Enrol(res.ID, e.learner.ID)
	e.fake.Enrol(res.ID, e.learner2.ID)
	return res.ID
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
