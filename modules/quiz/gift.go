package quiz

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"glc/internal/apperr"
)

// GIFT is Moodle's plain-text question format. ParseGIFT reads the parts GLC can represent:
//
//	$CATEGORY: path                 the category of the questions that follow
//	// comment                      whole-line comments
//	::title:: [html] text {answers} a question; blank lines separate questions
//	{}                              essay
//	{T} {TRUE#wrong fb#right fb}    true/false
//	{=right#fb ~wrong#fb ~%50%half} single choice ("=" marks 100%, %n% a weight in percent)
//	{~%50%a ~%50%b ~%-100%c}        multiple choice (no "=", weights)
//	{=a =%50%b#fb}                  short answer
//	{#3.14:0.01} {#1..5} {#=2:0 =%50%2:1#fb}   numeric (tolerance, range, several answers)
//	{=a -> 1 =b -> 2 = -> extra}    matching (an empty left side adds a distractor)
//	text {=a ~b} more text          an answer block inside the text: a fill-in-the-blank
//	                                (cloze with one blank) for single, short and numeric
//	####general feedback            at the end of the answer block
//	\~ \= \# \{ \} \: \\ \n         escapes (GLC also reads \/, \[ and \%, and writes \% before an
//	                                answer that starts with %)
//
// Questions GIFT cannot hold (ordering, cloze with several blanks) are skipped by WriteGIFT
// with a comment; points, units, relative tolerances and all-or-nothing scoring are not kept.

// GIFTError is a problem in one question of a GIFT text. Msg is in English (the API's
// message); Code and Params let pages say it in the reader's language (catalogue ID
// "quiz.gift.error.<code>", with Params as its template data).
type GIFTError struct {
	Line   int               `json:"line"`
	Msg    string            `json:"message"`
	Code   string            `json:"code"`
	Params map[string]string `json:"params,omitempty"`
}

func (e GIFTError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// GIFT error codes.
const (
	GIFTTitleUnclosed     = "title_unclosed"
	GIFTNoAnswerBlock     = "no_answer_block"
	GIFTBlockUnclosed     = "block_unclosed"
	GIFTSeveralBlocks     = "several_blocks"
	GIFTWeightUnclosed    = "weight_unclosed"
	GIFTWeightRange       = "weight_range"
	GIFTTextBeforeAnswers = "text_before_answers"
	GIFTMatchingArrow     = "matching_arrow"
	GIFTBadAnswers        = "bad_answers"
	GIFTTextBeforeNumeric = "text_before_numeric"
	GIFTNumericMark       = "numeric_mark"
	GIFTNotANumber        = "not_a_number"
	GIFTNegativeTolerance = "negative_tolerance"
	GIFTInvalidQuestion   = "invalid_question"
	GIFTNoQuestions       = "no_questions"
	GIFTTooManyQuestions  = "too_many_questions"
)

// giftErr is a parse error with its code: key/value pairs in params.
type giftErr struct {
	code   string
	msg    string
	params map[string]string
}

func (e *giftErr) Error() string { return e.msg }

func gerr(code, msg string, kv ...string) error {
	e := &giftErr{code: code, msg: msg}
	if len(kv) > 0 {
		e.params = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			e.params[kv[i]] = kv[i+1]
		}
	}
	return e
}

// erune is a rune of GIFT text with whether it was escaped (so it is never special).
type erune struct {
	r   rune
	esc bool
}

type etext []erune

func unescape(s string) etext {
	rs := []rune(s)
	out := make(etext, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		if rs[i] == '\\' && i+1 < len(rs) {
			switch n := rs[i+1]; n {
			case '~', '=', '#', '{', '}', ':', '\\', '/', '[', '%':
				out = append(out, erune{n, true})
				i++
				continue
			case 'n':
				out = append(out, erune{'\n', true})
				i++
				continue
			}
		}
		out = append(out, erune{rs[i], false})
	}
	return out
}

func (t etext) String() string {
	var b strings.Builder
	for _, e := range t {
		b.WriteRune(e.r)
	}
	return b.String()
}

