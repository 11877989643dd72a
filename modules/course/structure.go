package course

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"gorm.io/gorm"

	"glc/internal/apperr"
)

// SectionInput creates or changes a section. Title goes to the variant named by Language
// (default: the course's default language). Position (1-based) moves the section.
type SectionInput struct {
	Title    *string `json:"title"`
	Language *string `json:"language"`
	Position *int    `json:"position"`
}

// LessonInput creates or changes a lesson. Title, Body and URL go to the lesson's content in
// Language (default: the course's default language). Quiz and Package carry the settings of
// those kinds for the module that implements them.
type LessonInput struct {
	Title           *string `json:"title"`
	Kind            *string `json:"kind"`
	Body            *string `json:"body"`
	URL             *string `json:"url"`
	Language        *string `json:"language"`
	Completion      *string `json:"completion"`
	WatchPercent    *int    `json:"watch_percent"`
	Required        *bool   `json:"required"`
	DurationSeconds *int    `json:"duration_seconds"`
	Position        *int    `json:"position"`
	SectionID       *int64  `json:"section_id"`
	Quiz            rawJSON `json:"quiz"`
	Package         rawJSON `json:"package"`
}

// rawJSON keeps a JSON value as it came.
type rawJSON []byte

// UnmarshalJSON implements json.Unmarshaler.
func (r *rawJSON) UnmarshalJSON(b []byte) error {
	*r = append((*r)[:0], b...)
	return nil
}

// contentLanguage checks an optional language against the course's variants.
func (s *Service) contentLanguage(ctx context.Context, c *Course, l *string, f apperr.Fields) (string, error) {
	if l == nil || *l == "" {
		return c.DefaultLanguage, nil
	}
	vs, err := s.variantsOf(ctx, []int64{c.ID})
	if err != nil {
		return "", err
	}
	f.Check(!slices.Contains(variantLanguages(vs[c.ID]), *l), "language", "the course has no variant in this language")
	return *l, nil
}

// AddSection appends a section to a course.
func (s *Service) AddSection(ctx context.Context, courseID int64, in SectionInput) (*SectionView, error) {
	a, err := s.editCourse(ctx, courseID)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	title := ""
	if in.Title != nil {
		title = strings.TrimSpace(*in.Title)
	}
	checkText(f, "title", title, true, 200)
	lang, err := s.contentLanguage(ctx, a.c, in.Language, f)
	if err != nil {
		return nil, err
	}
	f.Check(in.Position != nil, "position", "is set by appending; move the section afterwards")
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	sec := &Section{CourseID: courseID, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var max *int
		if err := tx.Model(&Section{}).Where("course_id = ? AND deleted_at IS NULL", courseID).Select("MAX(position)").Scan(&max).Error; err != nil {
			return err
		}
		sec.Position = 1
		if max != nil {
			sec.Position = *max + 1
		}
		if err := tx.Create(sec).Error; err != nil {
			return err
		}
		if err := tx.Create(&SectionText{SectionID: sec.ID, Language: lang, Title: title}).Error; err != nil {
			return err
		}
		return touch(tx, courseID, now)
	})
	if err != nil {
		return nil, err
	}
	return &SectionView{ID: sec.ID, Position: sec.Position, Title: title, Lessons: []LessonItem{}}, nil
}

// UpdateSection renames or moves a section.
func (s *Service) UpdateSection(ctx context.Context, id int64, in SectionInput) (*SectionView, error) {
	sec, a, err := s.editSection(ctx, id)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	lang, err := s.contentLanguage(ctx, a.c, in.Language, f)
	if err != nil {
		return nil, err
	}
	if in.Title != nil {
		checkText(f, "title", *in.Title, true, 200)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if in.Title != nil {
			t := SectionText{SectionID: id, Language: lang, Title: strings.TrimSpace(*in.Title)}
			if err := tx.Save(&t).Error; err != nil {
				return err
			}
		}
		if in.Position != nil {
			if err := s.moveSection(tx, sec, *in.Position); err != nil {
				return err
			}
		}
		return touch(tx, sec.CourseID, now)
	})
	if err != nil {
		return nil, err
	}
	o, err := s.outline(ctx, a.c, lang, 0)
	if err != nil {
		return nil, err
	}
	for _, sv := range o.sections {
		if sv.ID == id {
			return &sv, nil
		}
	}
	return nil, fmt.Errorf("section %d: %w", id, apperr.ErrNotFound)
}

