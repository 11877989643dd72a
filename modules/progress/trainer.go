package progress

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/database"
)

// TrackCourse is a course of the train-the-trainer track.
type TrackCourse struct {
	CourseID int64  `json:"course_id"`
	Title    string `json:"title"`
}

// Candidate is a learner who completed every course of the track and is not an instructor yet.
type Candidate struct {
	UserID      int64     `json:"user_id"`
	Name        string    `json:"name"`
	Email       string    `json:"email"`
	Country     string    `json:"country"`
	CompletedAt time.Time `json:"completed_at"`
}

// TrainerTrack lists the track's courses (admins).
func (s *Service) TrainerTrack(ctx context.Context) ([]TrackCourse, error) {
	if _, err := auth.RequireRole(ctx, auth.RoleAdmin); err != nil {
		return nil, err
	}
	var out []TrackCourse
	err := s.db.WithContext(ctx).Raw(`SELECT t.course_id, COALESCE(v.title, '') AS title FROM trainer_track_courses t
LEFT JOIN courses c ON c.id = t.course_id
LEFT JOIN course_variants v ON v.course_id = c.id AND v.language = c.default_language
ORDER BY t.course_id`).Scan(&out).Error
	if out == nil {
		out = []TrackCourse{}
	}
	return out, err
}

// SetTrainerTrack replaces the track's courses (admins).
func (s *Service) SetTrainerTrack(ctx context.Context, courseIDs []int64) ([]TrackCourse, error) {
	p, err := auth.RequireRole(ctx, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	ids := slices.Clone(courseIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	f := apperr.Fields{}
	f.Check(len(ids) > 100, "course_ids", "at most 100 courses")
	if len(ids) > 0 {
		var n int64
		if err := s.db.WithContext(ctx).Raw(`SELECT COUNT(*) FROM courses WHERE id IN ? AND deleted_at IS NULL`, ids).Scan(&n).Error; err != nil {
			return nil, err
		}
		f.Check(n != int64(len(ids)), "course_ids", "must be existing courses")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("1 = 1").Delete(&TrainerCourse{}).Error; err != nil {
			return err
		}
		for _, id := range ids {
			if err := tx.Create(&TrainerCourse{CourseID: id, AddedBy: p.UserID, CreatedAt: s.now()}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.TrainerTrack(ctx)
}

// Candidates lists the learners eligible for the instructor role: they completed every
// course of the track and hold no instructor role yet (admins). One query.
func (s *Service) Candidates(ctx context.Context) ([]Candidate, error) {
	if _, err := auth.RequireRole(ctx, auth.RoleAdmin); err != nil {
		return nil, err
	}
	return s.candidates(ctx, s.db.DB, 0)
}

func (s *Service) candidates(ctx context.Context, db *gorm.DB, userID int64) ([]Candidate, error) {
	type row struct {
		UserID      int64
		Name        string
		Email       string
		Country     string
		Roles       string
		CompletedAt dbTime
	}
	q := `SELECT u.id AS user_id, u.name, u.email, u.country, u.roles, MAX(cp.completed_at) AS completed_at
FROM course_progress cp
JOIN trainer_track_courses t ON t.course_id = cp.course_id
JOIN users u ON u.id = cp.user_id
WHERE cp.completed_at IS NOT NULL`
	var args []any
	if userID != 0 {
		q += " AND cp.user_id = ?"
		args = append(args, userID)
	}
	q += ` GROUP BY u.id, u.name, u.email, u.country, u.roles
HAVING COUNT(DISTINCT cp.course_id) = (SELECT COUNT(*) FROM trainer_track_courses)
ORDER BY MAX(cp.completed_at), u.id`
	var rows []row
	if err := db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := []Candidate{}
	for _, r := range rows {
		if !slices.Contains(strings.Fields(r.Roles), auth.RoleInstructor) {
			out = append(out, Candidate{UserID: r.UserID, Name: r.Name, Email: r.Email, Country: r.Country, CompletedAt: r.CompletedAt.Time})
		}
	}
	return out, nil
}

// ConfirmTrainer gives an eligible learner the instructor role (admins, one click).
func (s *Service) ConfirmTrainer(ctx context.Context, userID int64) error {
	p, err := auth.RequireRole(ctx, auth.RoleAdmin)
	if err != nil {
		return err
	}
	c, err := s.candidates(ctx, s.db.DB, userID)
	if err != nil {
		return err
	}
	if len(c) == 0 {
		var n int64
		s.db.WithContext(ctx).Model(&TrainerCourse{}).Count(&n)
		if n == 0 {
			return fmt.Errorf("no train-the-trainer courses are designated: %w", apperr.ErrConflict)
		}
		return fmt.Errorf("user %d has not completed every train-the-trainer course, or is an instructor already: %w", userID, apperr.ErrConflict)
	}
	if err := s.accounts.GrantRole(ctx, userID, auth.RoleInstructor); err != nil {
		return err
	}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&TrainerPromotion{UserID: userID, ConfirmedBy: p.UserID, ConfirmedAt: s.now()}).Error
}

// SQLAccounts grants roles by updating the account module's users table. The app wires an
// adapter over the account service instead when it offers one.
type SQLAccounts struct {
	DB *database.DB
}

// GrantRole implements Accounts.
func (a SQLAccounts) GrantRole(ctx context.Context, userID int64, role string) error {
	var u userRow
	err := a.DB.WithContext(ctx).Take(&u, userID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("user %d: %w", userID, apperr.ErrNotFound)
	}
	if err != nil || u.has(role) {
		return err
	}
	roles := strings.TrimSpace(u.Roles + " " + role)
	return a.DB.WithContext(ctx).Model(&userRow{}).Where("id = ?", userID).Updates(map[string]any{"roles": roles, "updated_at": time.Now().UTC()}).Error
}
