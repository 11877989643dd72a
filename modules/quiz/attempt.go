package quiz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/database"
)

// maxSeq keeps client sequence numbers within what JavaScript numbers hold exactly.
const maxSeq = 1<<53 - 1

var errStartRace = errors.New("another start won the race")

// ErrArchived refuses a new attempt at a quiz of an archived course; its learners may still
// review the attempts they made.
var ErrArchived = apperr.New(409, "course_archived",
	"The course is archived: its quizzes take no new attempts. You can still review your past attempts.")

// deadlineFor is an attempt's deadline: the time limit (plus the learner's extra time) from
// the start, capped by the close date (which the extra time also moves); nil when neither.
func deadlineFor(q *Quiz, ext Extension, start time.Time) *time.Time {
	var d *time.Time
	extra := time.Duration(ext.ExtraSeconds) * time.Second
	if q.TimeLimitSeconds > 0 {
		t := start.Add(time.Duration(q.TimeLimitSeconds)*time.Second + extra)
		d = &t
	}
	if q.ClosesAt != nil {
		c := q.ClosesAt.Add(extra)
		if d == nil || c.Before(*d) {
			d = &c
		}
	}
	return d
}

func shuffled(ids []string) []string {
	out := slices.Clone(ids)
	rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// layoutFor fixes the order in which an attempt shows a question's parts. Matching answers and
// ordering items are always shuffled (their authored order would give the answer away);
// options follow the quiz's shuffle setting.
func layoutFor(kind string, s *Spec, shuffleOptions bool) Layout {
	maybe := func(ids []string) []string {
		if shuffleOptions {
			return shuffled(ids)
		}
		return ids
	}
	var l Layout
	switch kind {
	case KindSingle, KindMultiple:
		for _, o := range s.Options {
			l.Options = append(l.Options, o.ID)
		}
		l.Options = maybe(l.Options)
	case KindTrueFalse:
		l.Options = []string{"true", "false"}
	case KindMatching:
		for _, p := range s.Pairs {
			l.Pairs = append(l.Pairs, p.ID)
		}
		for _, c := range s.Choices {
			l.Choices = append(l.Choices, c.ID)
		}
		l.Pairs, l.Choices = maybe(l.Pairs), shuffled(l.Choices)
	case KindOrdering:
		var right []string
		for _, it := range s.Items {
			right = append(right, it.ID)
		}
		l.Items = shuffled(right)
		for tries := 0; len(right) > 1 && slices.Equal(l.Items, right) && tries < 20; tries++ {
			l.Items = shuffled(right)
		}
		if len(right) > 1 && slices.Equal(l.Items, right) {
			slices.Reverse(l.Items)
		}
	case KindCloze:
		for _, b := range s.Blanks {
			var ids []string
			for _, o := range b.Options {
				ids = append(ids, o.ID)
			}
			l.Blanks = append(l.Blanks, maybe(ids))
		}
	}
	return l
}

// draw picks an attempt's questions from the quiz's slots: fixed questions, then random draws
// from categories (never the same question twice), in slot order or shuffled.
func (s *Service) draw(ctx context.Context, st store, q *Quiz) ([]Item, error) {
	slots, err := st.slots(ctx, q.LessonID)
	if err != nil {
		return nil, err
	}
	type pick struct{ slot, question int64 }
	var picks []pick
	used := map[int64]bool{}
	for _, sl := range slots {
		if sl.QuestionID != nil && !used[*sl.QuestionID] {
			used[*sl.QuestionID] = true
			picks = append(picks, pick{sl.ID, *sl.QuestionID})
		}
	}
	for _, sl := range slots {
		if sl.CategoryID == nil {
			continue
		}
		ids, err := st.questionIDsInCategory(ctx, *sl.CategoryID)
		if err != nil {
			return nil, err
		}
		rand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		n := 0
		for _, id := range ids {
			if n == sl.DrawCount {
				break
			}
			if !used[id] {
				used[id] = true
				picks = append(picks, pick{sl.ID, id})
				n++
			}
		}
	}
	// Keep slot order (draws sit where their slot is).
	pos := map[int64]int{}
	for _, sl := range slots {
		pos[sl.ID] = sl.Position
	}
	slices.SortStableFunc(picks, func(a, b pick) int { return pos[a.slot] - pos[b.slot] })
	if q.ShuffleQuestions {
		rand.Shuffle(len(picks), func(i, j int) { picks[i], picks[j] = picks[j], picks[i] })
	}
	ids := make([]int64, len(picks))
	for i, p := range picks {
		ids[i] = p.question
	}
	qs, err := st.questionsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	var items []Item
	for _, p := range picks {
		qu := qs[p.question]
		if qu == nil || qu.DeletedAt != nil {
			continue
		}
		spec, err := qu.Spec()
		if err != nil {
			return nil, err
		}
		lay, err := json.Marshal(layoutFor(qu.Kind, spec, q.ShuffleOptions))
		if err != nil {
			return nil, err
		}
		items = append(items, Item{Position: len(items) + 1, QuestionID: qu.ID, SlotID: p.slot, Points: qu.Points, Layout: string(lay)})
	}
	return items, nil
}

// Start begins an attempt, or resumes the one in progress (created is then false). A course
// instructor who is not enrolled gets a preview attempt, which counts nowhere.
func (s *Service) Start(ctx context.Context, lessonID int64) (*AttemptView, bool, error) {
	p, la, q, err := s.lesson(ctx, lessonID)
	if err != nil {
		return nil, false, err
	}
	if !la.CanTake && !la.CanManage {
		if la.Archived {
			return nil, false, ErrArchived
		}
		return nil, false, fmt.Errorf("quiz %d: %w", lessonID, apperr.ErrForbidden)
	}
	preview := !la.CanTake
	var (
		a       *Attempt
		created bool
	)
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		st := s.st.tx(tx)
		cur, err := st.inProgress(ctx, lessonID, p.UserID)
		if err != nil || cur != nil {
			a = cur
			return err
		}
		now := s.now()
		ext, err := st.extension(ctx, lessonID, p.UserID)
		if err != nil {
			return err
		}
		if !preview {
			if q.OpensAt != nil && now.Before(*q.OpensAt) {
				return fmt.Errorf("the quiz opens at %s: %w", q.OpensAt.Format(time.RFC3339), apperr.ErrConflict)
			}
			if q.ClosesAt != nil && !now.Before(q.ClosesAt.Add(time.Duration(ext.ExtraSeconds)*time.Second)) {
				return fmt.Errorf("the quiz is closed: %w", apperr.ErrConflict)
			}
		}
		all, counted, err := st.attemptCounts(ctx, lessonID, p.UserID)
		if err != nil {
			return err
		}
		if !preview && q.MaxAttempts > 0 && counted >= q.MaxAttempts+ext.ExtraAttempts {
			return fmt.Errorf("all %d attempts are used: %w", q.MaxAttempts+ext.ExtraAttempts, apperr.ErrConflict)
		}
		items, err := s.draw(ctx, st, q)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return fmt.Errorf("the quiz has no questions yet: %w", apperr.ErrConflict)
		}
		a = &Attempt{LessonID: lessonID, CourseID: q.CourseID, UserID: p.UserID, Number: all + 1, Preview: preview,
			Status: StatusInProgress, Navigation: q.Navigation, Position: 1, StartedAt: now, Deadline: deadlineFor(q, ext, now)}
		if err := st.q(ctx).Create(a).Error; err != nil {
			if database.IsUniqueViolation(err) {
				return errStartRace
			}
			return err
		}
		for i := range items {
			items[i].AttemptID = a.ID
		}
		created = true
		if err := st.q(ctx).Create(&items).Error; err != nil {
			return err
		}
		if a.Deadline != nil {
			return s.scheduleDeadline(ctx, tx, a.ID, *a.Deadline)
		}
		return nil
	})
	if errors.Is(err, errStartRace) {
		// A simultaneous start of the same learner won: resume that attempt.
		created = false
		if a, err = s.st.inProgress(ctx, lessonID, p.UserID); err == nil && a == nil {
			err = fmt.Errorf("the attempt could not start; try again: %w", apperr.ErrConflict)
		}
	}
	if err != nil {
		return nil, false, err
	}
	v, err := s.attemptView(ctx, s.st, a, q, false)
	return v, created, err
}

