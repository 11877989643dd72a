package course

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"glc/internal/auth"
	"glc/internal/web"
)

func registerTeach(g *gin.RouterGroup, p *pages) {
	g.GET("/teach", p.teach)
	g.POST("/teach/courses", p.createCourse)
	g.GET("/teach/courses/:id", p.editor)
	g.POST("/teach/courses/:id", p.saveCourse)
	g.POST("/teach/courses/:id/status", p.setStatus)
	g.POST("/teach/courses/:id/duplicate", p.duplicate)
	g.POST("/teach/courses/:id/cover", p.cover)
	g.POST("/teach/courses/:id/variants", p.addVariant)
	g.POST("/teach/courses/:id/sections", p.addSection)
	g.POST("/teach/courses/:id/instructors", p.addInstructor)
	g.POST("/teach/courses/:id/enrolments", p.enrolUsers)
	g.POST("/teach/sections/:id", p.renameSection)
	g.POST("/teach/sections/:id/move", p.moveSection)
	g.POST("/teach/sections/:id/delete", p.deleteSection)
	g.POST("/teach/sections/:id/lessons", p.addLesson)
	g.GET("/teach/lessons/:id", p.lessonEditor)
	g.POST("/teach/lessons/:id", p.saveLesson)
	g.POST("/teach/lessons/:id/media", p.lessonMedia)
	g.POST("/teach/lessons/:id/move", p.moveLesson)
	g.GET("/teach/lessons/:id/delete", p.confirmDelete)
	g.POST("/teach/lessons/:id/delete", p.deleteLesson)
}

func paramID(c *gin.Context) int64 {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	return id
}

func formPtr(c *gin.Context, name string) *string {
	if v, ok := c.GetPostForm(name); ok {
		return &v
	}
	return nil
}

func formList(c *gin.Context, name string) *[]string {
	v, ok := c.GetPostForm(name)
	if !ok {
		return nil
	}
	out := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' })
	if out == nil {
		out = []string{}
	}
	return &out
}

// TeachData is the instructor's course list.
type TeachData struct {
	Items  []CourseSummary
	Total  int64
	Pager  Pager
	Langs  []web.Language
	Errors map[string]string
	Form   map[string]string
}

func (p *pages) teach(c *gin.Context) {
	p.renderTeach(c, http.StatusOK, nil, nil)
}

func (p *pages) renderTeach(c *gin.Context, status int, errs, form map[string]string) {
	pg := pageNum(c)
	items, total, err := p.svc.Teaching(c.Request.Context(), web.Lang(c), pg)
	if err != nil {
		p.fail(c, err)
		return
	}
	d := &TeachData{Items: items, Total: total, Langs: web.Languages, Errors: errs, Form: form}
	view := p.r.NewView(c, "course.teach.title", d)
	d.Pager = pager(view, pg, total)
	p.r.Render(c, status, "course/teach", view)
}