// text is the trimmed plain string.
func (t etext) text() string { return strings.TrimSpace(t.String()) }

func isSpace(e erune) bool {
	return !e.esc && (e.r == ' ' || e.r == '\t' || e.r == '\n' || e.r == '\r')
}

func (t etext) trim() etext {
	for len(t) > 0 && isSpace(t[0]) {
		t = t[1:]
	}
	for len(t) > 0 && isSpace(t[len(t)-1]) {
		t = t[:len(t)-1]
	}
	return t
}

// index finds the unescaped sequence seq at or after from, or -1.
func (t etext) index(seq string, from int) int {
	s := []rune(seq)
outer:
	for i := from; i+len(s) <= len(t); i++ {
		for j, r := range s {
			if t[i+j].esc || t[i+j].r != r {
				continue outer
			}
		}
		return i
	}
	return -1
}

func (t etext) hasPrefix(seq string) bool { return t.index(seq, 0) == 0 }

// cut splits t at the first unescaped seq.
func (t etext) cut(seq string) (before, after etext, found bool) {
	i := t.index(seq, 0)
	if i < 0 {
		return t, nil, false
	}
	return t[:i], t[i+len([]rune(seq)):], true
}

// ParseGIFT reads questions from GIFT text. Each question carries the category path in force
// ("" when none). Questions with errors are left out and reported.
func ParseGIFT(src string) ([]QuestionInput, []GIFTError) {
	ps, errs := parseGIFT(src)
	out := make([]QuestionInput, len(ps))
	for i, p := range ps {
		out[i] = p.q
	}
	return out, errs
}

// giftQuestionAt is a parsed question with the line it starts on.
type giftQuestionAt struct {
	q    QuestionInput
	line int
}

func parseGIFT(src string) ([]giftQuestionAt, []GIFTError) {
	src = strings.TrimPrefix(src, "\ufeff")
	src = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(src)
	var (
		out      []giftQuestionAt
		errs     []GIFTError
		category string
		block    []string
		start    int
	)
	flush := func() {
		if len(block) == 0 {
			return
		}
		lines, first := block, start
		block = nil
		if strings.HasPrefix(strings.TrimSpace(lines[0]), "$CATEGORY:") {
			category = cleanCategory(strings.TrimPrefix(strings.TrimSpace(lines[0]), "$CATEGORY:"))
			lines, first = lines[1:], first+1
			if len(lines) == 0 {
				return
			}
		}
		q, err := parseGIFTQuestion(strings.Join(lines, "\n"))
		if err != nil {
			e := GIFTError{Line: first, Msg: err.Error(), Code: GIFTBadAnswers}
			var ge *giftErr
			if errors.As(err, &ge) {
				e.Code, e.Params = ge.code, ge.params
			}
			errs = append(errs, e)
			return
		}
		q.Category = category
		out = append(out, giftQuestionAt{q: q, line: first})
	}
	for i, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "//"):
			continue
		case trimmed == "":
			flush()
		default:
			if len(block) == 0 {
				start = i + 1
			}
			block = append(block, line)
		}
	}
	flush()
	return out, errs
}

// cleanCategory drops Moodle's context prefixes ($course$/top/...).
func cleanCategory(s string) string {
	for {
		before := s
		s = strings.Trim(strings.TrimSpace(s), "/ ")
		for _, p := range []string{"$course$/", "$system$/", "$module$/", "$coursecategory$/", "top/"} {
			s = strings.TrimPrefix(s, p)
		}
		if s == "top" || s == "$course$" || s == "$system$" || s == "$module$" || s == "$coursecategory$" {
			s = ""
		}
		if s == before {
			return s
		}
	}
}

var giftFormats = []string{"[html]", "[moodle]", "[plain]", "[markdown]"}

