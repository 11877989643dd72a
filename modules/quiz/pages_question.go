package quiz

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/web"
)

// The question pages: add a question of any kind through a form, edit or remove one. Single,
// multiple, true/false, short, numeric and essay questions have form fields; matching,
// ordering and cloze questions (and any question whose settings the form cannot show, such as
// weighted options or units) are written as JSON, the API's question object. Both go through
// the service's AddQuestion and UpdateQuestion, and so through the API's validation.

// formKinds are the kinds with form fields.
var formKinds = []string{KindSingle, KindMultiple, KindTrueFalse, KindShort, KindNumeric, KindEssay}

// Limits of the form's rows.
const (
	maxFormRows = maxOptions
	moreRows    = 3
)

// optionRow is an option of a single or multiple choice question on the form.
type optionRow struct {
	Row      int // 1-based
	ID       string
	Text     string
	Correct  bool
	Feedback string
}

// answerRow is an accepted answer of a short or numeric question on the form.
type answerRow struct {
	Row       int
	Text      string
	Value     string
	Tolerance string
	Grade     string // percent of the points
	Feedback  string
}

// questionForm is the question page.
type questionForm struct {
	Quiz       *QuizView
	QuestionID int64 // 0: a new question
	Kind       string
	// Kinds: the kinds to choose from (a new question whose kind is not chosen yet).
	Kinds []string
	// JSON: the question is written as JSON (JSONText).
	JSON     bool
	JSONText string
	// JSONOnly: the form cannot show this question (a notice says so).
	JSONOnly        bool
	Title           string
	Prompt          string
	Points          string
	Category        string
	GeneralFeedback string
	Options         []optionRow
	Answer          string // true_false: "true", "false" or ""
	TrueFeedback    string
	FalseFeedback   string
	Scoring         string
	Scorings        []string
	Answers         []answerRow
	CaseSensitive   bool
	GraderInfo      string
	Categories      []string
	// Errors are the messages of single fields (by field name); ListErrors those of the
	// options or accepted answers; Problems every message, for the summary.
	Errors     map[string]string
	ListErrors []string
	Problems   []string
	Back       string
}

func (f *questionForm) Action() string {
	if f.QuestionID == 0 {
		return fmt.Sprintf("/quizzes/%d/questions/new", f.Quiz.LessonID)
	}
	return fmt.Sprintf("/quizzes/%d/questions/%d", f.Quiz.LessonID, f.QuestionID)
}

// FormKind reports whether the kind has form fields.
func (f *questionForm) FormKind() bool { return slices.Contains(formKinds, f.Kind) }

// JSONKinds are the kinds written as JSON only.
func (f *questionForm) JSONKinds() []string {
	var out []string
	for _, k := range Kinds {
		if !slices.Contains(formKinds, k) {
			out = append(out, k)
		}
	}
	return out
}

// FormKinds are the kinds with form fields.
func (f *questionForm) FormKinds() []string { return formKinds }

// formFits reports whether the form's fields show everything of a question.
func formFits(d *QuestionDetail) bool {
	switch d.Kind {
	case KindSingle:
		for _, o := range d.Options {
			if fr := frac(o.Fraction, b2f(o.Correct)); fr != 0 && fr < 0.9999 {
				return false
			}
		}
		return true
	case KindMultiple:
		return d.Scoring != ScoreWeighted
	case KindNumeric:
		for _, a := range d.Answers {
			if a.ToleranceKind == TolRelative {
				return false
			}
		}
		return len(d.Units) == 0
	case KindTrueFalse, KindShort, KindEssay:
		return true
	}
	return false
}

func percentText(f *float64) string {
	if f == nil {
		return ""
	}
	return num2(round6(*f * 100))
}

