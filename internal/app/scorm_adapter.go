package app

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/modules/course"
	"glc/modules/scorm"
)

// scormLessons is the course module as the SCORM module sees it (scorm.Lessons): a package is
// a course lesson of kind "package"; the course decides who may add, take and manage it, and
// keeps the learner's lesson record.
type scormLessons struct{ courses *course.Service }

var _ scorm.Lessons = scormLessons{}

// CheckSection implements scorm.Lessons: the caller edits the section's course.
func (a scormLessons) CheckSection(ctx context.Context, sectionID int64) error {
	return a.courses.CheckSectionEdit(ctx, sectionID)
}

// CreatePackageLesson implements scorm.Lessons. The lesson is complete when the package
// reports completion; its instructors can make passing the rule in the lesson editor.
func (a scormLessons) CreatePackageLesson(ctx context.Context, sectionID int64, title string) (int64, error) {
	return a.courses.AddPackageLesson(ctx, sectionID, title, course.CompletePackage)
}

// DeletePackageLesson implements scorm.Lessons.
func (a scormLessons) DeletePackageLesson(ctx context.Context, lessonID int64) error {
	return a.courses.RemovePackageLesson(ctx, lessonID)
}

// Access implements scorm.Lessons. The rule comes from the lesson's completion rule; the
// attempt limit and mastery score are the package's own settings (the SCORM module keeps
// them with the package).
func (a scormLessons) Access(ctx context.Context, lessonID int64) (scorm.LessonAccess, error) {
	r, err := a.courses.LessonRights(ctx, lessonID)
	if err != nil {
		return scorm.LessonAccess{}, err
	}
	if r.Kind != course.KindPackage {
		return scorm.LessonAccess{}, fmt.Errorf("lesson %d is not a package lesson: %w", lessonID, apperr.ErrNotFound)
	}
	rule := "completed"
	if r.Completion == course.CompletePassed {
		rule = "passed"
	}
	return scorm.LessonAccess{LessonID: r.LessonID, CourseID: r.CourseID, Title: r.Title, Learn: r.Learn, Manage: r.Manage,
		Settings: scorm.LessonSettings{Rule: rule}}, nil
}

// RecordResult implements scorm.Lessons. The attempt number makes it idempotent: a replayed
// commit reports the same attempt and changes nothing.
func (a scormLessons) RecordResult(ctx context.Context, userID, lessonID int64, r scorm.Result) error {
	var status string
	switch r.Status {
	case "passed":
		status = course.ProgressPassed
	case "failed":
		status = course.ProgressFailed
	case "completed":
		status = course.ProgressCompleted
	case "in_progress":
		status = course.ProgressInProgress
	default: // not_attempted: nothing to report yet
		return nil
	}
	score, maxScore := r.ScoreRaw, r.ScoreMax
	if score != nil && maxScore == nil {
		// Without a range a raw score is on SCORM's default 0-100 scale.
		hundred := 100.0
		maxScore = &hundred
	}
	_, err := a.courses.RecordPackageResult(ctx, userID, lessonID, course.PackageResult{Status: status, Score: score, MaxScore: maxScore,
		Attempt: r.Attempt, TimeSpent: r.TimeSpent, Source: "scorm"})
	return err
}

// packageKind plugs lessons of kind "package" into the course module: they are made by
// uploading a package (POST /api/v1/sections/{id}/packages, or the upload page linked from
// the course editor) and played by the SCORM player.
type packageKind struct{}

var (
	_ course.KindHandler = packageKind{}
	_ course.KindPage    = packageKind{}
)

// Create implements course.KindHandler: a package lesson cannot be typed in.
func (packageKind) Create(_ context.Context, _ *gorm.DB, l *course.Lesson, _ []byte) (*int64, error) {
	return nil, apperr.Invalid("kind", fmt.Sprintf("a package lesson is made by uploading its package: POST /api/v1/sections/%d/packages with the zip in the multipart part \"file\" (or the upload page /sections/%d/packages/new)", l.SectionID, l.SectionID))
}

// PlayerURL implements course.KindHandler.
func (packageKind) PlayerURL(l *course.Lesson) string { return fmt.Sprintf("/lessons/%d/play", l.ID) }

// NewLessonPage implements course.KindPage: the package upload page.
func (packageKind) NewLessonPage(sectionID int64) string {
	return fmt.Sprintf("/sections/%d/packages/new", sectionID)
}

// TakesLesson lets the cmi5 module waive an assignable unit for a learner who has not launched
// the lesson yet (xapi.LearnerChecker).
func (a scormLessons) TakesLesson(ctx context.Context, lessonID, userID int64) (bool, error) {
	return a.courses.TakesLesson(ctx, lessonID, userID)
}
