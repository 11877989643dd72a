package quiz

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/web"
)

// authorForm holds the instructors' forms of the quiz page: the quiz's questions (each with
// links to edit or remove it), a GIFT text to add more, random draws from the bank's
// categories, and the main settings. Values are kept as typed when the page comes back with
// errors.
type authorForm struct {
	Questions []questionLine
	Kinds     []string
	GIFT      string
	// GIFTErrors are the reasons a GIFT text was refused, in the reader's language, each with
	// its line.
	GIFTErrors  []string
	TimeMinutes string
	MaxAttempts string
	PassPercent string
	Errors      map[string]string
	// Categories of the course's bank, for random draws.
	Categories   []CategoryCount
	DrawCategory string
	DrawCount    string
	DrawErrors   map[string]string
}

// questionLine is one slot of the quiz as the authoring list shows it.
type questionLine struct {
	Number     int
	SlotID     int64
	QuestionID int64
	Kind       string
	Title      string
	Prompt     string
	Points     string
	// Draw is the number of questions drawn from Category (0: a fixed question).
	Draw     int
	Category string
}

func newAuthorForm(q *QuizView) *authorForm {
	return &authorForm{TimeMinutes: strconv.Itoa(q.Settings.TimeLimitSeconds / 60), MaxAttempts: strconv.Itoa(q.Settings.MaxAttempts),
		PassPercent: strconv.FormatFloat(q.Settings.PassPercent, 'f', -1, 64), DrawCount: "1"}
}

func questionLines(slots []SlotView) []questionLine {
	out := make([]questionLine, 0, len(slots))
	for i, sl := range slots {
		l := questionLine{Number: i + 1, SlotID: sl.ID, Draw: sl.DrawCount, Category: sl.Category}
		if sl.Question != nil {
			l.QuestionID, l.Kind, l.Title, l.Prompt, l.Points = sl.Question.ID, sl.Question.Kind, sl.Question.Title, shorten(sl.Question.Prompt, 300), num2(sl.Question.Points)
		}
		out = append(out, l)
	}
	return out
}

// tr translates for the request's language.
func (p pages) tr(c *gin.Context) func(string, ...any) string {
	lang := web.Lang(c)
	return func(id string, args ...any) string { return p.r.Cat.T(lang, id, args...) }
}

// addQuestions adds the questions of a GIFT text to the quiz.
func (p pages) addQuestions(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id")
	if !ok {
		return
	}
	src := c.PostForm("gift")
	_, err := p.s.AddQuestionsGIFT(c.Request.Context(), v[0], src)
	if err == nil {
		web.SetFlash(c, "quiz.flash.questions_added")
		c.Redirect(http.StatusSeeOther, "/quizzes/"+strconv.FormatInt(v[0], 10)+"#quiz-questions")
		return
	}
	var gerrs *GIFTErrors
	if !errors.As(err, &gerrs) {
		p.r.Error(c, err)
		return
	}
	q, err := p.s.GetQuiz(c.Request.Context(), v[0])
	if err != nil {
		p.r.Error(c, err)
		return
	}
	f := newAuthorForm(q)
	f.GIFT = src
	f.GIFTErrors = giftMessages(p.tr(c), gerrs.Errs)
	p.renderQuiz(c, v[0], http.StatusUnprocessableEntity, f)
}

