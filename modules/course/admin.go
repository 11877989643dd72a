package course

import (
	"context"
	"slices"
	"strings"

	"glc/internal/apperr"
	"glc/internal/auth"
)

// AdminQuery filters the admins' list of every course.
type AdminQuery struct {
	// Q matches a word of the title in any language variant (case-insensitive substring).
	Q      string
	Status string
	Page   Page
}

// AdminCourses lists every course (any status, any owner) for admins, most recently changed
// first, with the title in the UI language where there is a variant in it.
func (s *Service) AdminCourses(ctx context.Context, ui string, in AdminQuery) ([]CourseSummary, int64, error) {
	if _, err := auth.RequireRole(ctx, auth.RoleAdmin); err != nil {
		return nil, 0, err
	}
	f := apperr.Fields{}
	in.Q = strings.TrimSpace(in.Q)
	f.Check(len(in.Q) > 200, "q", "must be at most 200 characters")
	f.Check(in.Status != "" && !slices.Contains([]string{StatusDraft, StatusPublished, StatusArchived}, in.Status), "status", "must be draft, published or archived")
	if err := f.Err(); err != nil {
		return nil, 0, err
	}
	q := s.db.WithContext(ctx).Model(&Course{}).Where("deleted_at IS NULL")
	if in.Status != "" {
		q = q.Where("status = ?", in.Status)
	}
	if in.Q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(in.Q)) + "%"
		q = q.Where(`id IN (?)`, s.db.Model(&Variant{}).Select("course_id").Where(`LOWER(title) LIKE ? ESCAPE '\'`, like))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var ids []int64
	if err := q.Order("updated_at DESC, id DESC").Limit(in.Page.PerPage).Offset(in.Page.Offset()).Pluck("id", &ids).Error; err != nil {
		return nil, 0, err
	}
	items, err := s.summaries(ctx, ids, nil, prefs(ctx, "", ui), ui)
	return items, total, err
}
