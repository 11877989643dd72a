package course

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"glc/internal/apperr"
)

// ProgressInput is an event from the lesson player.
type ProgressInput struct {
	Event           string   `json:"event"`
	PositionSeconds *float64 `json:"position_seconds"`
	DurationSeconds *float64 `json:"duration_seconds"`
	WatchedPercent  *int     `json:"watched_percent"`
}

// Result is what a quiz, a SCORM package or xAPI content reports for one learner and lesson.
type Result struct {
	// Status is completed, passed, failed or in_progress.
	Status   string
	Score    *float64
	MaxScore *float64
	// Source names the reporter (quiz, scorm, xapi).
	Source string
	// Attempts, when above 0, is the number of finished attempts as the reporter counts them
	// (stored as is: a regrade reports again without a new attempt); 0 counts this report as
	// one more attempt unless Status is in_progress.
	Attempts int
}

// ProgressSink is how the modules that implement lessons (quizzes, SCORM, xAPI/cmi5) report
// results into the course's lesson progress. *Service implements it.
type ProgressSink interface {
	RecordLessonResult(ctx context.Context, userID, lessonID int64, r Result) (*ProgressView, error)
	// RecordLessonResultTx records inside the reporter's open transaction.
	RecordLessonResultTx(ctx context.Context, tx *gorm.DB, userID, lessonID int64, r Result) (*ProgressView, error)
}

var _ ProgressSink = (*Service)(nil)

// maxGap bounds the time counted between two events of one learner in one lesson.
const maxGap = 60 * time.Second

// Progress records a player event for the caller, who must be enrolled (instructors previewing a
// course are not tracked: 403). "viewed" opens the lesson (and completes it when its rule is
// "viewed"); "position" remembers where a video is and how much of it was watched (and completes
// it once watched_percent reaches the lesson's threshold).
func (s *Service) Progress(ctx context.Context, lessonID int64, in ProgressInput) (*ProgressView, error) {
	a, err := s.readLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	f.Check(in.Event != "viewed" && in.Event != "position", "event", "must be viewed or position")
	if in.Event == "position" {
		f.Check(in.PositionSeconds == nil, "position_seconds", "is required for a position event")
	}
	f.Check(in.PositionSeconds != nil && (*in.PositionSeconds < 0 || *in.PositionSeconds > 1e6), "position_seconds", "must be between 0 and 1000000")
	f.Check(in.DurationSeconds != nil && (*in.DurationSeconds < 0 || *in.DurationSeconds > 1e6), "duration_seconds", "must be between 0 and 1000000")
	f.Check(in.WatchedPercent != nil && (*in.WatchedPercent < 0 || *in.WatchedPercent > 100), "watched_percent", "must be between 0 and 100")
	if err := f.Err(); err != nil {
		return nil, err
	}
	if a.enrolment == nil || a.enrolment.Status != EnrolActive {
		return nil, fmt.Errorf("progress is recorded for enrolled learners only: %w", apperr.ErrForbidden)
	}
	return s.record(ctx, a.p.UserID, a.l, func(p *Progress, now time.Time) {
		if in.PositionSeconds != nil {
			p.PositionSeconds = *in.PositionSeconds
		}
		w := 0
		if in.WatchedPercent != nil {
			w = *in.WatchedPercent
		} else if in.DurationSeconds != nil && *in.DurationSeconds > 0 && in.PositionSeconds != nil {
			w = min(100, int(*in.PositionSeconds*100 / *in.DurationSeconds))
		}
		p.WatchedPercent = max(p.WatchedPercent, w)
		if p.Done() {
			return
		}
		switch {
		case a.l.Completion == CompleteViewed,
			a.l.Completion == CompleteWatched && p.WatchedPercent >= max(1, a.l.WatchPercent):
			p.Status, p.CompletedAt = ProgressCompleted, &now
		}
	}, "")
}

// RecordLessonResult stores a result reported by the module behind a lesson (quiz, package),
// in a transaction of its own. The learner need not be tracked by the player first. Passed and
// completed are kept once reached (a later failed attempt does not take them away); score is
// the latest reported.
func (s *Service) RecordLessonResult(ctx context.Context, userID, lessonID int64, r Result) (*ProgressView, error) {
	var out *ProgressView
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = s.RecordLessonResultTx(ctx, tx, userID, lessonID, r)
		return err
	})
	return out, err
}

