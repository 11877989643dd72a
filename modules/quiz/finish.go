package quiz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/jobs"
)

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// gradeItems grades an attempt's items from its stored answers with the questions as they are
// now. Items graded by a person keep their score. It returns the items whose score changed.
func (s *Service) gradeItems(ctx context.Context, st store, a *Attempt) ([]Item, []Item, error) {
	items, err := st.items(ctx, a.ID)
	if err != nil {
		return nil, nil, err
	}
	answers, err := st.answers(ctx, a.ID)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.QuestionID
	}
	qs, err := st.questionsByID(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	var changed []Item
	for i := range items {
		it := &items[i]
		qu := qs[it.QuestionID]
		if qu == nil || (it.Manual && it.Score != nil) {
			continue
		}
		spec, err := qu.Spec()
		if err != nil {
			return nil, nil, err
		}
		var resp *Response
		if ans := answers[it.QuestionID]; ans != nil {
			resp = &Response{}
			if err := json.Unmarshal([]byte(ans.Response), resp); err != nil {
				return nil, nil, err
			}
		}
		o := Grade(qu.Kind, spec, resp)
		var score *float64
		if o.Graded {
			v := round6(o.Fraction * qu.Points)
			score = &v
		}
		if !sameScore(score, it.Score) || it.Points != qu.Points {
			it.Score, it.Points = score, qu.Points
			changed = append(changed, *it)
		}
	}
	return items, changed, nil
}

func sameScore(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return math.Abs(*a-*b) < 1e-9
}

func (st store) saveItemScores(ctx context.Context, items []Item) error {
	for _, it := range items {
		if err := st.q(ctx).Model(&Item{}).Where("id = ?", it.ID).
			Updates(map[string]any{"score": it.Score, "points": it.Points}).Error; err != nil {
			return err
		}
	}
	return nil
}

// totals sets an attempt's score, maximum, percent, pass and pending state from its items.
func totals(a *Attempt, items []Item, passPercent float64) {
	a.Score, a.MaxScore, a.NeedsGrading = 0, 0, false
	for _, it := range items {
		a.MaxScore += it.Points
		if it.Score == nil {
			a.NeedsGrading = true
		} else {
			a.Score += *it.Score
		}
	}
	a.Score, a.MaxScore = round6(a.Score), round6(a.MaxScore)
	a.Percent = 0
	if a.MaxScore > 0 {
		a.Percent = round6(a.EffectiveScore() / a.MaxScore * 100)
	}
	a.Passed = nil
	if !a.NeedsGrading || a.OverrideScore != nil {
		p := a.Percent >= passPercent-1e-9
		a.Passed = &p
	}
}

// finish closes an attempt and grades it; the caller holds its row lock.
func (s *Service) finish(ctx context.Context, st store, q *Quiz, a *Attempt, by string, at time.Time) error {
	items, changed, err := s.gradeItems(ctx, st, a)
	if err != nil {
		return err
	}
	if err := st.saveItemScores(ctx, changed); err != nil {
		return err
	}
	totals(a, items, q.PassPercent)
	a.Status, a.ClosedBy = StatusFinished, by
	a.FinishedAt = &at
	if err := st.q(ctx).Model(&Attempt{}).Where("id = ?", a.ID).Updates(map[string]any{
		"status": a.Status, "closed_by": a.ClosedBy, "finished_at": a.FinishedAt, "score": a.Score, "max_score": a.MaxScore,
		"percent": a.Percent, "passed": a.Passed, "needs_grading": a.NeedsGrading, "updated_at": s.now(),
	}).Error; err != nil {
		return err
	}
	if a.Preview {
		return nil
	}
	return s.record(ctx, st, q, a.UserID)
}

// saveTotals writes an attempt's grade after a regrade, manual grade or override.
func (s *Service) saveTotals(ctx context.Context, st store, a *Attempt) error {
	return st.q(ctx).Model(&Attempt{}).Where("id = ?", a.ID).Updates(map[string]any{
		"score": a.Score, "max_score": a.MaxScore, "percent": a.Percent, "passed": a.Passed, "needs_grading": a.NeedsGrading,
		"override_score": a.OverrideScore, "override_reason": a.OverrideReason, "updated_at": s.now(),
	}).Error
}

// record sends the learner's quiz result to their lesson progress, in the same transaction.
func (s *Service) record(ctx context.Context, st store, q *Quiz, userID int64) error {
	fin, err := st.finishedAttempts(ctx, q.LessonID, userID)
	if err != nil || len(fin) == 0 {
		return err
	}
	return s.courses.RecordResult(ctx, st.db, userID, q.LessonID, aggregate(fin, q))
}

