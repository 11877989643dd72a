package scorm

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"glc/internal/apperr"
)

// SettingsIn changes a package lesson's settings for new attempts. A field left out keeps its
// value; mastery_score null (with clear_mastery_score) goes back to the manifest's.
type SettingsIn struct {
	MaxAttempts  *int     `json:"max_attempts,omitempty"`
	MasteryScore *float64 `json:"mastery_score,omitempty"`
	ClearMastery bool     `json:"clear_mastery_score,omitempty"`
}

// empty reports whether in changes nothing.
func (in SettingsIn) empty() bool {
	return in.MaxAttempts == nil && in.MasteryScore == nil && !in.ClearMastery
}

// check validates in; the error lists every bad field.
func (in SettingsIn) check() error {
	f := apperr.Fields{}
	in.checkInto(f)
	return f.Err()
}

func (in SettingsIn) checkInto(f apperr.Fields) {
	f.Check(in.MaxAttempts != nil && (*in.MaxAttempts < 0 || *in.MaxAttempts > 1000), "max_attempts", "must be between 0 (no limit) and 1000")
	f.Check(in.MasteryScore != nil && (*in.MasteryScore < 0 || *in.MasteryScore > 100), "mastery_score", "must be between 0 and 100")
	f.Check(in.MasteryScore != nil && in.ClearMastery, "clear_mastery_score", "cannot be used with mastery_score")
}

// apply sets the settings in on a package that is being made (an import, before it is stored).
func (in SettingsIn) apply(pkg *Package) {
	if in.MaxAttempts != nil {
		pkg.MaxAttempts = *in.MaxAttempts
	}
	if in.MasteryScore != nil {
		v := *in.MasteryScore
		pkg.MasteryScore = &v
	}
	if in.ClearMastery {
		pkg.MasteryScore = nil
	}
}

// settingsForm reads the settings fields of a form (the upload form, the settings page):
// max_attempts (a whole number, 0 or empty for no limit) and mastery_score (0-100, empty for
// the package's own). On the upload form an empty field is left out; on the settings page
// (clear) an empty field resets the setting. Values that are not numbers are field errors.
func settingsForm(get func(string) string, clear bool) (SettingsIn, error) {
	var in SettingsIn
	f := apperr.Fields{}
	if v := strings.TrimSpace(get("max_attempts")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			f.Add("max_attempts", "must be a whole number between 0 (no limit) and 1000")
		} else {
			in.MaxAttempts = &n
		}
	} else if clear {
		zero := 0
		in.MaxAttempts = &zero
	}
	if v := strings.TrimSpace(get("mastery_score")); v != "" {
		x, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
		if err != nil || x != x {
			f.Add("mastery_score", "must be a number between 0 and 100")
		} else {
			in.MasteryScore = &x
		}
	} else if clear {
		in.ClearMastery = true
	}
	in.checkInto(f)
	return in, f.Err()
}

// UpdateSettings changes the attempt limit and mastery score of a lesson's package, for those
// who manage the lesson. Attempts already started keep the mastery score they started with. A
// refusal (422 listing every bad field) changes nothing.
func (s *Service) UpdateSettings(ctx context.Context, lessonID int64, in SettingsIn) (*Package, error) {
	acc, err := s.access(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	if !acc.Manage {
		return nil, fmt.Errorf("only the course's instructors can change lesson %d: %w", lessonID, apperr.ErrForbidden)
	}
	pkg, _, err := s.packageOf(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	upd := map[string]any{}
	if in.MaxAttempts != nil {
		upd["max_attempts"] = *in.MaxAttempts
	}
	if in.MasteryScore != nil {
		upd["mastery_score"] = *in.MasteryScore
	}
	if in.ClearMastery {
		upd["mastery_score"] = nil
	}
	in.apply(pkg)
	if len(upd) > 0 {
		if err := s.db.WithContext(ctx).Model(&Package{}).Where("id = ?", pkg.ID).Updates(upd).Error; err != nil {
			return nil, err
		}
	}
	return pkg, nil
}
