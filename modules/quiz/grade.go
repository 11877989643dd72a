package quiz

import (
	"math"
	"strings"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Outcome is the grade of one response.
type Outcome struct {
	// Fraction of the question's points earned, 0..1.
	Fraction float64
	// Graded is false when a person must grade the response (a non-empty essay).
	Graded bool
	// Feedback written by the author for what the learner chose or typed.
	Feedback []string
}

// Grade scores a stored response (nil: unanswered) against a question. It is a pure function
// of the question and the response, so a regrade after a question is fixed gives the same
// result as grading at submission with the fixed question.
//
// Rules:
//   - single, true_false: the fraction of the chosen option (negative fractions count 0).
//   - multiple, all_or_nothing: 1 when the chosen set is exactly the correct set, else 0.
//   - multiple, proportional: each chosen correct option earns 1/C (C correct options), each
//     chosen wrong option costs 1/W (W wrong options); the total is kept within 0..1, so
//     choosing every option scores 0.
//   - multiple, weighted: the sum of the chosen options' fractions, kept within 0..1.
//   - short: the best fraction among accepted answers that match after trimming, turning runs
//     of white space into one space, Unicode NFC, and (unless case-sensitive) case folding;
//     "*" in an accepted answer matches any run of characters.
//   - numeric: the best fraction among answers with |x - value| <= tolerance (absolute) or
//     <= tolerance*|value| (relative), edges included (plus 1e-9 relative slack for binary
//     rounding). A unit divides the number by its multiplier; a missing unit means the base
//     unit unless units are required (then 0).
//   - matching: correct pairs / pairs.
//   - ordering, subsequence: (L-1)/(n-1) where L is the longest run of items in the right
//     relative order (longest increasing subsequence of their correct positions); the exact
//     order earns 1, the reversed order 0, and a single item alone earns nothing.
//   - ordering, positions: items at their correct position / n.
//   - cloze: the weighted mean of its blanks, each graded as short, numeric or single choice.
//   - essay: graded by a person; an empty essay scores 0 at once.
func Grade(kind string, s *Spec, r *Response) Outcome {
	if r == nil {
		return Outcome{Graded: true}
	}
	switch kind {
	case KindSingle, KindTrueFalse:
		return gradeSingle(s.Options, r.OptionIDs)
	case KindMultiple:
		return gradeMultiple(s, r.OptionIDs)
	case KindShort:
		if r.Text == nil {
			return Outcome{Graded: true}
		}
		return gradeShort(s.Answers, s.CaseSensitive, *r.Text)
	case KindNumeric:
		if r.Number == nil {
			return Outcome{Graded: true}
		}
		unit := ""
		if r.Unit != nil {
			unit = *r.Unit
		}
		return gradeNumeric(s, *r.Number, unit)
	case KindMatching:
		return gradeMatching(s, r.Pairs)
	case KindOrdering:
		return gradeOrdering(s, r.Order)
	case KindCloze:
		return gradeCloze(s, r.Blanks)
	case KindEssay:
		if r.Text == nil || strings.TrimSpace(*r.Text) == "" {
			return Outcome{Graded: true}
		}
		return Outcome{Graded: false}
	}
	return Outcome{Graded: true}
}

func clamp01(f float64) float64 { return math.Max(0, math.Min(1, f)) }

func gradeSingle(opts []Option, chosen []string) Outcome {
	out := Outcome{Graded: true}
	if len(chosen) != 1 {
		return out
	}
	for _, o := range opts {
		if o.ID == chosen[0] {
			out.Fraction = clamp01(frac(o.Fraction, b2f(o.Correct)))
			if o.Feedback != "" {
				out.Feedback = append(out.Feedback, o.Feedback)
			}
		}
	}
	return out
}

func gradeMultiple(s *Spec, chosen []string) Outcome {
	out := Outcome{Graded: true}
	picked := map[string]bool{}
	for _, id := range chosen {
		picked[id] = true
	}
	var correct, wrong, gotRight, gotWrong int
	sum := 0.0
	for _, o := range s.Options {
		if o.Correct {
			correct++
		} else {
			wrong++
		}
		if !picked[o.ID] {
			continue
		}
		if o.Feedback != "" {
			out.Feedback = append(out.Feedback, o.Feedback)
		}
		if o.Correct {
			gotRight++
		} else {
			gotWrong++
		}
		sum += frac(o.Fraction, 0)
	}
	switch s.Scoring {
	case ScoreAllOrNothing:
		if gotRight == correct && gotWrong == 0 {
			out.Fraction = 1
		}
	case ScoreWeighted:
		out.Fraction = clamp01(sum)
	default:
		f := 0.0
		if correct > 0 {
			f += float64(gotRight) / float64(correct)
		}
		if wrong > 0 {
			f -= float64(gotWrong) / float64(wrong)
		}
		out.Fraction = clamp01(f)
	}
	return out
}

var folder = cases.Fold()

// normAnswer prepares typed text for comparison.
func normAnswer(s string, caseSensitive bool) string {
	s = normSpace(norm.NFC.String(s))
	if !caseSensitive {
		s = folder.String(s)
	}
	return s
}

// wildcardMatch reports whether text matches pattern, where "*" matches any run of
// characters and "\*" a literal star.
func wildcardMatch(pattern, text string) bool {
	type tok struct {
		r    rune
		star bool
	}
	var p []tok
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		switch {
		case rs[i] == '\\' && i+1 < len(rs) && rs[i+1] == '*':
			p = append(p, tok{r: '*'})
			i++
		case rs[i] == '*':
			p = append(p, tok{star: true})
		default:
			p = append(p, tok{r: rs[i]})
		}
	}
	t := []rune(text)
	pi, ti, starP, starT := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && !p[pi].star && p[pi].r == t[ti]:
			pi++
			ti++
		case pi < len(p) && p[pi].star:
			starP, starT = pi, ti
			pi++
		case starP >= 0:
			starT++
			ti = starT
			pi = starP + 1
		default:
			return false
		}
	}
	for pi < len(p) && p[pi].star {
		pi++
	}
	return pi == len(p)
}