func parseGIFTQuestion(raw string) (QuestionInput, error) {
	var q QuestionInput
	t := unescape(raw).trim()
	if t.hasPrefix("::") {
		title, rest, ok := t[2:].cut("::")
		if !ok {
			return q, gerr(GIFTTitleUnclosed, "the title has no closing ::")
		}
		q.Title, t = title.text(), rest.trim()
	}
	for _, f := range giftFormats {
		if t.hasPrefix(f) {
			t = t[len(f):].trim()
			break
		}
	}
	open := t.index("{", 0)
	if open < 0 {
		return q, gerr(GIFTNoAnswerBlock, "no answer block {...}")
	}
	closing := t.index("}", open)
	if closing < 0 {
		return q, gerr(GIFTBlockUnclosed, "the answer block has no closing }")
	}
	before, inner, after := t[:open], t[open+1:closing], t[closing+1:]
	if after.index("{", 0) >= 0 || after.index("}", 0) >= 0 || inner.index("{", 0) >= 0 {
		return q, gerr(GIFTSeveralBlocks, "more than one answer block (escape { and } in text with a backslash)")
	}
	body, gf, _ := inner.cut("####")
	q.GeneralFeedback = gf.text()
	if err := parseGIFTAnswers(&q, body.trim()); err != nil {
		return q, err
	}
	if after.text() == "" {
		q.Prompt = before.text()
		return q, nil
	}
	// An answer block inside the text: a fill-in-the-blank.
	switch q.Kind {
	case KindSingle, KindShort, KindNumeric:
		b := Blank{Kind: map[string]string{KindSingle: BlankChoice, KindShort: BlankShort, KindNumeric: BlankNumeric}[q.Kind],
			Options: q.Options, Answers: q.Answers}
		q.Kind, q.Spec = KindCloze, Spec{Blanks: []Blank{b}}
		q.Prompt = strings.TrimSpace(before.String() + "{{1}}" + after.String())
	default:
		q.Prompt = strings.TrimSpace(before.String() + "_____" + after.String())
	}
	return q, nil
}

// token is one answer of a block: its marker ('=' or '~'), weight and text.
type token struct {
	mark   rune
	weight *float64
	body   etext
	fb     string
}

func splitTokens(t etext) (lead etext, toks []token, err error) {
	var starts []int
	for i, e := range t {
		if !e.esc && (e.r == '=' || e.r == '~') {
			starts = append(starts, i)
		}
	}
	if len(starts) == 0 {
		return t, nil, nil
	}
	lead = t[:starts[0]]
	for k, s := range starts {
		end := len(t)
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		tok := token{mark: t[s].r}
		part := t[s+1 : end].trim()
		if part.hasPrefix("%") {
			w, rest, ok := part[1:].cut("%")
			if !ok {
				return nil, nil, gerr(GIFTWeightUnclosed, "a weight has no closing %")
			}
			v, err := strconv.ParseFloat(w.text(), 64)
			if err != nil || !finite(v) || v < -100 || v > 100 {
				return nil, nil, gerr(GIFTWeightRange, fmt.Sprintf("weight %q is not a percentage from -100 to 100", w.text()), "Weight", w.text())
			}
			v /= 100
			tok.weight, part = &v, rest.trim()
		}
		body, fb, _ := part.cut("#")
		tok.body, tok.fb = body.trim(), fb.text()
		toks = append(toks, tok)
	}
	return lead, toks, nil
}

