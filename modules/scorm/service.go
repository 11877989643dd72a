package scorm

import (
	"glc/modules/scorm/cam"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/config"
	"glc/internal/database"
	"glc/internal/jobs"
	"glc/storage"
)

// Service holds the SCORM rules: import, attempts, commits and results.
type Service struct {
	db      *database.DB
	store   storage.Store
	lessons Lessons
	cmi5    CMI5Importer
	cfg     config.Config
	log     *slog.Logger
	tokens  *tokenSigner
	jobs    *jobs.Queue
	now     func() time.Time
}

// Limits returns the package limits from the configuration.
func (s *Service) Limits() Limits {
	return Limits{MaxFiles: s.cfg.MaxPackageFiles, MaxBytes: s.cfg.MaxPackageMB << 20}
}

var errNoLessons = errors.New("scorm: the course module is not wired (Deps.Lessons is nil)")

// ImportRequest is an uploaded package waiting to be imported: the zip in a temporary file
// (a ReaderAt) that the caller removes afterwards.
type ImportRequest struct {
	SectionID int64
	Zip       io.ReaderAt
	Size      int64
}

// Authorize checks, before the upload is read, that the caller may add a package to the
// section.
func (s *Service) Authorize(ctx context.Context, sectionID int64) error {
	if _, err := auth.RequireRole(ctx, auth.RoleInstructor, auth.RoleAdmin); err != nil {
		return err
	}
	if s.lessons == nil {
		return errNoLessons
	}
	return s.lessons.CheckSection(ctx, sectionID)
}

// Import validates the package fully, then unpacks it into object storage and creates its
// lesson. A refusal (422) or a failure leaves nothing in storage or in the database. It is the
// whole of the work a background import job does.
func (s *Service) Import(ctx context.Context, in ImportRequest) (*ImportResult, error) {
	if err := s.Authorize(ctx, in.SectionID); err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	a, err := OpenArchive(in.Zip, in.Size, s.Limits())
	if err != nil && s.cmi5 != nil {
		// cmi5 also accepts a course structure uploaded alone (AUs at absolute URLs).
		if bare, ok, berr := OpenBareXML(in.Zip, in.Size, cam.MaxManifestMB<<20, s.Limits()); ok {
			a, err = bare, berr
		}
	}
	if err != nil {
		return nil, err
	}
	if !a.Has("imsmanifest.xml") && a.Has("cmi5.xml") {
		if s.cmi5 == nil {
			return nil, Refuse("cmi5 packages are not supported yet")
		}
		return s.cmi5.ImportCMI5(ctx, in.SectionID, a)
	}
	if !a.Has("imsmanifest.xml") {
		return nil, Refuse("there is no imsmanifest.xml at the root of the package%s", nestedHint(a))
	}
	data, err := a.ReadFile("imsmanifest.xml", cam.MaxManifestMB<<20)
	if err != nil {
		return nil, err
	}
	m, err := ParseManifest(data, a.Has)
	if err != nil {
		return nil, err
	}
	return s.store1(ctx, p.UserID, in.SectionID, a, m)
}

// nestedHint points at a manifest that sits in a folder instead of the root.
func nestedHint(a *Archive) string {
	for _, n := range a.Names() {
		if path.Base(n) == "imsmanifest.xml" {
			return fmt.Sprintf(" (one was found in %s/: zip the contents of that folder, not the folder)", path.Dir(n))
		}
	}
	return ""
}

// store1 writes a validated package: files, lesson, package row; undoing what was done when a
// later step fails.
func (s *Service) store1(ctx context.Context, userID, sectionID int64, a *Archive, m *Manifest) (res *ImportResult, err error) {
	pkg := &Package{UUID: uuid.NewString(), Standard: m.Standard, Edition: m.Edition, Title: truncate(m.Title, 300),
		Files: len(a.Names()), Bytes: a.Expanded, CreatedBy: userID}
	if pkg.Title == "" {
		pkg.Title = "SCORM"
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	pkg.Manifest = string(raw)
	if err := a.Unpack(ctx, s.store, pkg.Prefix()); err != nil {
		return nil, fmt.Errorf("unpack package: %w", err)
	}
	cleanup := context.WithoutCancel(ctx)
	defer func() {
		if err != nil {
			if derr := DeletePrefix(cleanup, s.store, pkg.Prefix()); derr != nil {
				s.log.Error("scorm: clean up after a failed import", "prefix", pkg.Prefix(), "err", derr)
			}
		}
	}()
	lessonID, err := s.lessons.CreatePackageLesson(ctx, sectionID, pkg.Title)
	if err != nil {
		return nil, err
	}
	pkg.LessonID = lessonID
	if err := s.db.WithContext(ctx).Create(pkg).Error; err != nil {
		if derr := s.lessons.DeletePackageLesson(cleanup, lessonID); derr != nil {
			s.log.Error("scorm: delete the lesson of a failed import", "lesson", lessonID, "err", derr)
		}
		return nil, err
	}
	return &ImportResult{ID: lessonID, Kind: "package", Package: infoOf(m)}, nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n]))
}

