package quiz

import (
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

func registerAPI(r *web.Router, s *Service) {
	h := &api{s: s}
	bank := r.API.Group("/courses/:id/question-bank")
	bank.GET("/categories", h.categories)
	bank.POST("/categories", h.createCategory)
	bank.GET("/questions", h.listQuestions)
	bank.POST("/questions", h.createQuestion)
	bank.POST("/import", h.importBank)
	bank.GET("/export", h.exportBank)
	r.API.GET("/questions/:id", h.getQuestion)
	r.API.PUT("/questions/:id", h.updateQuestion)
	r.API.DELETE("/questions/:id", h.deleteQuestion)
	r.API.POST("/questions/:id/media", h.uploadMedia)
	r.API.GET("/questions/:id/media", h.media)

	qz := r.API.Group("/quizzes/:lesson_id")
	qz.GET("", h.getQuiz)
	qz.PATCH("", h.updateQuiz)
	qz.POST("/questions", h.addQuestion)
	qz.POST("/slots", h.addSlot)
	qz.DELETE("/slots/:slot_id", h.deleteSlot)
	qz.POST("/draws", h.addDraw)
	qz.POST("/attempts", h.start)
	qz.GET("/results", h.results)
	qz.GET("/results.csv", h.resultsCSV)
	qz.GET("/statistics", h.statistics)
	qz.GET("/grading", h.grading)
	qz.POST("/regrade", h.regrade)
	qz.PUT("/extensions/:user_id", h.extension)
	qz.GET("/audit", h.audit)

	at := r.API.Group("/attempts/:id")
	at.GET("", h.getAttempt)
	at.PUT("/answers/:question_id", h.saveAnswer)
	at.POST("/submit", h.submit)
	at.POST("/override", h.override)
	at.PUT("/grades/:question_id", h.grade)
}

type api struct{ s *Service }

// ids reads positive integer path parameters; false (after a 404) when one is bad.
func ids(c *gin.Context, names ...string) ([]int64, bool) {
	out := make([]int64, len(names))
	for i, n := range names {
		id, ok := httpx.ParamID(c, n)
		if !ok {
			return nil, false
		}
		out[i] = id
	}
	return out, true
}

func (h *api) categories(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	cats, err := h.s.Categories(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, httpx.List[Category]{Items: nonNil(cats), Total: int64(len(cats))})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (h *api) createCategory(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	var in struct {
		Name string `json:"name"`
	}
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	cat, err := h.s.CreateCategory(c.Request.Context(), id, in.Name)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, cat)
}

func (h *api) listQuestions(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	pg, err := httpx.Paging(c)
	f := QuestionQuery{Kind: c.Query("kind"), Limit: pg.PerPage, Offset: pg.Offset()}
	if v := c.Query("category_id"); v != "" && err == nil {
		if f.CategoryID, err = strconv.ParseInt(v, 10, 64); err != nil {
			err = apperr.Invalid("category_id", "must be a category id")
		}
	}
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	items, total, err := h.s.Questions(c.Request.Context(), id, f)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, httpx.List[QuestionDetail]{Items: items, Total: total})
}

func (h *api) createQuestion(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	var in QuestionInput
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	q, err := h.s.CreateQuestion(c.Request.Context(), id, in)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, q)
}

// maxBankFile bounds an imported bank file.
const maxBankFile = 4 << 20

func (h *api) importBank(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	format := c.Query("format")
	if format == "" {
		format = FormatGIFT
		if strings.HasPrefix(c.ContentType(), "application/json") {
			format = FormatJSON
		}
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBankFile))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	res, err := h.s.Import(c.Request.Context(), id, format, data)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, res)
}

