// Package programme manages training programmes: their sessions, the e-learning courses
// linked as pre-course modules, applications endorsed by coordinators and accepted by
// admins, and the enrolment of each session's participants (its cohort) in those courses.
package programme

import (
	"strings"
	"time"
)

// Session states.
const (
	SessionPlanned   = "planned"
	SessionOpen      = "open"
	SessionClosed    = "closed"
	SessionCompleted = "completed"
	SessionCancelled = "cancelled"
)

// SessionStates lists every session state.
var SessionStates = []string{SessionPlanned, SessionOpen, SessionClosed, SessionCompleted, SessionCancelled}

// Application states.
const (
	AppSubmitted = "submitted"
	AppEndorsed  = "endorsed"
	AppAccepted  = "accepted"
	AppRejected  = "rejected"
	AppWithdrawn = "withdrawn"
)

// Programme is a training programme.
type Programme struct {
	ID           int64     `gorm:"primaryKey" json:"id"`
	Title        string    `json:"title"`
	Summary      string    `json:"summary"`
	Description  string    `json:"description"`
	Region       string    `json:"region"`
	Focus        string    `json:"focus"`
	DurationDays int       `json:"duration_days"`
	Languages    string    `json:"-"`
	Published    bool      `json:"published"`
	CreatedBy    int64     `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// TableName implements gorm's Tabler.
func (Programme) TableName() string { return "programmes" }

// LanguageList returns the programme's language codes.
func (p *Programme) LanguageList() []string { return strings.Fields(p.Languages) }

// programmeCourse links an e-learning course to a programme as a pre-course module.
type programmeCourse struct {
	ProgrammeID int64 `gorm:"primaryKey;autoIncrement:false"`
	CourseID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Position    int
}

func (programmeCourse) TableName() string { return "programme_courses" }

// Session is one run of a programme.
type Session struct {
	ID          int64     `gorm:"primaryKey" json:"id"`
	ProgrammeID int64     `json:"programme_id"`
	StartsOn    time.Time `json:"starts_on"`
	EndsOn      time.Time `json:"ends_on"`
	Place       string    `json:"place"`
	Language    string    `json:"language"`
	Seats       int       `json:"seats"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// TableName implements gorm's Tabler.
func (Session) TableName() string { return "programme_sessions" }

// Application is a member's request to join a session.
type Application struct {
	ID         int64      `gorm:"primaryKey" json:"id"`
	SessionID  int64      `json:"session_id"`
	UserID     int64      `json:"user_id"`
	UserName   string     `json:"user_name"`
	Country    string     `json:"country"`
	OrgID      int64      `json:"organisation_id"`
	Motivation string     `json:"motivation"`
	Status     string     `json:"status"`
	EndorsedBy *int64     `json:"endorsed_by"`
	EndorsedAt *time.Time `json:"endorsed_at"`
	DecidedBy  *int64     `json:"decided_by"`
	DecidedAt  *time.Time `json:"decided_at"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// TableName implements gorm's Tabler.
func (Application) TableName() string { return "programme_applications" }

// Paragraphs splits the description at blank lines.
func (p *Programme) Paragraphs() []string {
	var out []string
	for _, s := range strings.Split(strings.ReplaceAll(p.Description, "\r\n", "\n"), "\n\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