// Attempt shows an attempt to its owner (within the review policy) or to an instructor.
func (s *Service) Attempt(ctx context.Context, id int64) (*AttemptView, error) {
	_, a, manager, err := s.attemptAccess(ctx, id)
	if err != nil {
		return nil, err
	}
	q, err := s.st.quiz(ctx, a.LessonID)
	if err != nil {
		return nil, err
	}
	return s.attemptView(ctx, s.st, a, q, manager)
}

// Saved acknowledges an answer.
type Saved struct {
	QuestionID int64     `json:"question_id"`
	SavedAt    time.Time `json:"saved_at"`
	Seq        int64     `json:"seq"`
	// Applied is false when a response with the same or a higher seq was already stored (a
	// late retry): the stored one stays.
	Applied  bool `json:"applied"`
	Position int  `json:"position,omitempty"`
}

// SaveAnswer stores the owner's response to one question of an attempt in progress. It is an
// idempotent upsert: one row per (attempt, question), replaced only by a higher seq. seq is
// the client's increasing counter (microseconds since the epoch, or any increasing number);
// nil takes the server clock in microseconds. The row is written and committed before the
// answer is acknowledged, in the same transaction that checks the attempt is still open (a
// submission waits for saves in flight, and saves after it fail with 409).
func (s *Service) SaveAnswer(ctx context.Context, attemptID, questionID int64, r Response, seq *int64) (*Saved, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if seq != nil && (*seq < 1 || *seq > maxSeq) {
		return nil, apperr.Invalid("seq", "must be a whole number from 1 to 2^53-1")
	}
	var out *Saved
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		st := s.st.tx(tx)
		a, err := st.lockAttempt(ctx, attemptID, "NO KEY UPDATE", false)
		if err != nil {
			return err
		}
		if a.UserID != p.UserID {
			return fmt.Errorf("attempt %d: %w", attemptID, apperr.ErrForbidden)
		}
		now := s.now()
		if a.Status != StatusInProgress {
			return fmt.Errorf("attempt %d is finished: %w", attemptID, apperr.ErrConflict)
		}
		if a.Deadline != nil && !now.Before(*a.Deadline) {
			return fmt.Errorf("the time for attempt %d is up: %w", attemptID, apperr.ErrConflict)
		}
		iq, err := st.itemQuestion(ctx, attemptID, questionID)
		if err != nil {
			return err
		}
		var spec Spec
		if err := json.Unmarshal([]byte(iq.Body), &spec); err != nil {
			return err
		}
		if err := r.Check(iq.Kind, &spec); err != nil {
			return err
		}
		advance := false
		if a.Navigation == NavSequential {
			switch {
			case iq.Position < a.Position:
				return fmt.Errorf("question %d was already passed (sequential navigation): %w", questionID, apperr.ErrConflict)
			case iq.Position == a.Position+1:
				done, err := st.hasAnswerAt(ctx, attemptID, a.Position)
				if err != nil {
					return err
				}
				if !done {
					return fmt.Errorf("answer question %d first (sequential navigation): %w", a.Position, apperr.ErrConflict)
				}
				advance = true
			case iq.Position > a.Position+1:
				return fmt.Errorf("answer the questions in order (sequential navigation): %w", apperr.ErrConflict)
			}
		}
		raw, err := json.Marshal(r)
		if err != nil {
			return err
		}
		n := now.UnixMicro()
		if seq != nil {
			n = *seq
		}
		applied, cur, err := st.upsertAnswer(ctx, &Answer{AttemptID: attemptID, QuestionID: questionID, Response: string(raw), Seq: n, SavedAt: now})
		if err != nil {
			return err
		}
		if advance {
			if err := st.q(ctx).Model(&Attempt{}).Where("id = ? AND position = ?", attemptID, a.Position).Update("position", iq.Position).Error; err != nil {
				return err
			}
			a.Position = iq.Position
		}
		out = &Saved{QuestionID: questionID, SavedAt: cur.SavedAt.UTC(), Seq: cur.Seq, Applied: applied}
		if a.Navigation == NavSequential {
			out.Position = a.Position
		}
		return nil
	})
	return out, err
}