func touch(tx *gorm.DB, courseID int64, now any) error {
	return tx.Model(&Course{}).Where("id = ?", courseID).Update("updated_at", now).Error
}

// moveSection puts sec at position pos (1-based, clamped) and renumbers its siblings.
func (s *Service) moveSection(tx *gorm.DB, sec *Section, pos int) error {
	var ids []int64
	if err := tx.Model(&Section{}).Where("course_id = ? AND deleted_at IS NULL", sec.CourseID).Order("position, id").Pluck("id", &ids).Error; err != nil {
		return err
	}
	return renumber(tx, &Section{}, moveID(ids, sec.ID, pos))
}

func moveID(ids []int64, id int64, pos int) []int64 {
	ids = slices.DeleteFunc(slices.Clone(ids), func(x int64) bool { return x == id })
	pos = min(max(pos, 1), len(ids)+1)
	return slices.Insert(ids, pos-1, id)
}

func renumber(tx *gorm.DB, model any, ids []int64) error {
	for i, id := range ids {
		if err := tx.Model(model).Where("id = ?", id).Update("position", i+1).Error; err != nil {
			return err
		}
	}
	return nil
}

// OrderSections sets the order of a course's sections; ids must list every section once.
func (s *Service) OrderSections(ctx context.Context, courseID int64, ids []int64) error {
	a, err := s.editCourse(ctx, courseID)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		var have []int64
		if err := tx.Model(&Section{}).Where("course_id = ? AND deleted_at IS NULL", a.c.ID).Pluck("id", &have).Error; err != nil {
			return err
		}
		if !sameSet(have, ids) {
			return apperr.Invalid("ids", "must list every section of the course exactly once")
		}
		if err := renumber(tx, &Section{}, ids); err != nil {
			return err
		}
		return touch(tx, courseID, s.now())
	})
}

// OrderLessons sets the order of a section's lessons; ids must list every lesson once.
func (s *Service) OrderLessons(ctx context.Context, sectionID int64, ids []int64) error {
	sec, _, err := s.editSection(ctx, sectionID)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		var have []int64
		if err := tx.Model(&Lesson{}).Where("section_id = ? AND deleted_at IS NULL", sec.ID).Pluck("id", &have).Error; err != nil {
			return err
		}
		if !sameSet(have, ids) {
			return apperr.Invalid("ids", "must list every lesson of the section exactly once")
		}
		if err := renumber(tx, &Lesson{}, ids); err != nil {
			return err
		}
		return touch(tx, sec.CourseID, s.now())
	})
}

func sameSet(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y) && len(slices.Compact(y)) == len(b)
}

// DeleteSection removes an empty section; a section that still holds lessons is refused with 409.
func (s *Service) DeleteSection(ctx context.Context, id int64) error {
	sec, _, err := s.editSection(ctx, id)
	if err != nil {
		return err
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&Lesson{}).Where("section_id = ? AND deleted_at IS NULL", id).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("section %d still holds %d lesson(s); delete or move them first: %w", id, n, apperr.ErrConflict)
	}
	now := s.now()
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&Section{}).Where("id = ?", id).Update("deleted_at", now).Error; err != nil {
			return err
		}
		var ids []int64
		if err := tx.Model(&Section{}).Where("course_id = ? AND deleted_at IS NULL", sec.CourseID).Order("position, id").Pluck("id", &ids).Error; err != nil {
			return err
		}
		return renumber(tx, &Section{}, ids)
	})
}

func defaultCompletion(kind string) string {
	switch kind {
	case KindVideo:
		return CompleteWatched
	case KindQuiz:
		return CompletePassed
	case KindPackage:
		return CompletePackage
	}
	return CompleteViewed
}

