package account

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/httpx"
)

// OrgInput creates or changes an organisation; nil fields are kept on change.
type OrgInput struct {
	Name    *string
	Type    *string
	Country *string
}

// OrgFilter narrows the organisation list.
type OrgFilter struct {
	Country string
	Type    string
	Q       string
}

// ListOrgs lists organisations (anyone may read them: registration offers them).
func (s *Service) ListOrgs(ctx context.Context, f OrgFilter, pg httpx.Page) ([]Organisation, int64, error) {
	fe := apperr.Fields{}
	f.Country = strings.ToUpper(f.Country)
	if f.Country != "" {
		s.checkCountry(ctx, fe, "country", f.Country, false)
	}
	fe.Check(f.Type != "" && !slices.Contains(OrgTypes, f.Type), "type", "must be one of "+strings.Join(OrgTypes, ", "))
	if err := fe.Err(); err != nil {
		return nil, 0, err
	}
	q := s.db.WithContext(ctx).Model(&Organisation{})
	if f.Country != "" {
		q = q.Where("country = ?", f.Country)
	}
	if f.Type != "" {
		q = q.Where("type = ?", f.Type)
	}
	if strings.TrimSpace(f.Q) != "" {
		q = q.Where(`LOWER(name) LIKE ? ESCAPE '\'`, likePattern(f.Q))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []Organisation
	err := q.Order("name, id").Offset(pg.Offset()).Limit(pg.PerPage).Find(&out).Error
	return out, total, err
}

// AllOrgs lists every organisation by name (select boxes).
func (s *Service) AllOrgs(ctx context.Context) ([]Organisation, error) {
	var out []Organisation
	err := s.db.WithContext(ctx).Order("name, id").Limit(5000).Find(&out).Error
	return out, err
}

// GetOrg loads an organisation.
func (s *Service) GetOrg(ctx context.Context, id int64) (*Organisation, error) {
	var o Organisation
	err := s.db.WithContext(ctx).Take(&o, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("organisation %d: %w", id, apperr.ErrNotFound)
	}
	return &o, err
}

// orgsByID loads the organisations with the given ids in one query.
func (s *Service) orgsByID(ctx context.Context, ids []int64) (map[int64]Organisation, error) {
	out := map[int64]Organisation{}
	if len(ids) == 0 {
		return out, nil
	}
	var list []Organisation
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&list).Error; err != nil {
		return nil, err
	}
	for _, o := range list {
		out[o.ID] = o
	}
	return out, nil
}

func (s *Service) applyOrg(ctx context.Context, o *Organisation, in OrgInput, create bool) error {
	f := apperr.Fields{}
	if in.Name != nil || create {
		if in.Name != nil {
			o.Name = strings.TrimSpace(*in.Name)
		}
		f.Check(o.Name == "" || len([]rune(o.Name)) > 200, "name", "is required (at most 200 characters)")
	}
	if in.Type != nil || create {
		if in.Type != nil {
			o.Type = *in.Type
		}
		f.Check(!slices.Contains(OrgTypes, o.Type), "type", "must be one of "+strings.Join(OrgTypes, ", "))
	}
	if in.Country != nil || create {
		if in.Country != nil {
			o.Country = strings.ToUpper(strings.TrimSpace(*in.Country))
		}
		s.checkCountry(ctx, f, "country", o.Country, true)
	}
	return f.Err()
}

// CreateOrg adds an organisation; admins only.
func (s *Service) CreateOrg(ctx context.Context, in OrgInput) (*Organisation, error) {
	if _, err := auth.RequireRole(ctx, auth.RoleAdmin); err != nil {
		return nil, err
	}
	o := &Organisation{}
	if err := s.applyOrg(ctx, o, in, true); err != nil {
		return nil, err
	}
	return o, s.db.WithContext(ctx).Create(o).Error
}

// UpdateOrg changes an organisation; admins only.
func (s *Service) UpdateOrg(ctx context.Context, id int64, in OrgInput) (*Organisation, error) {
	if _, err := auth.RequireRole(ctx, auth.RoleAdmin); err != nil {
		return nil, err
	}
	o, err := s.GetOrg(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.applyOrg(ctx, o, in, false); err != nil {
		return nil, err
	}
	o.UpdatedAt = s.now()
	return o, s.db.WithContext(ctx).Select("name", "type", "country", "updated_at").Save(o).Error
}

// DeleteOrg removes an organisation that no user belongs to or coordinates; admins only.
func (s *Service) DeleteOrg(ctx context.Context, id int64) error {
	if _, err := auth.RequireRole(ctx, auth.RoleAdmin); err != nil {
		return err
	}
	if _, err := s.GetOrg(ctx, id); err != nil {
		return err
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&User{}).Where("org_id = ? OR scope_org_id = ?", id, id).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%d user(s) belong to or coordinate this organisation: %w", n, apperr.ErrConflict)
	}
	return s.db.WithContext(ctx).Delete(&Organisation{}, id).Error
}
