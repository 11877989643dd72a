package course

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/config"
	"glc/internal/database"
	"glc/storage"
)

// Service holds the course rules. Every method takes the caller from ctx (auth.FromContext)
// and checks what that caller may do with the objects it touches.
type Service struct {
	db    *database.DB
	store storage.Store
	cfg   config.Config
	log   *slog.Logger
	now   func() time.Time
	kinds map[string]KindHandler
	// mediaOrigin is the S3 origin that signed media URLs point to ("" on local disk); pages that
	// play media allow it in their Content-Security-Policy.
	mediaOrigin string
	md          goldmark.Markdown
	policy      *bluemonday.Policy
	listener    ProgressListener
}

// KindHandler lets a module that implements a lesson kind (quiz, package) plug into lesson
// creation: Create receives the kind-specific JSON (e.g. the "quiz" object of
// POST /sections/{id}/lessons) inside the transaction that creates the lesson, validates it,
// stores its own rows and returns the reference kept in the lesson (Lesson.RefID). PlayerURL, when
// not empty, is where the lesson player sends the learner for this lesson.
type KindHandler interface {
	Create(ctx context.Context, tx *gorm.DB, lesson *Lesson, settings []byte) (refID *int64, err error)
	PlayerURL(lesson *Lesson) string
}

// NewService builds the service.
func NewService(db *database.DB, store storage.Store, cfg config.Config, log *slog.Logger) *Service {
	return &Service{db: db, store: store, cfg: cfg, log: log, now: func() time.Time { return time.Now().UTC() }, kinds: map[string]KindHandler{},
		md: newMarkdown(), policy: newPolicy()}
}

// RegisterKind plugs the module that implements a lesson kind (quiz or package) into the
// course module. Until a kind is registered the player says its lessons are not available yet.
func (s *Service) RegisterKind(kind string, h KindHandler) { s.kinds[kind] = h }

// Available reports whether lessons of kind can be taken now.
func (s *Service) Available(kind string) bool {
	if kind == KindQuiz || kind == KindPackage {
		return s.kinds[kind] != nil
	}
	return slices.Contains(Kinds, kind)
}

// userRow is the read-only view of a user that this module needs (the users table belongs to
// the account module; joins in SQL need it anyway).
type userRow struct {
	ID       int64
	Email    string
	EmailKey string
	Name     string
	Country  string
	OrgID    *int64
	Roles    string
	Status   string
	Language string
}

func (userRow) TableName() string { return "users" }

func (u userRow) has(role string) bool {
	return role == auth.RoleLearner || slices.Contains(strings.Fields(u.Roles), role)
}

// isEditor reports whether p may edit course c: its owner, a co-instructor or an admin.
func (s *Service) isEditor(ctx context.Context, p *auth.Principal, c *Course) (bool, error) {
	if p == nil {
		return false, nil
	}
	if p.IsAdmin() || c.OwnerID == p.UserID {
		return true, nil
	}
	var n int64
	err := s.db.WithContext(ctx).Model(&Instructor{}).Where("course_id = ? AND user_id = ?", c.ID, p.UserID).Count(&n).Error
	return n > 0, err
}

func (s *Service) loadCourse(ctx context.Context, id int64) (*Course, error) {
	var c Course
	err := s.db.WithContext(ctx).Where("deleted_at IS NULL").Take(&c, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("course %d: %w", id, apperr.ErrNotFound)
	}
	return &c, err
}

// courseAccess is what the caller may do with one course.
type courseAccess struct {
	c         *Course
	p         *auth.Principal
	editor    bool
	enrolment *Enrolment
}

// readCourse loads a course the caller may see: a published course for everyone; an archived
// one for its editors and the learners who were enrolled; a draft only for its editors (404 for
// anyone else).
func (s *Service) readCourse(ctx context.Context, id int64) (*courseAccess, error) {
	c, err := s.loadCourse(ctx, id)
	if err != nil {
		return nil, err
	}
	a := &courseAccess{c: c, p: auth.FromContext(ctx)}
	if a.editor, err = s.isEditor(ctx, a.p, c); err != nil {
		return nil, err
	}
	if a.p != nil {
		if a.enrolment, err = s.enrolmentOf(ctx, c.ID, a.p.UserID); err != nil {
			return nil, err
		}
	}
	switch {
	case a.editor, c.Status == StatusPublished:
		return a, nil
	case c.Status == StatusArchived && a.enrolment != nil:
		return a, nil
	}
	return nil, fmt.Errorf("course %d: %w", id, apperr.ErrNotFound)
}