// fill puts a stored question into the form.
func (f *questionForm) fill(d *QuestionDetail, category string) {
	f.Kind, f.Title, f.Prompt, f.Points, f.Category, f.GeneralFeedback = d.Kind, d.Title, d.Prompt, num2(d.Points), category, d.GeneralFeedback
	switch d.Kind {
	case KindSingle, KindMultiple:
		for i, o := range d.Options {
			f.Options = append(f.Options, optionRow{Row: i + 1, ID: o.ID, Text: o.Text, Correct: o.Correct, Feedback: o.Feedback})
		}
		f.Scoring = d.Scoring
	case KindTrueFalse:
		if d.Answer != nil {
			f.Answer = strconv.FormatBool(*d.Answer)
		}
		f.TrueFeedback, f.FalseFeedback = d.TrueFeedback, d.FalseFeedback
	case KindShort, KindNumeric:
		for i, a := range d.Answers {
			r := answerRow{Row: i + 1, Text: a.Text, Grade: percentText(a.Fraction), Feedback: a.Feedback}
			if a.Value != nil {
				r.Value, r.Tolerance = num2(*a.Value), num2(a.Tolerance)
			}
			f.Answers = append(f.Answers, r)
		}
		f.CaseSensitive = d.CaseSensitive
	case KindEssay:
		f.GraderInfo = d.GraderInfo
	}
}

// jsonOf writes a stored question as the JSON the page edits (what the API takes back).
func jsonOf(d *QuestionDetail, category string) string {
	in := QuestionInput{Kind: d.Kind, Title: d.Title, Prompt: d.Prompt, Points: fptr(d.Points), Category: category,
		GeneralFeedback: d.GeneralFeedback, Spec: d.Spec}
	switch d.Kind {
	case KindTrueFalse:
		in.Options = nil // derived from the answer
	case KindMatching:
		in.Choices = nil // derived from the pairs
		for i := range in.Pairs {
			in.Pairs[i].AnswerID = ""
		}
	}
	return indentJSON(in)
}

func indentJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
	return b.String()
}

// skeleton is the JSON a new question of kind starts from.
func skeleton(kind string) string {
	in := QuestionInput{Kind: kind, Points: fptr(1)}
	switch kind {
	case KindMatching:
		in.Pairs = []Pair{{}, {}, {}}
	case KindOrdering:
		in.Items = []OrderItem{{}, {}, {}}
	case KindCloze:
		in.Prompt = "{{1}}"
		in.Blanks = []Blank{{Kind: BlankShort, Answers: []Accepted{{}}}}
	case KindSingle, KindMultiple:
		in.Options = []Option{{Correct: true}, {}}
	case KindTrueFalse:
		t := true
		in.Answer = &t
	case KindShort:
		in.Answers = []Accepted{{}}
	case KindNumeric:
		in.Answers = []Accepted{{Value: fptr(0)}}
	}
	return indentJSON(in)
}

// padRows gives the form at least n option or answer rows (empty ones at the end).
func (f *questionForm) padRows(n int) {
	switch f.Kind {
	case KindSingle, KindMultiple:
		for len(f.Options) < n && len(f.Options) < maxFormRows {
			f.Options = append(f.Options, optionRow{Row: len(f.Options) + 1})
		}
	case KindShort, KindNumeric:
		for len(f.Answers) < n && len(f.Answers) < maxFormRows {
			f.Answers = append(f.Answers, answerRow{Row: len(f.Answers) + 1})
		}
	}
}

// defaultRows is how many rows a kind's form shows at least.
func defaultRows(kind string) int {
	switch kind {
	case KindSingle, KindMultiple:
		return 4
	case KindShort:
		return 3
	}
	return 2
}

// readForm reads the posted fields as typed.
func (f *questionForm) readForm(c *gin.Context) {
	f.Title, f.Prompt, f.Points = c.PostForm("title"), c.PostForm("prompt"), strings.TrimSpace(c.PostForm("points"))
	f.Category, f.GeneralFeedback = c.PostForm("category"), c.PostForm("general_feedback")
	rows, _ := strconv.Atoi(c.PostForm("rows"))
	rows = min(max(rows, 0), maxFormRows)
	switch f.Kind {
	case KindSingle, KindMultiple:
		f.Scoring = c.PostForm("scoring")
		correct := c.PostForm("correct")
		for i := 1; i <= rows; i++ {
			p := fmt.Sprintf("option.%d.", i)
			f.Options = append(f.Options, optionRow{Row: i, ID: c.PostForm(p + "id"), Text: c.PostForm(p + "text"), Feedback: c.PostForm(p + "feedback"),
				Correct: f.Kind == KindSingle && correct == strconv.Itoa(i) || f.Kind == KindMultiple && c.PostForm(p+"correct") != ""})
		}
	case KindTrueFalse:
		f.Answer, f.TrueFeedback, f.FalseFeedback = c.PostForm("answer"), c.PostForm("true_feedback"), c.PostForm("false_feedback")
	case KindShort, KindNumeric:
		f.CaseSensitive = c.PostForm("case_sensitive") != ""
		for i := 1; i <= rows; i++ {
			p := fmt.Sprintf("answer.%d.", i)
			f.Answers = append(f.Answers, answerRow{Row: i, Text: c.PostForm(p + "text"), Value: strings.TrimSpace(c.PostForm(p + "value")),
				Tolerance: strings.TrimSpace(c.PostForm(p + "tolerance")), Grade: strings.TrimSpace(c.PostForm(p + "grade")), Feedback: c.PostForm(p + "feedback")})
		}
	case KindEssay:
		f.GraderInfo = c.PostForm("grader_info")
	}
}

