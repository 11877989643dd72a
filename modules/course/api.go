package course

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/httpx"
	"glc/internal/web"
)

type api struct{ svc *Service }

func registerAPI(r *web.Router, s *Service) {
	h := &api{svc: s}
	g := r.API
	g.GET("/courses", h.catalogue)
	g.POST("/courses", h.create)
	g.GET("/courses/:id", h.get)
	g.PATCH("/courses/:id", h.update)
	g.DELETE("/courses/:id", h.delete)
	g.POST("/courses/:id/publish", h.status(StatusPublished))
	g.POST("/courses/:id/unpublish", h.status(StatusDraft))
	g.POST("/courses/:id/archive", h.status(StatusArchived))
	g.POST("/courses/:id/duplicate", h.duplicate)
	g.PUT("/courses/:id/variants/:language", h.putVariant)
	g.DELETE("/courses/:id/variants/:language", h.deleteVariant)
	g.POST("/courses/:id/cover", h.uploadCover)
	g.GET("/courses/:id/cover", h.cover)
	g.GET("/courses/:id/instructors", h.instructors)
	g.POST("/courses/:id/instructors", h.addInstructor)
	g.DELETE("/courses/:id/instructors/:user_id", h.removeInstructor)
	g.POST("/courses/:id/sections", h.addSection)
	g.POST("/courses/:id/sections/order", h.orderSections)
	g.PATCH("/sections/:id", h.updateSection)
	g.DELETE("/sections/:id", h.deleteSection)
	g.POST("/sections/:id/lessons", h.addLesson)
	g.POST("/sections/:id/lessons/order", h.orderLessons)
	g.GET("/lessons/:id", h.lesson)
	g.PATCH("/lessons/:id", h.updateLesson)
	g.DELETE("/lessons/:id", h.deleteLesson)
	g.POST("/lessons/:id/media", h.uploadMedia)
	g.GET("/lessons/:id/media", h.media)
	g.GET("/lessons/:id/files/:file_id", h.file)
	g.POST("/lessons/:id/progress", h.progress)
	g.POST("/courses/:id/enrolments", h.enrol)
	g.GET("/courses/:id/enrolments", h.enrolments)
	g.DELETE("/courses/:id/enrolments/:user_id", h.unenrol)
	g.POST("/courses/:id/assignments", h.assign)
	g.GET("/courses/:id/assignments", h.assignments)
	g.GET("/me/courses", h.myCourses)
	g.GET("/me/teaching", h.teaching)
	g.GET("/cohorts", h.cohorts)
	g.POST("/cohorts", h.createCohort)
	g.GET("/cohorts/:id", h.cohort)
	g.POST("/cohorts/:id/members", h.addMembers)
	g.GET("/course-topics", h.topics)
	g.POST("/course-topics", h.saveTopic)
	g.PATCH("/course-topics/:id", h.saveTopic)
}

func paging(c *gin.Context) (Page, bool) {
	p, err := httpx.Paging(c)
	if err != nil {
		httpx.Fail(c, err)
		return Page{}, false
	}
	return Page{Page: p.Page, PerPage: p.PerPage}, true
}

// reply writes v with status, or the error.
func reply(c *gin.Context, status int, v any, err error) {
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(status, v)
}

func noContent(c *gin.Context, err error) {
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *api) catalogue(c *gin.Context) {
	pg, ok := paging(c)
	if !ok {
		return
	}
	q := CatalogueQuery{Q: c.Query("q"), Topic: c.Query("topic"), Language: c.Query("language"), Region: c.Query("region"),
		Level: c.Query("level"), Sort: c.Query("sort"), Variant: c.Query("variant"), UI: web.Lang(c), Page: pg}
	items, total, err := h.svc.Catalogue(c.Request.Context(), q)
	reply(c, http.StatusOK, httpx.List[CourseSummary]{Items: items, Total: total}, err)
}

func (h *api) create(c *gin.Context) {
	var in CourseInput
	if !httpx.BindJSON(c, &in) {
		return
	}
	v, err := h.svc.Create(c.Request.Context(), in)
	reply(c, http.StatusCreated, v, err)
}