func parseGIFTAnswers(q *QuestionInput, t etext) error {
	if len(t) == 0 {
		q.Kind = KindEssay
		return nil
	}
	if t.hasPrefix("#") {
		q.Kind = KindNumeric
		return parseGIFTNumeric(q, t[1:].trim())
	}
	lead, toks, err := splitTokens(t)
	if err != nil {
		return err
	}
	if len(toks) == 0 {
		return parseGIFTTrueFalse(q, t)
	}
	if lead.text() != "" {
		return gerr(GIFTTextBeforeAnswers, fmt.Sprintf("text %q before the first answer (start answers with = or ~)", lead.text()), "Text", lead.text())
	}
	tilde, arrow := false, false
	for _, tk := range toks {
		tilde = tilde || tk.mark == '~'
		arrow = arrow || tk.body.index("->", 0) >= 0
	}
	switch {
	case tilde:
		q.Kind = KindSingle
		if !hasMark(toks, '=') {
			q.Kind, q.Scoring = KindMultiple, ScoreWeighted
		}
		for _, tk := range toks {
			f := 0.0
			if tk.mark == '=' {
				f = 1
			}
			if tk.weight != nil {
				f = *tk.weight
			}
			q.Options = append(q.Options, Option{Text: tk.body.text(), Fraction: fptr(f), Correct: f > 0, Feedback: tk.fb})
		}
	case arrow:
		q.Kind = KindMatching
		for _, tk := range toks {
			left, right, ok := tk.body.cut("->")
			if !ok {
				return gerr(GIFTMatchingArrow, fmt.Sprintf("matching answer %q has no ->", tk.body.text()), "Text", tk.body.text())
			}
			if left.text() == "" {
				q.Distractors = append(q.Distractors, right.text())
				continue
			}
			q.Pairs = append(q.Pairs, Pair{Text: left.text(), Answer: right.text()})
		}
	default:
		q.Kind = KindShort
		for _, tk := range toks {
			a := Accepted{Text: tk.body.text(), Feedback: tk.fb, Fraction: tk.weight}
			q.Answers = append(q.Answers, a)
		}
	}
	return nil
}

func hasMark(toks []token, m rune) bool {
	for _, t := range toks {
		if t.mark == m {
			return true
		}
	}
	return false
}

func parseGIFTTrueFalse(q *QuestionInput, t etext) error {
	word, rest, _ := t.cut("#")
	var ans bool
	switch strings.ToUpper(word.text()) {
	case "T", "TRUE":
		ans = true
	case "F", "FALSE":
		ans = false
	default:
		return gerr(GIFTBadAnswers, "answers must start with = or ~ (or be T, F, TRUE, FALSE; # for numbers)")
	}
	wrong, right, _ := rest.cut("#")
	q.Kind, q.Answer = KindTrueFalse, &ans
	if ans {
		q.TrueFeedback, q.FalseFeedback = right.text(), wrong.text()
	} else {
		q.TrueFeedback, q.FalseFeedback = wrong.text(), right.text()
	}
	return nil
}

func parseGIFTNumeric(q *QuestionInput, t etext) error {
	lead, toks, err := splitTokens(t)
	if err != nil {
		return err
	}
	if len(toks) == 0 {
		body, fb, _ := t.cut("#")
		a, err := numericSpec(body.text())
		if err != nil {
			return err
		}
		a.Feedback = fb.text()
		q.Answers = []Accepted{a}
		return nil
	}
	if lead.text() != "" {
		return gerr(GIFTTextBeforeNumeric, fmt.Sprintf("text %q before the first numeric answer", lead.text()), "Text", lead.text())
	}
	for _, tk := range toks {
		if tk.mark != '=' {
			return gerr(GIFTNumericMark, "numeric answers start with =")
		}
		a, err := numericSpec(tk.body.text())
		if err != nil {
			return err
		}
		a.Fraction, a.Feedback = tk.weight, tk.fb
		q.Answers = append(q.Answers, a)
	}
	return nil
}

// numericSpec reads "value", "value:tolerance" or "min..max".
func numericSpec(s string) (Accepted, error) {
	num := func(x string) (float64, error) {
		v, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil || !finite(v) {
			return 0, gerr(GIFTNotANumber, fmt.Sprintf("%q is not a number", strings.TrimSpace(x)), "Value", strings.TrimSpace(x))
		}
		return v, nil
	}
	if lo, hi, ok := strings.Cut(s, ".."); ok {
		a, err := num(lo)
		if err != nil {
			return Accepted{}, err
		}
		b, err := num(hi)
		if err != nil {
			return Accepted{}, err
		}
		if b < a {
			a, b = b, a
		}
		mid := a + (b-a)/2
		return Accepted{Value: &mid, Tolerance: (b - a) / 2}, nil
	}
	val, tol, _ := strings.Cut(s, ":")
	v, err := num(val)
	if err != nil {
		return Accepted{}, err
	}
	a := Accepted{Value: &v}
	if strings.TrimSpace(tol) != "" {
		if a.Tolerance, err = num(tol); err != nil {
			return Accepted{}, err
		}
		if a.Tolerance < 0 {
			return Accepted{}, gerr(GIFTNegativeTolerance, "the tolerance must be 0 or more")
		}
	}
	return a, nil
}

