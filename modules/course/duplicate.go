package course

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"glc/internal/auth"
)

// Duplicate copies a course the caller may edit into a new draft that the caller owns: its
// variants, sections, lessons, contents and files (objects are copied in storage), without
// enrolments or progress. Lessons whose kind's module keeps rows of its own (packages,
// quizzes) are copied by that module (KindDuplicator), in the same transaction.
func (s *Service) Duplicate(ctx context.Context, id int64) (*CourseView, error) {
	a, err := s.editCourse(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := auth.RequireRole(ctx, auth.RoleInstructor, auth.RoleAdmin); err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	var (
		variants []Variant
		secs     []Section
		texts    []SectionText
		lessons  []Lesson
		contents []Content
		files    []File
	)
	for _, q := range []struct {
		dst  any
		cond string
	}{
		{&variants, "course_id = ?"},
		{&secs, "course_id = ? AND deleted_at IS NULL"},
		{&texts, "section_id IN (SELECT id FROM course_sections WHERE course_id = ?)"},
		{&lessons, "course_id = ? AND deleted_at IS NULL"},
		{&contents, "lesson_id IN (SELECT id FROM course_lessons WHERE course_id = ?)"},
		{&files, "course_id = ?"},
	} {
		if err := db.Where(q.cond, id).Find(q.dst).Error; err != nil {
			return nil, err
		}
	}
	now := s.now()
	c := *a.c
	c.ID, c.UUID, c.Status, c.OwnerID, c.PublishedAt, c.ArchivedAt, c.CreatedAt, c.UpdatedAt = 0, uuid.NewString(), StatusDraft, a.p.UserID, nil, nil, now, now
	var copied []string
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		if c.Slug, err = s.uniqueSlug(ctx, tx, a.c.Slug+"-copy"); err != nil {
			return err
		}
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		if err := tx.Create(&Instructor{CourseID: c.ID, UserID: a.p.UserID, Role: RoleOwner, CreatedAt: now}).Error; err != nil {
			return err
		}
		for _, v := range variants {
			v.ID, v.CourseID, v.CreatedAt, v.UpdatedAt = 0, c.ID, now, now
			if err := tx.Create(&v).Error; err != nil {
				return err
			}
		}
		secMap, lessonMap, fileMap := map[int64]int64{}, map[int64]int64{}, map[int64]int64{}
		for _, sec := range secs {
			old := sec.ID
			sec.ID, sec.CourseID, sec.CreatedAt, sec.UpdatedAt = 0, c.ID, now, now
			if err := tx.Create(&sec).Error; err != nil {
				return err
			}
			secMap[old] = sec.ID
		}
		for _, t := range texts {
			if nid, ok := secMap[t.SectionID]; ok {
				t.SectionID = nid
				if err := tx.Create(&t).Error; err != nil {
					return err
				}
			}
		}
		for _, l := range lessons {
			from := l
			l.ID, l.CourseID, l.SectionID, l.RefID, l.CreatedAt, l.UpdatedAt = 0, c.ID, secMap[l.SectionID], nil, now, now
			if err := tx.Create(&l).Error; err != nil {
				return err
			}
			lessonMap[from.ID] = l.ID
			// The module behind the lesson's kind copies what it keeps (a package, a quiz).
			if h, ok := s.kinds[l.Kind].(KindDuplicator); ok {
				ref, err := h.Duplicate(ctx, tx, &from, &l)
				if err != nil {
					return fmt.Errorf("copy lesson %d (%s): %w", from.ID, from.Kind, err)
				}
				if ref != nil {
					if err := tx.Model(&Lesson{}).Where("id = ?", l.ID).Update("ref_id", *ref).Error; err != nil {
						return err
					}
				}
			}
		}
		for _, f := range files {
			if f.LessonID != nil {
				nid, ok := lessonMap[*f.LessonID]
				if !ok {
					continue
				}
				f.LessonID = &nid
			}
			old := f.ID
			key := fmt.Sprintf("courses/%d/files/%s", c.ID, uuid.NewString())
			if err := s.copyObject(ctx, f.Key, key, f.ContentType); err != nil {
				return err
			}
			copied = append(copied, key)
			f.ID, f.UUID, f.CourseID, f.Key, f.CreatedBy, f.CreatedAt = 0, uuid.NewString(), c.ID, key, a.p.UserID, now
			if err := tx.Create(&f).Error; err != nil {
				return err
			}
			fileMap[old] = f.ID
		}
		for _, ct := range contents {
			nid, ok := lessonMap[ct.LessonID]
			if !ok {
				continue
			}
			ct.ID, ct.LessonID, ct.CreatedAt, ct.UpdatedAt = 0, nid, now, now
			if ct.MediaFileID != nil {
				if m, ok := fileMap[*ct.MediaFileID]; ok {
					ct.MediaFileID = &m
				} else {
					ct.MediaFileID = nil
				}
			}
			if err := tx.Create(&ct).Error; err != nil {
				return err
			}
		}
		if c.CoverFileID != nil {
			var cover *int64
			if m, ok := fileMap[*c.CoverFileID]; ok {
				cover = &m
			}
			return tx.Model(&Course{}).Where("id = ?", c.ID).Update("cover_file_id", cover).Error
		}
		return nil
	})
	if err != nil {
		for _, k := range copied {
			_ = s.store.Delete(context.WithoutCancel(ctx), k)
		}
		return nil, err
	}
	return s.Get(ctx, c.ID, "", "")
}

func (s *Service) copyObject(ctx context.Context, from, to, contentType string) error {
	obj, err := s.store.Get(ctx, from)
	if err != nil {
		return err
	}
	defer obj.Close()
	_, err = s.store.Put(ctx, to, obj, obj.Info().Size, contentType)
	return err
}
