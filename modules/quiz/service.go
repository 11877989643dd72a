package quiz

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/database"
	"glc/internal/jobs"
	"glc/storage"
)

// Service holds the quiz rules. It checks permissions itself (through Courses) and takes the
// principal from ctx.
type Service struct {
	db      *database.DB
	st      store
	objects storage.Store
	courses Courses
	log     *slog.Logger
	now     func() time.Time
	jobs    *jobs.Queue
	// maxUpload bounds media uploads (bytes).
	maxUpload int64
}

// NewService builds the service and registers its jobs on q (before q runs). now may be nil
// (the wall clock, UTC).
func NewService(db *database.DB, objects storage.Store, courses Courses, q *jobs.Queue, log *slog.Logger, now func() time.Time) *Service {
	if now == nil {
		now = func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Service{db: db, st: store{db: db.DB, dialect: db.Dialect}, objects: objects, courses: courses, jobs: q, log: log,
		now: now, maxUpload: 20 << 20}
	s.registerJobs()
	return s
}

// manageCourse returns the principal when it manages the course's bank.
func (s *Service) manageCourse(ctx context.Context, courseID int64) (*auth.Principal, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	ca, err := s.courses.Course(ctx, courseID)
	if err != nil {
		return nil, err
	}
	if !ca.CanManage {
		return nil, fmt.Errorf("course %d: %w", courseID, apperr.ErrForbidden)
	}
	return p, nil
}

// lesson returns the principal, its access to the lesson and the quiz: for its managers, its
// learners, and those who may only review their attempts (an archived course's learners).
func (s *Service) lesson(ctx context.Context, lessonID int64) (*auth.Principal, LessonAccess, *Quiz, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, LessonAccess{}, nil, err
	}
	la, err := s.courses.Lesson(ctx, lessonID)
	if err != nil {
		return nil, la, nil, err
	}
	if !la.CanTake && !la.CanManage && !la.CanReview {
		return nil, la, nil, fmt.Errorf("quiz %d: %w", lessonID, apperr.ErrForbidden)
	}
	q, err := s.st.quiz(ctx, lessonID)
	if err != nil {
		return nil, la, nil, err
	}
	return p, la, q, nil
}

// manageLesson returns the quiz when the principal manages it.
func (s *Service) manageLesson(ctx context.Context, lessonID int64) (*auth.Principal, *Quiz, error) {
	p, la, q, err := s.lesson(ctx, lessonID)
	if err != nil {
		return nil, nil, err
	}
	if !la.CanManage {
		return nil, nil, fmt.Errorf("quiz %d: %w", lessonID, apperr.ErrForbidden)
	}
	return p, q, nil
}

// attemptAccess loads an attempt the principal may read: its owner, or a manager of its quiz.
func (s *Service) attemptAccess(ctx context.Context, id int64) (*auth.Principal, *Attempt, bool, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	a, err := s.st.attempt(ctx, id)
	if err != nil {
		return nil, nil, false, err
	}
	if a.UserID == p.UserID {
		la, err := s.courses.Lesson(ctx, a.LessonID)
		return p, a, err == nil && la.CanManage, nil
	}
	la, err := s.courses.Lesson(ctx, a.LessonID)
	if err != nil || !la.CanManage {
		return nil, nil, false, fmt.Errorf("attempt %d: %w", id, apperr.ErrForbidden)
	}
	return p, a, true, nil
}

// manageAttempt loads an attempt for a manager of its quiz.
func (s *Service) manageAttempt(ctx context.Context, id int64) (*auth.Principal, *Attempt, *Quiz, error) {
	p, a, manager, err := s.attemptAccess(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	if !manager {
		return nil, nil, nil, fmt.Errorf("attempt %d: %w", id, apperr.ErrForbidden)
	}
	q, err := s.st.quiz(ctx, a.LessonID)
	if err != nil {
		return nil, nil, nil, err
	}
	return p, a, q, nil
}
