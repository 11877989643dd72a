package migrations

import (
	"time"

	"gorm.io/gorm"

	"glc/internal/database"
)

// m0300Quiz creates question banks (categories, questions), quiz settings and slots, attempts
// with their items and answers, the grade audit log and per-learner extensions.
func m0300Quiz() database.Migration {
	type quizCategory struct {
		ID        int64  `gorm:"primaryKey"`
		CourseID  int64  `gorm:"not null;uniqueIndex:idx_quiz_categories_course_name,priority:1"`
		Name      string `gorm:"size:255;not null;uniqueIndex:idx_quiz_categories_course_name,priority:2"`
		CreatedAt time.Time
	}
	type quizQuestion struct {
		ID              int64  `gorm:"primaryKey"`
		CourseID        int64  `gorm:"not null;index:idx_quiz_questions_course,priority:1"`
		CategoryID      *int64 `gorm:"index:idx_quiz_questions_category"`
		Kind            string `gorm:"size:20;not null"`
		Title           string `gorm:"size:255;not null;default:''"`
		Prompt          string `gorm:"type:text;not null"`
		Points          float64
		Body            string `gorm:"type:text;not null"`
		GeneralFeedback string `gorm:"type:text;not null;default:''"`
		MediaKey        string `gorm:"size:300;not null;default:''"`
		MediaType       string `gorm:"size:100;not null;default:''"`
		Version         int    `gorm:"not null;default:1"`
		CreatedBy       int64  `gorm:"not null"`
		CreatedAt       time.Time
		UpdatedAt       time.Time
		DeletedAt       *time.Time `gorm:"index:idx_quiz_questions_course,priority:2"`
	}
	type quizQuiz struct {
		LessonID         int64 `gorm:"primaryKey;autoIncrement:false"`
		CourseID         int64 `gorm:"not null;index:idx_quiz_quizzes_course"`
		ShuffleQuestions bool  `gorm:"not null;default:false"`
		ShuffleOptions   bool  `gorm:"not null;default:false"`
		TimeLimitSeconds int   `gorm:"not null;default:0"`
		OpensAt          *time.Time
		ClosesAt         *time.Time
		MaxAttempts      int     `gorm:"not null;default:0"`
		GradingMethod    string  `gorm:"size:20;not null"`
		PassPercent      float64 `gorm:"not null;default:0"`
		ReviewWhen       string  `gorm:"size:20;not null"`
		ReviewScore      bool    `gorm:"not null;default:true"`
		ReviewAnswers    bool    `gorm:"not null;default:true"`
		ReviewFeedback   bool    `gorm:"not null;default:true"`
		Navigation       string  `gorm:"size:20;not null"`
		CreatedAt        time.Time
		UpdatedAt        time.Time
	}
	type quizSlot struct {
		ID         int64  `gorm:"primaryKey"`
		LessonID   int64  `gorm:"not null;uniqueIndex:idx_quiz_slots_lesson_position,priority:1"`
		Position   int    `gorm:"not null;uniqueIndex:idx_quiz_slots_lesson_position,priority:2"`
		QuestionID *int64 `gorm:"index:idx_quiz_slots_question"`
		CategoryID *int64 `gorm:"index:idx_quiz_slots_category"`
		DrawCount  int    `gorm:"not null;default:0"`
		CreatedAt  time.Time
	}
	type quizAttempt struct {
		ID             int64      `gorm:"primaryKey"`
		LessonID       int64      `gorm:"not null;uniqueIndex:idx_quiz_attempts_lesson_user_number,priority:1;index:idx_quiz_attempts_lesson_finished,priority:1"`
		CourseID       int64      `gorm:"not null"`
		UserID         int64      `gorm:"not null;uniqueIndex:idx_quiz_attempts_lesson_user_number,priority:2;index:idx_quiz_attempts_user"`
		Number         int        `gorm:"not null;uniqueIndex:idx_quiz_attempts_lesson_user_number,priority:3"`
		Preview        bool       `gorm:"not null;default:false"`
		Status         string     `gorm:"size:20;not null;index:idx_quiz_attempts_status_deadline,priority:1"`
		Navigation     string     `gorm:"size:20;not null"`
		Position       int        `gorm:"not null;default:1"`
		StartedAt      time.Time  `gorm:"not null"`
		Deadline       *time.Time `gorm:"index:idx_quiz_attempts_status_deadline,priority:2"`
		FinishedAt     *time.Time `gorm:"index:idx_quiz_attempts_lesson_finished,priority:2"`
		ClosedBy       string     `gorm:"size:20;not null;default:''"`
		Score          float64    `gorm:"not null;default:0"`
		MaxScore       float64    `gorm:"not null;default:0"`
		Percent        float64    `gorm:"not null;default:0"`
		Passed         *bool
		NeedsGrading   bool `gorm:"not null;default:false"`
		OverrideScore  *float64
		OverrideReason string `gorm:"type:text;not null;default:''"`
		CreatedAt      time.Time
		UpdatedAt      time.Time
	}
	type quizAttemptItem struct {
		ID         int64   `gorm:"primaryKey"`
		AttemptID  int64   `gorm:"not null;uniqueIndex:idx_quiz_attempt_items_attempt_position,priority:1;uniqueIndex:idx_quiz_attempt_items_attempt_question,priority:1"`
		Position   int     `gorm:"not null;uniqueIndex:idx_quiz_attempt_items_attempt_position,priority:2"`
		QuestionID int64   `gorm:"not null;uniqueIndex:idx_quiz_attempt_items_attempt_question,priority:2;index:idx_quiz_attempt_items_question"`
		SlotID     int64   `gorm:"not null"`
		Points     float64 `gorm:"not null"`
		Layout     string  `gorm:"type:text;not null"`
		Score      *float64
		Manual     bool   `gorm:"not null;default:false"`
		Comment    string `gorm:"type:text;not null;default:''"`
		GradedBy   *int64
		GradedAt   *time.Time
	}
	type quizAnswer struct {
		ID         int64     `gorm:"primaryKey"`
		AttemptID  int64     `gorm:"not null;uniqueIndex:idx_quiz_answers_attempt_question,priority:1"`
		QuestionID int64     `gorm:"not null;uniqueIndex:idx_quiz_answers_attempt_question,priority:2"`
		Response   string    `gorm:"type:text;not null"`
		Seq        int64     `gorm:"not null"`
		SavedAt    time.Time `gorm:"not null"`
		CreatedAt  time.Time
	}
	type quizAudit struct {
		ID        int64  `gorm:"primaryKey"`
		LessonID  int64  `gorm:"not null;index:idx_quiz_audit_lesson"`
		AttemptID *int64 `gorm:"index:idx_quiz_audit_attempt"`
		UserID    *int64
		ActorID   int64  `gorm:"not null"`
		Action    string `gorm:"size:30;not null"`
		Detail    string `gorm:"type:text;not null;default:''"`
		Reason    string `gorm:"type:text;not null;default:''"`
		CreatedAt time.Time
	}
	type quizExtension struct {
		ID            int64 `gorm:"primaryKey"`
		LessonID      int64 `gorm:"not null;uniqueIndex:idx_quiz_extensions_lesson_user,priority:1"`
		UserID        int64 `gorm:"not null;uniqueIndex:idx_quiz_extensions_lesson_user,priority:2"`
		ExtraAttempts int   `gorm:"not null;default:0"`
		ExtraSeconds  int   `gorm:"not null;default:0"`
		UpdatedBy     int64 `gorm:"not null"`
		UpdatedAt     time.Time
	}
	tables := []struct {
		name  string
		model any
	}{
		{"quiz_categories", &quizCategory{}}, {"quiz_questions", &quizQuestion{}}, {"quiz_quizzes", &quizQuiz{}},
		{"quiz_slots", &quizSlot{}}, {"quiz_attempts", &quizAttempt{}}, {"quiz_attempt_items", &quizAttemptItem{}},
		{"quiz_answers", &quizAnswer{}}, {"quiz_audit", &quizAudit{}}, {"quiz_extensions", &quizExtension{}},
	}
	return database.Migration{ID: "0300_quiz", Up: func(tx *gorm.DB, _ database.Dialect) error {
		for _, t := range tables {
			if err := tx.Table(t.name).Migrator().CreateTable(t.model); err != nil {
				return err
			}
		}
		return nil
	}}
}
