package course

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/database"
)

// CourseInput creates or changes a course. On create, Title, Summary and Language are required
// and Language becomes the default language. On update, the texts (title, summary, description,
// tags) go to the variant named by Language (default: the course's default language). Absent
// fields are left as they are; an empty string clears an optional date.
type CourseInput struct {
	Title             *string   `json:"title"`
	Summary           *string   `json:"summary"`
	Description       *string   `json:"description"`
	Tags              *[]string `json:"tags"`
	Language          *string   `json:"language"`
	DefaultLanguage   *string   `json:"default_language"`
	Slug              *string   `json:"slug"`
	Topic             *string   `json:"topic"`
	Region            *string   `json:"region"`
	Level             *string   `json:"level"`
	EstimatedHours    *float64  `json:"estimated_hours"`
	SelfEnrolment     *bool     `json:"self_enrolment"`
	EnrolmentOpensAt  *string   `json:"enrolment_opens_at"`
	EnrolmentClosesAt *string   `json:"enrolment_closes_at"`
	DueAt             *string   `json:"due_at"`
	RestrictCountries *[]string `json:"restrict_countries"`
	RestrictOrgIDs    *[]int64  `json:"restrict_org_ids"`
	RestrictRoles     *[]string `json:"restrict_roles"`
}

// VariantInput adds or replaces a course's texts in one language.
type VariantInput struct {
	Title       string   `json:"title"`
	Summary     string   `json:"summary"`
	Description string   `json:"description"`
	Tags        []string `json:"tags"`
}

var slugRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
var countryRe = regexp.MustCompile(`^[A-Z]{2}$`)

// parseTime accepts RFC 3339 or a date (midnight UTC).
func parseTime(s string) (*time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		t = t.UTC()
		return &t, true
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return &t, true
	}
	return nil, false
}

func checkText(f apperr.Fields, field, v string, required bool, max int) {
	n := utf8.RuneCountInString(strings.TrimSpace(v))
	f.Check(required && n == 0, field, "is required")
	f.Check(n > max, field, fmt.Sprintf("must be at most %d characters", max))
}

func normTags(tags []string, f apperr.Fields) string {
	var out []string
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(t, ",", " ")))
		if t == "" || slices.Contains(out, t) {
			continue
		}
		f.Check(utf8.RuneCountInString(t) > 50, "tags", "each tag must be at most 50 characters")
		out = append(out, t)
	}
	f.Check(len(out) > 20, "tags", "at most 20 tags")
	return strings.Join(out, ", ")
}

// Slugify makes a URL name from a title: ASCII letters and digits joined by hyphens.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(strings.ToLower(title)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= 80 {
			break
		}
	}
	if b.Len() == 0 {
		return "course"
	}
	return b.String()
}

func (s *Service) uniqueSlug(ctx context.Context, tx *gorm.DB, base string) (string, error) {
	for i := 1; i < 100; i++ {
		cand := base
		if i > 1 {
			cand = fmt.Sprintf("%s-%d", base, i)
		}
		var n int64
		if err := tx.WithContext(ctx).Model(&Course{}).Where("slug = ?", cand).Count(&n).Error; err != nil {
			return "", err
		}
		if n == 0 {
			return cand, nil
		}
	}
	return base + "-" + strings.ToLower(uuid.NewString()[:8]), nil
}

