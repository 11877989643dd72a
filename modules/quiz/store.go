package quiz

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/database"
)

// store holds the module's queries. Bind it to a transaction with tx() so that the queries
// join it.
type store struct {
	db      *gorm.DB
	dialect database.Dialect
}

func (s store) tx(tx *gorm.DB) store { return store{db: tx, dialect: s.dialect} }

func (s store) q(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

func notFound(err error, what string, id int64) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("%s %d: %w", what, id, apperr.ErrNotFound)
	}
	return err
}

// --- categories ---

func (s store) categories(ctx context.Context, courseID int64) ([]Category, error) {
	var out []Category
	err := s.q(ctx).Where("course_id = ?", courseID).Order("name").Find(&out).Error
	return out, err
}

func (s store) category(ctx context.Context, id int64) (*Category, error) {
	var c Category
	if err := s.q(ctx).Take(&c, id).Error; err != nil {
		return nil, notFound(err, "category", id)
	}
	return &c, nil
}

// ensureCategory returns the course's category with name, creating it when missing.
func (s store) ensureCategory(ctx context.Context, courseID int64, name string) (*Category, error) {
	var c Category
	err := s.q(ctx).Where("course_id = ? AND name = ?", courseID, name).Take(&c).Error
	if err == nil {
		return &c, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	c = Category{CourseID: courseID, Name: name}
	if err := s.q(ctx).Create(&c).Error; err != nil {
		return nil, err
	}
	return &c, nil
}

// --- questions ---

func (s store) question(ctx context.Context, id int64) (*Question, error) {
	var q Question
	if err := s.q(ctx).Where("deleted_at IS NULL").Take(&q, id).Error; err != nil {
		return nil, notFound(err, "question", id)
	}
	return &q, nil
}

// questionsByID loads questions (deleted ones too: attempts keep using them).
func (s store) questionsByID(ctx context.Context, ids []int64) (map[int64]*Question, error) {
	out := map[int64]*Question{}
	if len(ids) == 0 {
		return out, nil
	}
	var qs []Question
	if err := s.q(ctx).Where("id IN ?", ids).Find(&qs).Error; err != nil {
		return nil, err
	}
	for i := range qs {
		out[qs[i].ID] = &qs[i]
	}
	return out, nil
}

type questionFilter struct {
	CourseID   int64
	CategoryID int64
	Kind       string
}

func (s store) listQuestions(ctx context.Context, f questionFilter, limit, offset int) ([]Question, int64, error) {
	q := s.q(ctx).Model(&Question{}).Where("course_id = ? AND deleted_at IS NULL", f.CourseID)
	if f.CategoryID > 0 {
		q = q.Where("category_id = ?", f.CategoryID)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []Question
	err := q.Order("id").Limit(limit).Offset(offset).Find(&out).Error
	return out, total, err
}

func (s store) allQuestions(ctx context.Context, courseID int64) ([]Question, error) {
	var out []Question
	err := s.q(ctx).Where("course_id = ? AND deleted_at IS NULL", courseID).Order("category_id, id").Find(&out).Error
	return out, err
}

// allQuestionsByID lists a course's live questions in the order they were made.
func (s store) allQuestionsByID(ctx context.Context, courseID int64) ([]Question, error) {
	var out []Question
	err := s.q(ctx).Where("course_id = ? AND deleted_at IS NULL", courseID).Order("id").Find(&out).Error
	return out, err
}

func (s store) questionIDsInCategory(ctx context.Context, categoryID int64) ([]int64, error) {
	var ids []int64
	err := s.q(ctx).Model(&Question{}).Where("category_id = ? AND deleted_at IS NULL", categoryID).Order("id").Pluck("id", &ids).Error
	return ids, err
}

// --- quizzes and slots ---

func (s store) quiz(ctx context.Context, lessonID int64) (*Quiz, error) {
	var q Quiz
	if err := s.q(ctx).Take(&q, lessonID).Error; err != nil {
		return nil, notFound(err, "quiz", lessonID)
	}
	return &q, nil
}

func (s store) slots(ctx context.Context, lessonID int64) ([]Slot, error) {
	var out []Slot
	err := s.q(ctx).Where("lesson_id = ?", lessonID).Order("position").Find(&out).Error
	return out, err
}

func (s store) addSlot(ctx context.Context, sl *Slot) error {
	var maxPos *int
	if err := s.q(ctx).Model(&Slot{}).Where("lesson_id = ?", sl.LessonID).Select("MAX(position)").Scan(&maxPos).Error; err != nil {
		return err
	}
	sl.Position = 1
	if maxPos != nil {
		sl.Position = *maxPos + 1
	}
	return s.q(ctx).Create(sl).Error
}

// --- attempts ---

func (s store) attempt(ctx context.Context, id int64) (*Attempt, error) {
	var a Attempt
	if err := s.q(ctx).Take(&a, id).Error; err != nil {
		return nil, notFound(err, "attempt", id)
	}
	return &a, nil
}

// lockAttempt reads an attempt inside a transaction and locks its row on PostgreSQL: "SHARE"
// lets many answer saves run side by side while keeping out a submission (which takes
// "UPDATE" and so waits for saves in flight to commit). SQLite transactions already hold the
// database's write lock. skipLocked returns (nil, nil) when another transaction holds it.
func (s store) lockAttempt(ctx context.Context, id int64, strength string, skipLocked bool) (*Attempt, error) {
	if s.dialect != database.Postgres {
		return s.attempt(ctx, id)
	}
	sql := "SELECT * FROM quiz_attempts WHERE id = ? FOR " + strength
	if skipLocked {
		sql += " SKIP LOCKED"
	}
	var rows []Attempt
	if err := s.q(ctx).Raw(sql, id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		if skipLocked {
			return nil, nil
		}
		return nil, fmt.Errorf("attempt %d: %w", id, apperr.ErrNotFound)
	}
	return &rows[0], nil
}

func (s store) inProgress(ctx context.Context, lessonID, userID int64) (*Attempt, error) {
	var rows []Attempt
	err := s.q(ctx).Where("lesson_id = ? AND user_id = ? AND status = ?", lessonID, userID, StatusInProgress).Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// attemptCounts returns how many attempts the learner has (all) and how many count against
// the limit (not previews).
func (s store) attemptCounts(ctx context.Context, lessonID, userID int64) (all, counted int, err error) {
	var rows []struct {
		Preview bool
		N       int
	}
	err = s.q(ctx).Model(&Attempt{}).Select("preview, COUNT(*) AS n").Where("lesson_id = ? AND user_id = ?", lessonID, userID).
		Group("preview").Scan(&rows).Error
	for _, r := range rows {
		all += r.N
		if !r.Preview {
			counted += r.N
		}
	}
	return all, counted, err
}

func (s store) finishedAttempts(ctx context.Context, lessonID, userID int64) ([]Attempt, error) {
	var out []Attempt
	err := s.q(ctx).Where("lesson_id = ? AND user_id = ? AND status = ? AND preview = ?", lessonID, userID, StatusFinished, false).
		Order("number").Find(&out).Error
	return out, err
}

func (s store) userAttempts(ctx context.Context, lessonID, userID int64) ([]Attempt, error) {
	var out []Attempt
	err := s.q(ctx).Where("lesson_id = ? AND user_id = ?", lessonID, userID).Order("number").Find(&out).Error
	return out, err
}

func (s store) items(ctx context.Context, attemptID int64) ([]Item, error) {
	var out []Item
	err := s.q(ctx).Where("attempt_id = ?", attemptID).Order("position").Find(&out).Error
	return out, err
}

// itemQuestion is an attempt's item joined with its question's kind and spec.
type itemQuestion struct {
	ItemID   int64
	Position int
	Kind     string
	Body     string
}

func (s store) itemQuestion(ctx context.Context, attemptID, questionID int64) (*itemQuestion, error) {
	var rows []itemQuestion
	err := s.q(ctx).Table("quiz_attempt_items AS i").Select("i.id AS item_id, i.position, q.kind, q.body").
		Joins("JOIN quiz_questions q ON q.id = i.question_id").
		Where("i.attempt_id = ? AND i.question_id = ?", attemptID, questionID).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("question %d is not part of attempt %d: %w", questionID, attemptID, apperr.ErrNotFound)
	}
	return &rows[0], nil
}

func (s store) hasAnswerAt(ctx context.Context, attemptID int64, position int) (bool, error) {
	var n int64
	err := s.q(ctx).Table("quiz_answers AS a").Joins("JOIN quiz_attempt_items i ON i.attempt_id = a.attempt_id AND i.question_id = a.question_id").
		Where("a.attempt_id = ? AND i.position = ?", attemptID, position).Count(&n).Error
	return n > 0, err
}

// expired lists attempts still in progress whose deadline has passed.
func (s store) expired(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := s.q(ctx).Model(&Attempt{}).Where("status = ? AND deadline <= ?", StatusInProgress, now).
		Order("deadline").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}

// nextDeadline is the earliest deadline of the attempts in progress.
func (s store) nextDeadline(ctx context.Context) (*time.Time, error) {
	var rows []Attempt
	err := s.q(ctx).Select("id, deadline").Where("status = ? AND deadline IS NOT NULL", StatusInProgress).
		Order("deadline").Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return rows[0].Deadline, nil
}

// --- answers ---

// upsertAnswer stores a response unless the stored one has the same or a higher seq. It
// returns whether it was written and the row now stored.
func (s store) upsertAnswer(ctx context.Context, a *Answer) (bool, *Answer, error) {
	var ids []int64
	err := s.q(ctx).Raw(`INSERT INTO quiz_answers (attempt_id, question_id, response, seq, saved_at, created_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (attempt_id, question_id) DO UPDATE
SET response = excluded.response, seq = excluded.seq, saved_at = excluded.saved_at
WHERE quiz_answers.seq < excluded.seq
RETURNING id`, a.AttemptID, a.QuestionID, a.Response, a.Seq, a.SavedAt, a.SavedAt).Scan(&ids).Error
	if err != nil {
		return false, nil, err
	}
	if len(ids) == 1 {
		a.ID = ids[0]
		return true, a, nil
	}
	var cur Answer
	err = s.q(ctx).Where("attempt_id = ? AND question_id = ?", a.AttemptID, a.QuestionID).Take(&cur).Error
	return false, &cur, err
}

func (s store) answers(ctx context.Context, attemptID int64) (map[int64]*Answer, error) {
	var rows []Answer
	if err := s.q(ctx).Where("attempt_id = ?", attemptID).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]*Answer, len(rows))
	for i := range rows {
		out[rows[i].QuestionID] = &rows[i]
	}
	return out, nil
}

// --- extensions and audit ---

func (s store) extension(ctx context.Context, lessonID, userID int64) (Extension, error) {
	var rows []Extension
	err := s.q(ctx).Where("lesson_id = ? AND user_id = ?", lessonID, userID).Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return Extension{LessonID: lessonID, UserID: userID}, err
	}
	return rows[0], nil
}

func (s store) audit(ctx context.Context, e *Audit) error { return s.q(ctx).Create(e).Error }
