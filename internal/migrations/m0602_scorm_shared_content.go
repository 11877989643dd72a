package migrations

import (
	"gorm.io/gorm"

	"glc/internal/database"
)

// m0602SCORMSharedContent lets packages share unpacked content and marks preview attempts:
//
//   - scorm_packages.content_uuid names the storage prefix (scorm/{content_uuid}/) holding the
//     package's files. A package imported from a zip has its own (its uuid); the copy of a
//     package lesson made by duplicating a course points at the original's, since content never
//     changes once imported. Files are deleted only when no package uses them any more.
//   - scorm_attempts.preview marks attempts by someone who was not enrolled as a learner when
//     they started (instructors and admins trying the lesson): they never reach lesson progress
//     and results leave them out unless asked. Existing attempts by people with no enrolment in
//     the lesson's course are marked.
//   - scorm_imports.settings keeps the lesson settings given with an upload (JSON) until its
//     background import makes the lesson.
func m0602SCORMSharedContent() database.Migration {
	type scormPackage struct {
		ContentUUID string `gorm:"size:36;not null;default:''"`
	}
	type scormAttempt struct {
		Preview bool `gorm:"not null;default:false"`
	}
	type scormImport struct {
		Settings string `gorm:"type:text;not null;default:''"`
	}
	return database.Migration{ID: "0602_scorm_shared_content", Up: func(tx *gorm.DB, _ database.Dialect) error {
		if err := tx.Table("scorm_packages").Migrator().AddColumn(&scormPackage{}, "ContentUUID"); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE scorm_packages SET content_uuid = uuid`).Error; err != nil {
			return err
		}
		if err := tx.Exec(`CREATE INDEX idx_scorm_packages_content_uuid ON scorm_packages (content_uuid)`).Error; err != nil {
			return err
		}
		if err := tx.Table("scorm_attempts").Migrator().AddColumn(&scormAttempt{}, "Preview"); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE scorm_attempts SET preview = ? WHERE NOT EXISTS (SELECT 1 FROM course_lessons l
			JOIN course_enrolments e ON e.course_id = l.course_id WHERE l.id = scorm_attempts.lesson_id AND e.user_id = scorm_attempts.user_id)`, true).Error; err != nil {
			return err
		}
		return tx.Table("scorm_imports").Migrator().AddColumn(&scormImport{}, "Settings")
	}}
}
