package scorm

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"glc/internal/auth"
)

// CopyPackage gives lesson to a package of its own that uses the content of lesson from's
// package, for the copy of a lesson made by duplicating its course: same manifest and settings
// (attempt limit, mastery score), no attempts. The unpacked files are not copied: content
// never changes once imported, so both packages read the same objects, and releaseContent
// deletes them only when no package uses them any more.
//
// It runs inside the caller's transaction tx and reads and writes only through it (on SQLite
// the transaction holds the only connection). The caller has checked that the principal may
// copy the lesson. A lesson without a package (an import that never finished) copies nothing
// and returns nil.
func (s *Service) CopyPackage(ctx context.Context, tx *gorm.DB, from, to int64) (*Package, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	var src Package
	if err := tx.WithContext(ctx).Where("lesson_id = ?", from).Take(&src).Error; err != nil {
		if isNotFound(err) {
			s.log.Warn("scorm: a package lesson without a package was copied without one", "lesson", from, "copy", to)
			return nil, nil
		}
		return nil, err
	}
	cp := src
	cp.ID, cp.UUID, cp.ContentUUID, cp.LessonID, cp.CreatedBy, cp.CreatedAt = 0, uuid.NewString(), src.Content(), to, p.UserID, s.now()
	if err := tx.WithContext(ctx).Create(&cp).Error; err != nil {
		return nil, fmt.Errorf("copy the package of lesson %d: %w", from, err)
	}
	return &cp, nil
}

// releaseContent deletes the unpacked files of content (a content UUID) unless a package still
// uses them: call it after the package that used them is gone (or was never stored). Copies
// of a package share its files, so removing one lesson never takes the files of another.
func (s *Service) releaseContent(ctx context.Context, content string) error {
	var n int64
	if err := s.db.WithContext(ctx).Model(&Package{}).Where("content_uuid = ? OR uuid = ?", content, content).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	return DeletePrefix(ctx, s.store, contentPrefix(content))
}
