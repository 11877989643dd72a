package quiz

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/database"
)

// CreateQuiz stores the settings of a new lesson of kind quiz. The course module calls it
// from POST /sections/{id}/lessons (kind "quiz") inside its own transaction tx, after checking
// that the caller manages the course; it does no permission check of its own.
func (s *Service) CreateQuiz(ctx context.Context, tx *gorm.DB, lessonID, courseID int64, in SettingsInput) error {
	set := DefaultSettings()
	if err := in.Apply(&set, "quiz."); err != nil {
		return err
	}
	q := &Quiz{LessonID: lessonID, CourseID: courseID}
	q.SetSettings(set)
	if tx == nil {
		tx = s.db.DB
	}
	if err := tx.WithContext(ctx).Create(q).Error; err != nil {
		if database.IsUniqueViolation(err) {
			return fmt.Errorf("lesson %d already has a quiz: %w", lessonID, apperr.ErrConflict)
		}
		return err
	}
	return nil
}

// CreateQuizJSON is CreateQuiz for a caller that holds the "quiz" object of a lesson request
// as raw JSON (so the course module need not know the settings' shape). Unknown fields are
// refused; field errors are named "quiz.<field>".
func (s *Service) CreateQuizJSON(ctx context.Context, tx *gorm.DB, lessonID, courseID int64, raw json.RawMessage) error {
	var in SettingsInput
	if len(bytes.TrimSpace(raw)) > 0 && string(bytes.TrimSpace(raw)) != "null" {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return apperr.Invalid("quiz", "is not valid quiz settings: "+err.Error())
		}
	}
	return s.CreateQuiz(ctx, tx, lessonID, courseID, in)
}

// SlotView is a slot of a quiz as its instructors see it.
type SlotView struct {
	Slot
	Question *QuestionDetail `json:"question,omitempty"`
	Category string          `json:"category,omitempty"`
}

// QuizView is a quiz: settings for everyone who may see it; slots for its managers; the
// caller's attempts and what is left of them for learners.
type QuizView struct {
	LessonID  int64    `json:"lesson_id"`
	CourseID  int64    `json:"course_id"`
	Title     string   `json:"title"`
	Settings  Settings `json:"settings"`
	CanManage bool     `json:"can_manage"`
	CanTake   bool     `json:"can_take"`
	// Archived: the course is archived; its learners may review their attempts, not start new
	// ones.
	Archived      bool         `json:"archived"`
	Slots         []SlotView   `json:"slots,omitempty"`
	Attempts      []AttemptRow `json:"attempts"`
	AttemptsLeft  *int         `json:"attempts_left"`
	ExtraSeconds  int          `json:"extra_seconds"`
	Open          bool         `json:"open"`
	Result        *Result      `json:"result,omitempty"`
	QuestionCount int          `json:"question_count"`
	CourseTitle   string       `json:"course_title,omitempty"`
	CourseURL     string       `json:"course_url,omitempty"`
	Language      string       `json:"language,omitempty"`
}

// AttemptRow is an attempt in a list.
type AttemptRow struct {
	ID           int64      `json:"id"`
	UserID       int64      `json:"user_id"`
	UserName     string     `json:"user_name,omitempty"`
	UserEmail    string     `json:"user_email,omitempty"`
	Number       int        `json:"number"`
	Preview      bool       `json:"preview"`
	Status       string     `json:"status"`
	StartedAt    time.Time  `json:"started_at"`
	Deadline     *time.Time `json:"deadline"`
	FinishedAt   *time.Time `json:"finished_at"`
	ClosedBy     string     `json:"closed_by,omitempty"`
	Score        *float64   `json:"score"`
	MaxScore     *float64   `json:"max_score"`
	Percent      *float64   `json:"percent"`
	Passed       *bool      `json:"passed"`
	NeedsGrading bool       `json:"needs_grading"`
	Overridden   bool       `json:"overridden"`
}

