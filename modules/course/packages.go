package course

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"glc/internal/apperr"
)

// Lessons of kind "package" are not made through AddLesson: the module that imports a package
// (SCORM, cmi5) makes the lesson once the package has passed its checks, through the small
// entry points below, which the app adapts to that module's own interface.

// KindPage is implemented by a KindHandler whose lessons are made on a page of their own (a
// package is uploaded, not typed in): the course editor links each section to that page
// instead of offering the kind in its new-lesson form.
type KindPage interface {
	NewLessonPage(sectionID int64) string
}

// CheckSectionEdit fails unless the caller may change the section's course (its owner, a
// co-instructor or an admin): 404 for a section that does not exist or that the caller may not
// see, 403 otherwise.
func (s *Service) CheckSectionEdit(ctx context.Context, sectionID int64) error {
	_, _, err := s.editSection(ctx, sectionID)
	return err
}

// AddPackageLesson appends a lesson of kind "package" to a section the caller may edit, titled
// title in the course's default language. completion is the lesson's rule: CompletePackage
// (the package reports completion; the default when empty) or CompletePassed.
func (s *Service) AddPackageLesson(ctx context.Context, sectionID int64, title, completion string) (int64, error) {
	sec, a, err := s.editSection(ctx, sectionID)
	if err != nil {
		return 0, err
	}
	if completion == "" {
		completion = CompletePackage
	}
	if completion != CompletePackage && completion != CompletePassed {
		return 0, apperr.Invalid("completion", "must be "+CompletePackage+" or "+CompletePassed+" for a package lesson")
	}
	title = strings.TrimSpace(title)
	if utf8.RuneCountInString(title) > 200 {
		title = strings.TrimSpace(string([]rune(title)[:200]))
	}
	if title == "" {
		title = "Package"
	}
	now := s.now()
	l := &Lesson{CourseID: a.c.ID, SectionID: sec.ID, Kind: KindPackage, Completion: completion, Required: true, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var max *int
		if err := tx.Model(&Lesson{}).Where("section_id = ? AND deleted_at IS NULL", sec.ID).Select("MAX(position)").Scan(&max).Error; err != nil {
			return err
		}
		l.Position = 1
		if max != nil {
			l.Position = *max + 1
		}
		if err := tx.Create(l).Error; err != nil {
			return err
		}
		if err := tx.Create(&Content{LessonID: l.ID, Language: a.c.DefaultLanguage, Title: title, CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			return err
		}
		return touch(tx, a.c.ID, now)
	})
	if err != nil {
		return 0, err
	}
	s.structureChanged(ctx, a.c.ID)
	return l.ID, nil
}

// RemovePackageLesson deletes a package lesson whose import could not be finished: for good
// when nobody has progress in it (the usual case: it was made a moment ago), soft-deleted
// otherwise so that learners' history stays.
func (s *Service) RemovePackageLesson(ctx context.Context, lessonID int64) error {
	a, err := s.editLesson(ctx, lessonID)
	if err != nil {
		return err
	}
	if a.l.Kind != KindPackage {
		return fmt.Errorf("lesson %d is not a package lesson: %w", lessonID, apperr.ErrConflict)
	}
	now := s.now()
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Progress{}).Where("lesson_id = ?", lessonID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			if err := tx.Model(&Lesson{}).Where("id = ?", lessonID).Update("deleted_at", now).Error; err != nil {
				return err
			}
		} else {
			if err := tx.Where("lesson_id = ?", lessonID).Delete(&Content{}).Error; err != nil {
				return err
			}
			if err := tx.Delete(&Lesson{}, lessonID).Error; err != nil {
				return err
			}
		}
		if err := s.renumberLessons(tx, a.l.SectionID, 0, 0); err != nil {
			return err
		}
		return touch(tx, a.c.ID, now)
	})
	if err == nil {
		s.structureChanged(ctx, a.c.ID)
	}
	return err
}

// LessonRights is what the caller may do with a lesson, for the module that plays it.
type LessonRights struct {
	LessonID   int64
	CourseID   int64
	Kind       string
	Title      string // in the course's default language
	Completion string
	// Learn: the caller takes the lesson: a learner with an active enrolment in the published
	// (or archived) course, or one of its editors previewing it.
	Learn bool
	// Manage: the caller edits the course (owner, co-instructor, admin).
	Manage bool
	// Tracked: the caller's results are recorded (an active enrolment).
	Tracked bool
}

