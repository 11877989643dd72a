package migrations

import (
	"time"

	"gorm.io/gorm"

	"glc/internal/database"
)

// m0600SCORM creates the SCORM packages, attempts, per-item run-time state, interactions and
// background imports.
func m0600SCORM() database.Migration {
	type scormPackage struct {
		ID        int64  `gorm:"primaryKey"`
		UUID      string `gorm:"size:36;not null;uniqueIndex:idx_scorm_packages_uuid"`
		LessonID  int64  `gorm:"not null;uniqueIndex:idx_scorm_packages_lesson_id"`
		Standard  string `gorm:"size:20;not null"`
		Edition   string `gorm:"size:10;not null;default:''"`
		Title     string `gorm:"size:300;not null"`
		Manifest  string `gorm:"type:text;not null"`
		Files     int    `gorm:"not null"`
		Bytes     int64  `gorm:"not null"`
		CreatedBy int64  `gorm:"not null"`
		CreatedAt time.Time
	}
	type scormAttempt struct {
		ID               int64 `gorm:"primaryKey"`
		PackageID        int64 `gorm:"not null;index:idx_scorm_attempts_package_id"`
		LessonID         int64 `gorm:"not null;uniqueIndex:idx_scorm_attempts_lesson_user_number,priority:1"`
		UserID           int64 `gorm:"not null;uniqueIndex:idx_scorm_attempts_lesson_user_number,priority:2;index:idx_scorm_attempts_user_id"`
		Number           int   `gorm:"not null;uniqueIndex:idx_scorm_attempts_lesson_user_number,priority:3"`
		MasteryScore     *float64
		CompletionStatus string `gorm:"size:20;not null"`
		SuccessStatus    string `gorm:"size:20;not null"`
		ScoreRaw         *float64
		ScoreMin         *float64
		ScoreMax         *float64
		ScoreScaled      *float64
		ScoreSource      string `gorm:"size:20;not null;default:''"`
		TotalCS          int64  `gorm:"column:total_cs;not null;default:0"`
		CompletedAt      *time.Time
		CreatedAt        time.Time
		UpdatedAt        time.Time
	}
	type scormItemState struct {
		ID               int64  `gorm:"primaryKey"`
		AttemptID        int64  `gorm:"not null;uniqueIndex:idx_scorm_item_states_attempt_item,priority:1"`
		Item             string `gorm:"size:200;not null;uniqueIndex:idx_scorm_item_states_attempt_item,priority:2"`
		CMI              string `gorm:"column:cmi;type:text;not null"`
		CompletionStatus string `gorm:"size:20;not null"`
		SuccessStatus    string `gorm:"size:20;not null"`
		ScoreRaw         *float64
		ScoreMin         *float64
		ScoreMax         *float64
		ScoreScaled      *float64
		ProgressMeasure  *float64
		Location         string `gorm:"size:1000;not null;default:''"`
		Exit             string `gorm:"size:20;not null;default:''"`
		Sessions         int    `gorm:"not null;default:0"`
		SessionNo        int    `gorm:"not null;default:0"`
		LastSeq          int64  `gorm:"not null;default:0"`
		SessionCS        int64  `gorm:"column:session_cs;not null;default:0"`
		PriorCS          int64  `gorm:"column:prior_cs;not null;default:0"`
		ReportedBy       int64  `gorm:"not null;default:0"`
		UpdatedAt        time.Time
		CreatedAt        time.Time
	}
	type scormInteraction struct {
		ID              int64  `gorm:"primaryKey"`
		AttemptID       int64  `gorm:"not null;uniqueIndex:idx_scorm_interactions_key,priority:1"`
		Item            string `gorm:"size:200;not null;uniqueIndex:idx_scorm_interactions_key,priority:2"`
		SessionNo       int    `gorm:"not null;uniqueIndex:idx_scorm_interactions_key,priority:3"`
		Idx             int    `gorm:"not null;uniqueIndex:idx_scorm_interactions_key,priority:4"`
		InteractionID   string `gorm:"size:300;not null;default:''"`
		Type            string `gorm:"size:30;not null;default:''"`
		Result          string `gorm:"size:50;not null;default:''"`
		LearnerResponse string `gorm:"type:text;not null"`
		Correct         string `gorm:"type:text;not null"`
		Weighting       string `gorm:"size:30;not null;default:''"`
		Latency         string `gorm:"size:30;not null;default:''"`
		Timestamp       string `gorm:"size:40;not null;default:''"`
		Description     string `gorm:"type:text;not null"`
		UpdatedAt       time.Time
	}
	type scormImport struct {
		ID        int64  `gorm:"primaryKey"`
		UUID      string `gorm:"size:36;not null;uniqueIndex:idx_scorm_imports_uuid"`
		SectionID int64  `gorm:"not null"`
		UserID    int64  `gorm:"not null;index:idx_scorm_imports_user_id"`
		Roles     string `gorm:"size:200;not null;default:''"`
		UploadKey string `gorm:"size:200;not null"`
		Size      int64  `gorm:"not null"`
		Status    string `gorm:"size:20;not null"`
		LessonID  *int64
		Result    string `gorm:"type:text;not null"`
		Error     string `gorm:"type:text;not null"`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	return database.Migration{ID: "0600_scorm", Up: func(tx *gorm.DB, _ database.Dialect) error {
		if err := tx.Table("scorm_packages").Migrator().CreateTable(&scormPackage{}); err != nil {
			return err
		}
		if err := tx.Table("scorm_attempts").Migrator().CreateTable(&scormAttempt{}); err != nil {
			return err
		}
		if err := tx.Table("scorm_item_states").Migrator().CreateTable(&scormItemState{}); err != nil {
			return err
		}
		if err := tx.Table("scorm_interactions").Migrator().CreateTable(&scormInteraction{}); err != nil {
			return err
		}
		return tx.Table("scorm_imports").Migrator().CreateTable(&scormImport{})
	}}
}