func attemptRow(a *Attempt, showScore bool) AttemptRow {
	r := AttemptRow{ID: a.ID, UserID: a.UserID, Number: a.Number, Preview: a.Preview, Status: a.Status, StartedAt: a.StartedAt,
		Deadline: a.Deadline, FinishedAt: a.FinishedAt, ClosedBy: a.ClosedBy, NeedsGrading: a.NeedsGrading, Overridden: a.OverrideScore != nil}
	if showScore && a.Status == StatusFinished {
		sc, mx, pc := a.EffectiveScore(), a.MaxScore, a.Percent
		r.Score, r.MaxScore, r.Percent, r.Passed = &sc, &mx, &pc, a.Passed
	}
	return r
}

// open reports whether the quiz accepts new attempts at now.
func (q *Quiz) open(now time.Time) bool {
	return (q.OpensAt == nil || !now.Before(*q.OpensAt)) && (q.ClosesAt == nil || now.Before(*q.ClosesAt))
}

// GetQuiz describes a quiz to the caller.
func (s *Service) GetQuiz(ctx context.Context, lessonID int64) (*QuizView, error) {
	p, la, q, err := s.lesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	v := &QuizView{LessonID: q.LessonID, CourseID: q.CourseID, Title: la.Title, Settings: q.Settings(), CanManage: la.CanManage,
		CanTake: la.CanTake, Archived: la.Archived, Open: q.open(now), Attempts: []AttemptRow{}, CourseTitle: la.CourseTitle, CourseURL: la.CourseURL, Language: la.Language}
	slots, err := s.st.slots(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	for _, sl := range slots {
		if sl.QuestionID != nil {
			v.QuestionCount++
		} else {
			v.QuestionCount += sl.DrawCount
		}
	}
	if la.CanManage {
		if v.Slots, err = s.slotViews(ctx, slots); err != nil {
			return nil, err
		}
	}
	attempts, err := s.st.userAttempts(ctx, lessonID, p.UserID)
	if err != nil {
		return nil, err
	}
	showScore := la.CanManage || s.reviewOpen(q, now) && q.ReviewScore
	for i := range attempts {
		v.Attempts = append(v.Attempts, attemptRow(&attempts[i], showScore))
	}
	ext, err := s.st.extension(ctx, lessonID, p.UserID)
	if err != nil {
		return nil, err
	}
	v.ExtraSeconds = ext.ExtraSeconds
	if q.MaxAttempts > 0 {
		_, counted, err := s.st.attemptCounts(ctx, lessonID, p.UserID)
		if err != nil {
			return nil, err
		}
		left := max(q.MaxAttempts+ext.ExtraAttempts-counted, 0)
		v.AttemptsLeft = &left
	}
	if showScore {
		fin, err := s.st.finishedAttempts(ctx, lessonID, p.UserID)
		if err != nil {
			return nil, err
		}
		if len(fin) > 0 {
			r := aggregate(fin, q)
			v.Result = &r
		}
	}
	return v, nil
}

func (s *Service) slotViews(ctx context.Context, slots []Slot) ([]SlotView, error) {
	var qids []int64
	for _, sl := range slots {
		if sl.QuestionID != nil {
			qids = append(qids, *sl.QuestionID)
		}
	}
	qs, err := s.st.questionsByID(ctx, qids)
	if err != nil {
		return nil, err
	}
	out := make([]SlotView, 0, len(slots))
	for _, sl := range slots {
		sv := SlotView{Slot: sl}
		if sl.QuestionID != nil {
			if q := qs[*sl.QuestionID]; q != nil {
				if sv.Question, err = detail(q); err != nil {
					return nil, err
				}
			}
		}
		if sl.CategoryID != nil {
			if c, err := s.st.category(ctx, *sl.CategoryID); err == nil {
				sv.Category = c.Name
			}
		}
		out = append(out, sv)
	}
	return out, nil
}

// UpdateSettings changes a quiz's settings. A new close date or time limit applies to
// attempts started afterwards.
func (s *Service) UpdateSettings(ctx context.Context, lessonID int64, in SettingsInput) (*QuizView, error) {
	_, q, err := s.manageLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	set := q.Settings()
	if err := in.Apply(&set, ""); err != nil {
		return nil, err
	}
	q.SetSettings(set)
	if err := s.st.q(ctx).Save(q).Error; err != nil {
		return nil, err
	}
	return s.GetQuiz(ctx, lessonID)
}

// AddQuestion creates a question in the course's bank and places it at the end of the quiz.
func (s *Service) AddQuestion(ctx context.Context, lessonID int64, in QuestionInput) (*QuestionDetail, *Slot, error) {
	p, q, err := s.manageLesson(ctx, lessonID)
	if err != nil {
		return nil, nil, err
	}
	var (
		qu *Question
		sl *Slot
	)
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		st := s.st.tx(tx)
		if qu, err = s.insertQuestion(ctx, st, q.CourseID, p.UserID, &in); err != nil {
			return err
		}
		sl = &Slot{LessonID: lessonID, QuestionID: &qu.ID}
		return st.addSlot(ctx, sl)
	})
	if err != nil {
		return nil, nil, err
	}
	d, err := detail(qu)
	return d, sl, err
}