// input turns the form into a question. Empty rows are left out: rows maps the index of a
// kept option or answer back to its row. bad holds the fields that are not numbers (their
// keys use the row, from 0).
func (f *questionForm) input() (QuestionInput, rowMap, apperr.Fields) {
	bad := apperr.Fields{}
	in := QuestionInput{Kind: f.Kind, Title: f.Title, Prompt: f.Prompt, Category: f.Category, GeneralFeedback: f.GeneralFeedback}
	if f.Points != "" {
		if v, ok := ParseNumber(f.Points); ok {
			in.Points = &v
		} else {
			bad.Add("points", "is not a number")
		}
	}
	var kept []int
	percent := func(s, key string) *float64 {
		if s == "" {
			return nil
		}
		v, ok := ParseNumber(strings.TrimSuffix(strings.TrimSpace(s), "%"))
		if !ok {
			bad.Add(key, "is not a number")
			return nil
		}
		v /= 100
		return &v
	}
	switch f.Kind {
	case KindSingle, KindMultiple:
		in.Scoring = f.Scoring
		if f.Kind == KindSingle {
			in.Scoring = ""
		}
		for _, o := range f.Options {
			if strings.TrimSpace(o.Text) == "" && strings.TrimSpace(o.Feedback) == "" && !o.Correct {
				continue
			}
			kept = append(kept, o.Row)
			in.Options = append(in.Options, Option{ID: o.ID, Text: o.Text, Correct: o.Correct, Feedback: o.Feedback})
		}
	case KindTrueFalse:
		if f.Answer == "true" || f.Answer == "false" {
			v := f.Answer == "true"
			in.Answer = &v
		}
		in.TrueFeedback, in.FalseFeedback = f.TrueFeedback, f.FalseFeedback
	case KindShort, KindNumeric:
		in.CaseSensitive = f.Kind == KindShort && f.CaseSensitive
		for _, a := range f.Answers {
			if strings.TrimSpace(a.Text+a.Value+a.Tolerance+a.Grade+a.Feedback) == "" {
				continue
			}
			key := fmt.Sprintf("answers.%d.", a.Row-1)
			kept = append(kept, a.Row)
			acc := Accepted{Feedback: a.Feedback, Fraction: percent(a.Grade, key+"fraction")}
			if f.Kind == KindShort {
				acc.Text = a.Text
			} else {
				if v, ok := ParseNumber(a.Value); ok {
					acc.Value = &v
				} else {
					bad.Add(key+"value", "is not a number")
				}
				if a.Tolerance != "" {
					if v, ok := ParseNumber(a.Tolerance); ok {
						acc.Tolerance = v
					} else {
						bad.Add(key+"tolerance", "is not a number")
					}
				}
			}
			in.Answers = append(in.Answers, acc)
		}
	case KindEssay:
		in.GraderInfo = f.GraderInfo
	}
	rows := func(_ string, i int) int {
		if i >= 0 && i < len(kept) {
			return kept[i]
		}
		return i + 1
	}
	return in, rows, bad
}

// showErrors puts field errors on the form, in the reader's language.
func (f *questionForm) showErrors(tr func(string, ...any) string, fields map[string]string, rows rowMap) {
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	for k, msg := range fields {
		m := fieldMessage(tr, k, f.Kind, msg, rows)
		name, _, _ := strings.Cut(k, ".")
		switch {
		case f.JSON:
			f.Errors["json"] = tr("quiz.qform.error.check")
		case name == "options" || name == "answers":
			if !slices.Contains(f.ListErrors, m) {
				f.ListErrors = append(f.ListErrors, m)
			}
		default:
			f.Errors[name] = m
		}
	}
	f.Problems = append(f.Problems, fieldMessages(tr, fields, f.Kind, rows)...)
	slices.Sort(f.ListErrors)
}

