package quiz

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"glc/internal/apperr"
)

// Question kinds (the API's "kind").
const (
	KindSingle    = "single"
	KindMultiple  = "multiple"
	KindTrueFalse = "true_false"
	KindShort     = "short"
	KindNumeric   = "numeric"
	KindMatching  = "matching"
	KindOrdering  = "ordering"
	KindCloze     = "cloze"
	KindEssay     = "essay"
)

// Kinds lists every question kind.
var Kinds = []string{KindSingle, KindMultiple, KindTrueFalse, KindShort, KindNumeric, KindMatching, KindOrdering, KindCloze, KindEssay}

// Scoring rules.
const (
	// Multiple choice.
	ScoreAllOrNothing = "all_or_nothing"
	ScoreProportional = "proportional"
	ScoreWeighted     = "weighted"
	// Ordering.
	ScoreSubsequence = "subsequence"
	ScorePositions   = "positions"
)

// Blank kinds of a cloze question.
const (
	BlankShort   = "short"
	BlankNumeric = "numeric"
	BlankChoice  = "choice"
)

// Tolerance kinds of a numeric answer.
const (
	TolAbsolute = "absolute"
	TolRelative = "relative"
)

// Limits on authored content.
const (
	maxPrompt  = 20000
	maxText    = 2000
	maxTitle   = 255
	maxOptions = 50
	maxPoints  = 1000
)

// Option is a choice of a single, multiple or true/false question, or of a choice blank.
type Option struct {
	ID      string `json:"id,omitempty"`
	Text    string `json:"text"`
	Correct bool   `json:"correct"`
	// Fraction is the share of the points earned when the option is chosen (-1..1). For
	// single choice it defaults to 1 for the correct option and 0 otherwise; for multiple
	// choice it is used only by the "weighted" scoring.
	Fraction *float64 `json:"fraction,omitempty"`
	Feedback string   `json:"feedback,omitempty"`
}

// Accepted is an accepted answer of a short-answer or numeric question (or blank).
type Accepted struct {
	// Text is a short answer; "*" matches any run of characters, "\*" a literal star.
	Text string `json:"text,omitempty"`
	// Value, Tolerance and ToleranceKind describe a numeric answer: accepted when
	// |x - value| <= tolerance (absolute) or <= tolerance*|value| (relative).
	Value         *float64 `json:"value,omitempty"`
	Tolerance     float64  `json:"tolerance,omitempty"`
	ToleranceKind string   `json:"tolerance_kind,omitempty"`
	// Fraction is the share of the points this answer earns (0..1, default 1).
	Fraction *float64 `json:"fraction,omitempty"`
	Feedback string   `json:"feedback,omitempty"`
}

// Unit is a unit a numeric answer may be given in: value_in_unit = base_value * Multiplier.
type Unit struct {
	Name       string  `json:"name"`
	Multiplier float64 `json:"multiplier"`
}

// Pair is one prompt of a matching question and the answer it matches.
type Pair struct {
	ID       string `json:"id,omitempty"`
	Text     string `json:"text"`
	Answer   string `json:"answer"`
	AnswerID string `json:"answer_id,omitempty"`
}

// Choice is an answer on the right-hand side of a matching question.
type Choice struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// OrderItem is one item of an ordering question; Spec.Items lists them in the right order.
type OrderItem struct {
	ID   string `json:"id,omitempty"`
	Text string `json:"text"`
}

// Blank is one gap of a cloze question; the prompt marks it {{1}}, {{2}}, ...
type Blank struct {
	Kind          string     `json:"kind"`
	Answers       []Accepted `json:"answers,omitempty"`
	Options       []Option   `json:"options,omitempty"`
	CaseSensitive bool       `json:"case_sensitive,omitempty"`
	// Weight is the blank's share of the question (default 1; shares are normalized).
	Weight *float64 `json:"weight,omitempty"`
}

// Spec is the kind-specific part of a question, stored as JSON.
type Spec struct {
	Options       []Option    `json:"options,omitempty"`
	Answer        *bool       `json:"answer,omitempty"`
	TrueFeedback  string      `json:"true_feedback,omitempty"`
	FalseFeedback string      `json:"false_feedback,omitempty"`
	Scoring       string      `json:"scoring,omitempty"`
	Answers       []Accepted  `json:"answers,omitempty"`
	CaseSensitive bool        `json:"case_sensitive,omitempty"`
	Units         []Unit      `json:"units,omitempty"`
	UnitsRequired bool        `json:"units_required,omitempty"`
	Pairs         []Pair      `json:"pairs,omitempty"`
	Distractors   []string    `json:"distractors,omitempty"`
	Choices       []Choice    `json:"choices,omitempty"`
	Items         []OrderItem `json:"items,omitempty"`
	Blanks        []Blank     `json:"blanks,omitempty"`
	GraderInfo    string      `json:"grader_info,omitempty"`
}