// AddSlot places an existing bank question of the same course in the quiz.
func (s *Service) AddSlot(ctx context.Context, lessonID, questionID int64) (*Slot, error) {
	_, q, err := s.manageLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	qu, err := s.st.question(ctx, questionID)
	if err != nil || qu.CourseID != q.CourseID {
		return nil, apperr.Invalid("question_id", "is not a question of this course's bank")
	}
	var n int64
	if err := s.st.q(ctx).Model(&Slot{}).Where("lesson_id = ? AND question_id = ?", lessonID, questionID).Count(&n).Error; err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, fmt.Errorf("question %d is already in this quiz: %w", questionID, apperr.ErrConflict)
	}
	sl := &Slot{LessonID: lessonID, QuestionID: &questionID}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error { return s.st.tx(tx).addSlot(ctx, sl) })
	return sl, err
}

// AddDraw adds a slot that draws count questions at random from a category when an attempt
// starts.
func (s *Service) AddDraw(ctx context.Context, lessonID, categoryID int64, count int) (*Slot, error) {
	_, q, err := s.manageLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	c, err := s.st.category(ctx, categoryID)
	if err != nil || c.CourseID != q.CourseID {
		return nil, apperr.Invalid("category_id", "is not a category of this course")
	}
	ids, err := s.st.questionIDsInCategory(ctx, categoryID)
	if err != nil {
		return nil, err
	}
	if count < 1 || count > len(ids) {
		return nil, apperr.Invalid("count", fmt.Sprintf("must be from 1 to %d (the questions in the category)", len(ids)))
	}
	sl := &Slot{LessonID: lessonID, CategoryID: &categoryID, DrawCount: count}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error { return s.st.tx(tx).addSlot(ctx, sl) })
	return sl, err
}

// DeleteSlot removes a slot from a quiz (attempts already started keep their questions).
func (s *Service) DeleteSlot(ctx context.Context, lessonID, slotID int64) error {
	if _, _, err := s.manageLesson(ctx, lessonID); err != nil {
		return err
	}
	res := s.st.q(ctx).Where("id = ? AND lesson_id = ?", slotID, lessonID).Delete(&Slot{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("slot %d: %w", slotID, apperr.ErrNotFound)
	}
	return nil
}

// AddQuestionsGIFT creates the questions of a GIFT text in the course's bank and places them at
// the end of the quiz, all or nothing (the authoring form of the quiz page). It returns how many
// it added.
func (s *Service) AddQuestionsGIFT(ctx context.Context, lessonID int64, src string) (int, error) {
	p, q, err := s.manageLesson(ctx, lessonID)
	if err != nil {
		return 0, err
	}
	qs, err := checkGIFT(src, "gift")
	if err != nil {
		return 0, err
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		st := s.st.tx(tx)
		for i := range qs {
			qu, err := s.insertQuestion(ctx, st, q.CourseID, p.UserID, &qs[i])
			if err != nil {
				return err
			}
			if err := st.addSlot(ctx, &Slot{LessonID: lessonID, QuestionID: &qu.ID}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(qs), nil
}