func allowedCompletions(kind string) []string {
	switch kind {
	case KindVideo:
		return []string{CompleteViewed, CompleteWatched}
	case KindQuiz:
		return []string{CompletePassed, CompleteViewed}
	case KindPackage:
		return []string{CompletePackage, CompletePassed}
	}
	return []string{CompleteViewed}
}

func checkURL(f apperr.Fields, raw string) {
	u, err := url.Parse(raw)
	f.Check(err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > 2000, "url", "must be an absolute http or https address")
}

// applyLesson validates the language-independent fields of in and applies them to l.
func applyLesson(in LessonInput, l *Lesson, f apperr.Fields) {
	if in.Completion != nil {
		f.Check(!slices.Contains(allowedCompletions(l.Kind), *in.Completion), "completion", "must be one of "+strings.Join(allowedCompletions(l.Kind), ", ")+" for a "+l.Kind+" lesson")
		l.Completion = *in.Completion
	}
	if in.WatchPercent != nil {
		f.Check(*in.WatchPercent < 1 || *in.WatchPercent > 100, "watch_percent", "must be between 1 and 100")
		l.WatchPercent = *in.WatchPercent
	}
	if l.Completion == CompleteWatched && l.WatchPercent == 0 {
		l.WatchPercent = 90
	}
	if in.Required != nil {
		l.Required = *in.Required
	}
}

// AddLesson appends a lesson to a section.
func (s *Service) AddLesson(ctx context.Context, sectionID int64, in LessonInput) (*LessonView, error) {
	sec, a, err := s.editSection(ctx, sectionID)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	kind := ""
	if in.Kind != nil {
		kind = *in.Kind
	}
	f.Check(!slices.Contains(Kinds, kind), "kind", "must be one of "+strings.Join(Kinds, ", "))
	title := ""
	if in.Title != nil {
		title = strings.TrimSpace(*in.Title)
	}
	checkText(f, "title", title, true, 200)
	lang, err := s.contentLanguage(ctx, a.c, in.Language, f)
	if err != nil {
		return nil, err
	}
	l := &Lesson{CourseID: a.c.ID, SectionID: sec.ID, Kind: kind, Completion: defaultCompletion(kind), Required: true}
	applyLesson(in, l, f)
	ct := Content{Language: lang, Title: title}
	s.applyContent(in, kind, &ct, f, true)
	var settings []byte
	switch {
	case kind == KindQuiz && in.Quiz != nil:
		settings = in.Quiz
	case kind == KindPackage && in.Package != nil:
		settings = in.Package
	}
	f.Check(in.Quiz != nil && kind != KindQuiz, "quiz", "is only for quiz lessons")
	f.Check(in.Package != nil && kind != KindPackage, "package", "is only for package lessons")
	h := s.kinds[kind]
	if settings != nil && h == nil {
		f.Add(kind, "lessons of this kind cannot be configured yet")
	}
	f.Check(in.Position != nil, "position", "is set by appending; move the lesson afterwards")
	f.Check(in.SectionID != nil, "section_id", "comes from the path")
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	l.CreatedAt, l.UpdatedAt, ct.CreatedAt, ct.UpdatedAt = now, now, now, now
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var max *int
		if err := tx.Model(&Lesson{}).Where("section_id = ? AND deleted_at IS NULL", sec.ID).Select("MAX(position)").Scan(&max).Error; err != nil {
			return err
		}
		l.Position = 1
		if max != nil {
			l.Position = *max + 1
		}
		if err := tx.Create(l).Error; err != nil {
			return err
		}
		ct.LessonID = l.ID
		if err := tx.Create(&ct).Error; err != nil {
			return err
		}
		if h != nil {
			ref, err := h.Create(ctx, tx, l, settings)
			if err != nil {
				return err
			}
			if ref != nil {
				l.RefID = ref
				if err := tx.Model(l).Update("ref_id", *ref).Error; err != nil {
					return err
				}
			}
		}
		return touch(tx, a.c.ID, now)
	})
	if err != nil {
		return nil, err
	}
	s.structureChanged(ctx, a.c.ID)
	return s.Lesson(ctx, l.ID, lang, "")
}