// questionPage renders the question page.
func (p pages) questionPage(c *gin.Context, status int, f *questionForm) {
	if cats, err := p.s.QuizCategories(c.Request.Context(), f.Quiz.LessonID); err == nil {
		for _, ct := range cats {
			f.Categories = append(f.Categories, ct.Name)
		}
	}
	if f.Kind == KindMultiple {
		f.Scorings = []string{ScoreProportional, ScoreAllOrNothing}
		if f.Scoring == "" {
			f.Scoring = ScoreProportional
		}
	}
	f.padRows(defaultRows(f.Kind))
	title := "quiz.qform.new_title"
	if f.QuestionID > 0 {
		title = "quiz.qform.edit_title"
	}
	p.r.HTML(c, status, "quiz/question", title, f)
}

// managedQuiz loads the quiz for the question pages (its managers only).
func (p pages) managedQuiz(c *gin.Context, lessonID int64) (*QuizView, bool) {
	q, err := p.s.GetQuiz(c.Request.Context(), lessonID)
	if err == nil && !q.CanManage {
		err = fmt.Errorf("quiz %d: %w", lessonID, apperr.ErrForbidden)
	}
	if err != nil {
		p.r.Error(c, err)
		return nil, false
	}
	return q, true
}

// newQuestion shows the form for a new question (the kind chooser when no kind is given).
func (p pages) newQuestion(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id")
	if !ok {
		return
	}
	q, ok := p.managedQuiz(c, v[0])
	if !ok {
		return
	}
	f := &questionForm{Quiz: q, Kind: c.Query("kind")}
	switch {
	case !slices.Contains(Kinds, f.Kind):
		f.Kind, f.Kinds = "", Kinds
	case c.Query("format") == "json" || !f.FormKind():
		f.JSON, f.JSONText = true, skeleton(f.Kind)
	}
	p.questionPage(c, http.StatusOK, f)
}

// editQuestion shows the form of a question of the quiz's course bank.
func (p pages) editQuestion(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id", "question_id")
	if !ok {
		return
	}
	q, ok := p.managedQuiz(c, v[0])
	if !ok {
		return
	}
	d, category, err := p.s.QuizQuestion(c.Request.Context(), v[0], v[1])
	if err != nil {
		p.r.Error(c, err)
		return
	}
	f := &questionForm{Quiz: q, QuestionID: d.ID, Kind: d.Kind, Back: localBackQuery(c)}
	if c.Query("format") == "json" || !formFits(d) {
		f.JSON, f.JSONText, f.JSONOnly = true, jsonOf(d, category), !formFits(d)
	} else {
		f.fill(d, category)
	}
	p.questionPage(c, http.StatusOK, f)
}

