package quiz

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Courses is everything the quiz module needs from the course module. The quiz module never
// imports it: the app wires the course module's implementation (an adapter in internal/app),
// and the tests use a small fake.
type Courses interface {
	// Lesson says what the principal in ctx may do with a lesson of kind "quiz": take it
	// (enrolled in the published course), review it (enrolled in the archived course) and/or
	// manage it (one of the course's instructors, or an admin). It returns apperr.ErrNotFound when there is no such lesson or when the
	// principal may not know it exists (a draft course's lesson, for a learner).
	Lesson(ctx context.Context, lessonID int64) (LessonAccess, error)
	// Course says whether the principal in ctx manages the course (its question bank).
	// apperr.ErrNotFound when there is no such course.
	Course(ctx context.Context, courseID int64) (CourseAccess, error)
	// RecordResult writes a learner's quiz result into their lesson progress. tx is the quiz
	// module's open transaction: write with it so the progress changes with the grade.
	// It is called without a principal in ctx (for example by the deadline closer).
	RecordResult(ctx context.Context, tx *gorm.DB, userID, lessonID int64, r Result) error
}

// LessonAccess is the principal's relation to a quiz lesson.
type LessonAccess struct {
	LessonID  int64
	CourseID  int64
	Title     string
	CanTake   bool // enrolled in the published course
	CanManage bool // instructor of the course, or admin
	// CanReview: may see the quiz and look back at their own attempts (within the review
	// policy) without starting new ones: enrolled in the course when it was archived. CanTake
	// implies it.
	CanReview bool
	// Archived: the course is archived (it takes no new attempts).
	Archived bool
	// CourseTitle and CourseURL, when set, let the quiz's pages link back to the course.
	CourseTitle string
	CourseURL   string
	// Language is the language of Title and CourseTitle ("" when unknown).
	Language string
}

// CourseAccess is the principal's relation to a course.
type CourseAccess struct {
	CourseID  int64
	CanManage bool
}

// Result is a learner's grade on a quiz lesson, computed from their finished attempts by the
// quiz's grading method (highest, last, first, average).
type Result struct {
	Score    float64 `json:"score"`
	MaxScore float64 `json:"max_score"`
	Percent  float64 `json:"percent"`
	// Passed is nil while the attempt that counts waits for manual grading.
	Passed     *bool     `json:"passed"`
	Attempts   int       `json:"attempts"`
	FinishedAt time.Time `json:"finished_at"`
}

// Status is the lesson progress status the result maps to: "passed", "failed", or
// "completed" (finished, grade pending).
func (r Result) Status() string {
	switch {
	case r.Passed == nil:
		return "completed"
	case *r.Passed:
		return "passed"
	default:
		return "failed"
	}
}
