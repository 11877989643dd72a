// Package scorm imports SCORM 1.2 and SCORM 2004 packages as lessons, plays them with the
// scorm-again runtime, and records attempts (CMI data, status, score, time) that drive the
// lesson's completion.
package scorm

import (
	"time"
)

// Package is an imported SCORM package: the lesson it belongs to, where its files are in
// object storage, and its parsed manifest.
type Package struct {
	ID        int64  `gorm:"primaryKey"`
	UUID      string `gorm:"size:36;not null;uniqueIndex:idx_scorm_packages_uuid"`
	LessonID  int64  `gorm:"not null;uniqueIndex:idx_scorm_packages_lesson_id"`
	Standard  string `gorm:"size:20;not null"`
	Edition   string `gorm:"size:10;not null;default:''"`
	Title     string `gorm:"size:300;not null"`
	Manifest  string `gorm:"type:text;not null"` // JSON of *Manifest
	Files     int    `gorm:"not null"`
	Bytes     int64  `gorm:"not null"`
	CreatedBy int64  `gorm:"not null"`
	// MaxAttempts (0: no limit) and MasteryScore (0-100, nil: the manifest's) are the lesson's
	// settings for new attempts, kept with its package; they win over those the course module
	// gives (Lessons.Access) when set.
	MaxAttempts  int `gorm:"not null;default:0"`
	MasteryScore *float64
	CreatedAt    time.Time
}

// TableName implements gorm's Tabler.
func (Package) TableName() string { return "scorm_packages" }

// Prefix is the object-storage prefix holding the package's files.
func (p *Package) Prefix() string { return "scorm/" + p.UUID + "/" }

// Attempt is one learner's attempt at a package lesson: a summary rolled up from its items.
type Attempt struct {
	ID        int64 `gorm:"primaryKey"`
	PackageID int64 `gorm:"not null;index:idx_scorm_attempts_package_id"`
	LessonID  int64 `gorm:"not null;uniqueIndex:idx_scorm_attempts_lesson_user_number,priority:1"`
	UserID    int64 `gorm:"not null;uniqueIndex:idx_scorm_attempts_lesson_user_number,priority:2;index:idx_scorm_attempts_user_id"`
	Number    int   `gorm:"not null;uniqueIndex:idx_scorm_attempts_lesson_user_number,priority:3"`
	// MasteryScore is the passing score (0-100) in force when the attempt started: the
	// lesson's setting, else the manifest's.
	MasteryScore     *float64
	CompletionStatus string `gorm:"size:20;not null"`
	SuccessStatus    string `gorm:"size:20;not null"`
	ScoreRaw         *float64
	ScoreMin         *float64
	ScoreMax         *float64
	ScoreScaled      *float64
	// ScoreSource says who reported the score: "content" (the package's own code, through the
	// runtime API, during a session of UserID).
	ScoreSource string `gorm:"size:20;not null;default:''"`
	TotalCS     int64  `gorm:"column:total_cs;not null;default:0"` // total time in centiseconds
	CompletedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName implements gorm's Tabler.
func (Attempt) TableName() string { return "scorm_attempts" }

// ItemState is the run-time state of one SCO (item) within an attempt: its CMI data as the
// runtime last committed it, and the bookkeeping that makes commits idempotent and times add
// up across sessions.
type ItemState struct {
	ID        int64  `gorm:"primaryKey"`
	AttemptID int64  `gorm:"not null;uniqueIndex:idx_scorm_item_states_attempt_item,priority:1"`
	Item      string `gorm:"size:200;not null;uniqueIndex:idx_scorm_item_states_attempt_item,priority:2"`
	// CMI is the data model as JSON (scorm-again's cmi object).
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
	// Sessions counts launches; SessionNo is the session whose time is SessionCS; PriorCS is
	// the time of the sessions before it. Total = PriorCS + SessionCS.
	Sessions  int   `gorm:"not null;default:0"`
	SessionNo int   `gorm:"not null;default:0"`
	LastSeq   int64 `gorm:"not null;default:0"`
	SessionCS int64 `gorm:"column:session_cs;not null;default:0"`
	PriorCS   int64 `gorm:"column:prior_cs;not null;default:0"`
	// ReportedBy is the user whose session committed the data last.
	ReportedBy int64 `gorm:"not null;default:0"`
	UpdatedAt  time.Time
	CreatedAt  time.Time
}

// TableName implements gorm's Tabler.
func (ItemState) TableName() string { return "scorm_item_states" }

// TotalCS is the item's total time in centiseconds.
func (s *ItemState) TotalCS() int64 { return s.PriorCS + s.SessionCS }

// Interaction is one interaction (question) a SCO reported during an attempt. SCORM 1.2
// interactions are write-only for content, so each session's are kept as they came.
type Interaction struct {
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

// TableName implements gorm's Tabler.
func (Interaction) TableName() string { return "scorm_interactions" }

// Import is a package upload being imported by a background job (large packages): the
// uploaded zip waits in object storage under UploadKey until the job has run.
type Import struct {
	ID        int64  `gorm:"primaryKey"`
	UUID      string `gorm:"size:36;not null;uniqueIndex:idx_scorm_imports_uuid"`
	SectionID int64  `gorm:"not null"`
	UserID    int64  `gorm:"not null;index:idx_scorm_imports_user_id"`
	// Roles of the uploader when they uploaded (the job acts with them).
	Roles     string `gorm:"size:200;not null;default:''"`
	UploadKey string `gorm:"size:200;not null"`
	Size      int64  `gorm:"not null"`
	// Status is "queued", "running", "done" or "failed".
	Status    string `gorm:"size:20;not null"`
	LessonID  *int64
	Result    string `gorm:"type:text;not null"` // JSON of ImportResult when done
	Error     string `gorm:"type:text;not null"` // why it failed
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName implements gorm's Tabler.
func (Import) TableName() string { return "scorm_imports" }
