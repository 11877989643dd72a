package course

import (
	"context"
	"fmt"

	"glc/internal/apperr"
	"glc/internal/auth"
)

// KindLesson is what the principal in ctx may do with a lesson, for the module that implements
// the lesson's kind (quiz, package): that module checks its own routes with it.
type KindLesson struct {
	LessonID int64
	CourseID int64
	Kind     string
	// Title is the lesson's title in the principal's language when the lesson has it, else in
	// the course's default language; CourseTitle likewise.
	Title       string
	CourseTitle string
	// Language is the language of Title.
	Language string
	// CanTake: an active enrolment in the published course.
	CanTake bool
	// CanReview: an active enrolment in the published or archived course: the learner may look
	// back at what they did (a quiz's past attempts) but, in an archived course, not start
	// anything new.
	CanReview bool
	// Archived: the course is archived.
	Archived bool
	// CanManage: the course's owner, a co-instructor, or an admin.
	CanManage bool
}

// KindLesson says what the principal in ctx may do with lesson id. It returns
// apperr.ErrNotFound when there is no such lesson, and when the principal may not know it exists
// (a draft course's lesson, for anyone but its editors); apperr.ErrUnauthenticated without a
// principal. A learner of a published course who is not enrolled gets the lesson with no right
// (the caller answers 403); a learner enrolled in an archived course may only review it.
func (s *Service) KindLesson(ctx context.Context, id int64) (*KindLesson, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	l, err := s.loadLesson(ctx, id)
	if err != nil {
		return nil, err
	}
	c, err := s.loadCourse(ctx, l.CourseID)
	if err != nil {
		return nil, fmt.Errorf("lesson %d: %w", id, apperr.ErrNotFound)
	}
	editor, err := s.isEditor(ctx, p, c)
	if err != nil {
		return nil, err
	}
	if !editor && c.Status == StatusDraft {
		return nil, fmt.Errorf("lesson %d: %w", id, apperr.ErrNotFound)
	}
	e, err := s.enrolmentOf(ctx, c.ID, p.UserID)
	if err != nil {
		return nil, err
	}
	active := e != nil && e.Status == EnrolActive
	k := &KindLesson{LessonID: l.ID, CourseID: c.ID, Kind: l.Kind, CanManage: editor, Archived: c.Status == StatusArchived,
		CanTake:   c.Status == StatusPublished && active,
		CanReview: (c.Status == StatusPublished || c.Status == StatusArchived) && active}
	variants, err := s.variantsOf(ctx, []int64{c.ID})
	if err != nil {
		return nil, err
	}
	lang := pickLanguage(variantLanguages(variants[c.ID]), c.DefaultLanguage, prefs(ctx, "", "")...)
	var cts []Content
	if err := s.db.WithContext(ctx).Where("lesson_id = ?", l.ID).Find(&cts).Error; err != nil {
		return nil, err
	}
	ct, _ := pickContent(cts, lang, c.DefaultLanguage)
	k.Title, k.CourseTitle, k.Language = ct.Title, variantIn(variants[c.ID], ct.Language).Title, ct.Language
	return k, nil
}

// CanManageCourse reports whether the principal in ctx may change course id (its owner, a
// co-instructor or an admin), for modules that keep per-course data (a quiz question bank).
// apperr.ErrNotFound when there is no such course, and for a draft course the principal may not
// see.
func (s *Service) CanManageCourse(ctx context.Context, id int64) (bool, error) {
	c, err := s.loadCourse(ctx, id)
	if err != nil {
		return false, err
	}
	editor, err := s.isEditor(ctx, auth.FromContext(ctx), c)
	if err != nil {
		return false, err
	}
	if !editor && c.Status == StatusDraft {
		return false, fmt.Errorf("course %d: %w", id, apperr.ErrNotFound)
	}
	return editor, nil
}
