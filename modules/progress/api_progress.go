package progress

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/httpx"
	"glc/internal/web"
	"glc/storage"
)

func registerProgressAPI(r *web.Router, s *Service) {
	api := r.API
	api.GET("/courses/:id/progress", func(c *gin.Context) {
		id, ok := httpx.ParamID(c, "id")
		if !ok {
			return
		}
		v, err := s.MyCourseProgress(c.Request.Context(), id, web.Lang(c))
		reply(c, http.StatusOK, v, err)
	})
	api.GET("/courses/:id/completion-rule", func(c *gin.Context) {
		id, ok := httpx.ParamID(c, "id")
		if !ok {
			return
		}
		v, err := s.Rule(c.Request.Context(), id)
		reply(c, http.StatusOK, v, err)
	})
	api.PUT("/courses/:id/completion-rule", func(c *gin.Context) {
		id, ok := httpx.ParamID(c, "id")
		var in RuleInput
		if !ok || !httpx.BindJSON(c, &in) {
			return
		}
		v, err := s.SetRule(c.Request.Context(), id, in)
		reply(c, http.StatusOK, v, err)
	})
	api.GET("/courses/:id/learners", func(c *gin.Context) { courseLearners(c, s) })
	api.GET("/courses/:id/completions", func(c *gin.Context) {
		id, ok := httpx.ParamID(c, "id")
		if !ok {
			return
		}
		from, err1 := ParseDate("from", c.Query("from"))
		to, err2 := ParseDate("to", c.Query("to"))
		if err := firstErr(err1, err2); err != nil {
			httpx.Fail(c, err)
			return
		}
		items, err := s.CourseCompletions(c.Request.Context(), id, from, to)
		reply(c, http.StatusOK, gin.H{"items": items}, err)
	})
	api.GET("/me/learning", func(c *gin.Context) {
		v, err := s.MyLearning(c.Request.Context(), web.Lang(c))
		reply(c, http.StatusOK, v, err)
	})
	api.GET("/me/transcript", func(c *gin.Context) { transcript(c, s) })
}

// reply writes v with status, or the error.
func reply(c *gin.Context, status int, v any, err error) {
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(status, v)
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// format reads ?format= among the allowed ones (the first is the default).
func format(c *gin.Context, allowed ...string) (string, error) {
	f := c.DefaultQuery("format", allowed[0])
	for _, a := range allowed {
		if f == a {
			return f, nil
		}
	}
	return "", apperr.Invalid("format", fmt.Sprintf("must be one of %v", allowed))
}

// sendTable writes a table as a CSV or XLSX download.
func sendTable(c *gin.Context, fmtName, base string, t Table) {
	var buf bytes.Buffer
	if err := WriteTable(c.Request.Context(), &buf, fmtName, t); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.%s"`, base, time.Now().UTC().Format("20060102"), fmtName))
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, ContentType(fmtName), buf.Bytes())
}

func learnerFilter(c *gin.Context) LearnerFilter {
	return LearnerFilter{Status: c.Query("status"), Q: c.Query("q"), Country: c.Query("country"), Sort: c.Query("sort")}
}

func courseLearners(c *gin.Context, s *Service) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	f := learnerFilter(c)
	fm, err := format(c, "json", FormatCSV, FormatXLSX)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if fm != "json" {
		if _, _, err := s.Learners(c.Request.Context(), id, f, httpx.Page{Page: 1, PerPage: 1}); err != nil {
			httpx.Fail(c, err) // permission and filter errors before the download starts
			return
		}
		sendTable(c, fm, fmt.Sprintf("course-%d-learners", id), s.learnersTable(c.Request.Context(), id, f, web.Lang(c)))
		return
	}
	pg, err := httpx.Paging(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	items, total, err := s.Learners(c.Request.Context(), id, f, pg)
	reply(c, http.StatusOK, httpx.List[LearnerRow]{Items: items, Total: total}, err)
}