// validate checks the shared settings of in and applies them to c.
func (s *Service) applySettings(ctx context.Context, in CourseInput, c *Course, f apperr.Fields) error {
	if in.Topic != nil {
		t := strings.TrimSpace(*in.Topic)
		if t != "" {
			var n int64
			if err := s.db.WithContext(ctx).Model(&Topic{}).Where("slug = ? AND active = ?", t, true).Count(&n).Error; err != nil {
				return err
			}
			f.Check(n == 0, "topic", "must be one of the topics (GET /course-topics)")
		}
		c.Topic = t
	}
	if in.Level != nil {
		f.Check(*in.Level != "" && !slices.Contains(Levels, *in.Level), "level", "must be one of "+strings.Join(Levels, ", "))
		c.Level = *in.Level
	}
	if in.Region != nil {
		f.Check(*in.Region != "" && !slices.Contains(Regions, *in.Region), "region", "must be one of "+strings.Join(Regions, ", "))
		c.Region = *in.Region
	}
	if in.EstimatedHours != nil {
		f.Check(*in.EstimatedHours < 0 || *in.EstimatedHours > 10000, "estimated_hours", "must be between 0 and 10000")
		c.EstimatedHours = *in.EstimatedHours
	}
	if in.SelfEnrolment != nil {
		c.SelfEnrol = *in.SelfEnrolment
	}
	for _, d := range []struct {
		field string
		in    *string
		dst   **time.Time
	}{{"enrolment_opens_at", in.EnrolmentOpensAt, &c.EnrolOpensAt}, {"enrolment_closes_at", in.EnrolmentClosesAt, &c.EnrolClosesAt}, {"due_at", in.DueAt, &c.DueAt}} {
		if d.in == nil {
			continue
		}
		t, ok := parseTime(*d.in)
		f.Check(!ok, d.field, "must be a date (2006-01-02) or an RFC 3339 time")
		*d.dst = t
	}
	if c.EnrolOpensAt != nil && c.EnrolClosesAt != nil && !c.EnrolClosesAt.After(*c.EnrolOpensAt) {
		f.Add("enrolment_closes_at", "must be after enrolment_opens_at")
	}
	if in.RestrictCountries != nil {
		var cs []string
		for _, cc := range *in.RestrictCountries {
			cc = strings.ToUpper(strings.TrimSpace(cc))
			f.Check(!countryRe.MatchString(cc), "restrict_countries", "must be ISO 3166 two-letter country codes")
			cs = append(cs, cc)
		}
		c.RestrictCountries = strings.Join(cs, " ")
	}
	if in.RestrictRoles != nil {
		for _, r := range *in.RestrictRoles {
			f.Check(!slices.Contains([]string{auth.RoleLearner, auth.RoleInstructor, auth.RoleCoordinator, auth.RoleAdmin}, r), "restrict_roles", "must be among learner, instructor, coordinator, admin")
		}
		c.RestrictRoles = strings.Join(*in.RestrictRoles, " ")
	}
	if in.RestrictOrgIDs != nil {
		ids := *in.RestrictOrgIDs
		if len(ids) > 0 {
			var n int64
			if err := s.db.WithContext(ctx).Table("organisations").Where("id IN ?", ids).Count(&n).Error; err != nil {
				return err
			}
			f.Check(int(n) != len(uniq(ids)), "restrict_org_ids", "must be existing organisation ids")
		}
		c.RestrictOrgIDs = joinIDs(ids)
	}
	return nil
}