// WriteGIFT writes questions (normalized) as GIFT. Questions of kinds GIFT cannot hold are
// replaced by a comment. Categories are written when they change.
func WriteGIFT(qs []QuestionInput) string {
	var b strings.Builder
	category := ""
	for _, q := range qs {
		if q.Category != category {
			fmt.Fprintf(&b, "$CATEGORY: %s\n\n", q.Category)
			category = q.Category
		}
		text, ok := giftQuestion(q)
		if !ok {
			fmt.Fprintf(&b, "// GLC: question %q (%s) cannot be written in GIFT; export JSON to keep it.\n\n", q.Title, q.Kind)
			continue
		}
		b.WriteString(text)
		b.WriteString("\n\n")
	}
	return b.String()
}

// esc escapes GIFT's special characters and line breaks.
func esc(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '~', '=', '#', '{', '}', ':':
			b.WriteRune('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// escAnswer escapes an answer's text, and a leading % that would read as a weight.
func escAnswer(s string) string {
	e := esc(s)
	if strings.HasPrefix(e, "%") {
		e = `\%` + e[1:]
	}
	return e
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func weight(f float64) string { return "%" + formatNumber(f*100) + "%" }

func fbText(fb string) string {
	if fb == "" {
		return ""
	}
	return "#" + esc(fb)
}

func giftQuestion(q QuestionInput) (string, bool) {
	var b strings.Builder
	if q.Title != "" {
		b.WriteString("::" + esc(q.Title) + "::")
	}
	prompt, after := q.Prompt, ""
	spec := q.Spec
	kind := q.Kind
	switch q.Kind {
	case KindOrdering:
		return "", false
	case KindCloze:
		if len(q.Blanks) != 1 || strings.Count(q.Prompt, "{{1}}") != 1 {
			return "", false
		}
		prompt, after, _ = strings.Cut(q.Prompt, "{{1}}")
		bl := q.Blanks[0]
		kind = map[string]string{BlankChoice: KindSingle, BlankShort: KindShort, BlankNumeric: KindNumeric}[bl.Kind]
		spec = Spec{Options: bl.Options, Answers: bl.Answers}
	}
	p := esc(prompt)
	if strings.HasPrefix(p, "/") || strings.HasPrefix(p, "[") || strings.HasPrefix(p, "$") {
		p = "[plain]" + p
	}
	b.WriteString(p)
	if after == "" {
		b.WriteString(" ")
	}
	b.WriteString("{")
	writeGIFTAnswers(&b, kind, &spec)
	if q.GeneralFeedback != "" {
		b.WriteString("####" + esc(q.GeneralFeedback))
	}
	b.WriteString("}")
	b.WriteString(esc(after))
	return b.String(), true
}

func writeGIFTAnswers(b *strings.Builder, kind string, s *Spec) {
	switch kind {
	case KindEssay:
	case KindTrueFalse:
		ans := s.Answer != nil && *s.Answer
		word, right, wrong := "FALSE", s.FalseFeedback, s.TrueFeedback
		if ans {
			word, right, wrong = "TRUE", s.TrueFeedback, s.FalseFeedback
		}
		b.WriteString(word)
		if wrong != "" || right != "" {
			b.WriteString("#" + esc(wrong))
		}
		if right != "" {
			b.WriteString("#" + esc(right))
		}
	case KindSingle:
		for _, o := range s.Options {
			f := frac(o.Fraction, b2f(o.Correct))
			switch {
			case f >= 0.9999:
				b.WriteString("\n\t=")
			case f == 0:
				b.WriteString("\n\t~")
			default:
				b.WriteString("\n\t~" + weight(f))
			}
			b.WriteString(escAnswer(o.Text) + fbText(o.Feedback))
		}
		b.WriteString("\n")
	case KindMultiple:
		correct, wrong := 0, 0
		for _, o := range s.Options {
			if o.Correct {
				correct++
			} else {
				wrong++
			}
		}
		for _, o := range s.Options {
			var f float64
			switch {
			case s.Scoring == ScoreWeighted:
				f = frac(o.Fraction, 0)
			case o.Correct:
				f = 1 / float64(correct)
			default:
				f = -1 / float64(wrong)
			}
			b.WriteString("\n\t~" + weight(f) + escAnswer(o.Text) + fbText(o.Feedback))
		}
		b.WriteString("\n")
	case KindShort:
		for _, a := range s.Answers {
			b.WriteString("\n\t=")
			if f := frac(a.Fraction, 1); f != 1 {
				b.WriteString(weight(f))
			}
			b.WriteString(escAnswer(a.Text) + fbText(a.Feedback))
		}
		b.WriteString("\n")
	case KindNumeric:
		b.WriteString("#")
		for _, a := range s.Answers {
			tol := a.Tolerance
			if a.ToleranceKind == TolRelative && a.Value != nil {
				tol = a.Tolerance * abs(*a.Value)
			}
			b.WriteString("\n\t=")
			if f := frac(a.Fraction, 1); f != 1 {
				b.WriteString(weight(f))
			}
			b.WriteString(formatNumber(deref(a.Value)) + ":" + formatNumber(tol) + fbText(a.Feedback))
		}
		b.WriteString("\n")
	case KindMatching:
		for _, p := range s.Pairs {
			b.WriteString("\n\t=" + escAnswer(p.Text) + " -> " + esc(p.Answer))
		}
		for _, d := range s.Distractors {
			b.WriteString("\n\t= -> " + esc(d))
		}
		b.WriteString("\n")
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// GIFTErrors refuses a GIFT text: a validation error (422) whose fields name the lines, with
// each problem's code and parameters for pages that say it in another language.
type GIFTErrors struct {
	Errs []GIFTError
	v    *apperr.Validation
}

func (e *GIFTErrors) Error() string { return e.v.Error() }

// Unwrap makes a GIFTErrors an *apperr.Validation for errors.As.
func (e *GIFTErrors) Unwrap() error { return e.v }

func newGIFTErrors(errs []GIFTError, field string) *GIFTErrors {
	f := apperr.Fields{}
	for _, e := range errs {
		k := field
		if e.Line > 0 {
			k = fmt.Sprintf("line %d", e.Line)
		}
		f.Add(k, e.Msg)
	}
	return &GIFTErrors{Errs: errs, v: &apperr.Validation{Message: "The GIFT text has errors.", Fields: f}}
}

// checkGIFT reads a GIFT text that must hold 1 to maxImport valid questions (field names the
// input in the API's error when it holds none or too many). Every question is normalized;
// the category ids are cleared (GIFT names categories by path).
func checkGIFT(src, field string) ([]QuestionInput, error) {
	ps, errs := parseGIFT(src)
	if len(errs) > 0 {
		return nil, newGIFTErrors(errs, field)
	}
	switch {
	case len(ps) == 0:
		return nil, newGIFTErrors([]GIFTError{{Code: GIFTNoQuestions, Msg: fmt.Sprintf("must hold 1 to %d questions", maxImport)}}, field)
	case len(ps) > maxImport:
		return nil, newGIFTErrors([]GIFTError{{Code: GIFTTooManyQuestions, Msg: fmt.Sprintf("must hold 1 to %d questions", maxImport),
			Params: map[string]string{"Max": strconv.Itoa(maxImport)}}}, field)
	}
	qs := make([]QuestionInput, len(ps))
	for i := range ps {
		q := &ps[i].q
		q.CategoryID = nil
		f := q.Normalize(nil)
		keys := make([]string, 0, len(f))
		for k := range f {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			errs = append(errs, GIFTError{Line: ps[i].line, Code: GIFTInvalidQuestion, Msg: k + " " + f[k],
				Params: map[string]string{"Field": k, "Kind": q.Kind}})
		}
		qs[i] = *q
	}
	if len(errs) > 0 {
		return nil, newGIFTErrors(errs, field)
	}
	return qs, nil
}
