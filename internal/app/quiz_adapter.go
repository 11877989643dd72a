package app

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/modules/course"
	"glc/modules/quiz"
)

// quizCourses is the course module as the quiz module sees it (quiz.Courses).
type quizCourses struct{ svc *course.Service }

var _ quiz.Courses = quizCourses{}

// Lesson implements quiz.Courses: only lessons of kind quiz are quizzes.
func (q quizCourses) Lesson(ctx context.Context, lessonID int64) (quiz.LessonAccess, error) {
	k, err := q.svc.KindLesson(ctx, lessonID)
	if err != nil {
		return quiz.LessonAccess{}, err
	}
	if k.Kind != course.KindQuiz {
		return quiz.LessonAccess{}, fmt.Errorf("quiz %d: %w", lessonID, apperr.ErrNotFound)
	}
	return quiz.LessonAccess{LessonID: k.LessonID, CourseID: k.CourseID, Title: k.Title, CanTake: k.CanTake, CanManage: k.CanManage,
		CanReview: k.CanReview, Archived: k.Archived,
		CourseTitle: k.CourseTitle, CourseURL: fmt.Sprintf("/courses/%d", k.CourseID), Language: k.Language}, nil
}

// Course implements quiz.Courses.
func (q quizCourses) Course(ctx context.Context, courseID int64) (quiz.CourseAccess, error) {
	ok, err := q.svc.CanManageCourse(ctx, courseID)
	if err != nil {
		return quiz.CourseAccess{}, err
	}
	return quiz.CourseAccess{CourseID: courseID, CanManage: ok}, nil
}

// RecordResult implements quiz.Courses: the grade goes into the lesson progress in the quiz's
// transaction (and from there, through the progress listener, into the course progress and
// certificate).
//
// A lesson deleted meanwhile keeps no progress: the attempt is still closed and graded (its
// deadline job or the sweep would otherwise fail on it again and again).
func (q quizCourses) RecordResult(ctx context.Context, tx *gorm.DB, userID, lessonID int64, r quiz.Result) error {
	score, maxScore := r.Score, r.MaxScore
	_, err := q.svc.RecordLessonResultTx(ctx, tx, userID, lessonID, course.Result{Status: r.Status(), Score: &score, MaxScore: &maxScore,
		Source: "quiz", Attempts: r.Attempts})
	if errors.Is(err, apperr.ErrNotFound) {
		return nil
	}
	return err
}

// quizKind plugs lessons of kind quiz into the course module: creating one creates its quiz
// (settings from the lesson request's "quiz" object), addressed by the lesson's id.
type quizKind struct{ svc *quiz.Service }

var _ course.KindHandler = quizKind{}

// Create implements course.KindHandler.
func (k quizKind) Create(ctx context.Context, tx *gorm.DB, l *course.Lesson, settings []byte) (*int64, error) {
	return nil, k.svc.CreateQuizJSON(ctx, tx, l.ID, l.CourseID, settings)
}

// PlayerURL implements course.KindHandler: the quiz's page.
func (k quizKind) PlayerURL(l *course.Lesson) string { return fmt.Sprintf("/quizzes/%d", l.ID) }

// Duplicate copies the quiz of a lesson whose course is duplicated (settings, fixed questions
// and random draws; the course's question bank once per course), in the course module's
// transaction. It has the signature of the course module's optional KindDuplicator hook:
// once the course module calls that hook, duplicated courses keep their quizzes.
func (k quizKind) Duplicate(ctx context.Context, tx *gorm.DB, from, to *course.Lesson) (*int64, error) {
	return nil, k.svc.DuplicateQuiz(ctx, tx, from.ID, to.ID, to.CourseID)
}
