package quiz

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/web"
)

// The question bank page of a quiz: the course's bank, a question at a time added to the quiz,
// edited or deleted; the whole bank exported (GIFT or JSON download) or a file imported.

// bankRow is a question of the bank on its page.
type bankRow struct {
	ID       int64
	Kind     string
	Title    string
	Prompt   string
	Points   string
	Category string
	InQuiz   bool
}

// bankPage is the bank page.
type bankPage struct {
	Quiz         *QuizView
	Rows         []bankRow
	Page         int
	Pages        int
	Total        int64
	Categories   []CategoryCount
	Formats      []string
	Format       string
	Place        bool
	ImportErrors []string
}

const bankPerPage = 50

func (p pages) bankPage(c *gin.Context, status int, lessonID int64, d *bankPage) {
	ctx := c.Request.Context()
	q, ok := p.managedQuiz(c, lessonID)
	if !ok {
		return
	}
	d.Quiz = q
	pg, _ := strconv.Atoi(c.DefaultQuery("page", "1"))
	d.Page = max(pg, 1)
	rows, total, err := p.s.Questions(ctx, q.CourseID, QuestionQuery{Limit: bankPerPage, Offset: (d.Page - 1) * bankPerPage})
	if err != nil {
		p.r.Error(c, err)
		return
	}
	if d.Categories, err = p.s.QuizCategories(ctx, lessonID); err != nil {
		p.r.Error(c, err)
		return
	}
	names := map[int64]string{}
	for _, ct := range d.Categories {
		names[ct.ID] = ct.Name
	}
	inQuiz := map[int64]bool{}
	for _, sl := range q.Slots {
		if sl.QuestionID != nil {
			inQuiz[*sl.QuestionID] = true
		}
	}
	d.Total, d.Pages = total, int((total+bankPerPage-1)/bankPerPage)
	for _, r := range rows {
		b := bankRow{ID: r.ID, Kind: r.Kind, Title: r.Title, Prompt: shorten(r.Prompt, 300), Points: num2(r.Points), InQuiz: inQuiz[r.ID]}
		if r.CategoryID != nil {
			b.Category = names[*r.CategoryID]
		}
		d.Rows = append(d.Rows, b)
	}
	d.Formats = []string{FormatGIFT, FormatJSON}
	if d.Format == "" {
		d.Format = FormatGIFT
	}
	p.r.HTML(c, status, "quiz/bank", "quiz.bank.title", d)
}

// bank shows the course's question bank from the quiz.
func (p pages) bank(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id")
	if !ok {
		return
	}
	p.bankPage(c, http.StatusOK, v[0], &bankPage{Place: true})
}

// importBank adds the questions of an uploaded GIFT or JSON file to the bank (and to the quiz
// when asked), all or nothing.
func (p pages) importBank(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id")
	if !ok {
		return
	}
	tr := p.tr(c)
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBankFile+1<<20)
	d := &bankPage{Format: c.PostForm("format"), Place: c.PostForm("place") != ""}
	var data []byte
	fh, err := c.FormFile("file")
	if err == nil {
		var f io.ReadCloser
		if f, err = fh.Open(); err == nil {
			data, err = io.ReadAll(io.LimitReader(f, maxBankFile+1))
			f.Close()
		}
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || len(data) > maxBankFile:
		d.ImportErrors = []string{tr("quiz.bank.error.too_large", "MB", maxBankFile>>20)}
	case err != nil || len(data) == 0:
		d.ImportErrors = []string{tr("quiz.bank.error.file")}
	case d.Format != FormatGIFT && d.Format != FormatJSON:
		d.ImportErrors = []string{tr("quiz.bank.error.format")}
	}
	if d.ImportErrors != nil {
		p.bankPage(c, http.StatusUnprocessableEntity, v[0], d)
		return
	}
	_, err = p.s.ImportToQuiz(c.Request.Context(), v[0], d.Format, data, d.Place)
	var (
		gerrs *GIFTErrors
		val   *apperr.Validation
	)
	switch {
	case err == nil:
		web.SetFlash(c, "quiz.flash.imported")
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/quizzes/%d/bank", v[0]))
		return
	case errors.As(err, &gerrs):
		d.ImportErrors = giftMessages(tr, gerrs.Errs)
	case errors.As(err, &val):
		d.ImportErrors = bankMessages(tr, val.Fields, data)
	default:
		p.r.Error(c, err)
		return
	}
	p.bankPage(c, http.StatusUnprocessableEntity, v[0], d)
}

