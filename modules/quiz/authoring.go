package quiz

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
)

// QuizQuestion returns a question of the quiz's course bank (placed in the quiz or not) for a
// manager of the quiz, with its category's path. A question of another course is not found.
func (s *Service) QuizQuestion(ctx context.Context, lessonID, questionID int64) (*QuestionDetail, string, error) {
	_, q, err := s.manageLesson(ctx, lessonID)
	if err != nil {
		return nil, "", err
	}
	qu, err := s.st.question(ctx, questionID)
	if err != nil {
		return nil, "", err
	}
	if qu.CourseID != q.CourseID {
		return nil, "", fmt.Errorf("question %d: %w", questionID, apperr.ErrNotFound)
	}
	d, err := detail(qu)
	if err != nil {
		return nil, "", err
	}
	category := ""
	if qu.CategoryID != nil {
		if c, err := s.st.category(ctx, *qu.CategoryID); err == nil {
			category = c.Name
		}
	}
	return d, category, nil
}

// CategoryCount is a category of a course's bank with the number of its questions.
type CategoryCount struct {
	Category
	Questions int `json:"questions"`
}

// QuizCategories lists the categories of the quiz's course bank with their question counts
// (for random draws), for a manager of the quiz.
func (s *Service) QuizCategories(ctx context.Context, lessonID int64) ([]CategoryCount, error) {
	_, q, err := s.manageLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	cats, err := s.st.categories(ctx, q.CourseID)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		CategoryID int64
		N          int
	}
	err = s.st.q(ctx).Model(&Question{}).Select("category_id, COUNT(*) AS n").
		Where("course_id = ? AND deleted_at IS NULL AND category_id IS NOT NULL", q.CourseID).Group("category_id").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	n := map[int64]int{}
	for _, r := range rows {
		n[r.CategoryID] = r.N
	}
	out := make([]CategoryCount, len(cats))
	for i, c := range cats {
		out[i] = CategoryCount{Category: c, Questions: n[c.ID]}
	}
	return out, nil
}

// ImportToQuiz adds the questions of a JSON or GIFT bank file to the quiz's course bank and,
// when place is true, at the end of the quiz; all or nothing.
func (s *Service) ImportToQuiz(ctx context.Context, lessonID int64, format string, data []byte, place bool) (*ImportResult, error) {
	p, q, err := s.manageLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	into := int64(0)
	if place {
		into = lessonID
	}
	return s.importBank(ctx, p, q.CourseID, format, data, into)
}

// readBankFile reads the questions of a bank file, normalized; field errors name them
// "questions.<index from 0>.<field>" (JSON) or their line (GIFT).
func readBankFile(format string, data []byte) ([]QuestionInput, error) {
	var qs []QuestionInput
	switch format {
	case FormatGIFT:
		return checkGIFT(string(data), "questions")
	case FormatJSON:
		var bf BankFile
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&bf); err != nil {
			return nil, apperr.Invalid("body", "is not a GLC question bank: "+err.Error())
		}
		if bf.Format != bankFormat || bf.Version != 1 {
			return nil, apperr.Invalid("format", `must be "`+bankFormat+`" version 1`)
		}
		qs = bf.Questions
	default:
		return nil, apperr.Invalid("format", "must be json or gift")
	}
	if len(qs) == 0 || len(qs) > maxImport {
		return nil, apperr.Invalid("questions", fmt.Sprintf("need 1 to %d questions", maxImport))
	}
	f := apperr.Fields{}
	for i := range qs {
		qs[i].CategoryID = nil
		for k, v := range qs[i].Normalize(nil) {
			f.Add(fmt.Sprintf("questions.%d.%s", i, k), v)
		}
	}
	return qs, f.Err()
}

// importBank stores the questions of a bank file in a course's bank and, when lessonID is not
// 0, places them at the end of that quiz, in one transaction.
func (s *Service) importBank(ctx context.Context, p *auth.Principal, courseID int64, format string, data []byte, lessonID int64) (*ImportResult, error) {
	qs, err := readBankFile(format, data)
	if err != nil {
		return nil, err
	}
	before, err := s.st.categories(ctx, courseID)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		st := s.st.tx(tx)
		for i := range qs {
			q, err := s.insertQuestion(ctx, st, courseID, p.UserID, &qs[i])
			if err != nil {
				return err
			}
			res.IDs = append(res.IDs, q.ID)
			if lessonID > 0 {
				if err := st.addSlot(ctx, &Slot{LessonID: lessonID, QuestionID: &q.ID}); err != nil {
					return err
				}
			}
		}
		after, err := st.categories(ctx, courseID)
		res.Categories = len(after) - len(before)
		return err
	})
	if err != nil {
		return nil, err
	}
	res.Questions = len(res.IDs)
	return res, nil
}
