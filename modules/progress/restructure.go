package progress

import (
	"context"
	"strconv"

	"glc/internal/jobs"
	"glc/internal/logctx"
)

// RecomputeCourseArgs is the background job that recomputes the stored progress of every
// learner still in progress in a course after its lessons changed.
type RecomputeCourseArgs struct {
	CourseID int64 `json:"course_id"`
}

// Kind implements jobs.Args.
func (RecomputeCourseArgs) Kind() string { return "progress.recompute_course" }

// CourseStructureChanged implements the course module's StructureListener: a lesson was added
// or deleted, or what a lesson counts for changed. The learners still in progress get their
// stored progress recomputed in the background (one job per course at a time: edits in a row
// queue one job). Completed learners keep their completion (the rule at completion time counts).
func (s *Service) CourseStructureChanged(ctx context.Context, courseID int64) {
	if s.jobs == nil {
		if _, err := s.RecomputeCourse(ctx, courseID); err != nil {
			logctx.From(ctx, s.log).ErrorContext(ctx, "recompute course progress", "course_id", courseID, "err", err)
		}
		return
	}
	if err := s.queueRecompute(ctx, courseID); err != nil {
		logctx.From(ctx, s.log).ErrorContext(ctx, "queue course progress recompute", "course_id", courseID, "err", err)
	}
}

// queueRecompute makes sure a recompute job of the course waits to run. Changes in a row share
// one waiting job (a unique key); but a job already running may have read the course before
// this change, so then another one is queued.
func (s *Service) queueRecompute(ctx context.Context, courseID int64) error {
	args := RecomputeCourseArgs{CourseID: courseID}
	id, err := s.jobs.Enqueue(ctx, args, jobs.Unique(strconv.FormatInt(courseID, 10)))
	if err != nil {
		return err
	}
	st, err := s.jobs.Status(ctx, id)
	if err != nil {
		return err
	}
	switch st.State {
	case jobs.StateAvailable, jobs.StateScheduled, jobs.StatePending, jobs.StateRetryable:
		return nil
	}
	_, err = s.jobs.Enqueue(ctx, args)
	return err
}

// RecomputeCourse recomputes, one learner per transaction, the stored progress of the course's
// active learners who have not completed it, and returns how many it recomputed. Recompute is
// idempotent, so a job that stops half way is simply run again.
func (s *Service) RecomputeCourse(ctx context.Context, courseID int64) (int, error) {
	var userIDs []int64
	err := s.db.WithContext(ctx).Raw(`SELECT e.user_id FROM course_enrolments e
LEFT JOIN course_progress p ON p.user_id = e.user_id AND p.course_id = e.course_id
WHERE e.course_id = ? AND e.status = 'active' AND p.completed_at IS NULL
ORDER BY e.user_id`, courseID).Scan(&userIDs).Error
	if err != nil {
		return 0, err
	}
	for i, id := range userIDs {
		if _, err := s.Recompute(ctx, nil, id, courseID); err != nil {
			return i, err
		}
		if i%100 == 99 {
			_ = jobs.Progress(ctx, int64(i+1), int64(len(userIDs)))
		}
	}
	return len(userIDs), nil
}
