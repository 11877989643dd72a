package xapi

import (
	"encoding/json"
	"time"
)

// cmi5Course is an imported cmi5 course structure: the lesson it belongs to, where its files
// are in object storage (cmi5/{uuid}/), and the parsed structure with GLC's activity ids.
type cmi5Course struct {
	ID          int64  `gorm:"primaryKey"`
	UUID        string `gorm:"size:36"`
	LessonID    int64
	PublisherID string `gorm:"size:1000"`
	Title       string `gorm:"size:300"`
	Structure   string // JSON of *Structure
	Files       int
	Bytes       int64
	CreatedBy   int64
	CreatedAt   time.Time
}

func (cmi5Course) TableName() string { return "cmi5_courses" }

// Prefix is the object-storage prefix of the course's files.
func (c *cmi5Course) Prefix() string { return "cmi5/" + c.UUID + "/" }

func (c *cmi5Course) structure() (*Structure, error) {
	var st Structure
	if err := json.Unmarshal([]byte(c.Structure), &st); err != nil {
		return nil, err
	}
	st.index()
	return &st, nil
}

// cmi5Registration is a learner's (an actor's) enrolment in a cmi5 course: the registration
// id every launch of the course's AUs shares.
type cmi5Registration struct {
	ID       int64  `gorm:"primaryKey"`
	UUID     string `gorm:"size:36"`
	CourseID int64
	LessonID int64
	// UserID is the GLC user the actor stands for (0 for an actor an admin named who is not
	// a GLC learner).
	UserID   int64
	Actor    string // JSON Agent
	ActorIFI string `gorm:"column:actor_ifi;size:1000"`
	// Satisfied says the whole course is satisfied; SatisfiedBlocks lists the satisfied
	// blocks' indexes (JSON array), so that each gets one satisfied statement.
	Satisfied       bool
	SatisfiedBlocks string
	// Reported is the lesson status last reported to Progress ("" when none).
	Reported  string `gorm:"size:20"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (cmi5Registration) TableName() string { return "cmi5_registrations" }

func (r *cmi5Registration) actor() map[string]any {
	var a map[string]any
	_ = json.Unmarshal([]byte(r.Actor), &a)
	return a
}

func (r *cmi5Registration) blocks() map[int]bool {
	var list []int
	_ = json.Unmarshal([]byte(r.SatisfiedBlocks), &list)
	out := map[int]bool{}
	for _, b := range list {
		out[b] = true
	}
	return out
}

// Session states.
const (
	sessLaunched    = "launched"
	sessInitialized = "initialized"
	sessTerminated  = "terminated"
	sessAbandoned   = "abandoned"
)

// cmi5Session is one launch of an AU: its session id, the one-time fetch URL, the auth token
// the fetch handed out, and what the AU has said so far.
type cmi5Session struct {
	ID             int64  `gorm:"primaryKey"`
	SessionID      string `gorm:"size:36"`
	RegistrationID int64
	AU             int    `gorm:"column:au"`
	LaunchMode     string `gorm:"size:10"`
	// MoveOn and MasteryScore as written in LMS.LaunchData for this launch.
	MoveOn       string `gorm:"size:30"`
	MasteryScore *float64
	FetchHash    string `gorm:"size:64"`
	AuthHash     string `gorm:"size:64"`
	State        string `gorm:"size:20"`
	// Verbs lists the cmi5 defined verbs the AU sent in this session (space-separated).
	Verbs         string
	LaunchedAt    time.Time
	FetchedAt     *time.Time
	InitializedAt *time.Time
	LastAt        time.Time
	EndedAt       *time.Time
}

func (cmi5Session) TableName() string { return "cmi5_sessions" }

func (s *cmi5Session) active() bool { return s.State == sessLaunched || s.State == sessInitialized }

// cmi5AUState is what a registration achieved in one AU.
type cmi5AUState struct {
	ID             int64 `gorm:"primaryKey"`
	RegistrationID int64
	AU             int `gorm:"column:au"`
	Completed      bool
	Passed         bool
	Failed         bool
	Waived         bool
	WaiveReason    string `gorm:"size:100"`
	Satisfied      bool
	ScoreScaled    *float64
	ScoreRaw       *float64
	ScoreMin       *float64
	ScoreMax       *float64
	// DurationMS is the learner's time in the AU: the durations of its terminated (or, when
	// abandoned, of its last-known) sessions.
	DurationMS int64 `gorm:"column:duration_ms"`
	Sessions   int
	UpdatedAt  time.Time
}

func (cmi5AUState) TableName() string { return "cmi5_au_states" }