func uniq(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// Create makes a draft course owned by the caller (an instructor or admin).
func (s *Service) Create(ctx context.Context, in CourseInput) (*CourseView, error) {
	p, err := auth.RequireRole(ctx, auth.RoleInstructor, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	str := func(v *string) string {
		if v == nil {
			return ""
		}
		return strings.TrimSpace(*v)
	}
	lang := str(in.Language)
	f.Check(!validLanguage(lang), "language", "must be one of en, fr, es, ar")
	checkText(f, "title", str(in.Title), true, 200)
	checkText(f, "summary", str(in.Summary), true, 1000)
	checkText(f, "description", str(in.Description), false, 100000)
	f.Check(in.DefaultLanguage != nil, "default_language", "is set by language when creating a course")
	var tags string
	if in.Tags != nil {
		tags = normTags(*in.Tags, f)
	}
	now := s.now()
	c := &Course{UUID: uuid.NewString(), DefaultLanguage: lang, Status: StatusDraft, OwnerID: p.UserID, CreatedAt: now, UpdatedAt: now}
	if err := s.applySettings(ctx, in, c, f); err != nil {
		return nil, err
	}
	if in.Slug != nil {
		f.Check(!slugRe.MatchString(*in.Slug) || len(*in.Slug) > 120, "slug", "must be lower-case letters and digits joined by hyphens (at most 120)")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if in.Slug != nil {
			c.Slug = *in.Slug
		} else if c.Slug, err = s.uniqueSlug(ctx, tx, Slugify(str(in.Title))); err != nil {
			return err
		}
		if err := tx.Create(c).Error; err != nil {
			if database.IsUniqueViolation(err) {
				return apperr.Invalid("slug", "is already taken")
			}
			return err
		}
		v := &Variant{CourseID: c.ID, Language: lang, Title: str(in.Title), Summary: str(in.Summary), Description: str(in.Description), Tags: tags, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(v).Error; err != nil {
			return err
		}
		return tx.Create(&Instructor{CourseID: c.ID, UserID: p.UserID, Role: RoleOwner, CreatedAt: now}).Error
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, c.ID, lang, "")
}

// Get returns a course with its outline in the chosen variant (see pickLanguage).
func (s *Service) Get(ctx context.Context, id int64, variant, ui string) (*CourseView, error) {
	a, err := s.readCourse(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.courseView(ctx, a, variant, ui, true)
}

// GetBySlug is Get by the course's slug.
func (s *Service) GetBySlug(ctx context.Context, slug, variant, ui string) (*CourseView, error) {
	var c Course
	err := s.db.WithContext(ctx).Select("id").Where("slug = ? AND deleted_at IS NULL", slug).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("course %q: %w", slug, apperr.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, c.ID, variant, ui)
}

func (s *Service) courseView(ctx context.Context, a *courseAccess, variant, ui string, outline bool) (*CourseView, error) {
	c := a.c
	variants, err := s.variantsOf(ctx, []int64{c.ID})
	if err != nil {
		return nil, err
	}
	vs := variants[c.ID]
	langs := variantLanguages(vs)
	lang := pickLanguage(langs, c.DefaultLanguage, prefs(ctx, variant, ui)...)
	v := variantIn(vs, lang)
	topics, err := s.topicMap(ctx)
	if err != nil {
		return nil, err
	}
	out := &CourseView{ID: c.ID, UUID: c.UUID, Slug: c.Slug, Status: c.Status, Language: lang, DefaultLanguage: c.DefaultLanguage,
		Languages: langs, Title: v.Title, Summary: v.Summary, Description: v.Description, Tags: nonNil(v.TagList()), Topic: c.Topic,
		TopicName: topics[c.Topic].Name(firstNonEmpty(ui, lang)), Region: c.Region, Level: c.Level, EstimatedHours: c.EstimatedHours,
		SelfEnrolment: c.SelfEnrol, EnrolmentOpensAt: c.EnrolOpensAt, EnrolmentClosesAt: c.EnrolClosesAt, DueAt: c.DueAt,
		RestrictCountries: nonNil(strings.Fields(c.RestrictCountries)), RestrictOrgIDs: nonNilIDs(splitIDs(c.RestrictOrgIDs)),
		RestrictRoles: nonNil(strings.Fields(c.RestrictRoles)), OwnerID: c.OwnerID, PublishedAt: c.PublishedAt,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, CanEdit: a.editor, Enrolment: enrolmentView(a.enrolment, s.now())}
	out.DescriptionHTML, err = s.RenderMarkdown(ctx, c.ID, v.Description)
	if err != nil {
		return nil, err
	}
	if out.Instructors, err = s.instructorsOf(ctx, c.ID); err != nil {
		return nil, err
	}
	if err := s.fillCover(ctx, c, &out.CoverURL, &out.CoverWidth, &out.CoverHeight); err != nil {
		return nil, err
	}
	if !outline {
		return out, nil
	}
	var uid int64
	if a.p != nil && a.enrolment != nil {
		uid = a.p.UserID
	}
	o, err := s.outline(ctx, c, lang, uid)
	if err != nil {
		return nil, err
	}
	out.Sections = o.sections
	out.LessonCount = len(o.order)
	if len(o.order) > 0 {
		out.ContinueLessonID = o.order[0]
		if a.enrolment != nil && a.enrolment.LastLessonID != nil && slices.Contains(o.order, *a.enrolment.LastLessonID) {
			out.ContinueLessonID = *a.enrolment.LastLessonID
		}
	}
	return out, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func nonNilIDs(s []int64) []int64 { return nonNil(s) }

func variantLanguages(vs []Variant) []string {
	out := make([]string, 0, len(vs))
	for _, l := range Languages { // in the portal's order
		for _, v := range vs {
			if v.Language == l {
				out = append(out, l)
			}
		}
	}
	return out
}

func variantIn(vs []Variant, lang string) Variant {
	for _, v := range vs {
		if v.Language == lang {
			return v
		}
	}
	if len(vs) > 0 {
		return vs[0]
	}
	return Variant{}
}

func (s *Service) variantsOf(ctx context.Context, ids []int64) (map[int64][]Variant, error) {
	var vs []Variant
	if err := s.db.WithContext(ctx).Where("course_id IN ?", ids).Order("id").Find(&vs).Error; err != nil {
		return nil, err
	}
	out := map[int64][]Variant{}
	for _, v := range vs {
		out[v.CourseID] = append(out[v.CourseID], v)
	}
	return out, nil
}

func (s *Service) instructorsOf(ctx context.Context, courseID int64) ([]Person, error) {
	var ps []Person
	err := s.db.WithContext(ctx).Table("course_instructors ci").Select("u.id, u.name, ci.role").
		Joins("JOIN users u ON u.id = ci.user_id").Where("ci.course_id = ?", courseID).
		Order("CASE WHEN ci.role = 'owner' THEN 0 ELSE 1 END, u.name").Scan(&ps).Error
	return nonNil(ps), err
}

func (s *Service) topicMap(ctx context.Context) (map[string]Topic, error) {
	var ts []Topic
	if err := s.db.WithContext(ctx).Find(&ts).Error; err != nil {
		return nil, err
	}
	m := map[string]Topic{}
	for _, t := range ts {
		m[t.Slug] = t
	}
	return m, nil
}

// Update changes a course's settings and the texts of one of its variants.
func (s *Service) Update(ctx context.Context, id int64, in CourseInput) (*CourseView, error) {
	a, err := s.editCourse(ctx, id)
	if err != nil {
		return nil, err
	}
	c := *a.c
	f := apperr.Fields{}
	if err := s.applySettings(ctx, in, &c, f); err != nil {
		return nil, err
	}
	variants, err := s.variantsOf(ctx, []int64{c.ID})
	if err != nil {
		return nil, err
	}
	langs := variantLanguages(variants[c.ID])
	lang := c.DefaultLanguage
	if in.Language != nil {
		lang = *in.Language
		f.Check(!slices.Contains(langs, lang), "language", "the course has no variant in this language; add one with PUT /courses/{id}/variants/{language}")
	}
	if in.DefaultLanguage != nil {
		f.Check(!slices.Contains(langs, *in.DefaultLanguage), "default_language", "must be the language of one of the course's variants")
		c.DefaultLanguage = *in.DefaultLanguage
	}
	if in.Slug != nil {
		f.Check(!slugRe.MatchString(*in.Slug) || len(*in.Slug) > 120, "slug", "must be lower-case letters and digits joined by hyphens (at most 120)")
		c.Slug = *in.Slug
	}
	v := variantIn(variants[c.ID], lang)
	if in.Title != nil {
		checkText(f, "title", *in.Title, true, 200)
		v.Title = strings.TrimSpace(*in.Title)
	}
	if in.Summary != nil {
		checkText(f, "summary", *in.Summary, true, 1000)
		v.Summary = strings.TrimSpace(*in.Summary)
	}
	if in.Description != nil {
		checkText(f, "description", *in.Description, false, 100000)
		v.Description = strings.TrimSpace(*in.Description)
	}
	if in.Tags != nil {
		v.Tags = normTags(*in.Tags, f)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	c.UpdatedAt, v.UpdatedAt = now, now
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Save(&c).Error; err != nil {
			if database.IsUniqueViolation(err) {
				return apperr.Invalid("slug", "is already taken")
			}
			return err
		}
		return tx.Save(&v).Error
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id, lang, "")
}

// PutVariant adds or replaces the course's texts in lang; created reports a new variant.
func (s *Service) PutVariant(ctx context.Context, id int64, lang string, in VariantInput) (view *CourseView, created bool, err error) {
	a, err := s.editCourse(ctx, id)
	if err != nil {
		return nil, false, err
	}
	if !validLanguage(lang) {
		return nil, false, apperr.Invalid("language", "must be one of en, fr, es, ar")
	}
	f := apperr.Fields{}
	checkText(f, "title", in.Title, true, 200)
	checkText(f, "summary", in.Summary, true, 1000)
	checkText(f, "description", in.Description, false, 100000)
	tags := normTags(in.Tags, f)
	if err := f.Err(); err != nil {
		return nil, false, err
	}
	now := s.now()
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var v Variant
		err := tx.Where("course_id = ? AND language = ?", a.c.ID, lang).Take(&v).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			created = true
			v = Variant{CourseID: a.c.ID, Language: lang, CreatedAt: now}
		} else if err != nil {
			return err
		}
		v.Title, v.Summary, v.Description, v.Tags, v.UpdatedAt = strings.TrimSpace(in.Title), strings.TrimSpace(in.Summary), strings.TrimSpace(in.Description), tags, now
		if err := tx.Save(&v).Error; err != nil {
			return err
		}
		return tx.Model(&Course{}).Where("id = ?", a.c.ID).Update("updated_at", now).Error
	})
	if err != nil {
		return nil, false, err
	}
	view, err = s.Get(ctx, id, lang, "")
	return view, created, err
}

// DeleteVariant removes the course's texts (and lesson contents) in lang; the default
// language's variant cannot be removed.
func (s *Service) DeleteVariant(ctx context.Context, id int64, lang string) error {
	a, err := s.editCourse(ctx, id)
	if err != nil {
		return err
	}
	if lang == a.c.DefaultLanguage {
		return fmt.Errorf("the default language's variant cannot be removed; change default_language first: %w", apperr.ErrConflict)
	}
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("course_id = ? AND language = ?", id, lang).Delete(&Variant{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("variant %s: %w", lang, apperr.ErrNotFound)
		}
		if err := tx.Where("language = ? AND section_id IN (?)", lang, tx.Model(&Section{}).Select("id").Where("course_id = ?", id)).Delete(&SectionText{}).Error; err != nil {
			return err
		}
		return tx.Where("language = ? AND lesson_id IN (?)", lang, tx.Model(&Lesson{}).Select("id").Where("course_id = ?", id)).Delete(&Content{}).Error
	})
}

// Delete removes a course from every list (owner or admin). Its enrolments and progress stay
// in the database; its slug is freed.
func (s *Service) Delete(ctx context.Context, id int64) error {
	a, err := s.editCourse(ctx, id)
	if err != nil {
		return err
	}
	if !a.p.IsAdmin() && a.c.OwnerID != a.p.UserID {
		return fmt.Errorf("only the owner or an admin can delete course %d: %w", id, apperr.ErrForbidden)
	}
	now := s.now()
	return s.db.WithContext(ctx).Model(&Course{}).Where("id = ?", id).
		Updates(map[string]any{"deleted_at": now, "updated_at": now, "slug": a.c.Slug + "-deleted-" + strconv.FormatInt(id, 10)}).Error
}

// SetStatus publishes, unpublishes (back to draft) or archives a course.
func (s *Service) SetStatus(ctx context.Context, id int64, status string) (*CourseView, error) {
	a, err := s.editCourse(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	upd := map[string]any{"status": status, "updated_at": now}
	switch status {
	case StatusPublished:
		var n int64
		if err := s.db.WithContext(ctx).Model(&Lesson{}).Where("course_id = ? AND deleted_at IS NULL", id).Count(&n).Error; err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, apperr.Invalid("lessons", "a course needs at least one lesson before it is published")
		}
		if a.c.PublishedAt == nil {
			upd["published_at"] = now
		}
		upd["archived_at"] = nil
	case StatusArchived:
		upd["archived_at"] = now
	case StatusDraft:
		upd["archived_at"] = nil
	default:
		return nil, apperr.Invalid("status", "must be draft, published or archived")
	}
	if err := s.db.WithContext(ctx).Model(&Course{}).Where("id = ?", id).Updates(upd).Error; err != nil {
		return nil, err
	}
	return s.Get(ctx, id, "", "")
}

// AddInstructor makes a user (by id or e-mail; an instructor or admin) a co-instructor.
func (s *Service) AddInstructor(ctx context.Context, id int64, userID int64, email string) ([]Person, error) {
	a, err := s.editCourse(ctx, id)
	if err != nil {
		return nil, err
	}
	var u userRow
	q := s.db.WithContext(ctx).Where("status = ?", "active")
	switch {
	case userID > 0:
		q = q.Where("id = ?", userID)
	case strings.TrimSpace(email) != "":
		q = q.Where("email_key = ?", strings.ToLower(strings.TrimSpace(email)))
	default:
		return nil, apperr.Invalid("user_id", "give user_id or email")
	}
	field := "user_id"
	if userID == 0 {
		field = "email"
	}
	if err := q.Take(&u).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.Invalid(field, "no active user has it")
	} else if err != nil {
		return nil, err
	}
	if !u.has(auth.RoleInstructor) && !u.has(auth.RoleAdmin) {
		return nil, apperr.Invalid(field, "the user must hold the instructor role")
	}
	err = s.db.WithContext(ctx).Where(Instructor{CourseID: a.c.ID, UserID: u.ID}).
		FirstOrCreate(&Instructor{CourseID: a.c.ID, UserID: u.ID, Role: RoleInstructor, CreatedAt: s.now()}).Error
	if err != nil {
		return nil, err
	}
	return s.instructorsOf(ctx, a.c.ID)
}