// QuestionInput is a question as authors write it (API body, JSON and GIFT import).
type QuestionInput struct {
	Kind            string   `json:"kind"`
	Title           string   `json:"title,omitempty"`
	Prompt          string   `json:"prompt"`
	Points          *float64 `json:"points,omitempty"`
	CategoryID      *int64   `json:"category_id,omitempty"`
	Category        string   `json:"category,omitempty"`
	GeneralFeedback string   `json:"general_feedback,omitempty"`
	Spec
}

// newID returns a short random identifier for options, pairs and items. Random (not 1..n) so
// that identifiers say nothing about the authored order, which often puts the right answer
// first.
func newID() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// idKeeper hands out identifiers, keeping those that existed before an edit.
type idKeeper struct {
	prev map[string]bool
	used map[string]bool
}

func newIDKeeper(prev []string) *idKeeper {
	k := &idKeeper{prev: map[string]bool{}, used: map[string]bool{}}
	for _, id := range prev {
		k.prev[id] = true
	}
	return k
}

func (k *idKeeper) id(want string) string {
	if want != "" && k.prev[want] && !k.used[want] {
		k.used[want] = true
		return want
	}
	for {
		id := newID()
		if !k.used[id] && !k.prev[id] && id != "true" && id != "false" {
			k.used[id] = true
			return id
		}
	}
}

var blankMarker = regexp.MustCompile(`\{\{(\d+)\}\}`)

// clean trims s and replaces Windows line ends.
func clean(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }

func frac(f *float64, def float64) float64 {
	if f == nil {
		return def
	}
	return *f
}

func fptr(f float64) *float64 { return &f }

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// Normalize trims the input, fills defaults, gives options, pairs and items their identifiers
// (keeping those of prev, the question before an edit) and validates everything. It returns
// the field errors (empty when valid).
func (in *QuestionInput) Normalize(prev *Spec) apperr.Fields {
	f := apperr.Fields{}
	in.Kind = strings.TrimSpace(in.Kind)
	in.Title = clean(in.Title)
	in.Prompt = clean(in.Prompt)
	in.GeneralFeedback = clean(in.GeneralFeedback)
	in.Category = cleanCategory(in.Category)
	if !slices.Contains(Kinds, in.Kind) {
		f.Add("kind", "must be one of "+strings.Join(Kinds, ", "))
		return f
	}
	f.Check(in.Prompt == "", "prompt", "is required")
	f.Check(utf8.RuneCountInString(in.Prompt) > maxPrompt, "prompt", fmt.Sprintf("must be at most %d characters", maxPrompt))
	f.Check(utf8.RuneCountInString(in.Title) > maxTitle, "title", fmt.Sprintf("must be at most %d characters", maxTitle))
	f.Check(utf8.RuneCountInString(in.GeneralFeedback) > maxPrompt, "general_feedback", "is too long")
	f.Check(utf8.RuneCountInString(in.Category) > maxTitle || strings.Contains(in.Category, "\n"), "category", "must be one line of at most 255 characters")
	if in.Points == nil {
		in.Points = fptr(1)
	}
	f.Check(!finite(*in.Points) || *in.Points <= 0 || *in.Points > maxPoints, "points", fmt.Sprintf("must be more than 0 and at most %d", maxPoints))
	if prev == nil {
		prev = &Spec{}
	}
	in.Spec.normalize(in.Kind, in.Prompt, prev, f)
	return f
}

