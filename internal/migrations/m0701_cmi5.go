package migrations

import (
	"time"

	"gorm.io/gorm"

	"glc/internal/database"
)

// m0701CMI5 creates the cmi5 tables: imported course structures (one per package lesson),
// registrations (one per actor and course), AU launch sessions with their one-time fetch and
// auth tokens (hashed), and what each registration achieved in each AU.
func m0701CMI5() database.Migration {
	type course struct {
		ID          int64  `gorm:"primaryKey"`
		UUID        string `gorm:"size:36;not null;uniqueIndex:idx_cmi5_courses_uuid"`
		LessonID    int64  `gorm:"not null;uniqueIndex:idx_cmi5_courses_lesson_id"`
		PublisherID string `gorm:"size:1000;not null"`
		Title       string `gorm:"size:300;not null"`
		Structure   string `gorm:"type:text;not null"`
		Files       int    `gorm:"not null"`
		Bytes       int64  `gorm:"not null"`
		CreatedBy   int64  `gorm:"not null"`
		CreatedAt   time.Time
	}
	type registration struct {
		ID              int64  `gorm:"primaryKey"`
		UUID            string `gorm:"size:36;not null;uniqueIndex:idx_cmi5_registrations_uuid"`
		CourseID        int64  `gorm:"not null;uniqueIndex:idx_cmi5_registrations_course_actor,priority:1"`
		LessonID        int64  `gorm:"not null"`
		UserID          int64  `gorm:"not null;default:0;index:idx_cmi5_registrations_user_id"`
		Actor           string `gorm:"type:text;not null"`
		ActorIFI        string `gorm:"column:actor_ifi;size:1000;not null;uniqueIndex:idx_cmi5_registrations_course_actor,priority:2"`
		Satisfied       bool   `gorm:"not null;default:false"`
		SatisfiedBlocks string `gorm:"type:text;not null"`
		Reported        string `gorm:"size:20;not null;default:''"`
		CreatedAt       time.Time
		UpdatedAt       time.Time
	}
	type session struct {
		ID             int64  `gorm:"primaryKey"`
		SessionID      string `gorm:"size:36;not null;uniqueIndex:idx_cmi5_sessions_session_id"`
		RegistrationID int64  `gorm:"not null;index:idx_cmi5_sessions_registration_id"`
		AU             int    `gorm:"column:au;not null"`
		LaunchMode     string `gorm:"size:10;not null"`
		MoveOn         string `gorm:"size:30;not null"`
		MasteryScore   *float64
		FetchHash      string `gorm:"size:64;not null;uniqueIndex:idx_cmi5_sessions_fetch_hash"`
		AuthHash       string `gorm:"size:64;not null;default:''"`
		State          string `gorm:"size:20;not null;index:idx_cmi5_sessions_state_last,priority:1"`
		Verbs          string `gorm:"size:200;not null;default:''"`
		LaunchedAt     time.Time
		FetchedAt      *time.Time
		InitializedAt  *time.Time
		LastAt         time.Time `gorm:"not null;index:idx_cmi5_sessions_state_last,priority:2"`
		EndedAt        *time.Time
	}
	type auState struct {
		ID             int64  `gorm:"primaryKey"`
		RegistrationID int64  `gorm:"not null;uniqueIndex:idx_cmi5_au_states_registration_au,priority:1"`
		AU             int    `gorm:"column:au;not null;uniqueIndex:idx_cmi5_au_states_registration_au,priority:2"`
		Completed      bool   `gorm:"not null;default:false"`
		Passed         bool   `gorm:"not null;default:false"`
		Failed         bool   `gorm:"not null;default:false"`
		Waived         bool   `gorm:"not null;default:false"`
		WaiveReason    string `gorm:"size:100;not null;default:''"`
		Satisfied      bool   `gorm:"not null;default:false"`
		ScoreScaled    *float64
		ScoreRaw       *float64
		ScoreMin       *float64
		ScoreMax       *float64
		DurationMS     int64 `gorm:"column:duration_ms;not null;default:0"`
		Sessions       int   `gorm:"not null;default:0"`
		UpdatedAt      time.Time
	}
	return database.Migration{ID: "0701_cmi5", Up: func(tx *gorm.DB, d database.Dialect) error {
		steps := []struct {
			table string
			model any
		}{
			{"cmi5_courses", &course{}}, {"cmi5_registrations", &registration{}},
			{"cmi5_sessions", &session{}}, {"cmi5_au_states", &auState{}},
		}
		for _, s := range steps {
			if err := tx.Table(s.table).Migrator().CreateTable(s.model); err != nil {
				return err
			}
		}
		return nil
	}}
}