// RemoveInstructor removes a co-instructor (the owner stays).
func (s *Service) RemoveInstructor(ctx context.Context, id, userID int64) error {
	a, err := s.editCourse(ctx, id)
	if err != nil {
		return err
	}
	if userID == a.c.OwnerID {
		return fmt.Errorf("the owner cannot be removed: %w", apperr.ErrConflict)
	}
	res := s.db.WithContext(ctx).Where("course_id = ? AND user_id = ?", a.c.ID, userID).Delete(&Instructor{})
	if res.Error == nil && res.RowsAffected == 0 {
		return fmt.Errorf("instructor %d: %w", userID, apperr.ErrNotFound)
	}
	return res.Error
}

// Instructors lists a course's instructors.
func (s *Service) Instructors(ctx context.Context, id int64) ([]Person, error) {
	if _, err := s.readCourse(ctx, id); err != nil {
		return nil, err
	}
	return s.instructorsOf(ctx, id)
}

// Teaching lists the courses the caller owns or co-teaches (every status).
func (s *Service) Teaching(ctx context.Context, ui string, pg Page) ([]CourseSummary, int64, error) {
	p, err := auth.RequireRole(ctx, auth.RoleInstructor, auth.RoleAdmin)
	if err != nil {
		return nil, 0, err
	}
	q := s.db.WithContext(ctx).Model(&Course{}).Where("deleted_at IS NULL AND id IN (?)",
		s.db.Model(&Instructor{}).Select("course_id").Where("user_id = ?", p.UserID))
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var ids []int64
	if err := q.Order("updated_at DESC, id DESC").Limit(pg.PerPage).Offset(pg.Offset()).Pluck("id", &ids).Error; err != nil {
		return nil, 0, err
	}
	items, err := s.summaries(ctx, ids, nil, prefs(ctx, "", ui), ui)
	return items, total, err
}