// Submitted is the outcome of a submission; score fields are nil when the review policy
// hides them.
type Submitted struct {
	ID           int64      `json:"id"`
	Status       string     `json:"status"`
	FinishedAt   *time.Time `json:"finished_at"`
	ClosedBy     string     `json:"closed_by"`
	Score        *float64   `json:"score"`
	MaxScore     *float64   `json:"max_score"`
	Percent      *float64   `json:"percent"`
	Passed       *bool      `json:"passed"`
	NeedsGrading bool       `json:"needs_grading"`
}

// Submit finishes the owner's attempt and grades it at once from its stored answers (essays
// wait for an instructor). 409 when it is already finished. After the deadline, when the
// closer has not run yet, it closes the attempt as the closer would.
func (s *Service) Submit(ctx context.Context, attemptID int64) (*Submitted, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	var (
		a *Attempt
		q *Quiz
	)
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		st := s.st.tx(tx)
		if a, err = st.lockAttempt(ctx, attemptID, "UPDATE", false); err != nil {
			return err
		}
		if a.UserID != p.UserID {
			return fmt.Errorf("attempt %d: %w", attemptID, apperr.ErrForbidden)
		}
		if a.Status != StatusInProgress {
			return fmt.Errorf("attempt %d was already submitted: %w", attemptID, apperr.ErrConflict)
		}
		if q, err = st.quiz(ctx, a.LessonID); err != nil {
			return err
		}
		now := s.now()
		by, at := ClosedByLearner, now
		if a.Deadline != nil && !now.Before(*a.Deadline) {
			by, at = ClosedByDeadline, *a.Deadline
		}
		return s.finish(ctx, st, q, a, by, at)
	})
	if err != nil {
		return nil, err
	}
	vis := s.visibility(q, a, false, s.now())
	out := &Submitted{ID: a.ID, Status: a.Status, FinishedAt: a.FinishedAt, ClosedBy: a.ClosedBy}
	if vis.Score {
		sc, mx, pc := a.EffectiveScore(), a.MaxScore, a.Percent
		out.Score, out.MaxScore, out.Percent, out.Passed, out.NeedsGrading = &sc, &mx, &pc, a.Passed, a.NeedsGrading
	}
	return out, nil
}