// packageOf loads the package of a lesson.
func (s *Service) packageOf(ctx context.Context, lessonID int64) (*Package, *Manifest, error) {
	var pkg Package
	err := s.db.WithContext(ctx).Where("lesson_id = ?", lessonID).Take(&pkg).Error
	if err != nil {
		if isNotFound(err) {
			return nil, nil, fmt.Errorf("no SCORM package in lesson %d: %w", lessonID, apperr.ErrNotFound)
		}
		return nil, nil, err
	}
	var m Manifest
	if err := json.Unmarshal([]byte(pkg.Manifest), &m); err != nil {
		return nil, nil, fmt.Errorf("package %d manifest: %w", pkg.ID, err)
	}
	return &pkg, &m, nil
}

// Package returns a lesson's package description to those who may see the lesson.
func (s *Service) Package(ctx context.Context, lessonID int64) (*Package, *Manifest, error) {
	if _, err := s.access(ctx, lessonID); err != nil {
		return nil, nil, err
	}
	return s.packageOf(ctx, lessonID)
}

// access loads the caller's rights on a lesson; a caller who may neither learn nor manage it
// is refused.
func (s *Service) access(ctx context.Context, lessonID int64) (LessonAccess, error) {
	if _, err := auth.Require(ctx); err != nil {
		return LessonAccess{}, err
	}
	if s.lessons == nil {
		return LessonAccess{}, errNoLessons
	}
	acc, err := s.lessons.Access(ctx, lessonID)
	if err != nil {
		return LessonAccess{}, err
	}
	if !acc.Learn && !acc.Manage {
		return LessonAccess{}, fmt.Errorf("lesson %d: %w", lessonID, apperr.ErrForbidden)
	}
	var set Package
	err = s.db.WithContext(ctx).Select("max_attempts", "mastery_score").Where("lesson_id = ?", lessonID).Take(&set).Error
	switch {
	case err == nil:
		if set.MaxAttempts > 0 {
			acc.Settings.MaxAttempts = set.MaxAttempts
		}
		if set.MasteryScore != nil {
			acc.Settings.MasteryScore = set.MasteryScore
		}
	case !isNotFound(err):
		return LessonAccess{}, err
	}
	return acc, nil
}

// SettingsIn changes a package lesson's settings for new attempts. A field left out keeps its
// value; mastery_score null (with clear_mastery_score) goes back to the manifest's.
type SettingsIn struct {
	MaxAttempts  *int     `json:"max_attempts"`
	MasteryScore *float64 `json:"mastery_score"`
	ClearMastery bool     `json:"clear_mastery_score"`
}

// UpdateSettings changes the attempt limit and mastery score of a lesson's package, for those
// who manage the lesson. Attempts already started keep the mastery score they started with.
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
	f := apperr.Fields{}
	f.Check(in.MaxAttempts != nil && (*in.MaxAttempts < 0 || *in.MaxAttempts > 1000), "max_attempts", "must be between 0 (no limit) and 1000")
	f.Check(in.MasteryScore != nil && (*in.MasteryScore < 0 || *in.MasteryScore > 100), "mastery_score", "must be between 0 and 100")
	f.Check(in.MasteryScore != nil && in.ClearMastery, "clear_mastery_score", "cannot be used with mastery_score")
	if err := f.Err(); err != nil {
		return nil, err
	}
	upd := map[string]any{}
	if in.MaxAttempts != nil {
		upd["max_attempts"] = *in.MaxAttempts
		pkg.MaxAttempts = *in.MaxAttempts
	}
	if in.MasteryScore != nil {
		upd["mastery_score"] = *in.MasteryScore
		pkg.MasteryScore = in.MasteryScore
	}
	if in.ClearMastery {
		upd["mastery_score"] = nil
		pkg.MasteryScore = nil
	}
	if len(upd) > 0 {
		if err := s.db.WithContext(ctx).Model(&Package{}).Where("id = ?", pkg.ID).Updates(upd).Error; err != nil {
			return nil, err
		}
	}
	return pkg, nil
}
