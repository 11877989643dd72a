package migrations

import (
	"time"

	"gorm.io/gorm"

	"glc/internal/database"
)

// m0510Programmes creates training programmes, their linked courses, sessions and
// applications (the accepted applications of a session are its cohort).
func m0510Programmes() database.Migration {
	type programme struct {
		ID           int64  `gorm:"primaryKey"`
		Title        string `gorm:"size:300;not null"`
		Summary      string `gorm:"type:text;not null;default:''"`
		Description  string `gorm:"type:text;not null;default:''"`
		Region       string `gorm:"size:100;not null;default:''"`
		Focus        string `gorm:"size:200;not null;default:''"`
		DurationDays int    `gorm:"not null;default:0"`
		Languages    string `gorm:"size:50;not null;default:''"`
		Published    bool   `gorm:"not null;default:false;index:idx_programmes_published"`
		CreatedBy    int64  `gorm:"not null;default:0"`
		CreatedAt    time.Time
		UpdatedAt    time.Time
	}
	type programmeCourse struct {
		ProgrammeID int64 `gorm:"primaryKey;autoIncrement:false"`
		CourseID    int64 `gorm:"primaryKey;autoIncrement:false"`
		Position    int   `gorm:"not null;default:0"`
	}
	type programmeSession struct {
		ID          int64     `gorm:"primaryKey"`
		ProgrammeID int64     `gorm:"not null;index:idx_programme_sessions_programme"`
		StartsOn    time.Time `gorm:"not null;index:idx_programme_sessions_starts_on"`
		EndsOn      time.Time `gorm:"not null"`
		Place       string    `gorm:"size:200;not null;default:''"`
		Language    string    `gorm:"size:5;not null;default:''"`
		Seats       int       `gorm:"not null;default:0"`
		Status      string    `gorm:"size:12;not null"`
		CreatedAt   time.Time
		UpdatedAt   time.Time
	}
	type programmeApplication struct {
		ID         int64  `gorm:"primaryKey"`
		SessionID  int64  `gorm:"not null;uniqueIndex:idx_programme_applications_session_user,priority:1"`
		UserID     int64  `gorm:"not null;uniqueIndex:idx_programme_applications_session_user,priority:2;index:idx_programme_applications_user"`
		UserName   string `gorm:"size:200;not null;default:''"`
		Country    string `gorm:"size:2;not null;default:'';index:idx_programme_applications_country"`
		OrgID      int64  `gorm:"not null;default:0"`
		Motivation string `gorm:"type:text;not null;default:''"`
		Status     string `gorm:"size:12;not null;index:idx_programme_applications_status"`
		EndorsedBy *int64
		EndorsedAt *time.Time
		DecidedBy  *int64
		DecidedAt  *time.Time
		CreatedAt  time.Time
		UpdatedAt  time.Time
	}
	return database.Migration{ID: "0510_programmes", Up: func(tx *gorm.DB, _ database.Dialect) error {
		for _, t := range []struct {
			name string
			v    any
		}{{"programmes", &programme{}}, {"programme_courses", &programmeCourse{}}, {"programme_sessions", &programmeSession{}}, {"programme_applications", &programmeApplication{}}} {
			if err := tx.Table(t.name).Migrator().CreateTable(t.v); err != nil {
				return err
			}
		}
		return nil
	}}
}