// editCourse loads a course the caller may change. Someone who may not edit it gets 403 when the
// course is visible to them (or they are an instructor), 404 otherwise.
func (s *Service) editCourse(ctx context.Context, id int64) (*courseAccess, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.loadCourse(ctx, id)
	if err != nil {
		return nil, err
	}
	ok, err := s.isEditor(ctx, p, c)
	if err != nil {
		return nil, err
	}
	if ok {
		return &courseAccess{c: c, p: p, editor: true}, nil
	}
	if c.Status == StatusPublished || p.Has(auth.RoleInstructor) || p.Has(auth.RoleCoordinator) {
		return nil, fmt.Errorf("only the course's instructors can change course %d: %w", id, apperr.ErrForbidden)
	}
	return nil, fmt.Errorf("course %d: %w", id, apperr.ErrNotFound)
}

func (s *Service) enrolmentOf(ctx context.Context, courseID, userID int64) (*Enrolment, error) {
	var e Enrolment
	err := s.db.WithContext(ctx).Where("course_id = ? AND user_id = ?", courseID, userID).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// lessonAccess is what the caller may do with one lesson.
type lessonAccess struct {
	courseAccess
	l *Lesson
}

// readLesson loads a lesson for its player: editors and admins always; learners with an active
// enrolment in a published or archived course. Others get 403 (401 when anonymous); a draft
// course's lessons are 404 to anyone but its editors.
func (s *Service) readLesson(ctx context.Context, id int64) (*lessonAccess, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	l, err := s.loadLesson(ctx, id)
	if err != nil {
		return nil, err
	}
	c, err := s.loadCourse(ctx, l.CourseID)
	if err != nil {
		return nil, fmt.Errorf("lesson %d: %w", id, apperr.ErrNotFound)
	}
	a := &lessonAccess{courseAccess: courseAccess{c: c, p: p}, l: l}
	if a.editor, err = s.isEditor(ctx, p, c); err != nil {
		return nil, err
	}
	if a.enrolment, err = s.enrolmentOf(ctx, c.ID, p.UserID); err != nil {
		return nil, err
	}
	if a.editor {
		return a, nil
	}
	if c.Status == StatusDraft {
		return nil, fmt.Errorf("lesson %d: %w", id, apperr.ErrNotFound)
	}
	if a.enrolment == nil || a.enrolment.Status != EnrolActive {
		return nil, fmt.Errorf("enrol in the course to open lesson %d: %w", id, apperr.ErrForbidden)
	}
	return a, nil
}

// editLesson loads a lesson whose course the caller may change.
func (s *Service) editLesson(ctx context.Context, id int64) (*lessonAccess, error) {
	l, err := s.loadLesson(ctx, id)
	if err != nil {
		return nil, err
	}
	a, err := s.editCourse(ctx, l.CourseID)
	if err != nil {
		return nil, err
	}
	return &lessonAccess{courseAccess: *a, l: l}, nil
}

func (s *Service) loadLesson(ctx context.Context, id int64) (*Lesson, error) {
	var l Lesson
	err := s.db.WithContext(ctx).Where("deleted_at IS NULL").Take(&l, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("lesson %d: %w", id, apperr.ErrNotFound)
	}
	return &l, err
}

func (s *Service) loadSection(ctx context.Context, id int64) (*Section, error) {
	var sec Section
	err := s.db.WithContext(ctx).Where("deleted_at IS NULL").Take(&sec, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("section %d: %w", id, apperr.ErrNotFound)
	}
	return &sec, err
}

// editSection loads a section whose course the caller may change.
func (s *Service) editSection(ctx context.Context, id int64) (*Section, *courseAccess, error) {
	sec, err := s.loadSection(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.editCourse(ctx, sec.CourseID)
	if err != nil {
		return nil, nil, err
	}
	return sec, a, nil
}

// pickLanguage chooses the variant to show from those that exist: an explicit request
// (?variant=), then the user's own language, then the page language, then the course's default.
func pickLanguage(have []string, def string, prefs ...string) string {
	for _, p := range prefs {
		if p != "" && slices.Contains(have, p) {
			return p
		}
	}
	return def
}

// prefs are the language preferences of a request, strongest first.
func prefs(ctx context.Context, variant, ui string) []string {
	out := []string{variant}
	if p := auth.FromContext(ctx); p != nil {
		out = append(out, p.Language)
	}
	return append(out, ui)
}

func validLanguage(l string) bool { return slices.Contains(Languages, l) }

func (s *Service) principalID(ctx context.Context) int64 {
	if p := auth.FromContext(ctx); p != nil {
		return p.UserID
	}
	return 0
}
