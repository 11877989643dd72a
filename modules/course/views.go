package course

import (
	"html/template"
	"time"
)

// Person is a user shown beside a course (an instructor).
type Person struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// CourseView is a course as the API and pages show it: the shared settings with the texts of
// one variant (Language).
type CourseView struct {
	ID                int64          `json:"id"`
	UUID              string         `json:"uuid"`
	Slug              string         `json:"slug"`
	Status            string         `json:"status"`
	Language          string         `json:"language"`
	DefaultLanguage   string         `json:"default_language"`
	Languages         []string       `json:"languages"`
	Title             string         `json:"title"`
	Summary           string         `json:"summary"`
	Description       string         `json:"description"`
	DescriptionHTML   template.HTML  `json:"description_html"`
	Tags              []string       `json:"tags"`
	Topic             string         `json:"topic"`
	TopicName         string         `json:"topic_name"`
	Region            string         `json:"region"`
	Level             string         `json:"level"`
	EstimatedHours    float64        `json:"estimated_hours"`
	CoverURL          string         `json:"cover_url,omitempty"`
	CoverWidth        int            `json:"cover_width,omitempty"`
	CoverHeight       int            `json:"cover_height,omitempty"`
	SelfEnrolment     bool           `json:"self_enrolment"`
	EnrolmentOpensAt  *time.Time     `json:"enrolment_opens_at"`
	EnrolmentClosesAt *time.Time     `json:"enrolment_closes_at"`
	DueAt             *time.Time     `json:"due_at"`
	RestrictCountries []string       `json:"restrict_countries"`
	RestrictOrgIDs    []int64        `json:"restrict_org_ids"`
	RestrictRoles     []string       `json:"restrict_roles"`
	OwnerID           int64          `json:"owner_id"`
	Instructors       []Person       `json:"instructors"`
	PublishedAt       *time.Time     `json:"published_at"`
	CreatedAt         time.Time      `json:"created_at"`
	UpdatedAt         time.Time      `json:"updated_at"`
	CanEdit           bool           `json:"can_edit"`
	Enrolment         *EnrolmentView `json:"enrolment"`
	LessonCount       int            `json:"lesson_count"`
	// ContinueLessonID is the lesson the caller opened last, or the first one.
	ContinueLessonID int64         `json:"continue_lesson_id,omitempty"`
	Sections         []SectionView `json:"sections"`
}

