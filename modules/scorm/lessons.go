package scorm

import (
	"context"
	"time"
)

// Lessons is what this module needs from the course module (courses, sections, lessons of
// kind "package", enrolments, progress). The app wires the course service in; tests use a fake.
// Every method takes the caller from ctx (auth.FromContext) and checks permissions itself,
// answering apperr.ErrNotFound or apperr.ErrForbidden.
type Lessons interface {
	// CheckSection fails unless the caller may add lessons to the section (course instructor
	// or admin). Called before an upload is read, so refusals cost nothing.
	CheckSection(ctx context.Context, sectionID int64) error
	// CreatePackageLesson appends a lesson of kind "package" to the section and returns its id.
	CreatePackageLesson(ctx context.Context, sectionID int64, title string) (int64, error)
	// DeletePackageLesson removes a lesson that CreatePackageLesson made, when the import
	// fails after it (so a refused or failed import leaves nothing behind).
	DeletePackageLesson(ctx context.Context, lessonID int64) error
	// Access says what the caller may do with the lesson.
	Access(ctx context.Context, lessonID int64) (LessonAccess, error)
	// RecordResult reports a learner's result on the lesson to Progress, which applies the
	// lesson's completion rule. It is called again with the same values when a commit is
	// replayed, so it must be idempotent.
	RecordResult(ctx context.Context, userID, lessonID int64, r Result) error
}

// LessonAccess is what the caller may do with a lesson, and the lesson's settings.
type LessonAccess struct {
	LessonID int64
	CourseID int64
	Title    string
	// Learn: the caller takes the lesson (enrolled learner, or previewing staff).
	Learn bool
	// Manage: the caller teaches or administers the course (sees every learner's attempts).
	Manage bool
	// Settings in force for new attempts.
	Settings LessonSettings
}

// LessonSettings are a package lesson's settings; new attempts follow them.
type LessonSettings struct {
	// MaxAttempts limits the attempts per learner; 0 means no limit.
	MaxAttempts int
	// MasteryScore (0-100) overrides the manifest's mastery score when set.
	MasteryScore *float64
	// Rule is "completed" (the package reports completion) or "passed" (the package reports
	// success, or the score reaches the mastery score).
	Rule string
}

// Result is a learner's result on a package lesson, from one attempt.
type Result struct {
	Attempt int
	// Status is "not_attempted", "in_progress", "completed", "passed" or "failed".
	Status    string
	Completed bool
	// Passed is nil while success is unknown.
	Passed    *bool
	ScoreRaw  *float64
	ScoreMin  *float64
	ScoreMax  *float64
	Scaled    *float64
	TimeSpent time.Duration
	// Source says who reported the status and score: "content" (the package, through the
	// SCORM runtime, during the learner's own session). Scores from content are data, not
	// truth.
	Source string
	At     time.Time
}

// CMI5Importer imports cmi5 course structures (cmi5.xml); the xAPI/cmi5 module implements it
// and the app wires it. When nil, cmi5 packages are refused with 422.
type CMI5Importer interface {
	// ImportCMI5 creates a lesson of kind "package" in the section from an archive that passed
	// OpenArchive and holds cmi5.xml at its root. It must leave nothing in storage or in the
	// database when it fails.
	ImportCMI5(ctx context.Context, sectionID int64, a *Archive) (*ImportResult, error)
}

// CMI5Player may be implemented by the CMI5Importer: the path of the page that plays a cmi5
// lesson, or "" when the lesson holds no cmi5 course (the SCORM player then answers).
type CMI5Player interface {
	PlayerPath(ctx context.Context, lessonID int64) string
}

// ImportResult is what an import returns: the new lesson and its package.
type ImportResult struct {
	ID      int64       `json:"id"`
	Kind    string      `json:"kind"`
	Package PackageInfo `json:"package"`
}

// PackageInfo describes an imported package.
type PackageInfo struct {
	Standard string     `json:"standard"`
	Edition  string     `json:"edition,omitempty"`
	Title    string     `json:"title"`
	Items    []ItemInfo `json:"items"`
}

// ItemInfo is one node of a package's outline.
type ItemInfo struct {
	Identifier string     `json:"identifier"`
	Title      string     `json:"title"`
	Launchable bool       `json:"launchable"`
	Children   []ItemInfo `json:"children"`
}

// infoOf returns the public description of a parsed manifest.
func infoOf(m *Manifest) PackageInfo {
	var conv func(items []*Item) []ItemInfo
	conv = func(items []*Item) []ItemInfo {
		out := make([]ItemInfo, 0, len(items))
		for _, it := range items {
			out = append(out, ItemInfo{Identifier: it.Identifier, Title: it.Title, Launchable: it.Launchable, Children: conv(it.Children)})
		}
		return out
	}
	return PackageInfo{Standard: m.Standard, Edition: m.Edition, Title: m.Title, Items: conv(m.Items)}
}
