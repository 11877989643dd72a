package scorm

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/httpx"
	"glc/internal/web"
)

// PackagePageData is the page of a package lesson for those who manage it: what the package
// is, its settings (attempt limit, mastery score) in a form, and links to its results, the
// preview and the course editor. The upload lands here.
type PackagePageData struct {
	LessonID int64
	CourseID int64
	Title    string // the lesson's title
	Package  PackageOut
	// SizeMB is the unpacked size, rounded up to a tenth of a MiB.
	SizeMB string
	// MaxAttempts and MasteryScore are the form's values (as typed after a refusal).
	MaxAttempts  string
	MasteryScore string
	// Errors holds the catalogue IDs of the form's errors by field.
	Errors   map[string]string
	Attempts int64 // learners' attempts
	Previews int64
	// Imported: the page follows an upload made with script (?imported=1), which says so.
	Imported bool
}

func (h *handlers) packagePage(c *gin.Context) {
	h.renderPackagePage(c, http.StatusOK, nil)
}

// renderPackagePage shows the page; form holds the values typed when errs is not empty.
func (h *handlers) renderPackagePage(c *gin.Context, status int, errs map[string]string) {
	if !h.requireUser(c) {
		return
	}
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	acc, err := h.s.access(ctx, id)
	if err != nil {
		h.r.Render.Error(c, err)
		return
	}
	if !acc.Manage {
		h.r.Render.Error(c, fmt.Errorf("only the course's instructors can open the settings of lesson %d: %w", id, apperr.ErrForbidden))
		return
	}
	if p, ok := h.s.cmi5.(CMI5Player); ok && status == http.StatusOK && p.PlayerPath(ctx, id) != "" {
		// A cmi5 course has no settings here: its instructors land on the lesson editor.
		if c.Query("imported") == "1" {
			web.SetFlash(c, "scorm.upload.done")
		}
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/teach/lessons/%d", id))
		return
	}
	pkg, m, err := h.s.packageOf(ctx, id)
	if err != nil {
		h.r.Render.Error(c, err)
		return
	}
	d := PackagePageData{LessonID: id, CourseID: acc.CourseID, Title: acc.Title, Package: packageOut(pkg, m), Errors: errs,
		Imported: status == http.StatusOK && c.Query("imported") == "1",
		SizeMB:   strconv.FormatFloat(float64((pkg.Bytes*10+(1<<20)-1)>>20)/10, 'f', 1, 64)}
	if errs != nil {
		d.MaxAttempts, d.MasteryScore = c.PostForm("max_attempts"), c.PostForm("mastery_score")
	} else {
		if pkg.MaxAttempts > 0 {
			d.MaxAttempts = strconv.Itoa(pkg.MaxAttempts)
		}
		if pkg.MasteryScore != nil {
			d.MasteryScore = strconv.FormatFloat(*pkg.MasteryScore, 'f', -1, 64)
		}
	}
	if _, d.Attempts, err = h.s.Attempts(ctx, id, AttemptFilter{Previews: PreviewsExclude}, 0, 1); err != nil {
		h.r.Render.Error(c, err)
		return
	}
	if d.Previews, err = h.s.CountPreviews(ctx, id); err != nil {
		h.r.Render.Error(c, err)
		return
	}
	view := h.r.Render.NewView(c, "", d)
	view.Title = view.T("scorm.settings.title", "Title", acc.Title)
	h.r.Render.Render(c, status, "scorm/package", view)
}

// packageSubmit saves the settings form: 422 with the page and its errors when a value is
// refused (nothing changes), else back to the page with a message.
func (h *handlers) packageSubmit(c *gin.Context) {
	if !h.requireUser(c) {
		return
	}
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	acc, err := h.s.access(ctx, id)
	if err == nil && !acc.Manage {
		err = fmt.Errorf("only the course's instructors can change lesson %d: %w", id, apperr.ErrForbidden)
	}
	if err != nil {
		h.r.Render.Error(c, err)
		return
	}
	in, err := settingsForm(c.PostForm, true)
	if err == nil {
		_, err = h.s.UpdateSettings(ctx, id, in)
	}
	var v *apperr.Validation
	if errors.As(err, &v) {
		h.renderPackagePage(c, http.StatusUnprocessableEntity, settingsErrors(v.Fields))
		return
	}
	if err != nil {
		h.r.Render.Error(c, err)
		return
	}
	web.SetFlash(c, "scorm.settings.saved")
	c.Redirect(http.StatusSeeOther, packagePageURL(id))
}
