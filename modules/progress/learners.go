package progress

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"glc/internal/apperr"
	"glc/internal/httpx"
)

// LearnerFilter narrows a course's learner list.
type LearnerFilter struct {
	// Status: not_started, in_progress, completed, overdue ("" for all).
	Status  string
	Q       string // part of the name or e-mail
	Country string
	// Sort: name (default), progress, last_access, score.
	Sort string
}

// LearnerRow is one learner of a course as its instructors see them.
type LearnerRow struct {
	UserID           int64      `json:"user_id"`
	Name             string     `json:"name"`
	Email            string     `json:"email"`
	Country          string     `json:"country"`
	EnrolmentStatus  string     `json:"enrolment_status"`
	EnrolledAt       time.Time  `json:"enrolled_at"`
	DueAt            *time.Time `json:"due_at"`
	Overdue          bool       `json:"overdue"`
	Status           string     `json:"status"`
	PercentComplete  int        `json:"percent_complete"`
	LastAccessAt     *time.Time `json:"last_access_at"`
	TimeSpentSeconds int64      `json:"time_spent_seconds"`
	ScorePercent     *float64   `json:"score_percent"`
	CompletedAt      *time.Time `json:"completed_at"`
}

var learnerSorts = map[string]string{
	"":            "u.name, u.id",
	"name":        "u.name, u.id",
	"progress":    "COALESCE(p.percent_complete, 0) DESC, u.name, u.id",
	"last_access": "CASE WHEN p.last_access_at IS NULL THEN 1 ELSE 0 END, p.last_access_at DESC, u.id",
	"score":       "CASE WHEN p.score_percent IS NULL THEN 1 ELSE 0 END, p.score_percent DESC, u.id",
}

func (f *LearnerFilter) sql(now time.Time) (string, []any, error) {
	fe := apperr.Fields{}
	fe.Check(!slices.Contains([]string{"", StatusNotStarted, StatusInProgress, StatusCompleted, "overdue"}, f.Status), "status", "must be not_started, in_progress, completed or overdue")
	_, ok := learnerSorts[f.Sort]
	fe.Check(!ok, "sort", "must be name, progress, last_access or score")
	f.Country = strings.ToUpper(strings.TrimSpace(f.Country))
	fe.Check(f.Country != "" && len(f.Country) != 2, "country", "must be an ISO 3166-1 alpha-2 code")
	fe.Check(len(f.Q) > 200, "q", "is at most 200 characters")
	if err := fe.Err(); err != nil {
		return "", nil, err
	}
	var where string
	var args []any
	switch f.Status {
	case StatusNotStarted:
		where += " AND (p.id IS NULL OR p.status = 'not_started')"
	case StatusInProgress:
		where += " AND p.status = 'in_progress' AND p.completed_at IS NULL"
	case StatusCompleted:
		where += " AND p.completed_at IS NOT NULL"
	case "overdue":
		where += " AND p.completed_at IS NULL AND e.status = 'active' AND e.due_at IS NOT NULL AND e.due_at < ?"
		args = append(args, now)
	}
	if f.Country != "" {
		where += " AND u.country = ?"
		args = append(args, f.Country)
	}
	if q := strings.ToLower(strings.TrimSpace(f.Q)); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
		where += ` AND (LOWER(u.name) LIKE ? ESCAPE '\' OR LOWER(u.email) LIKE ? ESCAPE '\')`
		args = append(args, like, like)
	}
	return where, args, nil
}

const learnersFrom = ` FROM course_enrolments e
JOIN users u ON u.id = e.user_id
LEFT JOIN course_progress p ON p.user_id = e.user_id AND p.course_id = e.course_id
WHERE e.course_id = ?`

// Learners lists a course's learners with their progress (the course's instructors and admins):
// one query for the page and one for the total.
func (s *Service) Learners(ctx context.Context, courseID int64, f LearnerFilter, pg httpx.Page) ([]LearnerRow, int64, error) {
	if _, err := s.manage(ctx, courseID); err != nil {
		return nil, 0, err
	}
	now := s.now()
	where, args, err := f.sql(now)
	if err != nil {
		return nil, 0, err
	}
	args = append([]any{courseID}, args...)
	var total int64
	if err := s.db.WithContext(ctx).Raw("SELECT COUNT(*)"+learnersFrom+where, args...).Scan(&total).Error; err != nil {
		return nil, 0, err
	}
	rows, err := s.learnerRows(ctx, where+" ORDER BY "+learnerSorts[f.Sort]+" LIMIT ? OFFSET ?", append(args, pg.PerPage, pg.Offset()), now)
	return rows, total, err
}

// AllLearners returns every learner row of a course for an export, page by page through
// fn (the course's instructors and admins).
func (s *Service) AllLearners(ctx context.Context, courseID int64, f LearnerFilter, fn func([]LearnerRow) error) error {
	if _, err := s.manage(ctx, courseID); err != nil {
		return err
	}
	now := s.now()
	where, args, err := f.sql(now)
	if err != nil {
		return err
	}
	args = append([]any{courseID}, args...)
	const batch = 1000
	for off := 0; ; off += batch {
		rows, err := s.learnerRows(ctx, where+" ORDER BY u.name, u.id LIMIT ? OFFSET ?", append(slices.Clone(args), batch, off), now)
		if err != nil {
			return err
		}
		if len(rows) > 0 {
			if err := fn(rows); err != nil {
				return err
			}
		}
		if len(rows) < batch {
			return nil
		}
	}
}

func (s *Service) learnerRows(ctx context.Context, tail string, args []any, now time.Time) ([]LearnerRow, error) {
	var rows []LearnerRow
	err := s.db.WithContext(ctx).Raw(`SELECT e.user_id, u.name, u.email, u.country, e.status AS enrolment_status, e.enrolled_at, e.due_at,
  COALESCE(p.status, 'not_started') AS status, COALESCE(p.percent_complete, 0) AS percent_complete, p.last_access_at,
  COALESCE(p.time_spent_seconds, 0) AS time_spent_seconds, p.score_percent, p.completed_at`+learnersFrom+tail, args...).Scan(&rows).Error
	for i := range rows {
		r := &rows[i]
		r.Overdue = r.CompletedAt == nil && r.EnrolmentStatus == "active" && r.DueAt != nil && r.DueAt.Before(now)
		if r.CompletedAt != nil {
			r.Status, r.PercentComplete = StatusCompleted, 100
		}
	}
	if rows == nil {
		rows = []LearnerRow{}
	}
	return rows, err
}

// Hours is the time spent in hours (one decimal), for pages.
func (r LearnerRow) Hours() float64 { return hours(r.TimeSpentSeconds) }

// ScoreText is the score in percent without decimals ("" when there is none), for pages.
func (r LearnerRow) ScoreText() string {
	if r.ScorePercent == nil {
		return ""
	}
	return strconv.FormatFloat(*r.ScorePercent, 'f', 0, 64)
}