func matchShort(answers []Accepted, caseSensitive bool, typed string) (float64, string, bool) {
	t := normAnswer(typed, caseSensitive)
	if t == "" {
		return 0, "", false
	}
	best, fb, found := 0.0, "", false
	for _, a := range answers {
		if wildcardMatch(normAnswer(a.Text, caseSensitive), t) {
			if f := frac(a.Fraction, 1); !found || f > best {
				best, fb, found = f, a.Feedback, true
			}
		}
	}
	return best, fb, found
}

func gradeShort(answers []Accepted, caseSensitive bool, typed string) Outcome {
	out := Outcome{Graded: true}
	f, fb, ok := matchShort(answers, caseSensitive, typed)
	if ok {
		out.Fraction = clamp01(f)
		if fb != "" {
			out.Feedback = []string{fb}
		}
	}
	return out
}

// withinTolerance reports whether x is accepted by a numeric answer, edges included.
func withinTolerance(x float64, a Accepted) bool {
	if a.Value == nil {
		return false
	}
	v := *a.Value
	tol := a.Tolerance
	if a.ToleranceKind == TolRelative {
		tol = math.Abs(v) * a.Tolerance
	}
	slack := 1e-9 * math.Max(math.Max(math.Abs(x), math.Abs(v)), tol)
	return math.Abs(x-v) <= tol+slack
}

func matchNumeric(answers []Accepted, x float64) (float64, string, bool) {
	best, fb, found := 0.0, "", false
	for _, a := range answers {
		if withinTolerance(x, a) {
			if f := frac(a.Fraction, 1); !found || f > best {
				best, fb, found = f, a.Feedback, true
			}
		}
	}
	return best, fb, found
}

func gradeNumeric(s *Spec, x float64, unit string) Outcome {
	out := Outcome{Graded: true}
	if len(s.Units) > 0 {
		if unit == "" {
			if s.UnitsRequired {
				return out
			}
		} else {
			found := false
			for _, u := range s.Units {
				if u.Name == unit {
					x, found = x/u.Multiplier, true
					break
				}
			}
			if !found {
				return out
			}
		}
	}
	if f, fb, ok := matchNumeric(s.Answers, x); ok {
		out.Fraction = clamp01(f)
		if fb != "" {
			out.Feedback = []string{fb}
		}
	}
	return out
}

func gradeMatching(s *Spec, pairs map[string]string) Outcome {
	out := Outcome{Graded: true}
	if len(s.Pairs) == 0 {
		return out
	}
	right := 0
	for _, p := range s.Pairs {
		if pairs[p.ID] == p.AnswerID && p.AnswerID != "" {
			right++
		}
	}
	out.Fraction = float64(right) / float64(len(s.Pairs))
	return out
}

