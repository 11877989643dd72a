package progress_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"glc/internal/database"
	"glc/modules/progress"
)

// courseSchema creates the course module's tables that progress reads, when the course module's
// migrations have not created them (this branch predates its merge); with them it does nothing.
func courseSchema(t testing.TB, db *database.DB) {
	t.Helper()
	if db.Migrator().HasTable("course_enrolments") {
		if !db.Migrator().HasColumn(&progress.LessonProgress{}, "bookmark") {
			t.Fatal("lesson_progress lacks the bookmark column (migration 0401)")
		}
		return
	}
	type course struct {
		ID              int64   `gorm:"primaryKey"`
		UUID            string  `gorm:"size:36;not null"`
		Slug            string  `gorm:"size:120;not null"`
		DefaultLanguage string  `gorm:"size:2;not null"`
		EstimatedHours  float64 `gorm:"not null;default:0"`
		Status          string  `gorm:"size:20;not null"`
		OwnerID         int64   `gorm:"not null"`
		DeletedAt       *time.Time
		CreatedAt       time.Time
		UpdatedAt       time.Time
	}
	type courseVariant struct {
		ID        int64  `gorm:"primaryKey"`
		CourseID  int64  `gorm:"not null"`
		Language  string `gorm:"size:2;not null"`
		Title     string `gorm:"size:200;not null"`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	type courseInstructor struct {
		CourseID int64  `gorm:"primaryKey;autoIncrement:false"`
		UserID   int64  `gorm:"primaryKey;autoIncrement:false"`
		Role     string `gorm:"size:20;not null;default:'instructor'"`
	}
	type courseSection struct {
		ID        int64 `gorm:"primaryKey"`
		CourseID  int64 `gorm:"not null"`
		Position  int   `gorm:"not null"`
		DeletedAt *time.Time
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	type courseLesson struct {
		ID         int64  `gorm:"primaryKey"`
		CourseID   int64  `gorm:"not null"`
		SectionID  int64  `gorm:"not null"`
		Position   int    `gorm:"not null"`
		Kind       string `gorm:"size:20;not null"`
		Completion string `gorm:"size:20;not null"`
		Required   bool   `gorm:"not null;default:true"`
		DeletedAt  *time.Time
		CreatedAt  time.Time
		UpdatedAt  time.Time
	}
	type courseLessonContent struct {
		ID        int64  `gorm:"primaryKey"`
		LessonID  int64  `gorm:"not null"`
		Language  string `gorm:"size:2;not null"`
		Title     string `gorm:"size:200;not null"`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	type courseEnrolment struct {
		ID           int64  `gorm:"primaryKey"`
		CourseID     int64  `gorm:"not null;uniqueIndex:idx_fx_enrol,priority:1"`
		UserID       int64  `gorm:"not null;uniqueIndex:idx_fx_enrol,priority:2;index:idx_fx_enrol_user"`
		Status       string `gorm:"size:20;not null"`
		Source       string `gorm:"size:20;not null"`
		DueAt        *time.Time
		EnrolledAt   time.Time `gorm:"not null"`
		CompletedAt  *time.Time
		LastLessonID *int64
		LastAccessAt *time.Time
		UpdatedAt    time.Time
	}
	type lessonProgress struct {
		ID               int64  `gorm:"primaryKey"`
		UserID           int64  `gorm:"not null;uniqueIndex:idx_fx_lp,priority:1"`
		LessonID         int64  `gorm:"not null;uniqueIndex:idx_fx_lp,priority:2"`
		CourseID         int64  `gorm:"not null"`
		Status           string `gorm:"size:20;not null"`
		FirstAccessAt    *time.Time
		LastAccessAt     *time.Time
		PositionSeconds  float64 `gorm:"not null;default:0"`
		WatchedPercent   int     `gorm:"not null;default:0"`
		TimeSpentSeconds int64   `gorm:"not null;default:0"`
		Score            *float64
		MaxScore         *float64
		Attempts         int    `gorm:"not null;default:0"`
		Source           string `gorm:"size:20;not null;default:''"`
		Bookmark         string `gorm:"type:text;not null;default:''"`
		CompletedAt      *time.Time
		CreatedAt        time.Time
		UpdatedAt        time.Time
	}
	for name, m := range map[string]any{"courses": &course{}, "course_variants": &courseVariant{}, "course_instructors": &courseInstructor{},
		"course_sections": &courseSection{}, "course_lessons": &courseLesson{}, "course_lesson_contents": &courseLessonContent{},
		"course_enrolments": &courseEnrolment{}, "lesson_progress": &lessonProgress{}} {
		if err := db.Table(name).Migrator().CreateTable(m); err != nil {
			t.Fatal(err)
		}
	}
}

var courseSeq atomic.Int64

// lessonSpec describes a lesson to create.
type lessonSpec struct {
	kind, completion string
	required         bool
}

var (
	textLesson     = lessonSpec{"text", "viewed", true}
	optionalLesson = lessonSpec{"text", "viewed", false}
	quizLesson     = lessonSpec{"quiz", "passed", true}
)

// newCourse creates a published course with one section of lessons, through SQL on the course
// module's tables, and returns its id and its lessons' ids.
func newCourse(t testing.TB, db *gorm.DB, owner int64, title string, hours float64, lessons ...lessonSpec) (int64, []int64) {
	t.Helper()
	n := courseSeq.Add(1)
	now := time.Now().UTC()
	sqlExec(t, db, `INSERT INTO courses (uuid, slug, default_language, estimated_hours, status, owner_id, created_at, updated_at) VALUES (?, ?, 'en', ?, 'published', ?, ?, ?)`,
		fmt.Sprintf("00000000-0000-4000-8000-%012d", n), fmt.Sprintf("course-%d-%d", n, now.UnixNano()), hours, owner, now, now)
	var id int64
	if err := db.Raw(`SELECT id FROM courses WHERE slug LIKE ?`, fmt.Sprintf("course-%d-%%", n)).Scan(&id).Error; err != nil || id == 0 {
		t.Fatalf("course id: %v", err)
	}
	sqlExec(t, db, `INSERT INTO course_variants (course_id, language, title, created_at, updated_at) VALUES (?, 'en', ?, ?, ?)`, id, title, now, now)
	sqlExec(t, db, `INSERT INTO course_sections (course_id, position, created_at, updated_at) VALUES (?, 1, ?, ?)`, id, now, now)
	var ids []int64
	for _, l := range lessons {
		ids = append(ids, addLesson(t, db, id, l))
	}
	return id, ids
}

// addLesson appends a lesson to the course's first section.
func addLesson(t testing.TB, db *gorm.DB, courseID int64, l lessonSpec) int64 {
	t.Helper()
	var sec, pos int64
	db.Raw(`SELECT id FROM course_sections WHERE course_id = ? ORDER BY position LIMIT 1`, courseID).Scan(&sec)
	db.Raw(`SELECT COALESCE(MAX(position), 0) FROM course_lessons WHERE section_id = ?`, sec).Scan(&pos)
	now := time.Now().UTC()
	sqlExec(t, db, `INSERT INTO course_lessons (course_id, section_id, position, kind, completion, required, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		courseID, sec, pos+1, l.kind, l.completion, l.required, now, now)
	var id int64
	db.Raw(`SELECT id FROM course_lessons WHERE section_id = ? AND position = ?`, sec, pos+1).Scan(&id)
	sqlExec(t, db, `INSERT INTO course_lesson_contents (lesson_id, language, title, created_at, updated_at) VALUES (?, 'en', ?, ?, ?)`, id, fmt.Sprintf("Lesson %d", pos+1), now, now)
	return id
}

func enrol(t testing.TB, db *gorm.DB, courseID, userID int64, due *time.Time) {
	t.Helper()
	now := time.Now().UTC()
	sqlExec(t, db, `INSERT INTO course_enrolments (course_id, user_id, status, source, due_at, enrolled_at, updated_at) VALUES (?, ?, 'active', 'self', ?, ?, ?)`,
		courseID, userID, due, now, now)
}

func sqlExec(t testing.TB, db *gorm.DB, q string, args ...any) {
	t.Helper()
	if err := db.Exec(q, args...).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// record reports a lesson result the way quizzes and packages do, in a transaction.
func record(t testing.TB, svc *progress.Service, db *database.DB, userID, lessonID int64, status string) {
	t.Helper()
	err := db.Tx(context.Background(), func(tx *gorm.DB) error {
		_, err := svc.RecordLessonResult(context.Background(), tx, userID, lessonID, progress.Result{Status: status, TimeSpentSeconds: 120, Source: "test"})
		return err
	})
	if err != nil {
		t.Fatalf("record %s for lesson %d: %v", status, lessonID, err)
	}
}
