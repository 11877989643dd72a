// Package course holds courses: authoring (courses, language variants, sections, lessons and
// their media), the catalogue with full-text search, enrolment (self, by instructors, by cohort,
// mandatory assignment) and the lesson player with a minimal per-lesson progress record that
// quizzes, SCORM and xAPI report into.
//
// # Language variants
//
// A course is one object with one structure and up to four language variants:
//
//   - Course holds what does not depend on language: slug, topic, region, level, hours, status,
//     owner, enrolment rules, cover, and the default language (that of its first variant).
//   - Variant (one per language, unique by course and language) holds the course's texts: title,
//     summary, description and keywords. Search indexes each variant in its own language.
//   - Section and Lesson are shared by every variant: their IDs, order, kinds and completion
//     rules are the same whatever the language, so progress (lesson_progress, keyed by user and
//     lesson) and enrolment belong to the course, not to a variant.
//   - SectionText and Content hold a section's title and a lesson's title, body, link and media
//     per language. A variant that lacks one falls back to the default language's, so a partly
//     translated course still works.
//
// The catalogue lists each course once. The variant shown is, in order: the one asked for
// (?variant=fr), the user's own language, the page language, then the default language.
//
// # Plugging in lesson kinds
//
// Quizzes and packages are lessons of kind "quiz" and "package" whose content lives in their
// own modules: they call Service.RegisterKind with a KindHandler (settings on creation, the
// player's address) and report results through ProgressSink.RecordLessonResult. Until a kind is
// registered its lessons show "not available yet".
package course

import (
	"strconv"
	"strings"
	"time"
)

// Course statuses.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusArchived  = "archived"
)

// Lesson kinds.
const (
	KindText     = "text"
	KindVideo    = "video"
	KindDocument = "document"
	KindLink     = "link"
	KindQuiz     = "quiz"
	KindPackage  = "package"
)

// Kinds lists every lesson kind.
var Kinds = []string{KindText, KindVideo, KindDocument, KindLink, KindQuiz, KindPackage}

// Completion rules.
const (
	CompleteViewed  = "viewed"
	CompleteWatched = "watched"
	CompletePassed  = "passed"
	CompletePackage = "package_completed"
)

// Levels a course can have.
var Levels = []string{"introductory", "intermediate", "advanced"}

// Regions a course can be aimed at.
var Regions = []string{"global", "africa", "americas", "asia-pacific", "europe", "middle-east-north-africa"}

// Languages a variant can be written in.
var Languages = []string{"en", "fr", "es", "ar"}

// Enrolment statuses and sources.
const (
	EnrolActive     = "active"
	EnrolUnenrolled = "unenrolled"

	SourceSelf       = "self"
	SourceManual     = "manual"
	SourceCohort     = "cohort"
	SourceAssignment = "assignment"
)

// Lesson progress statuses.
const (
	ProgressNotStarted = "not_started"
	ProgressInProgress = "in_progress"
	ProgressCompleted  = "completed"
	ProgressPassed     = "passed"
	ProgressFailed     = "failed"
)