// applyContent validates the per-language fields of in for a lesson of kind.
func (s *Service) applyContent(in LessonInput, kind string, ct *Content, f apperr.Fields, creating bool) {
	if in.Title != nil {
		checkText(f, "title", *in.Title, true, 200)
		ct.Title = strings.TrimSpace(*in.Title)
	}
	if in.Body != nil {
		checkText(f, "body", *in.Body, false, 200000)
		ct.Body = strings.TrimSpace(*in.Body)
	}
	if in.URL != nil {
		f.Check(kind != KindLink, "url", "is only for link lessons")
		ct.URL = strings.TrimSpace(*in.URL)
	}
	if kind == KindLink && (creating || in.URL != nil) {
		checkURL(f, ct.URL)
	}
	if in.DurationSeconds != nil {
		f.Check(*in.DurationSeconds < 0, "duration_seconds", "must not be negative")
		ct.DurationSeconds = *in.DurationSeconds
	}
}

// UpdateLesson changes a lesson's settings and its content in one language; it can also move
// the lesson (position, section_id). The lesson keeps its ID.
func (s *Service) UpdateLesson(ctx context.Context, id int64, in LessonInput) (*LessonView, error) {
	a, err := s.editLesson(ctx, id)
	if err != nil {
		return nil, err
	}
	l := *a.l
	f := apperr.Fields{}
	f.Check(in.Kind != nil && *in.Kind != l.Kind, "kind", "cannot change; add a new lesson instead")
	f.Check(in.Quiz != nil || in.Package != nil, "kind", "settings of quizzes and packages are changed through their own endpoints")
	lang, err := s.contentLanguage(ctx, a.c, in.Language, f)
	if err != nil {
		return nil, err
	}
	applyLesson(in, &l, f)
	var ct Content
	err = s.db.WithContext(ctx).Where("lesson_id = ? AND language = ?", id, lang).Take(&ct).Error
	creating := errors.Is(err, gorm.ErrRecordNotFound)
	if err != nil && !creating {
		return nil, err
	}
	if creating {
		ct = Content{LessonID: id, Language: lang, CreatedAt: s.now()}
		f.Check(in.Title == nil, "title", "is required for the first content in this language")
	}
	s.applyContent(in, l.Kind, &ct, f, creating && l.Kind == KindLink)
	var target *Section
	if in.SectionID != nil && *in.SectionID != l.SectionID {
		target, err = s.loadSection(ctx, *in.SectionID)
		if err != nil || target.CourseID != l.CourseID {
			f.Add("section_id", "must be a section of the same course")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	l.UpdatedAt, ct.UpdatedAt = now, now
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		oldSection := l.SectionID
		if target != nil {
			l.SectionID = target.ID
			l.Position = 1 << 20 // last, renumbered below
		}
		if err := tx.Select("*").Omit("created_at", "deleted_at").Save(&l).Error; err != nil {
			return err
		}
		if err := tx.Save(&ct).Error; err != nil {
			return err
		}
		if target != nil || in.Position != nil {
			if err := s.renumberLessons(tx, oldSection, 0, 0); err != nil {
				return err
			}
			pos := 1 << 20
			if in.Position != nil {
				pos = *in.Position
			}
			if err := s.renumberLessons(tx, l.SectionID, l.ID, pos); err != nil {
				return err
			}
		}
		return touch(tx, l.CourseID, now)
	})
	if err != nil {
		return nil, err
	}
	if countsDifferently(a.l, &l) {
		s.structureChanged(ctx, l.CourseID)
	}
	return s.Lesson(ctx, id, lang, "")
}

// renumberLessons renumbers a section's lessons, putting lesson id at pos when id > 0.
func (s *Service) renumberLessons(tx *gorm.DB, sectionID, id int64, pos int) error {
	var ids []int64
	if err := tx.Model(&Lesson{}).Where("section_id = ? AND deleted_at IS NULL", sectionID).Order("position, id").Pluck("id", &ids).Error; err != nil {
		return err
	}
	if id > 0 {
		ids = moveID(ids, id, pos)
	}
	return renumber(tx, &Lesson{}, ids)
}