func (h *api) get(c *gin.Context) {
	if id, ok := httpx.ParamID(c, "id"); ok {
		v, err := h.svc.Get(c.Request.Context(), id, c.Query("variant"), web.Lang(c))
		reply(c, http.StatusOK, v, err)
	}
}

func (h *api) update(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	var in CourseInput
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	v, err := h.svc.Update(c.Request.Context(), id, in)
	reply(c, http.StatusOK, v, err)
}

func (h *api) delete(c *gin.Context) {
	if id, ok := httpx.ParamID(c, "id"); ok {
		noContent(c, h.svc.Delete(c.Request.Context(), id))
	}
}

func (h *api) status(status string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if id, ok := httpx.ParamID(c, "id"); ok {
			v, err := h.svc.SetStatus(c.Request.Context(), id, status)
			reply(c, http.StatusOK, v, err)
		}
	}
}

func (h *api) duplicate(c *gin.Context) {
	if id, ok := httpx.ParamID(c, "id"); ok {
		v, err := h.svc.Duplicate(c.Request.Context(), id)
		reply(c, http.StatusCreated, v, err)
	}
}

func (h *api) putVariant(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	var in VariantInput
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	v, created, err := h.svc.PutVariant(c.Request.Context(), id, c.Param("language"), in)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	reply(c, status, v, err)
}

func (h *api) deleteVariant(c *gin.Context) {
	if id, ok := httpx.ParamID(c, "id"); ok {
		noContent(c, h.svc.DeleteVariant(c.Request.Context(), id, c.Param("language")))
	}
}

func (h *api) instructors(c *gin.Context) {
	if id, ok := httpx.ParamID(c, "id"); ok {
		v, err := h.svc.Instructors(c.Request.Context(), id)
		reply(c, http.StatusOK, gin.H{"items": v}, err)
	}
}

func (h *api) addInstructor(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	var in struct {
		UserID int64  `json:"user_id"`
		Email  string `json:"email"`
	}
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	v, err := h.svc.AddInstructor(c.Request.Context(), id, in.UserID, in.Email)
	reply(c, http.StatusCreated, gin.H{"items": v}, err)
}

func (h *api) removeInstructor(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	uid, ok2 := httpx.ParamID(c, "user_id")
	if ok && ok2 {
		noContent(c, h.svc.RemoveInstructor(c.Request.Context(), id, uid))
	}
}

func (h *api) addSection(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	var in SectionInput
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	v, err := h.svc.AddSection(c.Request.Context(), id, in)
	reply(c, http.StatusCreated, v, err)
}

type orderInput struct {
	IDs []int64 `json:"ids"`
}

func (h *api) orderSections(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	var in orderInput
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	noContent(c, h.svc.OrderSections(c.Request.Context(), id, in.IDs))
}

func (h *api) updateSection(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	var in SectionInput
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	v, err := h.svc.UpdateSection(c.Request.Context(), id, in)
	reply(c, http.StatusOK, v, err)
}

func (h *api) deleteSection(c *gin.Context) {
	if id, ok := httpx.ParamID(c, "id"); ok {
		noContent(c, h.svc.DeleteSection(c.Request.Context(), id))
	}
}

func (h *api) addLesson(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	var in LessonInput
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	v, err := h.svc.AddLesson(c.Request.Context(), id, in)
	reply(c, http.StatusCreated, v, err)
}

func (h *api) orderLessons(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	var in orderInput
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	noContent(c, h.svc.OrderLessons(c.Request.Context(), id, in.IDs))
}

func (h *api) lesson(c *gin.Context) {
	if id, ok := httpx.ParamID(c, "id"); ok {
		v, err := h.svc.Lesson(c.Request.Context(), id, c.Query("variant"), web.Lang(c))
		reply(c, http.StatusOK, v, err)
	}
}

func (h *api) updateLesson(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	var in LessonInput
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	v, err := h.svc.UpdateLesson(c.Request.Context(), id, in)
	reply(c, http.StatusOK, v, err)
}

func (h *api) deleteLesson(c *gin.Context) {
	if id, ok := httpx.ParamID(c, "id"); ok {
		confirm, _ := strconv.ParseBool(c.Query("confirm"))
		noContent(c, h.svc.DeleteLesson(c.Request.Context(), id, confirm))
	}
}