// Topic is one entry of the admin-editable topic list.
type Topic struct {
	ID        int64  `gorm:"primaryKey"`
	Slug      string `gorm:"size:60;not null;uniqueIndex"`
	NameEn    string `gorm:"size:120;not null"`
	NameFr    string `gorm:"size:120;not null"`
	NameEs    string `gorm:"size:120;not null"`
	NameAr    string `gorm:"size:120;not null"`
	Position  int    `gorm:"not null"`
	Active    bool   `gorm:"not null"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName implements gorm's Tabler.
func (Topic) TableName() string { return "course_topics" }

// Name is the topic's name in lang (English when lang is unknown).
func (t Topic) Name(lang string) string {
	switch lang {
	case "fr":
		return t.NameFr
	case "es":
		return t.NameEs
	case "ar":
		return t.NameAr
	}
	return t.NameEn
}

// Course is the language-independent part of a course. Texts live in its Variants.
type Course struct {
	ID                int64  `gorm:"primaryKey"`
	UUID              string `gorm:"column:uuid"`
	Slug              string
	DefaultLanguage   string
	Topic             string
	Region            string
	Level             string
	EstimatedHours    float64
	Status            string
	OwnerID           int64
	SelfEnrol         bool
	EnrolOpensAt      *time.Time
	EnrolClosesAt     *time.Time
	DueAt             *time.Time
	RestrictCountries string
	RestrictOrgIDs    string `gorm:"column:restrict_org_ids"`
	RestrictRoles     string
	CoverFileID       *int64
	PublishedAt       *time.Time
	ArchivedAt        *time.Time
	DeletedAt         *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// TableName implements gorm's Tabler.
func (Course) TableName() string { return "courses" }

// Variant holds a course's texts in one language.
type Variant struct {
	ID          int64 `gorm:"primaryKey"`
	CourseID    int64
	Language    string
	Title       string
	Summary     string
	Description string
	Tags        string // comma-separated, lower-cased
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName implements gorm's Tabler.
func (Variant) TableName() string { return "course_variants" }

// TagList splits the stored tags.
func (v Variant) TagList() []string { return splitList(v.Tags, ",") }

// Instructor links a user to a course they teach.
type Instructor struct {
	CourseID  int64 `gorm:"primaryKey;autoIncrement:false"`
	UserID    int64 `gorm:"primaryKey;autoIncrement:false"`
	Role      string
	CreatedAt time.Time
}

// TableName implements gorm's Tabler.
func (Instructor) TableName() string { return "course_instructors" }

// Instructor roles.
const (
	RoleOwner      = "owner"
	RoleInstructor = "instructor"
)

// Section is an ordered group of lessons; its title is per language.
type Section struct {
	ID        int64 `gorm:"primaryKey"`
	CourseID  int64
	Position  int
	DeletedAt *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName implements gorm's Tabler.
func (Section) TableName() string { return "course_sections" }

// SectionText is a section's title in one language.
type SectionText struct {
	SectionID int64  `gorm:"primaryKey;autoIncrement:false"`
	Language  string `gorm:"primaryKey"`
	Title     string
}

// TableName implements gorm's Tabler.
func (SectionText) TableName() string { return "course_section_texts" }

// Lesson is the language-independent part of a lesson: its place, kind and completion rule.
// Its ID never changes while the course is edited, so progress stays attached to it.
type Lesson struct {
	ID           int64 `gorm:"primaryKey"`
	CourseID     int64
	SectionID    int64
	Position     int
	Kind         string
	Completion   string
	WatchPercent int
	Required     bool
	RefID        *int64 // quiz or package id, set by those modules
	DeletedAt    *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName implements gorm's Tabler.
func (Lesson) TableName() string { return "course_lessons" }

// Content is a lesson's content in one language.
type Content struct {
	ID              int64 `gorm:"primaryKey"`
	LessonID        int64
	Language        string
	Title           string
	Body            string
	URL             string `gorm:"column:url"`
	MediaFileID     *int64
	DurationSeconds int
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// TableName implements gorm's Tabler.
func (Content) TableName() string { return "course_lesson_contents" }

// File is an uploaded object: a lesson's media, an image used in a text lesson, or a cover.
type File struct {
	ID          int64  `gorm:"primaryKey"`
	UUID        string `gorm:"column:uuid"`
	CourseID    int64
	LessonID    *int64
	Language    string
	Key         string
	ContentType string
	Size        int64
	Name        string
	Width       int
	Height      int
	CreatedBy   int64
	CreatedAt   time.Time
}

// TableName implements gorm's Tabler.
func (File) TableName() string { return "course_files" }

// Cohort is a named group of learners (e.g. one session of a regional programme).
type Cohort struct {
	ID        int64 `gorm:"primaryKey"`
	Name      string
	StartsAt  time.Time
	EndsAt    time.Time
	CreatedBy int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName implements gorm's Tabler.
func (Cohort) TableName() string { return "course_cohorts" }

// CohortMember puts a user in a cohort.
type CohortMember struct {
	CohortID  int64 `gorm:"primaryKey;autoIncrement:false"`
	UserID    int64 `gorm:"primaryKey;autoIncrement:false"`
	CreatedAt time.Time
}

// TableName implements gorm's Tabler.
func (CohortMember) TableName() string { return "course_cohort_members" }

// CohortLink enrols a cohort (and its future members) in a course.
type CohortLink struct {
	CourseID  int64 `gorm:"primaryKey;autoIncrement:false"`
	CohortID  int64 `gorm:"primaryKey;autoIncrement:false"`
	DueAt     *time.Time
	CreatedBy int64
	CreatedAt time.Time
}

// TableName implements gorm's Tabler.
func (CohortLink) TableName() string { return "course_cohort_links" }

// Assignment makes a course mandatory for everyone in a scope, by a due date.
type Assignment struct {
	ID           int64 `gorm:"primaryKey"`
	CourseID     int64
	ScopeAll     bool
	ScopeCountry string
	ScopeOrgID   *int64 `gorm:"column:scope_org_id"`
	DueAt        time.Time
	AssignedBy   int64
	CreatedAt    time.Time
}

// TableName implements gorm's Tabler.
func (Assignment) TableName() string { return "course_assignments" }

// Enrolment is one learner's place in a course. Unenrolling sets Status; the row and the
// learner's progress stay.
type Enrolment struct {
	ID           int64 `gorm:"primaryKey"`
	CourseID     int64
	UserID       int64
	Status       string
	Source       string
	CohortID     *int64
	AssignmentID *int64
	DueAt        *time.Time
	EnrolledBy   *int64
	EnrolledAt   time.Time
	UnenrolledAt *time.Time
	CompletedAt  *time.Time
	LastLessonID *int64
	LastAccessAt *time.Time
	UpdatedAt    time.Time
}

// TableName implements gorm's Tabler.
func (Enrolment) TableName() string { return "course_enrolments" }

// Overdue reports whether the enrolment is past its due date and not completed.
func (e *Enrolment) Overdue(now time.Time) bool {
	return e != nil && e.Status == EnrolActive && e.CompletedAt == nil && e.DueAt != nil && e.DueAt.Before(now)
}

// Progress is one learner's record for one lesson.
type Progress struct {
	ID               int64 `gorm:"primaryKey"`
	UserID           int64
	LessonID         int64
	CourseID         int64
	Status           string
	FirstAccessAt    *time.Time
	LastAccessAt     *time.Time
	PositionSeconds  float64
	WatchedPercent   int
	TimeSpentSeconds int64
	Score            *float64
	MaxScore         *float64
	Attempts         int
	Source           string
	CompletedAt      *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// TableName implements gorm's Tabler.
func (Progress) TableName() string { return "lesson_progress" }

// Done reports whether the lesson counts as completed.
func (p *Progress) Done() bool {
	return p != nil && (p.Status == ProgressCompleted || p.Status == ProgressPassed)
}

func splitList(s, sep string) []string {
	var out []string
	for _, part := range strings.Split(s, sep) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func splitIDs(s string) []int64 {
	var out []int64
	for _, f := range strings.Fields(s) {
		if n, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, " ")
}
