package progress

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/database"
)

// SQLCourses implements Courses by reading the course module's tables (courses,
// course_variants, course_sections, course_lessons, course_instructors, course_enrolments),
// the same tables the reports join. It is what the app wires; a course-service adapter can
// replace it without touching this package.
type SQLCourses struct {
	DB *database.DB
}

var _ Courses = SQLCourses{}

func (c SQLCourses) q(ctx context.Context, tx *gorm.DB) *gorm.DB {
	if tx != nil {
		return tx.WithContext(ctx)
	}
	return c.DB.WithContext(ctx)
}

type courseRow struct {
	ID              int64
	DefaultLanguage string
	EstimatedHours  float64
	Status          string
	OwnerID         int64
}

func (c SQLCourses) course(ctx context.Context, tx *gorm.DB, id int64) (*courseRow, error) {
	var r courseRow
	err := c.q(ctx, tx).Raw(`SELECT id, default_language, estimated_hours, status, owner_id FROM courses WHERE id = ? AND deleted_at IS NULL`, id).Scan(&r).Error
	if err != nil {
		return nil, err
	}
	if r.ID == 0 {
		return nil, fmt.Errorf("course %d: %w", id, apperr.ErrNotFound)
	}
	return &r, nil
}

// Outline implements Courses: the lessons in section and lesson order, texts in lang when the
// course has that variant, else in its default language.
func (c SQLCourses) Outline(ctx context.Context, tx *gorm.DB, courseID int64, lang string) (*Outline, error) {
	cr, err := c.course(ctx, tx, courseID)
	if err != nil {
		return nil, err
	}
	var langs []string
	if err := c.q(ctx, tx).Raw(`SELECT language FROM course_variants WHERE course_id = ?`, courseID).Scan(&langs).Error; err != nil {
		return nil, err
	}
	use := cr.DefaultLanguage
	for _, l := range langs {
		if l == lang {
			use = lang
		}
	}
	o := &Outline{CourseID: courseID, Language: use, Hours: cr.EstimatedHours, Status: cr.Status}
	if err := c.q(ctx, tx).Raw(`SELECT title FROM course_variants WHERE course_id = ? AND language = ?`, courseID, use).Scan(&o.Title).Error; err != nil {
		return nil, err
	}
	type row struct {
		ID         int64
		Kind       string
		Required   bool
		Completion string
		Title      string
	}
	var rows []row
	err = c.q(ctx, tx).Raw(`SELECT l.id, l.kind, l.required, l.completion,
  COALESCE(ct.title, cd.title, '') AS title
FROM course_lessons l
JOIN course_sections s ON s.id = l.section_id
LEFT JOIN course_lesson_contents ct ON ct.lesson_id = l.id AND ct.language = ?
LEFT JOIN course_lesson_contents cd ON cd.lesson_id = l.id AND cd.language = ?
WHERE l.course_id = ? AND l.deleted_at IS NULL AND s.deleted_at IS NULL
ORDER BY s.position, l.position, l.id`, use, cr.DefaultLanguage, courseID).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		o.Lessons = append(o.Lessons, LessonInfo{ID: r.ID, Kind: r.Kind, Required: r.Required, Completion: r.Completion, Title: r.Title})
	}
	return o, nil
}

// LessonCourse implements Courses.
func (c SQLCourses) LessonCourse(ctx context.Context, tx *gorm.DB, lessonID int64) (int64, error) {
	var id int64
	err := c.q(ctx, tx).Raw(`SELECT course_id FROM course_lessons WHERE id = ? AND deleted_at IS NULL`, lessonID).Scan(&id).Error
	if err == nil && id == 0 {
		err = fmt.Errorf("lesson %d: %w", lessonID, apperr.ErrNotFound)
	}
	return id, err
}

// Access implements Courses: editors (owner, co-instructors, admins) manage; learners with an
// active enrolment in a published or archived course learn. A draft course is unknown to
// anyone but its editors.
func (c SQLCourses) Access(ctx context.Context, courseID int64) (CourseAccess, error) {
	p := auth.FromContext(ctx)
	cr, err := c.course(ctx, nil, courseID)
	if err != nil {
		return CourseAccess{}, err
	}
	a := CourseAccess{CourseID: courseID}
	if p == nil {
		if cr.Status == "draft" {
			return a, fmt.Errorf("course %d: %w", courseID, apperr.ErrNotFound)
		}
		return a, nil
	}
	a.Manage = p.IsAdmin() || cr.OwnerID == p.UserID
	if !a.Manage {
		var n int64
		if err := c.DB.WithContext(ctx).Raw(`SELECT COUNT(*) FROM course_instructors WHERE course_id = ? AND user_id = ?`, courseID, p.UserID).Scan(&n).Error; err != nil {
			return a, err
		}
		a.Manage = n > 0
	}
	if cr.Status == "draft" && !a.Manage {
		return a, fmt.Errorf("course %d: %w", courseID, apperr.ErrNotFound)
	}
	e, err := c.Enrolment(ctx, nil, courseID, p.UserID)
	if err != nil {
		return a, err
	}
	a.Learn = e != nil && e.Active && cr.Status != "draft"
	return a, nil
}

// Enrolment implements Courses.
func (c SQLCourses) Enrolment(ctx context.Context, tx *gorm.DB, courseID, userID int64) (*Enrolment, error) {
	var r struct {
		Status      string
		EnrolledAt  time.Time
		DueAt       *time.Time
		CompletedAt *time.Time
	}
	res := c.q(ctx, tx).Raw(`SELECT status, enrolled_at, due_at, completed_at FROM course_enrolments WHERE course_id = ? AND user_id = ?`, courseID, userID).Scan(&r)
	if errors.Is(res.Error, gorm.ErrRecordNotFound) || (res.Error == nil && res.RowsAffected == 0) {
		return nil, nil
	}
	if res.Error != nil {
		return nil, res.Error
	}
	return &Enrolment{Active: r.Status == "active", EnrolledAt: r.EnrolledAt, DueAt: r.DueAt, CompletedAt: r.CompletedAt}, nil
}

// MarkCompleted implements Courses.
func (c SQLCourses) MarkCompleted(ctx context.Context, tx *gorm.DB, courseID, userID int64, at time.Time) error {
	return c.q(ctx, tx).Exec(`UPDATE course_enrolments SET completed_at = ?, updated_at = ? WHERE course_id = ? AND user_id = ? AND completed_at IS NULL`,
		at, time.Now().UTC(), courseID, userID).Error
}