// RecordLessonResultTx is RecordLessonResult inside the caller's open transaction tx (the
// reporting module's: a quiz's grade and the lesson progress change together). Every read and
// write goes through tx, so it is safe on SQLite's single connection; the progress listener
// runs in tx too.
func (s *Service) RecordLessonResultTx(ctx context.Context, tx *gorm.DB, userID, lessonID int64, r Result) (*ProgressView, error) {
	switch r.Status {
	case ProgressCompleted, ProgressPassed, ProgressFailed, ProgressInProgress:
	default:
		return nil, apperr.Invalid("status", "must be completed, passed, failed or in_progress")
	}
	if r.Attempts < 0 {
		return nil, apperr.Invalid("attempts", "must not be negative")
	}
	var l Lesson
	err := tx.WithContext(ctx).Where("deleted_at IS NULL").Take(&l, lessonID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("lesson %d: %w", lessonID, apperr.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	out, err := s.recordTx(ctx, tx, userID, &l, func(p *Progress, now time.Time) {
		if r.Score != nil {
			p.Score, p.MaxScore = r.Score, r.MaxScore
		}
		switch {
		case r.Attempts > 0:
			// The reporter counts the finished attempts itself (a regrade reports again
			// without a new attempt).
			p.Attempts = r.Attempts
		case r.Status != ProgressInProgress:
			p.Attempts++
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
	}, r.Source)
	if err != nil {
		return nil, err
	}
	return progressView(out), nil
}

// record updates one progress row (creating it when missing) in a transaction of its own; see
// recordTx.
func (s *Service) record(ctx context.Context, userID int64, l *Lesson, apply func(p *Progress, now time.Time), source string) (*ProgressView, error) {
	var out *Progress
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = s.recordTx(ctx, tx, userID, l, apply, source)
		return err
	})
	if err != nil {
		return nil, err
	}
	return progressView(out), nil
}

// recordTx updates (creating when missing) one progress row inside tx, counts the time since
// the previous event, remembers the lesson for "Continue", and tells the progress listener (or,
// without one, marks the enrolment completed when every required lesson is done).
func (s *Service) recordTx(ctx context.Context, tx *gorm.DB, userID int64, l *Lesson, apply func(p *Progress, now time.Time), source string) (*Progress, error) {
	tx = tx.WithContext(ctx)
	now := s.now()
	var out Progress
	fresh := Progress{UserID: userID, LessonID: l.ID, CourseID: l.CourseID, Status: ProgressInProgress, FirstAccessAt: &now, CreatedAt: now, UpdatedAt: now, Source: source}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&fresh).Error; err != nil {
		return nil, err
	}
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("user_id = ? AND lesson_id = ?", userID, l.ID).Take(&out).Error; err != nil {
		return nil, err
	}
	wasDone := out.Done()
	if out.LastAccessAt != nil {
		if gap := now.Sub(*out.LastAccessAt); gap > 0 {
			out.TimeSpentSeconds += int64(min(gap, maxGap) / time.Second)
		}
	}
	if out.Status == ProgressNotStarted {
		out.Status = ProgressInProgress
	}
	apply(&out, now)
	out.LastAccessAt, out.UpdatedAt = &now, now
	if source != "" {
		out.Source = source
	}
	if err := tx.Save(&out).Error; err != nil {
		return nil, err
	}
	if err := tx.Model(&Enrolment{}).Where("course_id = ? AND user_id = ?", l.CourseID, userID).
		Updates(map[string]any{"last_lesson_id": l.ID, "last_access_at": now}).Error; err != nil {
		return nil, err
	}
	if s.listener != nil {
		return &out, s.listener.LessonProgressChanged(ctx, tx, userID, l.CourseID)
	}
	if !wasDone && out.Done() {
		return &out, s.completeIfDone(tx, l.CourseID, userID, now)
	}
	return &out, nil
}

// ProgressListener is told of every change to a learner's lesson record, inside the
// transaction that makes it: the progress module recomputes the learner's course progress and
// completion (by the course's completion rule) there, and issues the certificate.
type ProgressListener interface {
	LessonProgressChanged(ctx context.Context, tx *gorm.DB, userID, courseID int64) error
}

// SetProgressListener wires the progress module. Without one, a course is completed when every
// required lesson is done (completeIfDone).
func (s *Service) SetProgressListener(l ProgressListener) { s.listener = l }

// completeIfDone marks the enrolment completed when every required lesson is completed or
// passed. (The Progress module replaces this with the course's own completion rules.)
func (s *Service) completeIfDone(tx *gorm.DB, courseID, userID int64, now time.Time) error {
	var missing int64
	err := tx.Raw(`SELECT COUNT(*) FROM course_lessons l
WHERE l.course_id = ? AND l.deleted_at IS NULL AND l.required = ?
AND NOT EXISTS (SELECT 1 FROM lesson_progress p WHERE p.lesson_id = l.id AND p.user_id = ? AND p.status IN ('completed', 'passed'))`, courseID, true, userID).Scan(&missing).Error
	if err != nil || missing > 0 {
		return err
	}
	return tx.Model(&Enrolment{}).Where("course_id = ? AND user_id = ? AND completed_at IS NULL", courseID, userID).
		Updates(map[string]any{"completed_at": now, "updated_at": now}).Error
}

// LessonProgress returns the caller's progress in a lesson (nil when none).
func (s *Service) LessonProgress(ctx context.Context, userID, lessonID int64) (*ProgressView, error) {
	var p Progress
	err := s.db.WithContext(ctx).Where("user_id = ? AND lesson_id = ?", userID, lessonID).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return progressView(&p), nil
}