// Page is a pagination request.
type Page struct {
	Page    int
	PerPage int
}

// Offset is the number of rows to skip.
func (p Page) Offset() int { return (p.Page - 1) * p.PerPage }

// Visible returns catalogue entries for the courses among ids that the caller may open (as
// Get decides: published ones, and drafts for their editors), in that order, in the variant
// that suits ui: for the modules that link courses (programmes). Others are left out.
func (s *Service) Visible(ctx context.Context, ids []int64, ui string) ([]CourseSummary, error) {
	var keep []int64
	for _, id := range ids {
		_, err := s.readCourse(ctx, id)
		if errors.Is(err, apperr.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		keep = append(keep, id)
	}
	return s.summaries(ctx, keep, nil, prefs(ctx, ui, ui), ui)
}

// summaries builds catalogue entries for ids, in that order.
func (s *Service) summaries(ctx context.Context, ids []int64, enrol map[int64]string, prefs []string, ui string) ([]CourseSummary, error) {
	out := make([]CourseSummary, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var cs []Course
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&cs).Error; err != nil {
		return nil, err
	}
	byID := map[int64]*Course{}
	var coverIDs []int64
	for i := range cs {
		byID[cs[i].ID] = &cs[i]
		if cs[i].CoverFileID != nil {
			coverIDs = append(coverIDs, *cs[i].CoverFileID)
		}
	}
	variants, err := s.variantsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	topics, err := s.topicMap(ctx)
	if err != nil {
		return nil, err
	}
	covers := map[int64]File{}
	if len(coverIDs) > 0 {
		var fs []File
		if err := s.db.WithContext(ctx).Where("id IN ?", coverIDs).Find(&fs).Error; err != nil {
			return nil, err
		}
		for _, f := range fs {
			covers[f.ID] = f
		}
	}
	for _, id := range ids {
		c := byID[id]
		if c == nil {
			continue
		}
		vs := variants[id]
		langs := variantLanguages(vs)
		lang := pickLanguage(langs, c.DefaultLanguage, prefs...)
		v := variantIn(vs, lang)
		sum := CourseSummary{ID: c.ID, Slug: c.Slug, Status: c.Status, Language: lang, Languages: langs, Title: v.Title, Summary: v.Summary,
			Tags: nonNil(v.TagList()), Topic: c.Topic, TopicName: topics[c.Topic].Name(firstNonEmpty(ui, lang)), Region: c.Region, Level: c.Level,
			EstimatedHours: c.EstimatedHours, PublishedAt: c.PublishedAt, UpdatedAt: c.UpdatedAt, EnrolmentStatus: enrol[id]}
		if c.CoverFileID != nil {
			if f, ok := covers[*c.CoverFileID]; ok {
				sum.CoverURL, sum.CoverWidth, sum.CoverHeight = coverURL(c.ID, f), f.Width, f.Height
			}
		}
		out = append(out, sum)
	}
	return out, nil
}

// TopicView is a topic with its name in the request's language.
type TopicView struct {
	ID       int64  `json:"id"`
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	NameEn   string `json:"name_en"`
	NameFr   string `json:"name_fr"`
	NameEs   string `json:"name_es"`
	NameAr   string `json:"name_ar"`
	Position int    `json:"position"`
	Active   bool   `json:"active"`
}

// TopicInput creates or changes a topic.
type TopicInput struct {
	Slug     *string `json:"slug"`
	NameEn   *string `json:"name_en"`
	NameFr   *string `json:"name_fr"`
	NameEs   *string `json:"name_es"`
	NameAr   *string `json:"name_ar"`
	Position *int    `json:"position"`
	Active   *bool   `json:"active"`
}

// Topics lists the topics (inactive ones only for admins when all is set).
func (s *Service) Topics(ctx context.Context, lang string, all bool) ([]TopicView, error) {
	return s.topicList(ctx, lang, all && auth.FromContext(ctx).IsAdmin())
}

// AllTopics lists every topic, inactive ones too, named in lang. Other modules file their
// items under the same topics (the library) and need the names of retired ones as well; the
// names are public.
func (s *Service) AllTopics(ctx context.Context, lang string) ([]TopicView, error) {
	return s.topicList(ctx, lang, true)
}

func (s *Service) topicList(ctx context.Context, lang string, inactive bool) ([]TopicView, error) {
	q := s.db.WithContext(ctx).Order("position, id")
	if !inactive {
		q = q.Where("active = ?", true)
	}
	var ts []Topic
	if err := q.Find(&ts).Error; err != nil {
		return nil, err
	}
	out := make([]TopicView, len(ts))
	for i, t := range ts {
		out[i] = topicView(t, lang)
	}
	return out, nil
}

func topicView(t Topic, lang string) TopicView {
	return TopicView{ID: t.ID, Slug: t.Slug, Name: t.Name(lang), NameEn: t.NameEn, NameFr: t.NameFr, NameEs: t.NameEs, NameAr: t.NameAr, Position: t.Position, Active: t.Active}
}

// SaveTopic creates (id 0) or changes a topic; admins only.
func (s *Service) SaveTopic(ctx context.Context, id int64, in TopicInput, lang string) (*TopicView, error) {
	if _, err := auth.RequireRole(ctx, auth.RoleAdmin); err != nil {
		return nil, err
	}
	var t Topic
	if id > 0 {
		if err := s.db.WithContext(ctx).Take(&t, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, fmt.Errorf("topic %d: %w", id, apperr.ErrNotFound)
		} else if err != nil {
			return nil, err
		}
	} else {
		t.Active = true
		t.CreatedAt = s.now()
	}
	f := apperr.Fields{}
	set := func(field string, v *string, dst *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
		checkText(f, field, *dst, true, 120)
	}
	if id == 0 || in.Slug != nil {
		if in.Slug != nil {
			t.Slug = *in.Slug
		}
		f.Check(!slugRe.MatchString(t.Slug) || len(t.Slug) > 60, "slug", "must be lower-case letters and digits joined by hyphens (at most 60)")
	}
	set("name_en", in.NameEn, &t.NameEn)
	set("name_fr", in.NameFr, &t.NameFr)
	set("name_es", in.NameEs, &t.NameEs)
	set("name_ar", in.NameAr, &t.NameAr)
	if in.Position != nil {
		t.Position = *in.Position
	}
	if in.Active != nil {
		t.Active = *in.Active
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	t.UpdatedAt = s.now()
	if err := s.db.WithContext(ctx).Save(&t).Error; err != nil {
		if database.IsUniqueViolation(err) {
			return nil, apperr.Invalid("slug", "is already taken")
		}
		return nil, err
	}
	v := topicView(t, lang)
	return &v, nil
}
