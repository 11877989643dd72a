package quiz

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/web"
)

type pages struct {
	r *web.Renderer
	s *Service
}

func registerPages(r *web.Router, s *Service) {
	p := pages{r: r.Render, s: s}
	g := r.Pages
	g.GET("/quizzes/:lesson_id", p.quiz)
	g.POST("/quizzes/:lesson_id/attempts", p.start)
	g.POST("/quizzes/:lesson_id/questions", p.addQuestions)
	g.GET("/quizzes/:lesson_id/questions/new", p.newQuestion)
	g.POST("/quizzes/:lesson_id/questions/new", p.saveQuestion)
	g.GET("/quizzes/:lesson_id/questions/:question_id", p.editQuestion)
	g.POST("/quizzes/:lesson_id/questions/:question_id", p.saveQuestion)
	g.POST("/quizzes/:lesson_id/slots/:slot_id/delete", p.removeSlot)
	g.POST("/quizzes/:lesson_id/draws", p.addDraw)
	g.GET("/quizzes/:lesson_id/settings", p.settings)
	g.POST("/quizzes/:lesson_id/settings", p.saveSettings)
	g.GET("/quizzes/:lesson_id/bank", p.bank)
	g.POST("/quizzes/:lesson_id/bank/import", p.importBank)
	g.GET("/quizzes/:lesson_id/bank/export", p.exportBank)
	g.POST("/quizzes/:lesson_id/bank/:question_id/add", p.addFromBank)
	g.POST("/quizzes/:lesson_id/bank/:question_id/delete", p.deleteFromBank)
	g.GET("/quizzes/:lesson_id/results", p.results)
	g.GET("/quizzes/:lesson_id/statistics", p.statistics)
	g.GET("/quizzes/:lesson_id/grading", p.grading)
	g.POST("/quizzes/:lesson_id/extensions", p.extension)
	g.POST("/quizzes/:lesson_id/regrade", p.regrade)
	g.GET("/attempts/:id", p.attempt)
	g.POST("/attempts/:id/answers/:question_id", p.answer)
	g.POST("/attempts/:id/submit", p.submit)
	g.POST("/attempts/:id/grades/:question_id", p.grade)
	g.POST("/attempts/:id/override", p.override)
}

// signedIn sends anonymous visitors to the login page.
func (p pages) signedIn(c *gin.Context) bool {
	if auth.Current(c) == nil {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return false
	}
	return true
}

// param reads a positive id path parameter, rendering 404 when it is not one.
func (p pages) param(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id < 1 {
		p.r.Error(c, apperr.ErrNotFound)
		return 0, false
	}
	return id, true
}

func (p pages) ids(c *gin.Context, names ...string) ([]int64, bool) {
	if !p.signedIn(c) {
		return nil, false
	}
	out := make([]int64, len(names))
	for i, n := range names {
		id, ok := p.param(c, n)
		if !ok {
			return nil, false
		}
		out[i] = id
	}
	return out, true
}

func (p pages) back(c *gin.Context, flash, to string) {
	if flash != "" {
		web.SetFlash(c, flash)
	}
	c.Redirect(http.StatusSeeOther, to)
}