// ErrHasProgress is returned (wrapped in a 409) when a lesson with learners' progress is deleted
// without confirmation.
var ErrHasProgress = errors.New("learners have progress in this lesson")

// DeleteLesson removes a lesson. A lesson that learners have progress in is only deleted with
// confirm (otherwise 409); it is soft-deleted so that their history stays.
func (s *Service) DeleteLesson(ctx context.Context, id int64, confirm bool) error {
	a, err := s.editLesson(ctx, id)
	if err != nil {
		return err
	}
	n, err := s.ProgressCount(ctx, id)
	if err != nil {
		return err
	}
	if n > 0 && !confirm {
		return fmt.Errorf("%d learner(s) have progress in lesson %d; repeat with ?confirm=true to delete it (their history is kept): %w: %w", n, id, ErrHasProgress, apperr.ErrConflict)
	}
	now := s.now()
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&Lesson{}).Where("id = ?", id).Update("deleted_at", now).Error; err != nil {
			return err
		}
		if err := s.renumberLessons(tx, a.l.SectionID, 0, 0); err != nil {
			return err
		}
		return touch(tx, a.c.ID, now)
	})
	if err == nil {
		s.structureChanged(ctx, a.c.ID)
	}
	return err
}

// ProgressCount counts the learners with progress in a lesson.
func (s *Service) ProgressCount(ctx context.Context, lessonID int64) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Progress{}).Where("lesson_id = ?", lessonID).Count(&n).Error
	return n, err
}

// outlineData is a course's structure in one language.
type outlineData struct {
	sections []SectionView
	order    []int64 // lesson ids in reading order
}

// outline builds the sections and lessons of c with titles in lang (falling back to the
// default language), and the progress of userID when it is not 0.
func (s *Service) outline(ctx context.Context, c *Course, lang string, userID int64) (*outlineData, error) {
	db := s.db.WithContext(ctx)
	var secs []Section
	if err := db.Where("course_id = ? AND deleted_at IS NULL", c.ID).Order("position, id").Find(&secs).Error; err != nil {
		return nil, err
	}
	var lessons []Lesson
	if err := db.Where("course_id = ? AND deleted_at IS NULL", c.ID).Order("position, id").Find(&lessons).Error; err != nil {
		return nil, err
	}
	langs := []string{lang, c.DefaultLanguage}
	var texts []SectionText
	if err := db.Where("section_id IN (?) AND language IN ?", db.Model(&Section{}).Select("id").Where("course_id = ?", c.ID), langs).Find(&texts).Error; err != nil {
		return nil, err
	}
	var titles []Content
	if err := db.Select("lesson_id, language, title").Where("lesson_id IN (?) AND language IN ?", db.Model(&Lesson{}).Select("id").Where("course_id = ?", c.ID), langs).Find(&titles).Error; err != nil {
		return nil, err
	}
	status := map[int64]string{}
	if userID > 0 {
		var ps []Progress
		if err := db.Select("lesson_id, status").Where("user_id = ? AND course_id = ?", userID, c.ID).Find(&ps).Error; err != nil {
			return nil, err
		}
		for _, p := range ps {
			status[p.LessonID] = p.Status
		}
	}
	secTitle := map[int64]string{}
	for _, t := range texts {
		if t.Language == lang || secTitle[t.SectionID] == "" {
			secTitle[t.SectionID] = t.Title
		}
	}
	lesTitle := map[int64]string{}
	for _, t := range titles {
		if t.Language == lang || lesTitle[t.LessonID] == "" {
			lesTitle[t.LessonID] = t.Title
		}
	}
	out := &outlineData{}
	for _, sec := range secs {
		sv := SectionView{ID: sec.ID, Position: sec.Position, Title: secTitle[sec.ID], Lessons: []LessonItem{}}
		for _, l := range lessons {
			if l.SectionID != sec.ID {
				continue
			}
			it := LessonItem{ID: l.ID, Position: l.Position, Kind: l.Kind, Title: lesTitle[l.ID], Required: l.Required, Completion: l.Completion,
				WatchPercent: l.WatchPercent, Available: s.Available(l.Kind)}
			if userID > 0 {
				it.Status = firstNonEmpty(status[l.ID], ProgressNotStarted)
			}
			sv.Lessons = append(sv.Lessons, it)
			out.order = append(out.order, l.ID)
		}
		out.sections = append(out.sections, sv)
	}
	if out.sections == nil {
		out.sections = []SectionView{}
	}
	return out, nil
}