// unused reports fields that the kind does not use.
func (s *Spec) unused(kind string, f apperr.Fields) {
	uses := map[string][]string{
		KindSingle:    {"options"},
		KindMultiple:  {"options", "scoring"},
		KindTrueFalse: {"answer", "true_feedback", "false_feedback", "options"}, // options are derived
		KindShort:     {"answers", "case_sensitive"},
		KindNumeric:   {"answers", "units", "units_required"},
		KindMatching:  {"pairs", "distractors", "choices"},
		KindOrdering:  {"items", "scoring"},
		KindCloze:     {"blanks"},
		KindEssay:     {"grader_info"},
	}[kind]
	set := map[string]bool{
		"options": len(s.Options) > 0, "answer": s.Answer != nil, "true_feedback": s.TrueFeedback != "",
		"false_feedback": s.FalseFeedback != "", "scoring": s.Scoring != "", "answers": len(s.Answers) > 0,
		"case_sensitive": s.CaseSensitive, "units": len(s.Units) > 0, "units_required": s.UnitsRequired,
		"pairs": len(s.Pairs) > 0, "distractors": len(s.Distractors) > 0, "choices": len(s.Choices) > 0,
		"items": len(s.Items) > 0, "blanks": len(s.Blanks) > 0, "grader_info": s.GraderInfo != "",
	}
	for name, present := range set {
		if present && !slices.Contains(uses, name) {
			f.Add(name, "is not used by questions of kind "+kind)
		}
	}
}