// localBackQuery returns the "back" query parameter when it is a local path.
func localBackQuery(c *gin.Context) string {
	b := c.Query("back")
	if strings.HasPrefix(b, "/") && !strings.HasPrefix(b, "//") && !strings.Contains(b, `\`) {
		return b
	}
	return ""
}

// saveQuestion adds (question_id absent) or changes a question from the form or its JSON.
func (p pages) saveQuestion(c *gin.Context) {
	names := []string{"lesson_id"}
	if c.Param("question_id") != "" {
		names = append(names, "question_id")
	}
	v, ok := p.ids(c, names...)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	q, ok := p.managedQuiz(c, v[0])
	if !ok {
		return
	}
	f := &questionForm{Quiz: q, Kind: c.PostForm("kind"), JSON: c.PostForm("format") == "json", Back: localBack(c, "")}
	if len(v) == 2 {
		d, _, err := p.s.QuizQuestion(ctx, v[0], v[1])
		if err != nil {
			p.r.Error(c, err)
			return
		}
		f.QuestionID, f.Kind = d.ID, d.Kind
		f.JSONOnly = !formFits(d)
	}
	if !slices.Contains(Kinds, f.Kind) {
		p.r.Error(c, apperr.Invalid("kind", "must be one of "+strings.Join(Kinds, ", ")))
		return
	}
	if !f.FormKind() || f.JSONOnly {
		f.JSON = true
	}
	lang := web.Lang(c)
	tr := func(id string, args ...any) string { return p.r.Cat.T(lang, id, args...) }
	var (
		in   QuestionInput
		rows rowMap
	)
	if f.JSON {
		f.JSONText = c.PostForm("json")
		dec := json.NewDecoder(strings.NewReader(f.JSONText))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			f.Errors = map[string]string{"json": jsonProblem(tr, err)}
			f.Problems = []string{f.Errors["json"]}
			p.questionPage(c, http.StatusUnprocessableEntity, f)
			return
		}
		if in.Kind == "" {
			in.Kind = f.Kind
		}
		if f.QuestionID == 0 && in.Kind != f.Kind {
			// The page's kind wins over a kind typed in the JSON (the form says which it adds).
			f.Errors = map[string]string{"json": tr("quiz.field.kind_fixed")}
			f.Problems = []string{f.Errors["json"]}
			p.questionPage(c, http.StatusUnprocessableEntity, f)
			return
		}
	} else {
		f.readForm(c)
		if more := c.PostForm("more"); more != "" {
			// More rows for options or answers: nothing is saved.
			f.padRows(len(f.Options) + len(f.Answers) + moreRows)
			p.questionPage(c, http.StatusOK, f)
			return
		}
		var bad apperr.Fields
		in, rows, bad = f.input()
		if len(bad) > 0 {
			f.showErrors(tr, bad, nil)
			p.questionPage(c, http.StatusUnprocessableEntity, f)
			return
		}
	}
	var err error
	if f.QuestionID == 0 {
		_, _, err = p.s.AddQuestion(ctx, q.LessonID, in)
	} else {
		_, err = p.s.UpdateQuestion(ctx, f.QuestionID, in)
	}
	var val *apperr.Validation
	switch {
	case err == nil:
		if f.QuestionID == 0 {
			web.SetFlash(c, "quiz.flash.question_added")
		} else {
			web.SetFlash(c, "quiz.flash.question_saved")
		}
		to := f.Back
		if to == "" {
			to = fmt.Sprintf("/quizzes/%d#quiz-questions", q.LessonID)
		}
		c.Redirect(http.StatusSeeOther, to)
	case errors.As(err, &val):
		if _, ok := val.Fields["kind"]; ok && f.QuestionID > 0 {
			delete(val.Fields, "kind")
			f.Errors = map[string]string{"json": tr("quiz.field.kind_fixed")}
			f.Problems = []string{f.Errors["json"]}
		}
		f.showErrors(tr, val.Fields, rows)
		p.questionPage(c, http.StatusUnprocessableEntity, f)
	default:
		p.r.Error(c, err)
	}
}

// jsonProblem says why a question's JSON could not be read.
func jsonProblem(tr func(string, ...any) string, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return tr("quiz.qform.error.json_syntax", "Offset", syn.Offset)
	case errors.As(err, &typ):
		return tr("quiz.qform.error.json_type", "Field", typ.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return tr("quiz.qform.error.json_field", "Field", strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`))
	}
	return tr("quiz.qform.error.json")
}

// removeSlot takes a question (or a random draw) out of the quiz. The question stays in the
// course's bank, and attempts that hold it keep it.
func (p pages) removeSlot(c *gin.Context) {
	v, ok := p.ids(c, "lesson_id", "slot_id")
	if !ok {
		return
	}
	err := p.s.DeleteSlot(c.Request.Context(), v[0], v[1])
	p.after(c, err, "quiz.flash.question_removed", fmt.Sprintf("/quizzes/%d#quiz-questions", v[0]))
}

// IsFormKind reports whether kind has form fields.
func (f *questionForm) IsFormKind(kind string) bool { return slices.Contains(formKinds, kind) }

// JSONURL is the page of the same question written as JSON.
func (f *questionForm) JSONURL() string {
	if f.QuestionID == 0 {
		return fmt.Sprintf("/quizzes/%d/questions/new?kind=%s&format=json", f.Quiz.LessonID, f.Kind)
	}
	u := fmt.Sprintf("/quizzes/%d/questions/%d?format=json", f.Quiz.LessonID, f.QuestionID)
	if f.Back != "" {
		u += "&back=" + url.QueryEscape(f.Back)
	}
	return u
}
