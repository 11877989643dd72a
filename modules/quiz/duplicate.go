package quiz

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/database"
)

// DuplicateQuiz gives lesson toLessonID, a copy of quiz lesson fromLessonID in course
// toCourseID, a quiz of its own: the same settings, and the same slots (fixed questions and
// random draws, in their order). When the copy is in another course (a duplicated course),
// that course's question bank receives a copy of the source course's bank first, categories
// and questions (sharing their media), so that its quizzes use questions of their own course;
// the bank is copied once however many quizzes the course holds (questions already copied are
// recognised by their content). Learners' attempts, answers, extensions and audit entries are
// never copied.
//
// The course module calls it while it duplicates a course, inside its transaction tx (on
// SQLite the transaction holds the only connection): it reads and writes only through tx and
// checks no permission (the caller may edit the course). apperr.ErrNotFound when the source
// lesson has no quiz; apperr.ErrConflict when the target already has one.
func (s *Service) DuplicateQuiz(ctx context.Context, tx *gorm.DB, fromLessonID, toLessonID, toCourseID int64) error {
	if tx == nil {
		tx = s.db.DB
	}
	st := s.st.tx(tx)
	src, err := st.quiz(ctx, fromLessonID)
	if err != nil {
		return err
	}
	slots, err := st.slots(ctx, fromLessonID)
	if err != nil {
		return err
	}
	qmap, cmap := map[int64]int64{}, map[int64]int64{}
	if toCourseID != src.CourseID {
		if qmap, cmap, err = s.copyBank(ctx, st, src.CourseID, toCourseID); err != nil {
			return err
		}
	}
	same := func(m map[int64]int64, id *int64) (*int64, bool) {
		if id == nil {
			return nil, true
		}
		if toCourseID == src.CourseID {
			return id, true
		}
		n, ok := m[*id]
		return &n, ok
	}
	q := *src
	q.LessonID, q.CourseID, q.CreatedAt, q.UpdatedAt = toLessonID, toCourseID, s.now(), s.now()
	if err := st.q(ctx).Create(&q).Error; err != nil {
		if database.IsUniqueViolation(err) {
			return fmt.Errorf("lesson %d already has a quiz: %w", toLessonID, apperr.ErrConflict)
		}
		return err
	}
	for _, sl := range slots {
		qid, ok1 := same(qmap, sl.QuestionID)
		cid, ok2 := same(cmap, sl.CategoryID)
		if !ok1 || !ok2 {
			// A slot whose question or category is gone from the bank (it cannot be, as
			// deleting them is refused while a quiz uses them): left out.
			continue
		}
		c := Slot{LessonID: toLessonID, Position: sl.Position, QuestionID: qid, CategoryID: cid, DrawCount: sl.DrawCount, CreatedAt: s.now()}
		if err := st.q(ctx).Create(&c).Error; err != nil {
			return err
		}
	}
	return nil
}

// questionKey is what makes two questions copies of each other.
func questionKey(q *Question, category string) string {
	return strings.Join([]string{q.Kind, q.Title, q.Prompt, formatNumber(q.Points), q.Body, q.GeneralFeedback, q.MediaKey, q.MediaType, category}, "\x00")
}

// copyBank makes course to's bank hold a copy of every category and live question of course
// from's bank, and returns the maps from source to copy. Categories are matched by path, and
// questions by content: what a former call copied is not copied again.
func (s *Service) copyBank(ctx context.Context, st store, from, to int64) (map[int64]int64, map[int64]int64, error) {
	srcCats, err := st.categories(ctx, from)
	if err != nil {
		return nil, nil, err
	}
	cmap, names := map[int64]int64{}, map[int64]string{}
	for _, c := range srcCats {
		d, err := st.ensureCategory(ctx, to, c.Name)
		if err != nil {
			return nil, nil, err
		}
		cmap[c.ID], names[c.ID] = d.ID, c.Name
	}
	srcQs, err := st.allQuestionsByID(ctx, from)
	if err != nil {
		return nil, nil, err
	}
	dstQs, err := st.allQuestionsByID(ctx, to)
	if err != nil {
		return nil, nil, err
	}
	dstNames := map[int64]string{}
	if cats, err := st.categories(ctx, to); err == nil {
		for _, c := range cats {
			dstNames[c.ID] = c.Name
		}
	} else {
		return nil, nil, err
	}
	name := func(m map[int64]string, id *int64) string {
		if id == nil {
			return ""
		}
		return m[*id]
	}
	existing := map[string][]int64{}
	for i := range dstQs {
		k := questionKey(&dstQs[i], name(dstNames, dstQs[i].CategoryID))
		existing[k] = append(existing[k], dstQs[i].ID)
	}
	var by int64
	if p := auth.FromContext(ctx); p != nil {
		by = p.UserID
	}
	qmap := map[int64]int64{}
	for i := range srcQs {
		q := srcQs[i]
		k := questionKey(&q, name(names, q.CategoryID))
		if ids := existing[k]; len(ids) > 0 {
			qmap[q.ID], existing[k] = ids[0], ids[1:]
			continue
		}
		old := q.ID
		q.ID, q.CourseID, q.Version, q.CreatedAt, q.UpdatedAt = 0, to, 1, s.now(), s.now()
		if q.CategoryID != nil {
			c := cmap[*q.CategoryID]
			q.CategoryID = &c
		}
		if by > 0 {
			q.CreatedBy = by
		}
		if err := st.q(ctx).Create(&q).Error; err != nil {
			return nil, nil, err
		}
		qmap[old] = q.ID
	}
	return qmap, cmap, nil
}