// localBack returns the form's "back" path when it is a local one, else def.
func localBack(c *gin.Context, def string) string {
	b := c.PostForm("back")
	if strings.HasPrefix(b, "/") && !strings.HasPrefix(b, "//") && !strings.Contains(b, `\`) {
		return b
	}
	return def
}

// quizPage is the quiz's front page.
type quizPage struct {
	Quiz         *QuizView
	Author       *authorForm // the instructors' forms (nil for learners)
	InProgress   *AttemptRow
	CanStart     bool
	Limit        template.HTML // the time limit, a <time> element ("" for none)
	ExtraMinutes int
	Grade        string
	Lines        []attemptLine
}

// attemptLine is an attempt in a page's table.
type attemptLine struct {
	AttemptRow
	Percent string
	Score   string
	Outcome string // passed, failed, pending or ""
}

// limitElement is a time limit as a <time> element, or "" when there is none.
func limitElement(sec int) template.HTML {
	if sec <= 0 {
		return ""
	}
	return web.DurationElement(time.Duration(sec) * time.Second)
}

func lineOf(r AttemptRow) attemptLine {
	l := attemptLine{AttemptRow: r}
	if r.Percent != nil {
		l.Percent = strconv.FormatFloat(*r.Percent, 'f', 1, 64)
		l.Score = num2(*r.Score) + " / " + num2(*r.MaxScore)
	}
	switch {
	case r.Status != StatusFinished:
	case r.NeedsGrading && !r.Overridden:
		l.Outcome = "pending"
	case r.Passed != nil && *r.Passed:
		l.Outcome = "passed"
	case r.Passed != nil:
		l.Outcome = "failed"
	}
	return l
}

func (p pages) quiz(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id")
	if !ok {
		return
	}
	p.renderQuiz(c, v[0], http.StatusOK, nil)
}

// renderQuiz shows the quiz page; author, when not nil, is an authoring form sent back with its
// errors.
func (p pages) renderQuiz(c *gin.Context, lessonID int64, status int, author *authorForm) {
	q, err := p.s.GetQuiz(c.Request.Context(), lessonID)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	if !q.CanManage && author != nil {
		p.r.Error(c, fmt.Errorf("quiz %d: %w", lessonID, apperr.ErrForbidden))
		return
	}
	if q.CanManage {
		if author == nil {
			author = newAuthorForm(q)
		}
		author.Questions, author.Kinds = questionLines(q.Slots), Kinds
		if author.Categories, err = p.s.QuizCategories(c.Request.Context(), lessonID); err != nil {
			p.r.Error(c, err)
			return
		}
	}
	d := quizPage{Quiz: q, Author: author, Limit: limitElement(q.Settings.TimeLimitSeconds),
		ExtraMinutes: q.ExtraSeconds / 60}
	if q.Result != nil {
		d.Grade = strconv.FormatFloat(q.Result.Percent, 'f', 1, 64)
	}
	for i := range q.Attempts {
		d.Lines = append(d.Lines, lineOf(q.Attempts[i]))
		if q.Attempts[i].Status == StatusInProgress {
			d.InProgress = &q.Attempts[i]
		}
	}
	d.CanStart = d.InProgress == nil && (q.CanManage || q.CanTake && q.Open && (q.AttemptsLeft == nil || *q.AttemptsLeft > 0))
	p.r.HTML(c, status, "quiz/quiz", "quiz.title", d)
}

func (p pages) start(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id")
	if !ok {
		return
	}
	a, _, err := p.s.Start(c.Request.Context(), v[0])
	if err != nil {
		if errors.Is(err, ErrArchived) {
			p.back(c, "quiz.flash.archived", fmt.Sprintf("/quizzes/%d", v[0]))
			return
		}
		if errors.Is(err, apperr.ErrConflict) {
			p.back(c, "quiz.flash.cannot_start", fmt.Sprintf("/quizzes/%d", v[0]))
			return
		}
		p.r.Error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/attempts/%d", a.ID))
}

func (p pages) attempt(c *gin.Context) {
	v, ok := p.ids(c, "id")
	if !ok {
		return
	}
	a, err := p.s.Attempt(c.Request.Context(), v[0])
	if err != nil {
		p.r.Error(c, err)
		return
	}
	d := buildAttemptPage(p.r.Cat, web.Lang(c), a, auth.Current(c).UserID)
	p.r.HTML(c, http.StatusOK, "quiz/attempt", "quiz.attempt.title", d)
}

// answer saves one answer posted by a form (the page without JavaScript).
func (p pages) answer(c *gin.Context) {
	v, ok := p.ids(c, "id", "question_id")
	if !ok {
		return
	}
	to := fmt.Sprintf("/attempts/%d#q-%d", v[0], v[1])
	a, err := p.s.Attempt(c.Request.Context(), v[0])
	if err != nil {
		p.r.Error(c, err)
		return
	}
	var q *QuestionView
	for i := range a.Questions {
		if a.Questions[i].ID == v[1] {
			q = &a.Questions[i]
		}
	}
	if q == nil {
		p.r.Error(c, apperr.ErrNotFound)
		return
	}
	resp, ok := formResponse(c, q)
	if !ok {
		p.back(c, "quiz.flash.invalid", to)
		return
	}
	_, err = p.s.SaveAnswer(c.Request.Context(), v[0], v[1], resp, nil)
	var val *apperr.Validation
	switch {
	case err == nil:
		p.back(c, "quiz.flash.saved", to)
	case errors.As(err, &val):
		p.back(c, "quiz.flash.invalid", to)
	case errors.Is(err, apperr.ErrConflict):
		p.back(c, "quiz.flash.not_saved", to)
	default:
		p.r.Error(c, err)
	}
}

// formResponse reads a question's form fields into a response.
func formResponse(c *gin.Context, q *QuestionView) (Response, bool) {
	var r Response
	switch q.Kind {
	case KindSingle, KindTrueFalse, KindMultiple:
		r.OptionIDs = c.PostFormArray("option")
		if r.OptionIDs == nil {
			r.OptionIDs = []string{}
		}
	case KindShort, KindEssay:
		t := c.PostForm("text")
		r.Text = &t
	case KindNumeric:
		n, ok := ParseNumber(c.PostForm("number"))
		if !ok {
			return r, false
		}
		r.Number = &n
		if u := c.PostForm("unit"); u != "" {
			r.Unit = &u
		}
	case KindMatching:
		r.Pairs = map[string]string{}
		for _, pr := range q.Prompts {
			if v := c.PostForm("pair." + pr.ID); v != "" {
				r.Pairs[pr.ID] = v
			}
		}
	case KindOrdering:
		r.Order = make([]string, len(q.Items))
		for _, it := range q.Items {
			n, err := strconv.Atoi(c.PostForm("pos." + it.ID))
			if err != nil || n < 1 || n > len(q.Items) || r.Order[n-1] != "" {
				return r, false
			}
			r.Order[n-1] = it.ID
		}
	case KindCloze:
		r.Blanks = make([]string, len(q.Blanks))
		for i := range q.Blanks {
			r.Blanks[i] = c.PostForm(fmt.Sprintf("blank.%d", i))
		}
	}
	return r, true
}

func (p pages) submit(c *gin.Context) {
	v, ok := p.ids(c, "id")
	if !ok {
		return
	}
	to := fmt.Sprintf("/attempts/%d", v[0])
	_, err := p.s.Submit(c.Request.Context(), v[0])
	switch {
	case err == nil:
		p.back(c, "quiz.flash.submitted", to)
	case errors.Is(err, apperr.ErrConflict):
		p.back(c, "quiz.flash.already_submitted", to)
	default:
		p.r.Error(c, err)
	}
}

// resultsPage lists a quiz's attempts for its instructors.
type resultsPage struct {
	Quiz     *QuizView
	Rows     []attemptLine
	Page     int
	Pages    int
	Total    int64
	Learners []AttemptRow
}

func (p pages) results(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id")
	if !ok {
		return
	}
	pg, _ := strconv.Atoi(c.DefaultQuery("page", "1"))
	pg = max(pg, 1)
	const per = 50
	rows, total, err := p.s.Results(c.Request.Context(), v[0], per, (pg-1)*per)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	q, err := p.s.GetQuiz(c.Request.Context(), v[0])
	if err != nil {
		p.r.Error(c, err)
		return
	}
	d := resultsPage{Quiz: q, Page: pg, Pages: int((total + per - 1) / per), Total: total}
	seen := map[int64]bool{}
	for _, r := range rows {
		d.Rows = append(d.Rows, lineOf(r))
		if !seen[r.UserID] && !r.Preview {
			seen[r.UserID] = true
			d.Learners = append(d.Learners, r)
		}
	}
	p.r.HTML(c, http.StatusOK, "quiz/results", "quiz.results.title", d)
}

func (p pages) statistics(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id")
	if !ok {
		return
	}
	st, err := p.s.Statistics(c.Request.Context(), v[0])
	if err != nil {
		p.r.Error(c, err)
		return
	}
	type row struct {
		QuestionStat
		FacilityText, DiscriminationText string
		Flag                             bool
	}
	pct := func(f *float64) string {
		if f == nil {
			return "–"
		}
		return strconv.FormatFloat(*f, 'f', 1, 64)
	}
	var rows []row
	for _, q := range st.Questions {
		rows = append(rows, row{QuestionStat: q, FacilityText: pct(q.Facility), DiscriminationText: pct(q.Discrimination),
			Flag: q.Discrimination != nil && *q.Discrimination <= 0})
	}
	d := map[string]any{"Stats": st, "Rows": rows, "LessonID": v[0], "PassRate": ""}
	if st.PassRate != nil {
		d["PassRate"] = pct(st.PassRate)
	}
	p.r.HTML(c, http.StatusOK, "quiz/statistics", "quiz.stats.title", d)
}

func (p pages) grading(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id")
	if !ok {
		return
	}
	items, err := p.s.GradingQueue(c.Request.Context(), v[0])
	if err != nil {
		p.r.Error(c, err)
		return
	}
	p.r.HTML(c, http.StatusOK, "quiz/grading", "quiz.grading.title", map[string]any{"Items": items, "LessonID": v[0], "Back": fmt.Sprintf("/quizzes/%d/grading", v[0])})
}

func formFloat(c *gin.Context, name string) (*float64, bool) {
	s := strings.TrimSpace(c.PostForm(name))
	if s == "" {
		return nil, true
	}
	f, ok := ParseNumber(s)
	return &f, ok
}

func (p pages) grade(c *gin.Context) {
	v, ok := p.ids(c, "id", "question_id")
	if !ok {
		return
	}
	to := localBack(c, fmt.Sprintf("/attempts/%d", v[0]))
	score, ok := formFloat(c, "score")
	if !ok || score == nil {
		p.back(c, "quiz.flash.invalid", to)
		return
	}
	_, err := p.s.GradeItem(c.Request.Context(), v[0], v[1], *score, c.PostForm("comment"))
	p.after(c, err, "quiz.flash.graded", to)
}

// after redirects with a flash after an instructor's form, or shows the error.
func (p pages) after(c *gin.Context, err error, flash, to string) {
	var val *apperr.Validation
	switch {
	case err == nil:
		p.back(c, flash, to)
	case errors.As(err, &val), errors.Is(err, apperr.ErrConflict):
		p.back(c, "quiz.flash.invalid", to)
	default:
		p.r.Error(c, err)
	}
}

func (p pages) override(c *gin.Context) {
	v, ok := p.ids(c, "id")
	if !ok {
		return
	}
	to := fmt.Sprintf("/attempts/%d", v[0])
	score, ok := formFloat(c, "score")
	if !ok {
		p.back(c, "quiz.flash.invalid", to)
		return
	}
	_, err := p.s.Override(c.Request.Context(), v[0], score, c.PostForm("reason"))
	p.after(c, err, "quiz.flash.overridden", to)
}

func (p pages) extension(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id")
	if !ok {
		return
	}
	to := fmt.Sprintf("/quizzes/%d/results", v[0])
	uid, err1 := strconv.ParseInt(c.PostForm("user_id"), 10, 64)
	att, err2 := strconv.Atoi(c.DefaultPostForm("extra_attempts", "0"))
	mins, err3 := strconv.Atoi(c.DefaultPostForm("extra_minutes", "0"))
	if err1 != nil || err2 != nil || err3 != nil {
		p.back(c, "quiz.flash.invalid", to)
		return
	}
	_, err := p.s.SetExtension(c.Request.Context(), v[0], uid, ExtensionInput{ExtraAttempts: att, ExtraSeconds: mins * 60, Reason: c.PostForm("reason")})
	p.after(c, err, "quiz.flash.extended", to)
}

func (p pages) regrade(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id")
	if !ok {
		return
	}
	_, err := p.s.Regrade(c.Request.Context(), v[0], 0)
	p.after(c, err, "quiz.flash.regraded", fmt.Sprintf("/quizzes/%d/results", v[0]))
}
