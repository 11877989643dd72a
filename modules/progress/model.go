// Package progress follows learners through their courses: per-lesson records (written with the
// event that causes them, in the caller's transaction), per-course progress and completion by
// the course's rule, certificates with public verification, train-the-trainer eligibility, and
// the dashboards and reports built on them.
package progress

import (
	"strconv"
	"strings"
	"time"
)

// Lesson statuses (the lesson_progress table is created by the course module; this module
// writes it through RecordLessonResult).
const (
	StatusNotStarted = "not_started"
	StatusInProgress = "in_progress"
	StatusCompleted  = "completed"
	StatusPassed     = "passed"
	StatusFailed     = "failed"
)

// LessonStatuses lists every lesson status.
var LessonStatuses = []string{StatusNotStarted, StatusInProgress, StatusCompleted, StatusPassed, StatusFailed}

// Completion rules of a course.
const (
	// RuleAllRequired: every required lesson is done (the default).
	RuleAllRequired = "all_required"
	// RuleSelected: every lesson of a chosen set is done.
	RuleSelected = "selected"
	// RuleFinalQuiz: the final quiz (a lesson of kind quiz) is passed.
	RuleFinalQuiz = "final_quiz"
)

// Rules lists the completion rules.
var Rules = []string{RuleAllRequired, RuleSelected, RuleFinalQuiz}

// LessonProgress is one learner's record for one lesson. The table belongs to the course
// module (its minimal record); progress adds the bookmark column (migration 0401) and writes
// the rest through RecordLessonResult.
type LessonProgress struct {
	ID               int64 `gorm:"primaryKey"`
	UserID           int64
	LessonID         int64
	CourseID         int64
	Status           string
	FirstAccessAt    *time.Time
	LastAccessAt     *time.Time
	PositionSeconds  float64
	WatchedPercent   int
	TimeSpentSeconds int64
	Score            *float64
	MaxScore         *float64
	Attempts         int
	Source           string
	Bookmark         string
	CompletedAt      *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// TableName implements gorm's Tabler.
func (LessonProgress) TableName() string { return "lesson_progress" }

// CompletionRule is how a course is completed. A course without a row uses RuleAllRequired.
type CompletionRule struct {
	CourseID      int64 `gorm:"primaryKey;autoIncrement:false"`
	Kind          string
	LessonIDs     string // RuleSelected: space-separated lesson ids
	FinalLessonID *int64 // RuleFinalQuiz
	UpdatedBy     int64
	UpdatedAt     time.Time
}

// TableName implements gorm's Tabler.
func (CompletionRule) TableName() string { return "course_completion_rules" }

// Lessons returns the chosen lesson ids.
func (r CompletionRule) Lessons() []int64 { return splitIDs(r.LessonIDs) }

// CourseProgress is one learner's standing in one course, recomputed from their lesson records
// whenever one changes. Once CompletedAt is set it stays: RuleSnapshot records the rule and
// the lessons that counted at completion.
type CourseProgress struct {
	ID               int64 `gorm:"primaryKey"`
	UserID           int64
	CourseID         int64
	Status           string // not_started, in_progress, completed
	PercentComplete  int
	LessonsDone      int
	LessonsTotal     int
	TimeSpentSeconds int64
	ScorePercent     *float64
	GradedLessons    int
	PassedLessons    int
	FirstAccessAt    *time.Time
	LastAccessAt     *time.Time
	LastLessonID     *int64
	CompletedAt      *time.Time
	RuleSnapshot     string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// TableName implements gorm's Tabler.
func (CourseProgress) TableName() string { return "course_progress" }

// Certificate is issued once per learner and course on completion. The name and title are
// kept as they were at issue, so the document and its verification never change.
type Certificate struct {
	ID           int64 `gorm:"primaryKey"`
	Code         string
	UserID       int64
	CourseID     int64
	LearnerName  string
	CourseTitle  string
	Language     string
	Hours        float64
	IssuedAt     time.Time
	RevokedAt    *time.Time
	RevokedBy    *int64
	RevokeReason string
	CreatedAt    time.Time
}

// TableName implements gorm's Tabler.
func (Certificate) TableName() string { return "certificates" }

// Revoked reports whether the certificate was revoked.
func (c *Certificate) Revoked() bool { return c.RevokedAt != nil }

// TrainerCourse is one course of the train-the-trainer track: completing every course of the
// track makes a learner eligible for the instructor role.
type TrainerCourse struct {
	CourseID  int64 `gorm:"primaryKey;autoIncrement:false"`
	AddedBy   int64
	CreatedAt time.Time
}

// TableName implements gorm's Tabler.
func (TrainerCourse) TableName() string { return "trainer_track_courses" }

// TrainerPromotion records an admin's confirmation that an eligible learner becomes an
// instructor.
type TrainerPromotion struct {
	UserID      int64 `gorm:"primaryKey;autoIncrement:false"`
	ConfirmedBy int64
	ConfirmedAt time.Time
}

// TableName implements gorm's Tabler.
func (TrainerPromotion) TableName() string { return "trainer_promotions" }

// Export statuses.
const (
	ExportQueued  = "queued"
	ExportRunning = "running"
	ExportDone    = "done"
	ExportFailed  = "failed"
)

// Export is a report export file made in the background.
type Export struct {
	ID         int64 `gorm:"primaryKey"`
	UUID       string
	UserID     int64
	Report     string
	Format     string
	Params     string // JSON of the report filter
	Status     string
	Done       int
	Total      int
	Key        string
	Error      string
	CreatedAt  time.Time
	FinishedAt *time.Time
}

// TableName implements gorm's Tabler.
func (Export) TableName() string { return "report_exports" }

func splitIDs(s string) []int64 {
	var out []int64
	for _, f := range strings.Fields(s) {
		if n, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, " ")
}
