package quiz

import (
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/web"
)

// authorForm holds the instructors' forms of the quiz page: the quiz's questions, a GIFT text
// to add more, and the main settings. Values are kept as typed when the page comes back with
// errors.
type authorForm struct {
	Questions []questionLine
	GIFT      string
	// GIFTErrors are the reasons a GIFT text was refused ("line 3: ...").
	GIFTErrors  []string
	TimeMinutes string
	MaxAttempts string
	PassPercent string
	Errors      map[string]string
}

// questionLine is one slot of the quiz as the authoring list shows it.
type questionLine struct {
	Number int
	Kind   string
	Prompt string
	Points string
	// Draw is the number of questions drawn from Category (0: a fixed question).
	Draw     int
	Category string
}

func newAuthorForm(q *QuizView) *authorForm {
	return &authorForm{TimeMinutes: strconv.Itoa(q.Settings.TimeLimitSeconds / 60), MaxAttempts: strconv.Itoa(q.Settings.MaxAttempts),
		PassPercent: strconv.FormatFloat(q.Settings.PassPercent, 'f', -1, 64)}
}

func questionLines(slots []SlotView) []questionLine {
	out := make([]questionLine, 0, len(slots))
	for i, sl := range slots {
		l := questionLine{Number: i + 1, Draw: sl.DrawCount, Category: sl.Category}
		if sl.Question != nil {
			l.Kind, l.Prompt, l.Points = sl.Question.Kind, sl.Question.Prompt, num2(sl.Question.Points)
		}
		out = append(out, l)
	}
	return out
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
	var val *apperr.Validation
	if !errors.As(err, &val) {
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
	keys := make([]string, 0, len(val.Fields))
	for k := range val.Fields {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return lineOrder(keys[i]) < lineOrder(keys[j]) || lineOrder(keys[i]) == lineOrder(keys[j]) && keys[i] < keys[j]
	})
	for _, k := range keys {
		f.GIFTErrors = append(f.GIFTErrors, k+": "+val.Fields[k])
	}
	p.renderQuiz(c, v[0], http.StatusUnprocessableEntity, f)
}

// lineOrder sorts "line 12" after "line 3".
func lineOrder(k string) int {
	if n, err := strconv.Atoi(strings.TrimPrefix(k, "line ")); err == nil {
		return n
	}
	return 1 << 30
}

// saveSettings changes the time limit, attempts and pass mark.
func (p pages) saveSettings(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id")
	if !ok {
		return
	}
	f := &authorForm{TimeMinutes: strings.TrimSpace(c.PostForm("time_limit_minutes")), MaxAttempts: strings.TrimSpace(c.PostForm("max_attempts")),
		PassPercent: strings.TrimSpace(c.PostForm("pass_percent")), Errors: map[string]string{}}
	tr := func(id string) string { return p.r.Cat.T(web.Lang(c), id) }
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
	if len(f.Errors) == 0 {
		_, err := p.s.UpdateSettings(c.Request.Context(), v[0], in)
		var val *apperr.Validation
		switch {
		case err == nil:
			web.SetFlash(c, "quiz.flash.settings_saved")
			c.Redirect(http.StatusSeeOther, "/quizzes/"+strconv.FormatInt(v[0], 10))
			return
		case errors.As(err, &val):
			for k := range val.Fields {
				switch k {
				case "time_limit_seconds":
					f.Errors[k] = tr("quiz.author.error.minutes")
				case "max_attempts":
					f.Errors[k] = tr("quiz.author.error.attempts")
				case "pass_percent":
					f.Errors[k] = tr("quiz.author.error.percent")
				default:
					f.Errors["settings"] = tr("quiz.flash.invalid")
				}
			}
		default:
			p.r.Error(c, err)
			return
		}
	}
	p.renderQuiz(c, v[0], http.StatusUnprocessableEntity, f)
}