// addDraw adds a slot that draws questions at random from a category of the course's bank.
func (p pages) addDraw(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id")
	if !ok {
		return
	}
	tr := p.tr(c)
	cat, err1 := strconv.ParseInt(c.PostForm("category_id"), 10, 64)
	n, err2 := strconv.Atoi(strings.TrimSpace(c.PostForm("count")))
	var err error
	switch {
	case err1 != nil:
		err = apperr.Invalid("category_id", "is required")
	case err2 != nil:
		err = apperr.Invalid("count", "is not a whole number")
	default:
		_, err = p.s.AddDraw(c.Request.Context(), v[0], cat, n)
	}
	var val *apperr.Validation
	switch {
	case err == nil:
		p.back(c, "quiz.flash.draw_added", fmt.Sprintf("/quizzes/%d#quiz-questions", v[0]))
		return
	case !errors.As(err, &val):
		p.r.Error(c, err)
		return
	}
	q, err := p.s.GetQuiz(c.Request.Context(), v[0])
	if err != nil {
		p.r.Error(c, err)
		return
	}
	f := newAuthorForm(q)
	f.DrawCategory, f.DrawCount = c.PostForm("category_id"), c.PostForm("count")
	f.DrawErrors = map[string]string{}
	for k := range val.Fields {
		switch k {
		case "count":
			f.DrawErrors[k] = tr("quiz.draw.error.count")
		default:
			f.DrawErrors["category_id"] = tr("quiz.draw.error.category")
		}
	}
	p.renderQuiz(c, v[0], http.StatusUnprocessableEntity, f)
}

// settingsForm is the page of every setting of a quiz, as typed.
type settingsForm struct {
	Quiz             *QuizView
	TimeMinutes      string
	MaxAttempts      string
	PassPercent      string
	GradingMethod    string
	GradingMethods   []string
	ReviewWhen       string
	ReviewWhens      []string
	ReviewScore      bool
	ReviewAnswers    bool
	ReviewFeedback   bool
	OpensAt          string
	ClosesAt         string
	ShuffleQuestions bool
	ShuffleOptions   bool
	Navigation       string
	Navigations      []string
	Errors           map[string]string
}

// localTime is the value of a datetime-local field (read as UTC).
const localTime = "2006-01-02T15:04"

func timeField(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(localTime)
}

func newSettingsForm(q *QuizView) *settingsForm {
	s := q.Settings
	return &settingsForm{Quiz: q, TimeMinutes: strconv.Itoa(s.TimeLimitSeconds / 60), MaxAttempts: strconv.Itoa(s.MaxAttempts),
		PassPercent: num2(s.PassPercent), GradingMethod: s.GradingMethod, ReviewWhen: s.Review.When, ReviewScore: s.Review.Score,
		ReviewAnswers: s.Review.Answers, ReviewFeedback: s.Review.Feedback, OpensAt: timeField(s.OpensAt), ClosesAt: timeField(s.ClosesAt),
		ShuffleQuestions: s.ShuffleQuestions, ShuffleOptions: s.ShuffleOptions, Navigation: s.Navigation}
}

func (p pages) settingsPage(c *gin.Context, status int, f *settingsForm) {
	f.GradingMethods = []string{GradeHighest, GradeLast, GradeFirst, GradeAverage}
	f.ReviewWhens = []string{ReviewImmediately, ReviewAfterClose, ReviewNever}
	f.Navigations = []string{NavFree, NavSequential}
	p.r.HTML(c, status, "quiz/settings", "quiz.settings.title", f)
}

// settings shows every setting of the quiz.
func (p pages) settings(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id")
	if !ok {
		return
	}
	q, ok := p.managedQuiz(c, v[0])
	if !ok {
		return
	}
	p.settingsPage(c, http.StatusOK, newSettingsForm(q))
}

// readTime reads a datetime-local field as UTC ("" clears it).
func readTime(s string) (OptTime, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return OptTime{Set: true}, true
	}
	for _, layout := range []string{localTime, localTime + ":05", "2006-01-02 15:04", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return OptTime{Set: true, Value: &t}, true
		}
	}
	return OptTime{}, false
}

// settingsMessage says a settings field error in the reader's language.
func settingsMessage(tr func(string, ...any) string, key string) (string, string) {
	switch key {
	case "time_limit_seconds":
		return key, tr("quiz.author.error.minutes")
	case "max_attempts":
		return key, tr("quiz.author.error.attempts")
	case "pass_percent":
		return key, tr("quiz.author.error.percent")
	case "grading_method", "navigation":
		return key, tr("quiz.settings.error.choice")
	case "review.when":
		return "review_when", tr("quiz.settings.error.choice")
	case "opens_at":
		return key, tr("quiz.settings.error.time")
	case "closes_at":
		return key, tr("quiz.settings.error.closes")
	}
	return "settings", tr("quiz.flash.invalid")
}