// bankMessages says the field errors of a JSON bank file in the reader's language.
func bankMessages(tr func(string, ...any) string, fields map[string]string, data []byte) []string {
	var kinds struct {
		Questions []struct {
			Kind string `json:"kind"`
		} `json:"questions"`
	}
	_ = json.Unmarshal(data, &kinds)
	type msg struct {
		n    int
		text string
	}
	var out []msg
	for k, m := range fields {
		switch {
		case k == "body":
			out = append(out, msg{-1, tr("quiz.bank.error.not_bank")})
		case k == "format":
			out = append(out, msg{-1, tr("quiz.bank.error.not_bank")})
		case k == "questions":
			out = append(out, msg{-1, tr("quiz.bank.error.count", "Max", maxImport)})
		case strings.HasPrefix(k, "questions."):
			rest := strings.TrimPrefix(k, "questions.")
			ns, field, _ := strings.Cut(rest, ".")
			i, _ := strconv.Atoi(ns)
			kind := ""
			if i < len(kinds.Questions) {
				kind = kinds.Questions[i].Kind
			}
			out = append(out, msg{i, tr("quiz.bank.error.question", "N", i+1, "Message", fieldMessage(tr, field, kind, m, nil))})
		default:
			out = append(out, msg{-1, tr("quiz.field.other", "Field", k)})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].n < out[b].n || out[a].n == out[b].n && out[a].text < out[b].text })
	texts := make([]string, 0, len(out))
	for _, m := range out {
		if len(texts) == 0 || texts[len(texts)-1] != m.text {
			texts = append(texts, m.text)
		}
	}
	return texts
}

// exportBank downloads the course's bank as GIFT or JSON.
func (p pages) exportBank(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id")
	if !ok {
		return
	}
	q, ok := p.managedQuiz(c, v[0])
	if !ok {
		return
	}
	format := c.DefaultQuery("format", FormatGIFT)
	body, ctype, err := p.s.Export(c.Request.Context(), q.CourseID, format)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	ext := map[string]string{FormatGIFT: "gift.txt", FormatJSON: "json"}[format]
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="question-bank-%d.%s"`, q.CourseID, ext))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, ctype, body)
}

// addFromBank places a question of the bank in the quiz.
func (p pages) addFromBank(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id", "question_id")
	if !ok {
		return
	}
	to := localBack(c, fmt.Sprintf("/quizzes/%d/bank", v[0]))
	_, err := p.s.AddSlot(c.Request.Context(), v[0], v[1])
	if errors.Is(err, apperr.ErrConflict) {
		p.back(c, "quiz.flash.already_in_quiz", to)
		return
	}
	p.after(c, err, "quiz.flash.question_placed", to)
}

// deleteFromBank deletes a question of the bank that no quiz uses (attempts that hold it keep
// it).
func (p pages) deleteFromBank(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id", "question_id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	to := localBack(c, fmt.Sprintf("/quizzes/%d/bank", v[0]))
	if _, _, err := p.s.QuizQuestion(ctx, v[0], v[1]); err != nil {
		p.r.Error(c, err)
		return
	}
	err := p.s.DeleteQuestion(ctx, v[1])
	if errors.Is(err, apperr.ErrConflict) {
		p.back(c, "quiz.flash.question_in_use", to)
		return
	}
	p.after(c, err, "quiz.flash.question_deleted", to)
}

// shorten cuts s to about n characters, at a space when it can.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
