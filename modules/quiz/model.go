package quiz

import (
	"encoding/json"
	"time"
)

// Attempt statuses.
const (
	StatusInProgress = "in_progress"
	StatusFinished   = "finished"
)

// Who finished an attempt.
const (
	ClosedByLearner  = "learner"
	ClosedByDeadline = "deadline"
)

// Category groups questions of a course's bank; Name is a path ("Cybercrime/Basics").
type Category struct {
	ID        int64     `gorm:"primaryKey" json:"id"`
	CourseID  int64     `json:"course_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// TableName implements gorm's Tabler.
func (Category) TableName() string { return "quiz_categories" }

// Question is a question of a course's bank; quizzes use it by reference.
type Question struct {
	ID              int64
	CourseID        int64
	CategoryID      *int64
	Kind            string
	Title           string
	Prompt          string
	Points          float64
	Body            string // JSON of Spec
	GeneralFeedback string
	MediaKey        string
	MediaType       string
	Version         int
	CreatedBy       int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
	DeletedAt       *time.Time
}

// TableName implements gorm's Tabler.
func (Question) TableName() string { return "quiz_questions" }

// Spec decodes the kind-specific part.
func (q *Question) Spec() (*Spec, error) {
	var s Spec
	if err := json.Unmarshal([]byte(q.Body), &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Quiz holds the settings of a lesson of kind quiz; it is addressed by the lesson id.
type Quiz struct {
	LessonID         int64 `gorm:"primaryKey;autoIncrement:false"`
	CourseID         int64
	ShuffleQuestions bool
	ShuffleOptions   bool
	TimeLimitSeconds int
	OpensAt          *time.Time
	ClosesAt         *time.Time
	MaxAttempts      int
	GradingMethod    string
	PassPercent      float64
	ReviewWhen       string
	ReviewScore      bool
	ReviewAnswers    bool
	ReviewFeedback   bool
	Navigation       string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// TableName implements gorm's Tabler.
func (Quiz) TableName() string { return "quiz_quizzes" }

// Settings returns the quiz's rules.
func (q *Quiz) Settings() Settings {
	return Settings{ShuffleQuestions: q.ShuffleQuestions, ShuffleOptions: q.ShuffleOptions, TimeLimitSeconds: q.TimeLimitSeconds,
		OpensAt: q.OpensAt, ClosesAt: q.ClosesAt, MaxAttempts: q.MaxAttempts, GradingMethod: q.GradingMethod,
		PassPercent: q.PassPercent, Navigation: q.Navigation,
		Review: Review{When: q.ReviewWhen, Score: q.ReviewScore, Answers: q.ReviewAnswers, Feedback: q.ReviewFeedback}}
}

// SetSettings copies s into the row.
func (q *Quiz) SetSettings(s Settings) {
	q.ShuffleQuestions, q.ShuffleOptions, q.TimeLimitSeconds = s.ShuffleQuestions, s.ShuffleOptions, s.TimeLimitSeconds
	q.OpensAt, q.ClosesAt, q.MaxAttempts, q.GradingMethod = s.OpensAt, s.ClosesAt, s.MaxAttempts, s.GradingMethod
	q.PassPercent, q.Navigation = s.PassPercent, s.Navigation
	q.ReviewWhen, q.ReviewScore, q.ReviewAnswers, q.ReviewFeedback = s.Review.When, s.Review.Score, s.Review.Answers, s.Review.Feedback
}

// Slot is a place in a quiz: a fixed question, or Count questions drawn at random from a
// category when an attempt starts.
type Slot struct {
	ID         int64     `gorm:"primaryKey" json:"id"`
	LessonID   int64     `json:"lesson_id"`
	Position   int       `json:"position"`
	QuestionID *int64    `json:"question_id"`
	CategoryID *int64    `json:"category_id"`
	DrawCount  int       `json:"draw_count"`
	CreatedAt  time.Time `json:"created_at"`
}

// TableName implements gorm's Tabler.
func (Slot) TableName() string { return "quiz_slots" }

// Attempt is one learner's go at a quiz. Starting it fixes its questions (Items), their
// order, their options' order, and its deadline.
type Attempt struct {
	ID             int64
	LessonID       int64
	CourseID       int64
	UserID         int64
	Number         int
	Preview        bool
	Status         string
	Navigation     string
	Position       int // sequential navigation: the question the learner is on (1-based)
	StartedAt      time.Time
	Deadline       *time.Time
	FinishedAt     *time.Time
	ClosedBy       string
	Score          float64
	MaxScore       float64
	Percent        float64
	Passed         *bool
	NeedsGrading   bool
	OverrideScore  *float64
	OverrideReason string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName implements gorm's Tabler.
func (Attempt) TableName() string { return "quiz_attempts" }

// EffectiveScore is the override when there is one, else the computed score.
func (a *Attempt) EffectiveScore() float64 {
	if a.OverrideScore != nil {
		return *a.OverrideScore
	}
	return a.Score
}

// Item is one question of an attempt, in its place, with its layout and (once graded) score.
type Item struct {
	ID         int64
	AttemptID  int64
	Position   int
	QuestionID int64
	SlotID     int64
	Points     float64
	Layout     string // JSON of Layout
	Score      *float64
	Manual     bool // score given by a person (kept by regrades)
	Comment    string
	GradedBy   *int64
	GradedAt   *time.Time
}

// TableName implements gorm's Tabler.
func (Item) TableName() string { return "quiz_attempt_items" }

// Layout is the order in which an attempt shows a question's parts.
type Layout struct {
	Options []string   `json:"options,omitempty"` // single, multiple, true_false
	Pairs   []string   `json:"pairs,omitempty"`   // matching prompts
	Choices []string   `json:"choices,omitempty"` // matching answers
	Items   []string   `json:"items,omitempty"`   // ordering (initial order)
	Blanks  [][]string `json:"blanks,omitempty"`  // cloze choice blanks' options
}

// Answer is a learner's stored response to one question of an attempt: one row per
// (attempt, question), replaced only by a response with a higher Seq.
type Answer struct {
	ID         int64
	AttemptID  int64
	QuestionID int64
	Response   string // JSON of Response
	Seq        int64
	SavedAt    time.Time
	CreatedAt  time.Time
}

// TableName implements gorm's Tabler.
func (Answer) TableName() string { return "quiz_answers" }

// Audit is an entry of the grade audit log: overrides, manual grades, regrades, extensions.
type Audit struct {
	ID        int64     `gorm:"primaryKey" json:"id"`
	LessonID  int64     `json:"lesson_id"`
	AttemptID *int64    `json:"attempt_id"`
	UserID    *int64    `json:"user_id"`
	ActorID   int64     `json:"actor_id"`
	Action    string    `json:"action"`
	Detail    string    `json:"detail"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}

// TableName implements gorm's Tabler.
func (Audit) TableName() string { return "quiz_audit" }

// Extension gives one learner more attempts or more time on one quiz.
type Extension struct {
	ID            int64 `gorm:"primaryKey"`
	LessonID      int64
	UserID        int64
	ExtraAttempts int
	ExtraSeconds  int
	UpdatedBy     int64
	UpdatedAt     time.Time
}

// TableName implements gorm's Tabler.
func (Extension) TableName() string { return "quiz_extensions" }