func gradeOrdering(s *Spec, order []string) Outcome {
	out := Outcome{Graded: true}
	n := len(s.Items)
	if n == 0 || len(order) != n {
		return out
	}
	pos := map[string]int{}
	for i, it := range s.Items {
		pos[it.ID] = i
	}
	if s.Scoring == ScorePositions {
		right := 0
		for i, id := range order {
			if p, ok := pos[id]; ok && p == i {
				right++
			}
		}
		out.Fraction = float64(right) / float64(n)
		return out
	}
	seq := make([]int, 0, n)
	for _, id := range order {
		if p, ok := pos[id]; ok {
			seq = append(seq, p)
		}
	}
	l := longestIncreasing(seq)
	if n == 1 {
		out.Fraction = float64(l)
		return out
	}
	if l > 0 {
		out.Fraction = float64(l-1) / float64(n-1)
	}
	return out
}

// longestIncreasing returns the length of the longest strictly increasing subsequence.
func longestIncreasing(seq []int) int {
	var tails []int
	for _, v := range seq {
		lo, hi := 0, len(tails)
		for lo < hi {
			mid := (lo + hi) / 2
			if tails[mid] < v {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo == len(tails) {
			tails = append(tails, v)
		} else {
			tails[lo] = v
		}
	}
	return len(tails)
}

// gradeBlank scores one cloze blank.
func gradeBlank(b *Blank, typed string) (float64, string) {
	switch b.Kind {
	case BlankShort:
		f, fb, _ := matchShort(b.Answers, b.CaseSensitive, typed)
		return clamp01(f), fb
	case BlankNumeric:
		x, ok := ParseNumber(typed)
		if !ok {
			return 0, ""
		}
		f, fb, _ := matchNumeric(b.Answers, x)
		return clamp01(f), fb
	case BlankChoice:
		o := gradeSingle(b.Options, []string{typed})
		fb := ""
		if len(o.Feedback) > 0 {
			fb = o.Feedback[0]
		}
		return o.Fraction, fb
	}
	return 0, ""
}

func gradeCloze(s *Spec, typed []string) Outcome {
	out := Outcome{Graded: true}
	total, got := 0.0, 0.0
	for i := range s.Blanks {
		w := frac(s.Blanks[i].Weight, 1)
		total += w
		if i >= len(typed) || strings.TrimSpace(typed[i]) == "" {
			continue
		}
		f, fb := gradeBlank(&s.Blanks[i], typed[i])
		got += w * f
		if fb != "" {
			out.Feedback = append(out.Feedback, fb)
		}
	}
	if total > 0 {
		out.Fraction = clamp01(got / total)
	}
	return out
}

// CorrectResponse is a response that earns full marks, shown in reviews when the policy
// allows. Essays have none.
func CorrectResponse(kind string, s *Spec) *Response {
	switch kind {
	case KindSingle, KindTrueFalse:
		best, id := -2.0, ""
		for _, o := range s.Options {
			if f := frac(o.Fraction, b2f(o.Correct)); f > best {
				best, id = f, o.ID
			}
		}
		return &Response{OptionIDs: []string{id}}
	case KindMultiple:
		r := &Response{OptionIDs: []string{}}
		for _, o := range s.Options {
			if o.Correct {
				r.OptionIDs = append(r.OptionIDs, o.ID)
			}
		}
		return r
	case KindShort:
		t := bestAccepted(s.Answers).Text
		return &Response{Text: &t}
	case KindNumeric:
		a := bestAccepted(s.Answers)
		return &Response{Number: a.Value}
	case KindMatching:
		r := &Response{Pairs: map[string]string{}}
		for _, p := range s.Pairs {
			r.Pairs[p.ID] = p.AnswerID
		}
		return r
	case KindOrdering:
		r := &Response{Order: []string{}}
		for _, it := range s.Items {
			r.Order = append(r.Order, it.ID)
		}
		return r
	case KindCloze:
		r := &Response{Blanks: make([]string, len(s.Blanks))}
		for i, b := range s.Blanks {
			switch b.Kind {
			case BlankChoice:
				r.Blanks[i] = CorrectResponse(KindSingle, &Spec{Options: b.Options}).OptionIDs[0]
			case BlankNumeric:
				r.Blanks[i] = formatNumber(*bestAccepted(b.Answers).Value)
			default:
				r.Blanks[i] = bestAccepted(b.Answers).Text
			}
		}
		return r
	}
	return nil
}

func bestAccepted(as []Accepted) Accepted {
	var best Accepted
	bf := -1.0
	for _, a := range as {
		if f := frac(a.Fraction, 1); f > bf {
			best, bf = a, f
		}
	}
	return best
}