// CourseSummary is one entry of the catalogue and of lists.
type CourseSummary struct {
	ID              int64      `json:"id"`
	Slug            string     `json:"slug"`
	Status          string     `json:"status"`
	Language        string     `json:"language"`
	Languages       []string   `json:"languages"`
	Title           string     `json:"title"`
	Summary         string     `json:"summary"`
	Tags            []string   `json:"tags"`
	Topic           string     `json:"topic"`
	TopicName       string     `json:"topic_name"`
	Region          string     `json:"region"`
	Level           string     `json:"level"`
	EstimatedHours  float64    `json:"estimated_hours"`
	CoverURL        string     `json:"cover_url,omitempty"`
	CoverWidth      int        `json:"cover_width,omitempty"`
	CoverHeight     int        `json:"cover_height,omitempty"`
	PublishedAt     *time.Time `json:"published_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	EnrolmentStatus string     `json:"enrolment_status,omitempty"`
}

// SectionView is a section of the outline.
type SectionView struct {
	ID       int64        `json:"id"`
	Position int          `json:"position"`
	Title    string       `json:"title"`
	Lessons  []LessonItem `json:"lessons"`
}

// LessonItem is a lesson in the outline.
type LessonItem struct {
	ID           int64  `json:"id"`
	Position     int    `json:"position"`
	Kind         string `json:"kind"`
	Title        string `json:"title"`
	Required     bool   `json:"required"`
	Completion   string `json:"completion"`
	WatchPercent int    `json:"watch_percent,omitempty"`
	Available    bool   `json:"available"`
	// Status is the caller's progress (learners only).
	Status string `json:"status,omitempty"`
}

// EnrolmentView is an enrolment as the API shows it.
type EnrolmentView struct {
	ID           int64      `json:"id"`
	CourseID     int64      `json:"course_id"`
	UserID       int64      `json:"user_id"`
	UserName     string     `json:"user_name,omitempty"`
	Status       string     `json:"status"`
	Source       string     `json:"source"`
	CohortID     *int64     `json:"cohort_id"`
	AssignmentID *int64     `json:"assignment_id"`
	DueAt        *time.Time `json:"due_at"`
	Overdue      bool       `json:"overdue"`
	EnrolledAt   time.Time  `json:"enrolled_at"`
	UnenrolledAt *time.Time `json:"unenrolled_at"`
	CompletedAt  *time.Time `json:"completed_at"`
	LastLessonID *int64     `json:"last_lesson_id"`
}

func enrolmentView(e *Enrolment, now time.Time) *EnrolmentView {
	if e == nil {
		return nil
	}
	return &EnrolmentView{ID: e.ID, CourseID: e.CourseID, UserID: e.UserID, Status: e.Status, Source: e.Source, CohortID: e.CohortID,
		AssignmentID: e.AssignmentID, DueAt: e.DueAt, Overdue: e.Overdue(now), EnrolledAt: e.EnrolledAt, UnenrolledAt: e.UnenrolledAt,
		CompletedAt: e.CompletedAt, LastLessonID: e.LastLessonID}
}

// MediaView describes a lesson's media file.
type MediaView struct {
	ID          int64  `json:"id"`
	URL         string `json:"url"`
	DownloadURL string `json:"download_url"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Name        string `json:"name"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
}

// LessonView is a lesson as its player shows it, in one language.
type LessonView struct {
	ID           int64         `json:"id"`
	CourseID     int64         `json:"course_id"`
	SectionID    int64         `json:"section_id"`
	Position     int           `json:"position"`
	Kind         string        `json:"kind"`
	Language     string        `json:"language"`
	Languages    []string      `json:"languages"`
	Title        string        `json:"title"`
	Body         string        `json:"body"`
	BodyHTML     template.HTML `json:"body_html"`
	URL          string        `json:"url"`
	Media        *MediaView    `json:"media"`
	Completion   string        `json:"completion"`
	WatchPercent int           `json:"watch_percent"`
	Required     bool          `json:"required"`
	RefID        *int64        `json:"ref_id"`
	Available    bool          `json:"available"`
	PlayerURL    string        `json:"player_url,omitempty"`
	PrevID       int64         `json:"prev_id,omitempty"`
	NextID       int64         `json:"next_id,omitempty"`
	Progress     *ProgressView `json:"progress"`
	CanEdit      bool          `json:"can_edit"`
	UpdatedAt    time.Time     `json:"updated_at"`
}

// ProgressView is a learner's record for one lesson.
type ProgressView struct {
	LessonID         int64      `json:"lesson_id"`
	Status           string     `json:"status"`
	FirstAccessAt    *time.Time `json:"first_access_at"`
	LastAccessAt     *time.Time `json:"last_access_at"`
	PositionSeconds  float64    `json:"position_seconds"`
	WatchedPercent   int        `json:"watched_percent"`
	TimeSpentSeconds int64      `json:"time_spent_seconds"`
	Score            *float64   `json:"score"`
	MaxScore         *float64   `json:"max_score"`
	Attempts         int        `json:"attempts"`
	CompletedAt      *time.Time `json:"completed_at"`
}

func progressView(p *Progress) *ProgressView {
	if p == nil {
		return nil
	}
	return &ProgressView{LessonID: p.LessonID, Status: p.Status, FirstAccessAt: p.FirstAccessAt, LastAccessAt: p.LastAccessAt,
		PositionSeconds: p.PositionSeconds, WatchedPercent: p.WatchedPercent, TimeSpentSeconds: p.TimeSpentSeconds,
		Score: p.Score, MaxScore: p.MaxScore, Attempts: p.Attempts, CompletedAt: p.CompletedAt}
}