// uploadPart returns the multipart part named "file", streaming it from the body (or, when a
// form was already parsed, e.g. by the CSRF check of a browser form, from the parsed form).
func uploadPart(c *gin.Context, limit int64) (io.Reader, string, func(), error) {
	if c.Request.MultipartForm != nil {
		fh, err := c.FormFile("file")
		if err != nil {
			return nil, "", nil, apperr.Invalid("file", "is required (a multipart part named file)")
		}
		if fh.Size > limit {
			return nil, "", nil, fmt.Errorf("the file is larger than the limit of %d MiB: %w", limit>>20, apperr.ErrTooLarge)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, "", nil, err
		}
		return f, fh.Filename, func() { f.Close() }, nil
	}
	if c.Request.ContentLength > limit+1<<20 {
		return nil, "", nil, fmt.Errorf("the file is larger than the limit of %d MiB: %w", limit>>20, apperr.ErrTooLarge)
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+1<<20)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, "", nil, fmt.Errorf("send multipart/form-data with a part named file: %w", apperr.ErrUnsupported)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, "", nil, apperr.Invalid("file", "is required (a multipart part named file)")
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, "", nil, err
			}
			return nil, "", nil, apperr.New(http.StatusBadRequest, "invalid_multipart", "The multipart body could not be read.")
		}
		if part.FormName() == "file" {
			return part, part.FileName(), func() { part.Close() }, nil
		}
		part.Close()
	}
}

func (h *api) uploadMedia(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	r, name, done, err := uploadPart(c, h.svc.MaxUpload())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	defer done()
	v, err := h.svc.UploadMedia(c.Request.Context(), id, c.Query("language"), name, r)
	reply(c, http.StatusCreated, v, err)
}

func (h *api) uploadCover(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	r, name, done, err := uploadPart(c, h.svc.MaxUpload())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	defer done()
	v, err := h.svc.UploadCover(c.Request.Context(), id, name, r)
	reply(c, http.StatusOK, v, err)
}

func (h *api) cover(c *gin.Context) {
	if id, ok := httpx.ParamID(c, "id"); ok {
		f, err := h.svc.Cover(c.Request.Context(), id)
		serveFile(c, h.svc, f, false, err)
	}
}

func (h *api) media(c *gin.Context) {
	if id, ok := httpx.ParamID(c, "id"); ok {
		f, err := h.svc.LessonMedia(c.Request.Context(), id, c.Query("variant"), web.Lang(c))
		serveFile(c, h.svc, f, c.Query("download") != "", err)
	}
}

func (h *api) file(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	fid, ok2 := httpx.ParamID(c, "file_id")
	if ok && ok2 {
		f, err := h.svc.LessonFile(c.Request.Context(), id, fid)
		serveFile(c, h.svc, f, c.Query("download") != "", err)
	}
}

// serveFile streams f from storage with Range support (local disk, and images and PDFs shown in
// the page), or redirects to a short-lived signed URL (S3: videos and downloads).
func serveFile(c *gin.Context, s *Service, f *File, download bool, err error) {
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	c.Header("Cache-Control", "private, max-age=300")
	if s.Redirects(f, download) {
		u, err := s.SignedURL(ctx, f, download)
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		c.Header("Cache-Control", "no-store")
		c.Redirect(http.StatusFound, u)
		return
	}
	obj, err := s.Open(ctx, f)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	defer obj.Close()
	disp := "inline"
	if download || !inlineType(f.ContentType) {
		disp = "attachment"
	}
	c.Header("Content-Type", f.ContentType)
	c.Header("Content-Disposition", disp+"; filename*=UTF-8''"+pathEscape(f.Name))
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	if f.ContentType == "application/pdf" && !download {
		// The browser's PDF viewer does not run in a sandboxed document.
		c.Header("Content-Security-Policy", "default-src 'none'; object-src 'self'; frame-ancestors 'self'")
	}
	http.ServeContent(c.Writer, c.Request, "", obj.Info().ModTime, obj)
}

func inlineType(ct string) bool {
	return strings.HasPrefix(ct, "video/") || strings.HasPrefix(ct, "image/") || ct == "application/pdf"
}

func pathEscape(s string) string {
	var b strings.Builder
	for _, r := range []byte(s) {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || strings.IndexByte("-._~", r) >= 0 {
			b.WriteByte(r)
		} else {
			fmt.Fprintf(&b, "%%%02X", r)
		}
	}
	return b.String()
}