func (p *pages) createCourse(c *gin.Context) {
	in := CourseInput{Title: formPtr(c, "title"), Summary: formPtr(c, "summary"), Language: formPtr(c, "language")}
	v, err := p.svc.Create(c.Request.Context(), in)
	if errs := formErrors(err); errs != nil {
		p.renderTeach(c, http.StatusUnprocessableEntity, errs, map[string]string{"title": c.PostForm("title"), "summary": c.PostForm("summary"), "language": c.PostForm("language")})
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	web.SetFlash(c, "course.flash.created")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/teach/courses/%d", v.ID))
}

// EditorData is the course editor.
type EditorData struct {
	Course      *CourseView
	Variant     string
	Topics      []TopicView
	Levels      []string
	Regions     []string
	Langs       []web.Language
	Missing     []web.Language // languages without a variant
	Kinds       []string
	Enrolments  []EnrolmentView
	EnrolTotal  int64
	Errors      map[string]string
	Transitions []Transition
	OpensAt     string
	ClosesAt    string
	DueAt       string
	Hours       string
	Countries   string
	Roles       string
	TagsText    string
	MaxUploadMB int64
	// NewPages links each section (by id) to the pages that make lessons of the kinds that are
	// not typed in the new-lesson form (a package is uploaded).
	NewPages map[int64][]KindPageLink
}

// KindPageLink is a link to the page that makes a lesson of Kind.
type KindPageLink struct {
	Kind string
	URL  string
}

// formKinds returns the kinds the new-lesson form offers, and the kinds made on pages of their
// own.
func (s *Service) formKinds() (form []string, pages map[string]KindPage) {
	pages = map[string]KindPage{}
	for _, k := range Kinds {
		if kp, ok := s.kinds[k].(KindPage); ok {
			pages[k] = kp
			continue
		}
		form = append(form, k)
	}
	return form, pages
}

func dateValue(t interface{ Format(string) string }, ok bool) string {
	if !ok {
		return ""
	}
	return t.Format("2006-01-02")
}

func (p *pages) editorData(ctx context.Context, c *gin.Context, id int64, errs map[string]string) (*EditorData, error) {
	variant := c.Query("variant")
	if variant == "" {
		variant = c.PostForm("variant")
	}
	if _, err := p.svc.editCourse(ctx, id); err != nil {
		return nil, err
	}
	cv, err := p.svc.Get(ctx, id, variant, web.Lang(c))
	if err != nil {
		return nil, err
	}
	kinds, kindPages := p.svc.formKinds()
	d := &EditorData{Course: cv, Variant: cv.Language, Levels: Levels, Regions: Regions, Langs: web.Languages, Kinds: kinds, Errors: errs,
		Hours: hours(cv.EstimatedHours), Countries: strings.Join(cv.RestrictCountries, " "), Roles: strings.Join(cv.RestrictRoles, " "),
		TagsText: strings.Join(cv.Tags, ", "), MaxUploadMB: p.svc.cfg.MaxUploadMB}
	d.Transitions = transitions(cv.Status)
	d.NewPages = map[int64][]KindPageLink{}
	for _, sec := range cv.Sections {
		for _, k := range Kinds {
			if kp := kindPages[k]; kp != nil {
				d.NewPages[sec.ID] = append(d.NewPages[sec.ID], KindPageLink{Kind: k, URL: kp.NewLessonPage(sec.ID)})
			}
		}
	}
	d.OpensAt = dateValue(cv.EnrolmentOpensAt, cv.EnrolmentOpensAt != nil)
	d.ClosesAt = dateValue(cv.EnrolmentClosesAt, cv.EnrolmentClosesAt != nil)
	d.DueAt = dateValue(cv.DueAt, cv.DueAt != nil)
	for _, l := range web.Languages {
		have := false
		for _, v := range cv.Languages {
			have = have || v == l.Code
		}
		if !have {
			d.Missing = append(d.Missing, l)
		}
	}
	if d.Topics, err = p.svc.Topics(ctx, web.Lang(c), false); err != nil {
		return nil, err
	}
	if d.Enrolments, d.EnrolTotal, err = p.svc.Enrolments(ctx, id, EnrolActive, Page{Page: 1, PerPage: 50}); err != nil {
		return nil, err
	}
	return d, nil
}

func (p *pages) editor(c *gin.Context) { p.renderEditor(c, http.StatusOK, nil) }

func (p *pages) renderEditor(c *gin.Context, status int, errs map[string]string) {
	d, err := p.editorData(c.Request.Context(), c, paramID(c), errs)
	if err != nil {
		p.fail(c, err)
		return
	}
	view := p.r.NewView(c, "", d)
	view.Title = view.T("course.editor.title", "Title", d.Course.Title)
	p.r.Render(c, status, "course/editor", view)
}

// after redirects back to the editor (in the variant being edited) or shows the form's errors.
func (p *pages) after(c *gin.Context, err error, flash string) {
	if errs := formErrors(err); errs != nil {
		p.renderEditor(c, http.StatusUnprocessableEntity, errs)
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	if flash != "" {
		web.SetFlash(c, flash)
	}
	target := "/teach/courses/" + c.Param("id")
	if v := c.PostForm("variant"); v != "" {
		target += "?variant=" + v
	}
	c.Redirect(http.StatusSeeOther, target)
}

func (p *pages) saveCourse(c *gin.Context) {
	self := c.PostForm("self_enrolment") == "on"
	in := CourseInput{Title: formPtr(c, "title"), Summary: formPtr(c, "summary"), Description: formPtr(c, "description"),
		Tags: formList(c, "tags"), Language: formPtr(c, "variant"), Topic: formPtr(c, "topic"), Region: formPtr(c, "region"), Level: formPtr(c, "level"),
		SelfEnrolment: &self, EnrolmentOpensAt: formPtr(c, "enrolment_opens_at"), EnrolmentClosesAt: formPtr(c, "enrolment_closes_at"),
		DueAt: formPtr(c, "due_at"), RestrictCountries: formList(c, "restrict_countries"), RestrictRoles: formList(c, "restrict_roles"), Slug: formPtr(c, "slug")}
	if h := strings.TrimSpace(c.PostForm("estimated_hours")); h != "" {
		n, err := strconv.ParseFloat(h, 64)
		if err != nil {
			n = -1
		}
		in.EstimatedHours = &n
	}
	_, err := p.svc.Update(c.Request.Context(), paramID(c), in)
	p.after(c, err, "course.flash.saved")
}

func (p *pages) setStatus(c *gin.Context) {
	status := c.PostForm("status")
	_, err := p.svc.SetStatus(c.Request.Context(), paramID(c), status)
	p.after(c, err, "course.flash.status."+status)
}

func (p *pages) duplicate(c *gin.Context) {
	v, err := p.svc.Duplicate(c.Request.Context(), paramID(c))
	if err != nil {
		p.fail(c, err)
		return
	}
	web.SetFlash(c, "course.flash.duplicated")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/teach/courses/%d", v.ID))
}

func (p *pages) cover(c *gin.Context) {
	r, name, done, err := uploadPart(c, p.svc.MaxUpload())
	if err == nil {
		defer done()
		_, err = p.svc.UploadCover(c.Request.Context(), paramID(c), name, r)
	}
	p.after(c, err, "course.flash.saved")
}

func (p *pages) addVariant(c *gin.Context) {
	lang := c.PostForm("language")
	_, _, err := p.svc.PutVariant(c.Request.Context(), paramID(c), lang, VariantInput{Title: c.PostForm("title"), Summary: c.PostForm("summary")})
	if err == nil {
		web.SetFlash(c, "course.flash.saved")
		c.Redirect(http.StatusSeeOther, "/teach/courses/"+c.Param("id")+"?variant="+lang)
		return
	}
	p.after(c, err, "")
}

func (p *pages) addSection(c *gin.Context) {
	_, err := p.svc.AddSection(c.Request.Context(), paramID(c), SectionInput{Title: formPtr(c, "title"), Language: formPtr(c, "variant")})
	p.after(c, err, "course.flash.saved")
}

func (p *pages) addInstructor(c *gin.Context) {
	_, err := p.svc.AddInstructor(c.Request.Context(), paramID(c), 0, c.PostForm("email"))
	p.after(c, err, "course.flash.saved")
}

func (p *pages) enrolUsers(c *gin.Context) {
	emails := strings.Fields(strings.ReplaceAll(c.PostForm("emails"), ",", " "))
	if emails == nil {
		emails = []string{}
	}
	_, err := p.svc.EnrolUsers(c.Request.Context(), paramID(c), EnrolInput{Emails: emails})
	if errs := formErrors(err); errs != nil && len(emails) == 0 {
		errs["emails"] = "give at least one e-mail address"
	}
	p.after(c, err, "course.flash.enrolled_users")
}

// courseOf redirects section and lesson forms back to their course's editor.
func (p *pages) backToCourse(c *gin.Context, courseID int64, err error, flash string) {
	c.Params = append(c.Params[:0], gin.Param{Key: "id", Value: strconv.FormatInt(courseID, 10)})
	p.after(c, err, flash)
}

func (p *pages) sectionCourse(c *gin.Context) (int64, bool) {
	sec, err := p.svc.loadSection(c.Request.Context(), paramID(c))
	if err != nil {
		p.fail(c, err)
		return 0, false
	}
	return sec.CourseID, true
}

func (p *pages) renameSection(c *gin.Context) {
	if cid, ok := p.sectionCourse(c); ok {
		_, err := p.svc.UpdateSection(c.Request.Context(), paramID(c), SectionInput{Title: formPtr(c, "title"), Language: formPtr(c, "variant")})
		p.backToCourse(c, cid, err, "course.flash.saved")
	}
}

func (p *pages) moveSection(c *gin.Context) {
	if cid, ok := p.sectionCourse(c); ok {
		pos, _ := strconv.Atoi(c.PostForm("position"))
		_, err := p.svc.UpdateSection(c.Request.Context(), paramID(c), SectionInput{Position: &pos})
		p.backToCourse(c, cid, err, "")
	}
}

func (p *pages) deleteSection(c *gin.Context) {
	if cid, ok := p.sectionCourse(c); ok {
		p.backToCourse(c, cid, p.svc.DeleteSection(c.Request.Context(), paramID(c)), "course.flash.deleted")
	}
}

func (p *pages) addLesson(c *gin.Context) {
	if cid, ok := p.sectionCourse(c); ok {
		in := LessonInput{Title: formPtr(c, "title"), Kind: formPtr(c, "kind"), Language: formPtr(c, "variant")}
		if u := c.PostForm("url"); u != "" || c.PostForm("kind") == KindLink {
			in.URL = &u
		}
		lv, err := p.svc.AddLesson(c.Request.Context(), paramID(c), in)
		if err == nil {
			web.SetFlash(c, "course.flash.saved")
			c.Redirect(http.StatusSeeOther, fmt.Sprintf("/teach/lessons/%d?variant=%s", lv.ID, lv.Language))
			return
		}
		p.backToCourse(c, cid, err, "")
	}
}

// LessonEditData is the lesson editor.
type LessonEditData struct {
	Lesson      *LessonView
	Course      *CourseView
	Completions []string
	Errors      map[string]string
	Files       []MediaView
	Progress    int64
	MaxUploadMB int64
	// SettingsURL is the page of the module behind the lesson's kind where its own settings
	// are changed (a package's attempt limit and passing score), "" for none.
	SettingsURL string
}

func (p *pages) lessonEditor(c *gin.Context) { p.renderLessonEditor(c, http.StatusOK, nil) }

func (p *pages) renderLessonEditor(c *gin.Context, status int, errs map[string]string) {
	ctx := c.Request.Context()
	id := paramID(c)
	a, err := p.svc.editLesson(ctx, id)
	if err != nil {
		p.fail(c, err)
		return
	}
	variant := c.Query("variant")
	if variant == "" {
		variant = c.PostForm("variant")
	}
	lv, err := p.svc.lessonView(ctx, &lessonAccess{courseAccess: a.courseAccess, l: a.l}, variant, web.Lang(c))
	if err != nil {
		p.fail(c, err)
		return
	}
	cv, err := p.svc.Get(ctx, lv.CourseID, lv.Language, web.Lang(c))
	if err != nil {
		p.fail(c, err)
		return
	}
	d := &LessonEditData{Lesson: lv, Course: cv, Completions: allowedCompletions(lv.Kind), Errors: errs, MaxUploadMB: p.svc.cfg.MaxUploadMB}
	if sp, ok := p.svc.kinds[a.l.Kind].(KindSettingsPage); ok {
		d.SettingsURL = sp.SettingsPage(ctx, a.l)
	}
	if d.Files, err = p.svc.lessonFiles(ctx, id); err != nil {
		p.fail(c, err)
		return
	}
	if d.Progress, err = p.svc.ProgressCount(ctx, id); err != nil {
		p.fail(c, err)
		return
	}
	view := p.r.NewView(c, "", d)
	view.Title = view.T("course.lessonedit.title", "Title", lv.Title)
	p.r.Render(c, status, "course/lesson_edit", view)
}

func (p *pages) lessonDone(c *gin.Context, err error) {
	if errs := formErrors(err); errs != nil {
		p.renderLessonEditor(c, http.StatusUnprocessableEntity, errs)
		return
	}
	if err != nil {
		p.fail(c, err)
		return
	}
	web.SetFlash(c, "course.flash.saved")
	c.Redirect(http.StatusSeeOther, "/teach/lessons/"+c.Param("id")+"?variant="+c.PostForm("variant"))
}

func (p *pages) saveLesson(c *gin.Context) {
	required := c.PostForm("required") == "on"
	in := LessonInput{Title: formPtr(c, "title"), Body: formPtr(c, "body"), URL: formPtr(c, "url"), Language: formPtr(c, "variant"),
		Completion: formPtr(c, "completion"), Required: &required}
	if w := c.PostForm("watch_percent"); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil {
			n = -1
		}
		in.WatchPercent = &n
	}
	_, err := p.svc.UpdateLesson(c.Request.Context(), paramID(c), in)
	p.lessonDone(c, err)
}

func (p *pages) lessonMedia(c *gin.Context) {
	r, name, done, err := uploadPart(c, p.svc.MaxUpload())
	if err == nil {
		defer done()
		_, err = p.svc.UploadMedia(c.Request.Context(), paramID(c), c.PostForm("variant"), name, r)
	}
	p.lessonDone(c, err)
}

func (p *pages) moveLesson(c *gin.Context) {
	pos, _ := strconv.Atoi(c.PostForm("position"))
	lv, err := p.svc.UpdateLesson(c.Request.Context(), paramID(c), LessonInput{Position: &pos})
	if err != nil {
		p.fail(c, err)
		return
	}
	p.backToCourse(c, lv.CourseID, nil, "")
}

func (p *pages) confirmDelete(c *gin.Context) { p.renderLessonEditorPage(c, "course/lesson_delete") }

func (p *pages) renderLessonEditorPage(c *gin.Context, page string) {
	ctx := c.Request.Context()
	a, err := p.svc.editLesson(ctx, paramID(c))
	if err != nil {
		p.fail(c, err)
		return
	}
	lv, err := p.svc.lessonView(ctx, &lessonAccess{courseAccess: a.courseAccess, l: a.l}, "", web.Lang(c))
	if err != nil {
		p.fail(c, err)
		return
	}
	n, err := p.svc.ProgressCount(ctx, a.l.ID)
	if err != nil {
		p.fail(c, err)
		return
	}
	view := p.r.NewView(c, "course.lessondelete.title", &LessonEditData{Lesson: lv, Progress: n})
	p.r.Render(c, http.StatusOK, page, view)
}

func (p *pages) deleteLesson(c *gin.Context) {
	ctx := c.Request.Context()
	l, err := p.svc.loadLesson(ctx, paramID(c))
	if err != nil {
		p.fail(c, err)
		return
	}
	if err := p.svc.DeleteLesson(ctx, l.ID, c.PostForm("confirm") == "true"); err != nil {
		p.fail(c, err)
		return
	}
	p.backToCourse(c, l.CourseID, nil, "course.flash.deleted")
}

var _ = auth.RoleInstructor

// Transition is a status change offered by the editor.
type Transition struct {
	To     string
	Action string // publish, unpublish, archive
}

func transitions(status string) []Transition {
	switch status {
	case StatusPublished:
		return []Transition{{StatusDraft, "unpublish"}, {StatusArchived, "archive"}}
	case StatusArchived:
		return []Transition{{StatusPublished, "publish"}, {StatusDraft, "unpublish"}}
	}
	return []Transition{{StatusPublished, "publish"}, {StatusArchived, "archive"}}
}