// LessonRights returns the caller's rights on a lesson, with the rules of the lesson player:
// 401 when anonymous, 404 for a lesson that does not exist or is in a draft course the caller
// does not edit, 403 for someone not enrolled.
func (s *Service) LessonRights(ctx context.Context, lessonID int64) (*LessonRights, error) {
	a, err := s.readLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	r := &LessonRights{LessonID: a.l.ID, CourseID: a.c.ID, Kind: a.l.Kind, Completion: a.l.Completion, Manage: a.editor}
	r.Tracked = a.enrolment != nil && a.enrolment.Status == EnrolActive && a.c.Status != StatusDraft
	r.Learn = r.Tracked || a.editor
	var cts []Content
	if err := s.db.WithContext(ctx).Select("language, title").Where("lesson_id = ?", lessonID).Find(&cts).Error; err != nil {
		return nil, err
	}
	ct, _ := pickContent(cts, a.c.DefaultLanguage, a.c.DefaultLanguage)
	r.Title = ct.Title
	return r, nil
}

// PackageResult is a learner's result on a package lesson, from one attempt of the package.
type PackageResult struct {
	// Status is completed, passed, failed or in_progress.
	Status   string
	Score    *float64
	MaxScore *float64
	// Attempt is the package's attempt number (1, 2...). The lesson record counts the attempts
	// that reached a final status as the highest such number, so a result reported again
	// (a replayed commit) does not count twice.
	Attempt int
	// TimeSpent is the time the package reports for the attempt; the lesson record keeps at
	// least that much.
	TimeSpent time.Duration
	// Source names the reporter (scorm, cmi5).
	Source string
}

// RecordPackageResult folds a package's result into a learner's lesson record, like
// RecordLessonResult (passed and completed are kept once reached; a "completed" package lesson
// whose rule is "passed" stays in progress), but idempotently: reporting the same result again
// changes nothing. Results of people who are not enrolled (instructors previewing) are not
// recorded: it returns nil.
func (s *Service) RecordPackageResult(ctx context.Context, userID, lessonID int64, r PackageResult) (*ProgressView, error) {
	switch r.Status {
	case ProgressCompleted, ProgressPassed, ProgressFailed, ProgressInProgress:
	default:
		return nil, apperr.Invalid("status", "must be completed, passed, failed or in_progress")
	}
	if r.Attempt < 0 || r.TimeSpent < 0 {
		return nil, apperr.Invalid("attempt", "must not be negative")
	}
	l, err := s.loadLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	if l.Kind != KindPackage {
		return nil, fmt.Errorf("lesson %d is not a package lesson: %w", lessonID, apperr.ErrConflict)
	}
	e, err := s.enrolmentOf(ctx, l.CourseID, userID)
	if err != nil || e == nil || e.Status != EnrolActive {
		return nil, err
	}
	apply := func(p *Progress, now time.Time) { applyPackageResult(p, l, r, now) }
	var cur Progress
	err = s.db.WithContext(ctx).Where("user_id = ? AND lesson_id = ?", userID, lessonID).Take(&cur).Error
	switch {
	case err == nil:
		next := cur
		apply(&next, s.now())
		if samePackageResult(&cur, &next) {
			return progressView(&cur), nil // a replay: nothing to change
		}
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return nil, err
	}
	return s.record(ctx, userID, l, apply, r.Source)
}

func applyPackageResult(p *Progress, l *Lesson, r PackageResult, now time.Time) {
	if r.Score != nil {
		p.Score, p.MaxScore = r.Score, r.MaxScore
	}
	if r.Status != ProgressInProgress && r.Attempt > 0 {
		p.Attempts = max(p.Attempts, r.Attempt)
	}
	if secs := int64(r.TimeSpent / time.Second); secs > p.TimeSpentSeconds {
		p.TimeSpentSeconds = secs
	}
	if p.Status == ProgressNotStarted || p.Status == "" {
		p.Status = ProgressInProgress
	}
	if p.Status == ProgressPassed || (p.Status == ProgressCompleted && r.Status != ProgressPassed) {
		return
	}
	switch r.Status {
	case ProgressPassed:
		p.Status, p.CompletedAt = ProgressPassed, &now
	case ProgressCompleted:
		if l.Completion != CompletePassed {
			p.Status, p.CompletedAt = ProgressCompleted, &now
		} else {
			p.Status = ProgressInProgress
		}
	case ProgressFailed:
		p.Status = ProgressFailed
	}
}

func samePackageResult(a, b *Progress) bool {
	eq := func(x, y *float64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.Status == b.Status && a.Attempts == b.Attempts && a.TimeSpentSeconds == b.TimeSpentSeconds &&
		eq(a.Score, b.Score) && eq(a.MaxScore, b.MaxScore)
}

// TakesLesson reports whether userID is an active learner of the course that holds the lesson
// (no principal needed: the caller has checked its own rights).
func (s *Service) TakesLesson(ctx context.Context, lessonID, userID int64) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Enrolment{}).
		Where("user_id = ? AND status = ? AND course_id IN (?)", userID, EnrolActive,
			s.db.Model(&Lesson{}).Select("course_id").Where("id = ? AND deleted_at IS NULL", lessonID)).
		Count(&n).Error
	return n > 0, err
}
