package migrations

import (
	"time"

	"gorm.io/gorm"

	"glc/internal/database"
)

// m0400Progress creates the progress module's tables: course completion rules, per-course
// progress, certificates, the train-the-trainer track and report exports.
func m0400Progress() database.Migration {
	type courseCompletionRule struct {
		CourseID      int64  `gorm:"primaryKey;autoIncrement:false"`
		Kind          string `gorm:"size:20;not null"`
		LessonIDs     string `gorm:"type:text;not null;default:''"`
		FinalLessonID *int64
		UpdatedBy     int64 `gorm:"not null"`
		UpdatedAt     time.Time
	}
	type courseProgress struct {
		ID               int64  `gorm:"primaryKey"`
		UserID           int64  `gorm:"not null;uniqueIndex:idx_course_progress_user_course,priority:1"`
		CourseID         int64  `gorm:"not null;uniqueIndex:idx_course_progress_user_course,priority:2;index:idx_course_progress_course_completed,priority:1"`
		Status           string `gorm:"size:20;not null"`
		PercentComplete  int    `gorm:"not null;default:0"`
		LessonsDone      int    `gorm:"not null;default:0"`
		LessonsTotal     int    `gorm:"not null;default:0"`
		TimeSpentSeconds int64  `gorm:"not null;default:0"`
		ScorePercent     *float64
		GradedLessons    int `gorm:"not null;default:0"`
		PassedLessons    int `gorm:"not null;default:0"`
		FirstAccessAt    *time.Time
		LastAccessAt     *time.Time
		LastLessonID     *int64
		CompletedAt      *time.Time `gorm:"index:idx_course_progress_course_completed,priority:2;index:idx_course_progress_completed"`
		RuleSnapshot     string     `gorm:"type:text;not null;default:''"`
		CreatedAt        time.Time
		UpdatedAt        time.Time
	}
	type certificate struct {
		ID           int64     `gorm:"primaryKey"`
		Code         string    `gorm:"size:36;not null;uniqueIndex:idx_certificates_code"`
		UserID       int64     `gorm:"not null;uniqueIndex:idx_certificates_user_course,priority:1"`
		CourseID     int64     `gorm:"not null;uniqueIndex:idx_certificates_user_course,priority:2;index:idx_certificates_course"`
		LearnerName  string    `gorm:"size:200;not null"`
		CourseTitle  string    `gorm:"size:300;not null"`
		Language     string    `gorm:"size:5;not null"`
		Hours        float64   `gorm:"not null;default:0"`
		IssuedAt     time.Time `gorm:"not null;index:idx_certificates_issued_at"`
		RevokedAt    *time.Time
		RevokedBy    *int64
		RevokeReason string `gorm:"size:500;not null;default:''"`
		CreatedAt    time.Time
	}
	type trainerTrackCourse struct {
		CourseID  int64 `gorm:"primaryKey;autoIncrement:false"`
		AddedBy   int64 `gorm:"not null"`
		CreatedAt time.Time
	}
	type trainerPromotion struct {
		UserID      int64     `gorm:"primaryKey;autoIncrement:false"`
		ConfirmedBy int64     `gorm:"not null"`
		ConfirmedAt time.Time `gorm:"not null"`
	}
	type reportExport struct {
		ID         int64  `gorm:"primaryKey"`
		UUID       string `gorm:"size:36;not null;uniqueIndex:idx_report_exports_uuid"`
		UserID     int64  `gorm:"not null;index:idx_report_exports_user"`
		Report     string `gorm:"size:40;not null"`
		Format     string `gorm:"size:10;not null"`
		Params     string `gorm:"type:text;not null;default:''"`
		Status     string `gorm:"size:20;not null"`
		Done       int    `gorm:"not null;default:0"`
		Total      int    `gorm:"not null;default:0"`
		Key        string `gorm:"size:300;not null;default:''"`
		Error      string `gorm:"size:1000;not null;default:''"`
		CreatedAt  time.Time
		FinishedAt *time.Time
	}
	tables := []struct {
		name  string
		model any
	}{
		{"course_completion_rules", &courseCompletionRule{}}, {"course_progress", &courseProgress{}},
		{"certificates", &certificate{}}, {"trainer_track_courses", &trainerTrackCourse{}},
		{"trainer_promotions", &trainerPromotion{}}, {"report_exports", &reportExport{}},
	}
	return database.Migration{ID: "0400_progress", Up: func(tx *gorm.DB, _ database.Dialect) error {
		for _, t := range tables {
			if err := tx.Table(t.name).Migrator().CreateTable(t.model); err != nil {
				return err
			}
		}
		return nil
	}}
}