// saveSettings changes the quiz's settings: the time limit, attempts and pass mark from the
// quiz page, or every setting from the settings page (form "all").
func (p pages) saveSettings(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id")
	if !ok {
		return
	}
	all := c.PostForm("form") == "all"
	f := &authorForm{TimeMinutes: strings.TrimSpace(c.PostForm("time_limit_minutes")), MaxAttempts: strings.TrimSpace(c.PostForm("max_attempts")),
		PassPercent: strings.TrimSpace(c.PostForm("pass_percent")), Errors: map[string]string{}}
	tr := p.tr(c)
	var in SettingsInput
	if m, err := strconv.Atoi(f.TimeMinutes); err != nil || m < 0 || m > maxTimeLimit/60 {
		f.Errors["time_limit_seconds"] = tr("quiz.author.error.minutes")
	} else {
		sec := m * 60
		in.TimeLimitSeconds = &sec
	}
	if n, err := strconv.Atoi(f.MaxAttempts); err != nil {
		f.Errors["max_attempts"] = tr("quiz.author.error.attempts")
	} else {
		in.MaxAttempts = &n
	}
	if pc, ok := ParseNumber(f.PassPercent); !ok {
		f.Errors["pass_percent"] = tr("quiz.author.error.percent")
	} else {
		in.PassPercent = &pc
	}
	var sf *settingsForm
	if all {
		sf = &settingsForm{TimeMinutes: f.TimeMinutes, MaxAttempts: f.MaxAttempts, PassPercent: f.PassPercent, Errors: f.Errors,
			GradingMethod: c.PostForm("grading_method"), ReviewWhen: c.PostForm("review_when"), ReviewScore: c.PostForm("review_score") != "",
			ReviewAnswers: c.PostForm("review_answers") != "", ReviewFeedback: c.PostForm("review_feedback") != "",
			OpensAt: c.PostForm("opens_at"), ClosesAt: c.PostForm("closes_at"), ShuffleQuestions: c.PostForm("shuffle_questions") != "",
			ShuffleOptions: c.PostForm("shuffle_options") != "", Navigation: c.PostForm("navigation")}
		in.GradingMethod, in.Navigation = &sf.GradingMethod, &sf.Navigation
		in.ShuffleQuestions, in.ShuffleOptions = &sf.ShuffleQuestions, &sf.ShuffleOptions
		in.Review = &ReviewInput{When: &sf.ReviewWhen, Score: &sf.ReviewScore, Answers: &sf.ReviewAnswers, Feedback: &sf.ReviewFeedback}
		var ok bool
		if in.OpensAt, ok = readTime(sf.OpensAt); !ok {
			f.Errors["opens_at"] = tr("quiz.settings.error.time")
		}
		if in.ClosesAt, ok = readTime(sf.ClosesAt); !ok {
			f.Errors["closes_at"] = tr("quiz.settings.error.time")
		}
	}
	if len(f.Errors) == 0 {
		_, err := p.s.UpdateSettings(c.Request.Context(), v[0], in)
		var val *apperr.Validation
		switch {
		case err == nil:
			web.SetFlash(c, "quiz.flash.settings_saved")
			to := "/quizzes/" + strconv.FormatInt(v[0], 10)
			if all {
				to += "/settings"
			}
			c.Redirect(http.StatusSeeOther, to)
			return
		case errors.As(err, &val):
			for k := range val.Fields {
				name, msg := settingsMessage(tr, k)
				f.Errors[name] = msg
			}
		default:
			p.r.Error(c, err)
			return
		}
	}
	if !all {
		p.renderQuiz(c, v[0], http.StatusUnprocessableEntity, f)
		return
	}
	q, ok := p.managedQuiz(c, v[0])
	if !ok {
		return
	}
	sf.Quiz = q
	p.settingsPage(c, http.StatusUnprocessableEntity, sf)
}