func (s *Spec) normalize(kind, prompt string, prev *Spec, f apperr.Fields) {
	s.unused(kind, f)
	switch kind {
	case KindSingle:
		s.Options = normOptions(s.Options, prev.Options, "options", kind, f)
		best := -1.0
		for _, o := range s.Options {
			best = math.Max(best, *o.Fraction)
		}
		f.Check(len(s.Options) > 0 && best < 0.9999, "options", "need one correct option (fraction 1)")
	case KindMultiple:
		if s.Scoring == "" {
			s.Scoring = ScoreProportional
			for _, o := range s.Options {
				if o.Fraction != nil {
					s.Scoring = ScoreWeighted
				}
			}
		}
		f.Check(!slices.Contains([]string{ScoreAllOrNothing, ScoreProportional, ScoreWeighted}, s.Scoring), "scoring", "must be all_or_nothing, proportional or weighted")
		s.Options = normOptions(s.Options, prev.Options, "options", kind+"/"+s.Scoring, f)
		positive, correct := 0.0, 0
		for _, o := range s.Options {
			if o.Correct {
				correct++
			}
			if o.Fraction != nil && *o.Fraction > 0 {
				positive += *o.Fraction
			}
		}
		f.Check(len(s.Options) > 0 && correct == 0, "options", "need at least one correct option")
		f.Check(s.Scoring == ScoreWeighted && len(s.Options) > 0 && math.Abs(positive-1) > 0.01, "options", "positive fractions must add up to 1")
	case KindTrueFalse:
		f.Check(s.Answer == nil, "answer", "is required (true or false)")
		s.TrueFeedback, s.FalseFeedback = clean(s.TrueFeedback), clean(s.FalseFeedback)
		if s.Answer != nil {
			s.Options = []Option{
				{ID: "true", Text: "true", Correct: *s.Answer, Fraction: fptr(b2f(*s.Answer)), Feedback: s.TrueFeedback},
				{ID: "false", Text: "false", Correct: !*s.Answer, Fraction: fptr(b2f(!*s.Answer)), Feedback: s.FalseFeedback},
			}
		}
	case KindShort:
		normAccepted(s.Answers, false, "answers", f)
	case KindNumeric:
		normAccepted(s.Answers, true, "answers", f)
		normUnits(s, f)
	case KindMatching:
		normMatching(s, prev, f)
	case KindOrdering:
		if s.Scoring == "" {
			s.Scoring = ScoreSubsequence
		}
		f.Check(s.Scoring != ScoreSubsequence && s.Scoring != ScorePositions, "scoring", "must be subsequence or positions")
		f.Check(len(s.Items) < 2 || len(s.Items) > maxOptions, "items", fmt.Sprintf("need 2 to %d items", maxOptions))
		prevIDs := make([]string, len(prev.Items))
		for i, it := range prev.Items {
			prevIDs[i] = it.ID
		}
		k := newIDKeeper(prevIDs)
		for i := range s.Items {
			s.Items[i].Text = clean(s.Items[i].Text)
			s.Items[i].ID = k.id(s.Items[i].ID)
			checkText(s.Items[i].Text, fmt.Sprintf("items.%d.text", i), f)
		}
	case KindCloze:
		normCloze(s, prompt, prev, f)
	case KindEssay:
		s.GraderInfo = clean(s.GraderInfo)
		f.Check(utf8.RuneCountInString(s.GraderInfo) > maxPrompt, "grader_info", "is too long")
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func checkText(s, field string, f apperr.Fields) {
	f.Check(s == "", field, "is required")
	f.Check(utf8.RuneCountInString(s) > maxText, field, fmt.Sprintf("must be at most %d characters", maxText))
}

// normOptions trims and checks options. mode is the kind (and multiple's scoring): single
// choice and weighted multiple choice use fractions; the others use the correct flag only.
func normOptions(opts, prev []Option, field, mode string, f apperr.Fields) []Option {
	if len(opts) < 2 || len(opts) > maxOptions {
		f.Add(field, fmt.Sprintf("need 2 to %d options", maxOptions))
	}
	prevIDs := make([]string, len(prev))
	for i, o := range prev {
		prevIDs[i] = o.ID
	}
	k := newIDKeeper(prevIDs)
	seen := map[string]bool{}
	for i := range opts {
		o := &opts[i]
		o.Text, o.Feedback = clean(o.Text), clean(o.Feedback)
		o.ID = k.id(o.ID)
		checkText(o.Text, fmt.Sprintf("%s.%d.text", field, i), f)
		f.Check(seen[o.Text], fmt.Sprintf("%s.%d.text", field, i), "is the same as another option")
		seen[o.Text] = true
		f.Check(utf8.RuneCountInString(o.Feedback) > maxText, fmt.Sprintf("%s.%d.feedback", field, i), "is too long")
		switch mode {
		case KindSingle, BlankChoice:
			if o.Fraction == nil {
				o.Fraction = fptr(b2f(o.Correct))
			}
			o.Correct = *o.Fraction >= 0.9999
		case KindMultiple + "/" + ScoreWeighted:
			if o.Fraction == nil {
				o.Fraction = fptr(0)
			}
			o.Correct = *o.Fraction > 0
		default:
			o.Fraction = nil
		}
		if o.Fraction != nil {
			f.Check(!finite(*o.Fraction) || *o.Fraction < -1 || *o.Fraction > 1, fmt.Sprintf("%s.%d.fraction", field, i), "must be from -1 to 1")
		}
	}
	return opts
}

func normAccepted(ans []Accepted, numeric bool, field string, f apperr.Fields) {
	if len(ans) == 0 || len(ans) > maxOptions {
		f.Add(field, fmt.Sprintf("need 1 to %d accepted answers", maxOptions))
		return
	}
	best := 0.0
	for i := range ans {
		a := &ans[i]
		p := fmt.Sprintf("%s.%d.", field, i)
		a.Feedback = clean(a.Feedback)
		if a.Fraction == nil {
			a.Fraction = fptr(1)
		}
		f.Check(!finite(*a.Fraction) || *a.Fraction < 0 || *a.Fraction > 1, p+"fraction", "must be from 0 to 1")
		best = math.Max(best, *a.Fraction)
		f.Check(utf8.RuneCountInString(a.Feedback) > maxText, p+"feedback", "is too long")
		if numeric {
			f.Check(a.Text != "", p+"text", "is not used by numeric answers")
			f.Check(a.Value == nil || !finite(*a.Value), p+"value", "is required (a number)")
			f.Check(!finite(a.Tolerance) || a.Tolerance < 0, p+"tolerance", "must be 0 or more")
			if a.ToleranceKind == "" {
				a.ToleranceKind = TolAbsolute
			}
			f.Check(a.ToleranceKind != TolAbsolute && a.ToleranceKind != TolRelative, p+"tolerance_kind", "must be absolute or relative")
			continue
		}
		a.Text = normSpace(a.Text)
		checkText(a.Text, p+"text", f)
		f.Check(a.Value != nil || a.Tolerance != 0 || a.ToleranceKind != "", p+"value", "is used by numeric answers only")
	}
	f.Check(best < 0.9999, field, "need one answer worth full marks (fraction 1)")
}

func normUnits(s *Spec, f apperr.Fields) {
	seen := map[string]bool{}
	for i := range s.Units {
		u := &s.Units[i]
		u.Name = strings.TrimSpace(u.Name)
		p := fmt.Sprintf("units.%d.", i)
		f.Check(u.Name == "" || utf8.RuneCountInString(u.Name) > 40, p+"name", "is required (at most 40 characters)")
		f.Check(seen[u.Name], p+"name", "is listed twice")
		seen[u.Name] = true
		f.Check(!finite(u.Multiplier) || u.Multiplier <= 0, p+"multiplier", "must be more than 0")
	}
	f.Check(s.UnitsRequired && len(s.Units) == 0, "units_required", "needs units")
}

func normMatching(s *Spec, prev *Spec, f apperr.Fields) {
	f.Check(len(s.Pairs) < 2 || len(s.Pairs) > maxOptions, "pairs", fmt.Sprintf("need 2 to %d pairs", maxOptions))
	prevPair := make([]string, len(prev.Pairs))
	for i, p := range prev.Pairs {
		prevPair[i] = p.ID
	}
	prevChoice := map[string]string{}
	for _, c := range prev.Choices {
		prevChoice[c.Text] = c.ID
	}
	pk, ck := newIDKeeper(prevPair), newIDKeeper(nil)
	for _, c := range prev.Choices {
		ck.prev[c.ID] = true
	}
	s.Choices = nil
	choiceID := map[string]string{}
	addChoice := func(text string) string {
		if id, ok := choiceID[text]; ok {
			return id
		}
		id := ck.id(prevChoice[text])
		choiceID[text] = id
		s.Choices = append(s.Choices, Choice{ID: id, Text: text})
		return id
	}
	seen := map[string]bool{}
	for i := range s.Pairs {
		p := &s.Pairs[i]
		p.Text, p.Answer = clean(p.Text), clean(p.Answer)
		p.ID = pk.id(p.ID)
		checkText(p.Text, fmt.Sprintf("pairs.%d.text", i), f)
		checkText(p.Answer, fmt.Sprintf("pairs.%d.answer", i), f)
		f.Check(seen[p.Text], fmt.Sprintf("pairs.%d.text", i), "is the same as another pair")
		seen[p.Text] = true
		if p.Answer != "" {
			p.AnswerID = addChoice(p.Answer)
		}
	}
	for i, d := range s.Distractors {
		d = clean(d)
		s.Distractors[i] = d
		checkText(d, fmt.Sprintf("distractors.%d", i), f)
		if d != "" {
			addChoice(d)
		}
	}
}

func normCloze(s *Spec, prompt string, prev *Spec, f apperr.Fields) {
	if len(s.Blanks) == 0 || len(s.Blanks) > maxOptions {
		f.Add("blanks", fmt.Sprintf("need 1 to %d blanks", maxOptions))
		return
	}
	count := map[int]int{}
	for _, m := range blankMarker.FindAllStringSubmatch(prompt, -1) {
		var n int
		fmt.Sscan(m[1], &n)
		count[n]++
	}
	for i := range s.Blanks {
		f.Check(count[i+1] != 1, "prompt", fmt.Sprintf("must hold each marker {{1}} to {{%d}} exactly once", len(s.Blanks)))
		delete(count, i+1)
	}
	f.Check(len(count) > 0, "prompt", fmt.Sprintf("has markers beyond {{%d}}", len(s.Blanks)))
	for i := range s.Blanks {
		b := &s.Blanks[i]
		p := fmt.Sprintf("blanks.%d.", i)
		if b.Weight == nil {
			b.Weight = fptr(1)
		}
		f.Check(!finite(*b.Weight) || *b.Weight <= 0 || *b.Weight > maxPoints, p+"weight", "must be more than 0")
		var prevOpts []Option
		if i < len(prev.Blanks) {
			prevOpts = prev.Blanks[i].Options
		}
		switch b.Kind {
		case BlankShort, BlankNumeric:
			f.Check(len(b.Options) > 0, p+"options", "are used by choice blanks only")
			normAccepted(b.Answers, b.Kind == BlankNumeric, p+"answers", f)
			f.Check(b.Kind == BlankNumeric && b.CaseSensitive, p+"case_sensitive", "is used by short blanks only")
		case BlankChoice:
			f.Check(len(b.Answers) > 0, p+"answers", "are used by short and numeric blanks only")
			f.Check(b.CaseSensitive, p+"case_sensitive", "is used by short blanks only")
			b.Options = normOptions(b.Options, prevOpts, p+"options", BlankChoice, f)
			best := -1.0
			for _, o := range b.Options {
				best = math.Max(best, *o.Fraction)
			}
			f.Check(len(b.Options) > 0 && best < 0.9999, p+"options", "need one correct option")
		default:
			f.Add(p+"kind", "must be short, numeric or choice")
		}
	}
}

// normSpace trims s and turns every run of white space into one space.
func normSpace(s string) string { return strings.Join(strings.Fields(s), " ") }