// Lesson returns a lesson for its player, in the chosen variant: its content in that language
// when it exists, else in the course's default language.
func (s *Service) Lesson(ctx context.Context, id int64, variant, ui string) (*LessonView, error) {
	a, err := s.readLesson(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.lessonView(ctx, a, variant, ui)
}

func (s *Service) lessonView(ctx context.Context, a *lessonAccess, variant, ui string) (*LessonView, error) {
	l, c := a.l, a.c
	variants, err := s.variantsOf(ctx, []int64{c.ID})
	if err != nil {
		return nil, err
	}
	langs := variantLanguages(variants[c.ID])
	lang := pickLanguage(langs, c.DefaultLanguage, prefs(ctx, variant, ui)...)
	var cts []Content
	if err := s.db.WithContext(ctx).Where("lesson_id = ?", l.ID).Find(&cts).Error; err != nil {
		return nil, err
	}
	ct, contentLangs := pickContent(cts, lang, c.DefaultLanguage)
	if ct.MediaFileID == nil { // media not uploaded in this language: the default language's
		for _, d := range cts {
			if d.Language == c.DefaultLanguage && d.MediaFileID != nil {
				ct.MediaFileID = d.MediaFileID
			}
		}
	}
	v := &LessonView{ID: l.ID, CourseID: c.ID, SectionID: l.SectionID, Position: l.Position, Kind: l.Kind, Language: lang, Languages: contentLangs,
		Title: ct.Title, Body: ct.Body, URL: ct.URL, Completion: l.Completion, WatchPercent: l.WatchPercent, Required: l.Required,
		RefID: l.RefID, Available: s.Available(l.Kind), CanEdit: a.editor, UpdatedAt: l.UpdatedAt}
	if h := s.kinds[l.Kind]; h != nil {
		v.PlayerURL = h.PlayerURL(l)
	}
	if l.Kind == KindText || l.Kind == KindVideo || l.Kind == KindDocument { // the text, or the notes under the media
		if v.BodyHTML, err = s.RenderMarkdown(ctx, c.ID, ct.Body); err != nil {
			return nil, err
		}
	}
	if ct.MediaFileID != nil {
		var f File
		if err := s.db.WithContext(ctx).Take(&f, *ct.MediaFileID).Error; err == nil {
			v.Media = mediaView(l.ID, &f, ct.Language)
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, err
		}
	}
	o, err := s.outline(ctx, c, lang, 0)
	if err != nil {
		return nil, err
	}
	if i := slices.Index(o.order, l.ID); i >= 0 {
		if i > 0 {
			v.PrevID = o.order[i-1]
		}
		if i+1 < len(o.order) {
			v.NextID = o.order[i+1]
		}
	}
	if a.enrolment != nil {
		var p Progress
		err := s.db.WithContext(ctx).Where("user_id = ? AND lesson_id = ?", a.p.UserID, l.ID).Take(&p).Error
		if err == nil {
			v.Progress = progressView(&p)
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, err
		}
	}
	return v, nil
}

// pickContent returns the content in lang, else in def, else any; and the languages it exists in.
func pickContent(cts []Content, lang, def string) (Content, []string) {
	var langs []string
	for _, l := range Languages {
		for _, c := range cts {
			if c.Language == l {
				langs = append(langs, l)
			}
		}
	}
	for _, want := range []string{lang, def} {
		for _, c := range cts {
			if c.Language == want {
				return c, langs
			}
		}
	}
	if len(cts) > 0 {
		return cts[0], langs
	}
	return Content{}, []string{}
}
