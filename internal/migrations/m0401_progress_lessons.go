package migrations

import (
	"gorm.io/gorm"

	"glc/internal/database"
)

// m0401ProgressLessons adds what progress needs on the course module's tables: a bookmark on
// each lesson record (where a SCORM or cmi5 package stopped, beside the video position) and an
// index on enrolment dates for the reports' date ranges.
func m0401ProgressLessons() database.Migration {
	return database.Migration{ID: "0401_progress_lessons", Up: func(tx *gorm.DB, _ database.Dialect) error {
		if err := tx.Exec(`ALTER TABLE lesson_progress ADD COLUMN bookmark TEXT NOT NULL DEFAULT ''`).Error; err != nil {
			return err
		}
		return tx.Exec(`CREATE INDEX idx_course_enrolments_enrolled_at ON course_enrolments (enrolled_at)`).Error
	}}
}