func (h *api) progress(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	var in ProgressInput
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	v, err := h.svc.Progress(c.Request.Context(), id, in)
	reply(c, http.StatusOK, v, err)
}

func (h *api) enrol(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	var in EnrolInput
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	if len(in.UserIDs) == 0 && len(in.Emails) == 0 && in.CohortID == nil && in.DueAt == nil {
		v, created, err := h.svc.SelfEnrol(c.Request.Context(), id)
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		reply(c, status, v, err)
		return
	}
	items, err := h.svc.EnrolUsers(c.Request.Context(), id, in)
	reply(c, http.StatusCreated, httpx.List[EnrolmentView]{Items: items, Total: int64(len(items))}, err)
}

func (h *api) enrolments(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	pg, ok2 := paging(c)
	if ok && ok2 {
		items, total, err := h.svc.Enrolments(c.Request.Context(), id, c.Query("status"), pg)
		reply(c, http.StatusOK, httpx.List[EnrolmentView]{Items: items, Total: total}, err)
	}
}

func (h *api) unenrol(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	uid, ok2 := httpx.ParamID(c, "user_id")
	if ok && ok2 {
		noContent(c, h.svc.Unenrol(c.Request.Context(), id, uid))
	}
}

func (h *api) assign(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	var in AssignInput
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	v, err := h.svc.Assign(c.Request.Context(), id, in)
	reply(c, http.StatusCreated, v, err)
}

func (h *api) assignments(c *gin.Context) {
	if id, ok := httpx.ParamID(c, "id"); ok {
		v, err := h.svc.Assignments(c.Request.Context(), id)
		reply(c, http.StatusOK, gin.H{"items": v}, err)
	}
}

func (h *api) myCourses(c *gin.Context) {
	if pg, ok := paging(c); ok {
		items, total, err := h.svc.MyCourses(c.Request.Context(), c.Query("status"), web.Lang(c), pg)
		reply(c, http.StatusOK, httpx.List[MyCourse]{Items: items, Total: total}, err)
	}
}

func (h *api) teaching(c *gin.Context) {
	if pg, ok := paging(c); ok {
		items, total, err := h.svc.Teaching(c.Request.Context(), web.Lang(c), pg)
		reply(c, http.StatusOK, httpx.List[CourseSummary]{Items: items, Total: total}, err)
	}
}

func (h *api) cohorts(c *gin.Context) {
	if pg, ok := paging(c); ok {
		items, total, err := h.svc.Cohorts(c.Request.Context(), pg)
		reply(c, http.StatusOK, httpx.List[CohortView]{Items: items, Total: total}, err)
	}
}

func (h *api) createCohort(c *gin.Context) {
	var in CohortInput
	if httpx.BindJSON(c, &in) {
		v, err := h.svc.CreateCohort(c.Request.Context(), in)
		reply(c, http.StatusCreated, v, err)
	}
}

func (h *api) cohort(c *gin.Context) {
	if id, ok := httpx.ParamID(c, "id"); ok {
		v, err := h.svc.Cohort(c.Request.Context(), id)
		reply(c, http.StatusOK, v, err)
	}
}

func (h *api) addMembers(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	var in struct {
		UserIDs []int64 `json:"user_ids"`
	}
	if ok && httpx.BindJSON(c, &in) {
		v, err := h.svc.AddCohortMembers(c.Request.Context(), id, in.UserIDs)
		reply(c, http.StatusOK, v, err)
	}
}

func (h *api) topics(c *gin.Context) {
	v, err := h.svc.Topics(c.Request.Context(), web.Lang(c), c.Query("all") != "")
	reply(c, http.StatusOK, gin.H{"items": v}, err)
}

func (h *api) saveTopic(c *gin.Context) {
	var id int64
	if c.Param("id") != "" {
		var ok bool
		if id, ok = httpx.ParamID(c, "id"); !ok {
			return
		}
	}
	var in TopicInput
	if !httpx.BindJSON(c, &in) {
		return
	}
	v, err := h.svc.SaveTopic(c.Request.Context(), id, in, web.Lang(c))
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
	}
	reply(c, status, v, err)
}