// aggregate is the quiz grade from finished attempts (ordered by number) by the quiz's
// grading method.
func aggregate(fin []Attempt, q *Quiz) Result {
	r := Result{Attempts: len(fin)}
	if len(fin) == 0 {
		return r
	}
	pick := func(a *Attempt) {
		r.Score, r.MaxScore, r.Percent, r.Passed = a.EffectiveScore(), a.MaxScore, a.Percent, a.Passed
		if a.FinishedAt != nil {
			r.FinishedAt = *a.FinishedAt
		}
	}
	switch q.GradingMethod {
	case GradeFirst:
		pick(&fin[0])
	case GradeLast:
		pick(&fin[len(fin)-1])
	case GradeAverage:
		pending := false
		for i := range fin {
			r.Score += fin[i].EffectiveScore()
			r.MaxScore += fin[i].MaxScore
			r.Percent += fin[i].Percent
			pending = pending || fin[i].Passed == nil
			if fin[i].FinishedAt != nil && fin[i].FinishedAt.After(r.FinishedAt) {
				r.FinishedAt = *fin[i].FinishedAt
			}
		}
		n := float64(len(fin))
		r.Score, r.MaxScore, r.Percent = round6(r.Score/n), round6(r.MaxScore/n), round6(r.Percent/n)
		if !pending {
			p := r.Percent >= q.PassPercent-1e-9
			r.Passed = &p
		}
	default: // highest; the earliest of equal ones
		best := 0
		for i := range fin {
			if fin[i].Percent > fin[best].Percent+1e-9 {
				best = i
			}
		}
		pick(&fin[best])
	}
	return r
}

// CloseExpired closes and grades every attempt in progress whose deadline is at or before
// now, with the answers saved before it. Several servers may run it at once: each attempt is
// taken under its row lock (skipped when another server holds it). It returns how many it
// closed.
func (s *Service) CloseExpired(ctx context.Context, now time.Time) (int, error) {
	ids, err := s.st.expired(ctx, now, 200)
	if err != nil {
		return 0, err
	}
	closed := 0
	for _, id := range ids {
		ok, err := s.closeOne(ctx, id, now)
		if err != nil {
			return closed, err
		}
		if ok {
			closed++
		}
	}
	return closed, nil
}

// closeOne closes one attempt whose deadline has passed; false when there was nothing to do.
func (s *Service) closeOne(ctx context.Context, id int64, now time.Time) (bool, error) {
	done := false
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		st := s.st.tx(tx)
		a, err := st.lockAttempt(ctx, id, "UPDATE", true)
		if err != nil || a == nil {
			return err
		}
		if a.Status != StatusInProgress || a.Deadline == nil || a.Deadline.After(now) {
			return nil
		}
		q, err := st.quiz(ctx, a.LessonID)
		if err != nil {
			return err
		}
		done = true
		return s.finish(ctx, st, q, a, ClosedByDeadline, *a.Deadline)
	})
	return done && err == nil, err
}

// deadlineArgs is the job that closes an attempt at its deadline.
type deadlineArgs struct {
	AttemptID int64 `json:"attempt_id"`
}

func (deadlineArgs) Kind() string { return "quiz.deadline" }

// sweepArgs is the periodic job that closes any attempt whose deadline job went missing.
type sweepArgs struct{}

func (sweepArgs) Kind() string { return "quiz.sweep" }

// sweepEvery is how often the safety sweep runs.
const sweepEvery = time.Minute

// registerJobs registers the deadline job and the periodic sweep on the queue.
func (s *Service) registerJobs() {
	jobs.Handle(s.jobs, s.runDeadline)
	jobs.Handle(s.jobs, func(ctx context.Context, _ sweepArgs) error {
		n, err := s.CloseExpired(ctx, s.now())
		if n > 0 {
			s.log.Warn("quiz sweep closed attempts whose deadline job had not run", "attempts", n)
		}
		return err
	})
	jobs.Periodic(s.jobs, sweepEvery, sweepArgs{})
}

// scheduleDeadline enqueues, in the transaction that sets the deadline, the job that closes the
// attempt then. A moved deadline gets a job of its own (the key holds the deadline).
func (s *Service) scheduleDeadline(ctx context.Context, tx *gorm.DB, attemptID int64, deadline time.Time) error {
	_, err := s.jobs.EnqueueTx(ctx, tx, deadlineArgs{AttemptID: attemptID}, jobs.At(deadline),
		jobs.Unique(fmt.Sprintf("%d@%d", attemptID, deadline.UnixMicro())))
	return err
}

// maxEarly is how long the deadline job waits when it starts before the deadline (the
// database's clock, which schedules jobs, may run ahead of this server's).
const maxEarly = 30 * time.Second

// runDeadline closes one attempt when its deadline has come. An attempt already finished, or
// whose deadline was moved later (extra time: a new job exists), is left alone.
func (s *Service) runDeadline(ctx context.Context, args deadlineArgs) error {
	a, err := s.st.attempt(ctx, args.AttemptID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if a.Status != StatusInProgress || a.Deadline == nil {
		return nil
	}
	if early := a.Deadline.Sub(s.now()); early > 0 {
		if early > maxEarly {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(early):
		}
	}
	_, err = s.closeOne(ctx, a.ID, s.now())
	return err
}