func (h *api) exportBank(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	format := c.DefaultQuery("format", FormatJSON)
	body, ctype, err := h.s.Export(c.Request.Context(), id, format)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	ext := map[string]string{FormatGIFT: "gift.txt", FormatJSON: "json"}[format]
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="question-bank-%d.%s"`, id, ext))
	c.Data(http.StatusOK, ctype, body)
}

func (h *api) getQuestion(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	q, err := h.s.Question(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, q)
}

func (h *api) updateQuestion(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	var in QuestionInput
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	q, err := h.s.UpdateQuestion(c.Request.Context(), id, in)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, q)
}

func (h *api) deleteQuestion(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	if err := h.s.DeleteQuestion(c.Request.Context(), id); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *api) uploadMedia(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, h.s.maxUpload+1<<20)
	fh, err := c.FormFile("file")
	if err != nil {
		httpx.Fail(c, apperr.Invalid("file", "send the media as the multipart part \"file\" ("+err.Error()+")"))
		return
	}
	f, err := fh.Open()
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	defer f.Close()
	q, err := h.s.SetMedia(c.Request.Context(), id, f, fh.Size)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, q)
}

func (h *api) media(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	obj, url, err := h.s.Media(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if url != "" {
		c.Redirect(http.StatusFound, url)
		return
	}
	defer obj.Close()
	info := obj.Info()
	c.Header("Content-Type", info.ContentType)
	c.Header("Cache-Control", "private, max-age=300")
	http.ServeContent(c.Writer, c.Request, "", info.ModTime, obj)
}

func (h *api) getQuiz(c *gin.Context) {
	id, ok := httpx.ParamID(c, "lesson_id")
	if !ok {
		return
	}
	v, err := h.s.GetQuiz(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (h *api) updateQuiz(c *gin.Context) {
	id, ok := httpx.ParamID(c, "lesson_id")
	var in SettingsInput
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	v, err := h.s.UpdateSettings(c.Request.Context(), id, in)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (h *api) addQuestion(c *gin.Context) {
	id, ok := httpx.ParamID(c, "lesson_id")
	var in QuestionInput
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	q, sl, err := h.s.AddQuestion(c.Request.Context(), id, in)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": q.ID, "slot_id": sl.ID, "question": q})
}

func (h *api) addSlot(c *gin.Context) {
	id, ok := httpx.ParamID(c, "lesson_id")
	var in struct {
		QuestionID int64 `json:"question_id"`
	}
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	sl, err := h.s.AddSlot(c.Request.Context(), id, in.QuestionID)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, sl)
}

func (h *api) deleteSlot(c *gin.Context) {
	v, ok := ids(c, "lesson_id", "slot_id")
	if !ok {
		return
	}
	if err := h.s.DeleteSlot(c.Request.Context(), v[0], v[1]); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *api) addDraw(c *gin.Context) {
	id, ok := httpx.ParamID(c, "lesson_id")
	var in struct {
		CategoryID int64 `json:"category_id"`
		Count      int   `json:"count"`
	}
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	sl, err := h.s.AddDraw(c.Request.Context(), id, in.CategoryID, in.Count)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, sl)
}

func (h *api) start(c *gin.Context) {
	id, ok := httpx.ParamID(c, "lesson_id")
	if !ok {
		return
	}
	v, created, err := h.s.Start(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, v)
}

func (h *api) results(c *gin.Context) {
	id, ok := httpx.ParamID(c, "lesson_id")
	if !ok {
		return
	}
	pg, err := httpx.Paging(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	rows, total, err := h.s.Results(c.Request.Context(), id, pg.PerPage, pg.Offset())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, httpx.List[AttemptRow]{Items: rows, Total: total})
}

func (h *api) resultsCSV(c *gin.Context) {
	id, ok := httpx.ParamID(c, "lesson_id")
	if !ok {
		return
	}
	var b strings.Builder
	if err := h.s.ResultsCSV(c.Request.Context(), id, &b); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="quiz-%d-results.csv"`, id))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
}

func (h *api) statistics(c *gin.Context) {
	id, ok := httpx.ParamID(c, "lesson_id")
	if !ok {
		return
	}
	st, err := h.s.Statistics(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (h *api) grading(c *gin.Context) {
	id, ok := httpx.ParamID(c, "lesson_id")
	if !ok {
		return
	}
	q, err := h.s.GradingQueue(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, httpx.List[QueueItem]{Items: q, Total: int64(len(q))})
}

func (h *api) regrade(c *gin.Context) {
	id, ok := httpx.ParamID(c, "lesson_id")
	var in struct {
		QuestionID int64 `json:"question_id"`
	}
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	res, err := h.s.Regrade(c.Request.Context(), id, in.QuestionID)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (h *api) extension(c *gin.Context) {
	v, ok := ids(c, "lesson_id", "user_id")
	var in ExtensionInput
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	ext, err := h.s.SetExtension(c.Request.Context(), v[0], v[1], in)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"lesson_id": ext.LessonID, "user_id": ext.UserID, "extra_attempts": ext.ExtraAttempts, "extra_seconds": ext.ExtraSeconds})
}

func (h *api) audit(c *gin.Context) {
	id, ok := httpx.ParamID(c, "lesson_id")
	if !ok {
		return
	}
	pg, err := httpx.Paging(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	rows, total, err := h.s.AuditLog(c.Request.Context(), id, pg.PerPage, pg.Offset())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, httpx.List[Audit]{Items: nonNil(rows), Total: total})
}

func (h *api) getAttempt(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	v, err := h.s.Attempt(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// AnswerInput is the body of PUT /attempts/{id}/answers/{question_id}.
type AnswerInput struct {
	Response *Response `json:"response"`
	Seq      *int64    `json:"seq,omitempty"`
}

func (h *api) saveAnswer(c *gin.Context) {
	v, ok := ids(c, "id", "question_id")
	var in AnswerInput
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	if in.Response == nil {
		httpx.Fail(c, apperr.Invalid("response", "is required"))
		return
	}
	saved, err := h.s.SaveAnswer(c.Request.Context(), v[0], v[1], *in.Response, in.Seq)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, saved)
}

func (h *api) submit(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	res, err := h.s.Submit(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (h *api) override(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	var in struct {
		Score  *float64 `json:"score"`
		Reason string   `json:"reason"`
	}
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	v, err := h.s.Override(c.Request.Context(), id, in.Score, in.Reason)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (h *api) grade(c *gin.Context) {
	v, ok := ids(c, "id", "question_id")
	var in struct {
		Score   *float64 `json:"score"`
		Comment string   `json:"comment"`
	}
	if !ok || !httpx.BindJSON(c, &in) {
		return
	}
	if in.Score == nil {
		httpx.Fail(c, apperr.Invalid("score", "is required"))
		return
	}
	av, err := h.s.GradeItem(c.Request.Context(), v[0], v[1], *in.Score, in.Comment)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, av)
}
