package progress

import (
	"context"
	"slices"
	"time"

	"glc/internal/auth"
)

// LearningItem is one of the caller's courses.
type LearningItem struct {
	CourseID         int64      `json:"course_id"`
	Title            string     `json:"title"`
	Hours            float64    `json:"hours"`
	Status           string     `json:"status"`
	PercentComplete  int        `json:"percent_complete"`
	EnrolledAt       time.Time  `json:"enrolled_at"`
	DueAt            *time.Time `json:"due_at"`
	Overdue          bool       `json:"overdue"`
	LastAccessAt     *time.Time `json:"last_access_at"`
	ResumeLessonID   *int64     `json:"resume_lesson_id"`
	CompletedAt      *time.Time `json:"completed_at"`
	TimeSpentSeconds int64      `json:"time_spent_seconds"`
	ScorePercent     *float64   `json:"score_percent"`
	CertificateCode  string     `json:"certificate_code,omitempty"`
}

// Learning is the caller's "My learning" data.
type Learning struct {
	InProgress   []LearningItem    `json:"in_progress"`
	Completed    []LearningItem    `json:"completed"`
	Overdue      []LearningItem    `json:"overdue"`
	Certificates []CertificateView `json:"certificates"`
}

// myCourses returns the caller's enrolments (active ones, and finished ones kept after
// unenrolment) with their progress, titles in lang when the course has it: one query.
func (s *Service) myCourses(ctx context.Context, userID int64, lang string) ([]LearningItem, error) {
	type row struct {
		LearningItem
		EnrolmentStatus string
		// Kept apart from completed_at: SQLite's COALESCE of two timestamps returns text.
		EnrolmentCompletedAt *time.Time
	}
	var rows []row
	err := s.db.WithContext(ctx).Raw(`SELECT e.course_id, COALESCE(vl.title, vd.title, '') AS title, c.estimated_hours AS hours,
  COALESCE(p.status, 'not_started') AS status, COALESCE(p.percent_complete, 0) AS percent_complete, e.enrolled_at, e.due_at,
  e.status AS enrolment_status, p.last_access_at, p.last_lesson_id AS resume_lesson_id, p.completed_at, e.completed_at AS enrolment_completed_at,
  COALESCE(p.time_spent_seconds, 0) AS time_spent_seconds, p.score_percent, COALESCE(cert.code, '') AS certificate_code
FROM course_enrolments e
JOIN courses c ON c.id = e.course_id AND c.deleted_at IS NULL AND c.status IN ('published', 'archived')
LEFT JOIN course_variants vl ON vl.course_id = c.id AND vl.language = ?
LEFT JOIN course_variants vd ON vd.course_id = c.id AND vd.language = c.default_language
LEFT JOIN course_progress p ON p.user_id = e.user_id AND p.course_id = e.course_id
LEFT JOIN certificates cert ON cert.user_id = e.user_id AND cert.course_id = e.course_id AND cert.revoked_at IS NULL
WHERE e.user_id = ? AND (e.status = 'active' OR p.completed_at IS NOT NULL)
ORDER BY COALESCE(p.last_access_at, e.enrolled_at) DESC, e.id DESC`, lang, userID).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]LearningItem, len(rows))
	for i, r := range rows {
		it := r.LearningItem
		if it.CompletedAt == nil {
			it.CompletedAt = r.EnrolmentCompletedAt
		}
		if it.CompletedAt != nil {
			it.Status, it.PercentComplete = StatusCompleted, 100
		}
		it.Overdue = it.CompletedAt == nil && r.EnrolmentStatus == "active" && it.DueAt != nil && it.DueAt.Before(now)
		out[i] = it
	}
	return out, nil
}

// MyLearning returns the caller's courses in progress, completed and overdue, and their
// certificates.
func (s *Service) MyLearning(ctx context.Context, lang string) (*Learning, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	items, err := s.myCourses(ctx, p.UserID, lang)
	if err != nil {
		return nil, err
	}
	l := &Learning{InProgress: []LearningItem{}, Completed: []LearningItem{}, Overdue: []LearningItem{}}
	for _, it := range items {
		switch {
		case it.CompletedAt != nil:
			l.Completed = append(l.Completed, it)
		case it.Overdue:
			l.Overdue = append(l.Overdue, it)
		default:
			l.InProgress = append(l.InProgress, it)
		}
	}
	if l.Certificates, err = s.MyCertificates(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// Transcript is a learner's record of learning.
type Transcript struct {
	Name         string         `json:"name"`
	Email        string         `json:"email"`
	GeneratedAt  time.Time      `json:"generated_at"`
	Completed    []LearningItem `json:"completed"`
	InProgress   []LearningItem `json:"in_progress"`
	TotalHours   float64        `json:"total_hours"`
	Certificates int            `json:"certificates"`
}

// MyTranscript returns the caller's transcript: completed courses (by completion date) with hours,
// dates, scores and certificate codes, and the courses in progress.
func (s *Service) MyTranscript(ctx context.Context, lang string) (*Transcript, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	items, err := s.myCourses(ctx, p.UserID, lang)
	if err != nil {
		return nil, err
	}
	t := &Transcript{Name: p.Name, Email: p.Email, GeneratedAt: s.now(), Completed: []LearningItem{}, InProgress: []LearningItem{}}
	slices.SortStableFunc(items, func(a, b LearningItem) int {
		switch {
		case a.CompletedAt != nil && b.CompletedAt != nil:
			return a.CompletedAt.Compare(*b.CompletedAt)
		case a.CompletedAt != nil:
			return -1
		case b.CompletedAt != nil:
			return 1
		}
		return a.EnrolledAt.Compare(b.EnrolledAt)
	})
	for _, it := range items {
		if it.CompletedAt != nil {
			t.Completed = append(t.Completed, it)
			t.TotalHours += it.Hours
			if it.CertificateCode != "" {
				t.Certificates++
			}
		} else {
			t.InProgress = append(t.InProgress, it)
		}
	}
	return t, nil
}

// StatusID is the catalogue id of the item's status, for pages.
func (it LearningItem) StatusID() string { return statusLabel(it.Status) }
