package scorm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/jobs"
)

// BackgroundBytes is the upload size from which an import runs as a background job (smaller
// ones run in the request unless the client asks with ?background=1).
const BackgroundBytes = 64 << 20

// importArgs is the background import job.
type importArgs struct {
	ImportID int64 `json:"import_id"`
}

// Kind implements jobs.Args.
func (importArgs) Kind() string { return "scorm.import" }

// registerJobs registers the import job's handler on the queue.
func (s *Service) registerJobs(q *jobs.Queue) {
	s.jobs = q
	jobs.Handle(q, func(ctx context.Context, a importArgs) error { return s.runImport(ctx, a.ImportID) })
}

// Background reports whether an upload of size bytes should be imported by a job.
func (s *Service) Background(size int64, asked bool) bool {
	return s.jobs != nil && (asked || size >= BackgroundBytes)
}

// EnqueueImport keeps the uploaded zip in object storage and enqueues its import, with the
// settings for the new lesson (checked now: a refusal keeps nothing). The caller polls
// ImportStatus.
func (s *Service) EnqueueImport(ctx context.Context, sectionID int64, f io.ReadSeeker, size int64, set SettingsIn) (*Import, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := set.check(); err != nil {
		return nil, err
	}
	im := &Import{UUID: uuid.NewString(), SectionID: sectionID, UserID: p.UserID, Roles: strings.Join(p.Roles, " "),
		Size: size, Status: "queued"}
	if !set.empty() {
		raw, err := json.Marshal(set)
		if err != nil {
			return nil, err
		}
		im.Settings = string(raw)
	}
	im.UploadKey = "scorm/uploads/" + im.UUID + ".zip"
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if _, err := s.store.Put(ctx, im.UploadKey, f, size, "application/zip"); err != nil {
		return nil, fmt.Errorf("keep the upload: %w", err)
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(im).Error; err != nil {
			return err
		}
		_, err := s.jobs.EnqueueTx(ctx, tx, importArgs{ImportID: im.ID}, jobs.MaxAttempts(1))
		return err
	})
	if err != nil {
		_ = s.store.Delete(context.WithoutCancel(ctx), im.UploadKey)
		return nil, err
	}
	return im, nil
}

// runImport is the job: the same Import as in a request, acting as the uploader. A refused
// package is recorded as failed with the reason; the upload is removed either way.
func (s *Service) runImport(ctx context.Context, id int64) error {
	var im Import
	if err := s.db.WithContext(ctx).Take(&im, id).Error; err != nil {
		if isNotFound(err) {
			return nil
		}
		return err
	}
	if im.Status == "done" || im.Status == "failed" {
		return nil
	}
	s.db.WithContext(ctx).Model(&im).Update("status", "running")
	defer func() { _ = s.store.Delete(context.WithoutCancel(ctx), im.UploadKey) }()
	res, err := s.importStored(ctx, &im)
	if err != nil {
		_, d := classify(err)
		return s.db.WithContext(ctx).Model(&im).Updates(map[string]any{"status": "failed", "error": d}).Error
	}
	raw, _ := json.Marshal(res)
	return s.db.WithContext(ctx).Model(&im).Updates(map[string]any{"status": "done", "lesson_id": res.ID, "result": string(raw)}).Error
}

func (s *Service) importStored(ctx context.Context, im *Import) (*ImportResult, error) {
	obj, err := s.store.Get(ctx, im.UploadKey)
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	f, err := os.CreateTemp("", "glc-package-*.zip")
	if err != nil {
		return nil, err
	}
	defer removeTemp(f)
	n, err := io.Copy(f, obj)
	if err != nil {
		return nil, err
	}
	var set SettingsIn
	if im.Settings != "" {
		if err := json.Unmarshal([]byte(im.Settings), &set); err != nil {
			return nil, fmt.Errorf("import %s settings: %w", im.UUID, err)
		}
	}
	ctx = auth.WithPrincipal(ctx, &auth.Principal{UserID: im.UserID, Roles: strings.Fields(im.Roles)})
	return s.Import(ctx, ImportRequest{SectionID: im.SectionID, Zip: f, Size: n, Settings: set})
}

// classify turns an import error into the message the uploader reads.
func classify(err error) (bool, string) {
	var v *apperr.Validation
	if errors.As(err, &v) {
		return true, v.Message
	}
	if errors.Is(err, apperr.ErrForbidden) || errors.Is(err, apperr.ErrNotFound) {
		return true, "You may no longer add packages to this section."
	}
	return false, "The import failed on our side; try again later."
}

// ImportStatus returns a background import to its uploader (or an admin).
func (s *Service) ImportStatus(ctx context.Context, id string) (*Import, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	var im Import
	if err := s.db.WithContext(ctx).Where("uuid = ?", id).Take(&im).Error; err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("import %s: %w", id, apperr.ErrNotFound)
		}
		return nil, err
	}
	if im.UserID != p.UserID && !p.IsAdmin() {
		return nil, fmt.Errorf("import %s: %w", id, apperr.ErrNotFound)
	}
	return &im, nil
}