func transcript(c *gin.Context, s *Service) {
	fm, err := format(c, "json", FormatCSV, "pdf")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	lang := web.Lang(c)
	tr, err := s.MyTranscript(c.Request.Context(), lang)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	switch fm {
	case FormatCSV:
		sendTable(c, FormatCSV, "transcript", s.transcriptTable(tr, lang))
	case "pdf":
		b, err := s.TranscriptPDF(tr, lang)
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="transcript-%s.pdf"`, time.Now().UTC().Format("20060102")))
		c.Header("Cache-Control", "private, no-store")
		c.Data(http.StatusOK, "application/pdf", b)
	default:
		c.JSON(http.StatusOK, tr)
	}
}

// reportFilter reads a report filter from the query string.
func reportFilter(c *gin.Context) (ReportFilter, error) {
	fe := apperr.Fields{}
	f := ReportFilter{GroupBy: c.Query("group_by"), Country: c.Query("country")}
	f.OrgID = queryID(c, fe, "organisation_id")
	f.CourseID = queryID(c, fe, "course_id")
	var err1, err2 error
	f.From, err1 = ParseDate("from", c.Query("from"))
	f.To, err2 = ParseDate("to", c.Query("to"))
	return f, firstErr(fe.Err(), err1, err2)
}

func registerReportsAPI(r *web.Router, s *Service) {
	api := r.API
	api.GET("/reports/completions", func(c *gin.Context) {
		f, err := reportFilter(c)
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		fm, err := format(c, "json", FormatCSV, FormatXLSX)
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		rep, err := s.Completions(c.Request.Context(), f, web.Lang(c))
		if err != nil || fm == "json" {
			reply(c, http.StatusOK, rep, err)
			return
		}
		sendTable(c, fm, "completions-by-"+rep.GroupBy, s.reportTable(rep, web.Lang(c)))
	})
	api.GET("/reports/countries", func(c *gin.Context) {
		f, err := reportFilter(c)
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		items, err := s.LearnersByCountry(c.Request.Context(), f, web.Lang(c))
		reply(c, http.StatusOK, gin.H{"items": items}, err)
	})
	api.POST("/reports/exports", func(c *gin.Context) {
		var in ExportInput
		if !httpx.BindJSON(c, &in) {
			return
		}
		in.Lang = web.Lang(c)
		v, err := s.StartExport(c.Request.Context(), in)
		reply(c, http.StatusAccepted, v, err)
	})
	api.GET("/reports/exports/:id", func(c *gin.Context) {
		v, err := s.ExportStatus(c.Request.Context(), c.Param("id"))
		reply(c, http.StatusOK, v, err)
	})
	api.GET("/reports/exports/:id/file", func(c *gin.Context) { exportFile(c, s) })
}

// exportFile sends a finished export: a redirect to a short-lived signed URL on S3, the file
// itself (with Range) on local disk.
func exportFile(c *gin.Context, s *Service) {
	ctx := c.Request.Context()
	key, name, ctype, err := s.ExportFile(ctx, c.Param("id"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if url, err := s.store.SignedURL(ctx, key, 5*time.Minute, name); err == nil {
		c.Redirect(http.StatusFound, url)
		return
	} else if !isNotSupported(err) {
		httpx.Fail(c, err)
		return
	}
	obj, err := s.store.Get(ctx, key)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	defer func() { _ = obj.Close() }()
	c.Header("Content-Type", ctype)
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	c.Header("Cache-Control", "private, no-store")
	http.ServeContent(c.Writer, c.Request, name, obj.Info().ModTime, io.ReadSeeker(obj))
}

func isNotSupported(err error) bool { return errors.Is(err, storage.ErrNotSupported) }

func registerTrainerAPI(r *web.Router, s *Service) {
	api := r.API
	api.GET("/trainer-track", func(c *gin.Context) {
		items, err := s.TrainerTrack(c.Request.Context())
		reply(c, http.StatusOK, gin.H{"items": items}, err)
	})
	api.PUT("/trainer-track", func(c *gin.Context) {
		var in struct {
			CourseIDs []int64 `json:"course_ids"`
		}
		if !httpx.BindJSON(c, &in) {
			return
		}
		items, err := s.SetTrainerTrack(c.Request.Context(), in.CourseIDs)
		reply(c, http.StatusOK, gin.H{"items": items}, err)
	})
	api.GET("/trainer-track/candidates", func(c *gin.Context) {
		items, err := s.Candidates(c.Request.Context())
		reply(c, http.StatusOK, gin.H{"items": items}, err)
	})
	api.POST("/trainer-track/candidates/:user_id/confirm", func(c *gin.Context) {
		id, ok := httpx.ParamID(c, "user_id")
		if !ok {
			return
		}
		if err := s.ConfirmTrainer(c.Request.Context(), id); err != nil {
			httpx.Fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	})
}
