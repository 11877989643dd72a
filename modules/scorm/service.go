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
	// Settings for the new lesson (attempt limit, mastery score), optional.
	Settings SettingsIn
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
	if err := in.Settings.check(); err != nil {
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
		if !in.Settings.empty() {
			return nil, apperr.Invalid("max_attempts", "the attempt limit and the mastery score are settings of SCORM packages; a cmi5 course sets its own")
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
	return s.store1(ctx, p.UserID, in.SectionID, a, m, in.Settings)
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

// store1 writes a validated package: files, lesson, package row (with the lesson settings
// given); undoing what was done when a later step fails.
func (s *Service) store1(ctx context.Context, userID, sectionID int64, a *Archive, m *Manifest, set SettingsIn) (res *ImportResult, err error) {
	pkg := &Package{UUID: uuid.NewString(), Standard: m.Standard, Edition: m.Edition, Title: truncate(m.Title, 300),
		Files: len(a.Names()), Bytes: a.Expanded, CreatedBy: userID}
	pkg.ContentUUID = pkg.UUID
	set.apply(pkg)
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
			if derr := s.releaseContent(cleanup, pkg.Content()); derr != nil {
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

// HasPackage reports whether a lesson holds a SCORM package (a package lesson may hold a cmi5
// course instead, or nothing when its import never finished).
func (s *Service) HasPackage(ctx context.Context, lessonID int64) bool {
	var n int64
	err := s.db.WithContext(ctx).Model(&Package{}).Where("lesson_id = ?", lessonID).Count(&n).Error
	return err == nil && n > 0
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
