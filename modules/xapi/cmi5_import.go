package xapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/modules/scorm"
)

var _ scorm.CMI5Importer = (*Service)(nil)
var _ scorm.CMI5Player = (*Service)(nil)

// ImportCMI5 implements scorm.CMI5Importer: it checks the course structure of an archive
// that passed scorm.OpenArchive (or a cmi5.xml uploaded alone), unpacks the package's files
// into object storage and creates the lesson. A refusal (422) or a failure leaves nothing in
// storage or in the database.
func (s *Service) ImportCMI5(ctx context.Context, sectionID int64, a *scorm.Archive) (res *scorm.ImportResult, err error) {
	if s.c5 == nil || s.c5.lessons == nil {
		return nil, errNoLessons
	}
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if !a.Has("cmi5.xml") {
		return nil, scorm.Refuse("there is no cmi5.xml at the root of the package")
	}
	data, err := a.ReadFile("cmi5.xml", maxStructureBytes)
	if err != nil {
		return nil, err
	}
	has := a.Has
	if a.Bare {
		has = nil
	}
	st, err := ParseStructure(data, has)
	if err != nil {
		return nil, err
	}
	course := &cmi5Course{UUID: uuid.NewString(), PublisherID: st.CourseID, CreatedBy: p.UserID, CreatedAt: s.now()}
	st.assignIDs(strings.TrimRight(s.baseURL, "/") + "/cmi5/courses/" + course.UUID)
	course.Title = truncateRunes(pick(st.Title, "en"), 300)
	if course.Title == "" {
		course.Title = "cmi5"
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	course.Structure = string(raw)
	cleanup := context.WithoutCancel(ctx)
	if !a.Bare {
		course.Files, course.Bytes = len(a.Names()), a.Expanded
		if err := a.Unpack(ctx, s.store, course.Prefix()); err != nil {
			return nil, fmt.Errorf("unpack package: %w", err)
		}
		defer func() {
			if err != nil {
				if derr := scorm.DeletePrefix(cleanup, s.store, course.Prefix()); derr != nil {
					s.c5.log.Error("cmi5: clean up after a failed import", "prefix", course.Prefix(), "err", derr)
				}
			}
		}()
	}
	lessonID, err := s.c5.lessons.CreatePackageLesson(ctx, sectionID, course.Title)
	if err != nil {
		return nil, err
	}
	course.LessonID = lessonID
	if err := s.db.WithContext(ctx).Create(course).Error; err != nil {
		if derr := s.c5.lessons.DeletePackageLesson(cleanup, lessonID); derr != nil {
			s.c5.log.Error("cmi5: delete the lesson of a failed import", "lesson", lessonID, "err", derr)
		}
		return nil, err
	}
	return &scorm.ImportResult{ID: lessonID, Kind: "package", Package: packageInfo(st)}, nil
}

func packageInfo(st *Structure) scorm.PackageInfo {
	return scorm.PackageInfo{Standard: "cmi5", Title: pick(st.Title, "en"), Items: itemsOf(st.Children)}
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n]))
}

// PlayerPath implements scorm.CMI5Player: the cmi5 player of a lesson holding a cmi5 course.
func (s *Service) PlayerPath(ctx context.Context, lessonID int64) string {
	var n int64
	if err := s.db.WithContext(ctx).Model(&cmi5Course{}).Where("lesson_id = ?", lessonID).Count(&n).Error; err != nil || n == 0 {
		return ""
	}
	return fmt.Sprintf("/lessons/%d/cmi5", lessonID)
}

// courseOfLesson loads the cmi5 course of a lesson.
func (s *Service) courseOfLesson(ctx context.Context, lessonID int64) (*cmi5Course, *Structure, error) {
	var c cmi5Course
	err := s.db.WithContext(ctx).Where("lesson_id = ?", lessonID).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, fmt.Errorf("no cmi5 course in lesson %d: %w", lessonID, apperr.ErrNotFound)
	}
	if err != nil {
		return nil, nil, err
	}
	st, err := s.structureOf(&c)
	return &c, st, err
}
