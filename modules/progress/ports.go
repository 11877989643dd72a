package progress

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Courses is what progress needs from the course module. Progress never imports it: the app
// wires an adapter over the course service, and the tests use a fake. Methods that take tx
// read inside the caller's transaction (tx may be nil: then outside any).
type Courses interface {
	// Outline returns a course's lessons (without deleted ones) in outline order, with the
	// texts in lang when the course has that variant. apperr.ErrNotFound when there is no
	// such course.
	Outline(ctx context.Context, tx *gorm.DB, courseID int64, lang string) (*Outline, error)
	// LessonCourse returns the id of a lesson's course (apperr.ErrNotFound when none).
	LessonCourse(ctx context.Context, tx *gorm.DB, lessonID int64) (int64, error)
	// Access says what the principal in ctx may do with a course: Learn (enrolled, active),
	// Manage (one of its instructors, or an admin). apperr.ErrNotFound when the course does
	// not exist or the principal may not know it exists.
	Access(ctx context.Context, courseID int64) (CourseAccess, error)
	// Enrolment returns the user's enrolment in the course, or nil.
	Enrolment(ctx context.Context, tx *gorm.DB, courseID, userID int64) (*Enrolment, error)
	// MarkCompleted records the completion date on the user's enrolment.
	MarkCompleted(ctx context.Context, tx *gorm.DB, courseID, userID int64, at time.Time) error
}

// Outline is a course as progress needs it.
type Outline struct {
	CourseID int64
	Title    string
	Language string
	Hours    float64
	Status   string
	Lessons  []LessonInfo
}

// LessonInfo is one lesson of an outline.
type LessonInfo struct {
	ID       int64
	Title    string
	Kind     string
	Required bool
	// Completion is the lesson's own rule: viewed, watched, passed, package_completed.
	Completion string
}

// CourseAccess is the principal's relation to a course.
type CourseAccess struct {
	CourseID int64
	Learn    bool
	Manage   bool
}

// Enrolment is a learner's enrolment as progress needs it.
type Enrolment struct {
	Active      bool
	EnrolledAt  time.Time
	DueAt       *time.Time
	CompletedAt *time.Time
}

// Accounts is what progress needs from the account module.
type Accounts interface {
	// GrantRole adds role to the user's roles (the principal in ctx is an admin).
	GrantRole(ctx context.Context, userID int64, role string) error
}
