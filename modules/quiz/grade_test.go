package quiz

import (
	"math"
	"strings"
	"testing"
)

// mustQ normalizes a question input, failing the test when it is invalid.
func mustQ(t *testing.T, in QuestionInput) QuestionInput {
	t.Helper()
	if f := in.Normalize(nil); len(f) > 0 {
		t.Fatalf("invalid question %s: %v", in.Kind, f)
	}
	return in
}

func str(s string) *string { return &s }

func num(f float64) *float64 { return &f }

// optID returns the id of the option with text.
func optID(t *testing.T, opts []Option, text string) string {
	t.Helper()
	for _, o := range opts {
		if o.Text == text {
			return o.ID
		}
	}
	t.Fatalf("no option %q", text)
	return ""
}

func optIDs(t *testing.T, opts []Option, texts ...string) []string {
	out := []string{}
	for _, x := range texts {
		out = append(out, optID(t, opts, x))
	}
	return out
}

type gradeCase struct {
	name   string
	resp   *Response
	want   float64
	graded bool
	fb     string // expected feedback substring, if any
}

func runGrade(t *testing.T, q QuestionInput, cases []gradeCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(q.Kind+"/"+c.name, func(t *testing.T) {
			if c.resp != nil {
				if err := c.resp.Check(q.Kind, &q.Spec); err != nil {
					t.Fatalf("response rejected: %v", err)
				}
			}
			got := Grade(q.Kind, &q.Spec, c.resp)
			if math.Abs(got.Fraction-c.want) > 1e-9 || got.Graded != c.graded {
				t.Fatalf("fraction %v graded %v, want %v %v", got.Fraction, got.Graded, c.want, c.graded)
			}
			if c.fb != "" && !strings.Contains(strings.Join(got.Feedback, "|"), c.fb) {
				t.Fatalf("feedback %q lacks %q", got.Feedback, c.fb)
			}
		})
	}
}

func TestGradeSingle(t *testing.T) {
	q := mustQ(t, QuestionInput{Kind: KindSingle, Prompt: "Capital of Kenya?", Spec: Spec{Options: []Option{
		{Text: "Nairobi", Correct: true, Feedback: "Yes"}, {Text: "Mombasa", Feedback: "No, a port"},
		{Text: "Kisumu", Fraction: num(0.5)}, {Text: "Paris", Fraction: num(-0.5)},
	}}})
	o := q.Options
	runGrade(t, q, []gradeCase{
		{"correct", &Response{OptionIDs: optIDs(t, o, "Nairobi")}, 1, true, "Yes"},
		{"wrong", &Response{OptionIDs: optIDs(t, o, "Mombasa")}, 0, true, "a port"},
		{"partial", &Response{OptionIDs: optIDs(t, o, "Kisumu")}, 0.5, true, ""},
		{"negative floored", &Response{OptionIDs: optIDs(t, o, "Paris")}, 0, true, ""},
		{"none chosen", &Response{OptionIDs: []string{}}, 0, true, ""},
		{"unanswered", nil, 0, true, ""},
	})
}

func TestGradeMultiple(t *testing.T) {
	opts := func() []Option {
		return []Option{{Text: "A", Correct: true, Feedback: "A is right"}, {Text: "B", Correct: true}, {Text: "C"}, {Text: "D"}}
	}
	prop := mustQ(t, QuestionInput{Kind: KindMultiple, Prompt: "Pick", Spec: Spec{Scoring: ScoreProportional, Options: opts()}})
	o := prop.Options
	runGrade(t, prop, []gradeCase{
		{"all correct", &Response{OptionIDs: optIDs(t, o, "A", "B")}, 1, true, "A is right"},
		{"half", &Response{OptionIDs: optIDs(t, o, "A")}, 0.5, true, ""},
		{"half and one wrong", &Response{OptionIDs: optIDs(t, o, "A", "C")}, 0, true, ""},
		{"all right one wrong", &Response{OptionIDs: optIDs(t, o, "A", "B", "C")}, 0.5, true, ""},
		{"everything", &Response{OptionIDs: optIDs(t, o, "A", "B", "C", "D")}, 0, true, ""},
		{"only wrong floored", &Response{OptionIDs: optIDs(t, o, "C", "D")}, 0, true, ""},
		{"none", &Response{OptionIDs: []string{}}, 0, true, ""},
	})
	aon := mustQ(t, QuestionInput{Kind: KindMultiple, Prompt: "Pick", Spec: Spec{Scoring: ScoreAllOrNothing, Options: opts()}})
	o = aon.Options
	runGrade(t, aon, []gradeCase{
		{"exact", &Response{OptionIDs: optIDs(t, o, "B", "A")}, 1, true, ""},
		{"missing one", &Response{OptionIDs: optIDs(t, o, "A")}, 0, true, ""},
		{"extra wrong", &Response{OptionIDs: optIDs(t, o, "A", "B", "D")}, 0, true, ""},
	})
	w := mustQ(t, QuestionInput{Kind: KindMultiple, Prompt: "Pick", Spec: Spec{Options: []Option{
		{Text: "A", Fraction: num(0.7)}, {Text: "B", Fraction: num(0.3)}, {Text: "C", Fraction: num(-1)},
	}}})
	if w.Scoring != ScoreWeighted {
		t.Fatalf("fractions should select weighted scoring, got %q", w.Scoring)
	}
	o = w.Options
	runGrade(t, w, []gradeCase{
		{"weighted all", &Response{OptionIDs: optIDs(t, o, "A", "B")}, 1, true, ""},
		{"weighted part", &Response{OptionIDs: optIDs(t, o, "B")}, 0.3, true, ""},
		{"weighted penalty floor", &Response{OptionIDs: optIDs(t, o, "B", "C")}, 0, true, ""},
	})
}

func TestGradeTrueFalse(t *testing.T) {
	q := mustQ(t, QuestionInput{Kind: KindTrueFalse, Prompt: "The sky is green.", Spec: Spec{Answer: new(bool), FalseFeedback: "Right, it is blue"}})
	runGrade(t, q, []gradeCase{
		{"false is right", &Response{OptionIDs: []string{"false"}}, 1, true, "blue"},
		{"true is wrong", &Response{OptionIDs: []string{"true"}}, 0, true, ""},
	})
}

func TestGradeShort(t *testing.T) {
	q := mustQ(t, QuestionInput{Kind: KindShort, Prompt: "Who?", Spec: Spec{Answers: []Accepted{
		{Text: "Interpol", Feedback: "exact"}, {Text: "International  Criminal *Organization", Fraction: num(0.8)},
		{Text: "ICPO*", Fraction: num(0.5)}, {Text: `5\*`, Fraction: num(1)},
	}}})
	runGrade(t, q, []gradeCase{
		{"exact", &Response{Text: str("Interpol")}, 1, true, "exact"},
		{"case folded", &Response{Text: str("INTERPOL")}, 1, true, ""},
		{"spaces trimmed", &Response{Text: str("  interpol \t")}, 1, true, ""},
		{"wildcard middle", &Response{Text: str("international criminal police organization")}, 0.8, true, ""},
		{"wildcard whitespace collapse", &Response{Text: str("International   Criminal Police   Organization")}, 0.8, true, ""},
		{"wildcard empty run", &Response{Text: str("International Criminal Organization")}, 0.8, true, ""},
		{"wildcard end", &Response{Text: str("ICPO-Interpol")}, 0.5, true, ""},
		{"literal star", &Response{Text: str("5*")}, 1, true, ""},
		{"literal star is not wildcard", &Response{Text: str("55")}, 0, true, ""},
		{"wrong", &Response{Text: str("Europol")}, 0, true, ""},
		{"empty", &Response{Text: str("")}, 0, true, ""},
	})
	cs := mustQ(t, QuestionInput{Kind: KindShort, Prompt: "Code?", Spec: Spec{CaseSensitive: true, Answers: []Accepted{{Text: "NCB"}}}})
	runGrade(t, cs, []gradeCase{
		{"case sensitive match", &Response{Text: str("NCB")}, 1, true, ""},
		{"case sensitive mismatch", &Response{Text: str("ncb")}, 0, true, ""},
	})
	u := mustQ(t, QuestionInput{Kind: KindShort, Prompt: "Street?", Spec: Spec{Answers: []Accepted{{Text: "STRASSE"}}}})
	runGrade(t, u, []gradeCase{{"unicode folding", &Response{Text: str("straße")}, 1, true, ""}})
}

func TestGradeNumeric(t *testing.T) {
	q := mustQ(t, QuestionInput{Kind: KindNumeric, Prompt: "g?", Spec: Spec{Answers: []Accepted{
		{Value: num(9.81), Tolerance: 0.01, Feedback: "precise"}, {Value: num(10), Tolerance: 0.5, Fraction: num(0.5)},
	}}})
	runGrade(t, q, []gradeCase{
		{"exact", &Response{Number: num(9.81)}, 1, true, "precise"},
		{"upper edge included", &Response{Number: num(9.82)}, 1, true, ""},
		{"lower edge included", &Response{Number: num(9.80)}, 1, true, ""},
		{"just outside first, inside second", &Response{Number: num(9.8201)}, 0.5, true, ""},
		{"second edge", &Response{Number: num(10.5)}, 0.5, true, ""},
		{"outside all", &Response{Number: num(10.5001)}, 0, true, ""},
		{"below", &Response{Number: num(9.49)}, 0, true, ""},
	})
	edge := mustQ(t, QuestionInput{Kind: KindNumeric, Prompt: "x?", Spec: Spec{Answers: []Accepted{{Value: num(0.3), Tolerance: 0.1}}}})
	runGrade(t, edge, []gradeCase{
		{"binary rounding at edge 0.4", &Response{Number: num(0.4)}, 1, true, ""},
		{"binary rounding at edge 0.2", &Response{Number: num(0.2)}, 1, true, ""},
		{"past edge", &Response{Number: num(0.4000001)}, 0, true, ""},
	})
	exact := mustQ(t, QuestionInput{Kind: KindNumeric, Prompt: "x?", Spec: Spec{Answers: []Accepted{{Value: num(1e-12)}}}})
	runGrade(t, exact, []gradeCase{
		{"tiny exact", &Response{Number: num(1e-12)}, 1, true, ""},
		{"tiny different", &Response{Number: num(2e-12)}, 0, true, ""},
	})
	rel := mustQ(t, QuestionInput{Kind: KindNumeric, Prompt: "pop?", Spec: Spec{Answers: []Accepted{{Value: num(-200), Tolerance: 0.05, ToleranceKind: TolRelative}}}})
	runGrade(t, rel, []gradeCase{
		{"relative edge", &Response{Number: num(-210)}, 1, true, ""},
		{"relative other edge", &Response{Number: num(-190)}, 1, true, ""},
		{"relative outside", &Response{Number: num(-211)}, 0, true, ""},
	})
	units := mustQ(t, QuestionInput{Kind: KindNumeric, Prompt: "Length?", Spec: Spec{
		Answers: []Accepted{{Value: num(1.5), Tolerance: 0.01}},
		Units:   []Unit{{Name: "m", Multiplier: 1}, {Name: "cm", Multiplier: 100}, {Name: "km", Multiplier: 0.001}},
	}})
	runGrade(t, units, []gradeCase{
		{"base unit", &Response{Number: num(1.5), Unit: str("m")}, 1, true, ""},
		{"cm", &Response{Number: num(150), Unit: str("cm")}, 1, true, ""},
		{"km", &Response{Number: num(0.0015), Unit: str("km")}, 1, true, ""},
		{"wrong unit scale", &Response{Number: num(1.5), Unit: str("cm")}, 0, true, ""},
		{"no unit means base", &Response{Number: num(1.5)}, 1, true, ""},
	})
	units.UnitsRequired = true
	runGrade(t, units, []gradeCase{{"unit required", &Response{Number: num(1.5)}, 0, true, ""}})
}

func TestGradeMatching(t *testing.T) {
	q := mustQ(t, QuestionInput{Kind: KindMatching, Prompt: "Match", Spec: Spec{Pairs: []Pair{
		{Text: "France", Answer: "Paris"}, {Text: "Kenya", Answer: "Nairobi"}, {Text: "Peru", Answer: "Lima"}, {Text: "Chile", Answer: "Santiago"},
	}, Distractors: []string{"Lyon"}}})
	if len(q.Choices) != 5 {
		t.Fatalf("choices %v", q.Choices)
	}
	choice := func(text string) string {
		for _, c := range q.Choices {
			if c.Text == text {
				return c.ID
			}
		}
		t.Fatalf("no choice %s", text)
		return ""
	}
	pairs := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			for _, p := range q.Pairs {
				if p.Text == kv[i] {
					m[p.ID] = choice(kv[i+1])
				}
			}
		}
		return m
	}
	runGrade(t, q, []gradeCase{
		{"all", &Response{Pairs: pairs("France", "Paris", "Kenya", "Nairobi", "Peru", "Lima", "Chile", "Santiago")}, 1, true, ""},
		{"three of four", &Response{Pairs: pairs("France", "Paris", "Kenya", "Nairobi", "Peru", "Lima", "Chile", "Lyon")}, 0.75, true, ""},
		{"one given", &Response{Pairs: pairs("Kenya", "Nairobi")}, 0.25, true, ""},
		{"swapped", &Response{Pairs: pairs("France", "Nairobi", "Kenya", "Paris")}, 0, true, ""},
	})
}

func TestGradeOrdering(t *testing.T) {
	items := func() []OrderItem {
		return []OrderItem{{Text: "1"}, {Text: "2"}, {Text: "3"}, {Text: "4"}, {Text: "5"}}
	}
	q := mustQ(t, QuestionInput{Kind: KindOrdering, Prompt: "Order", Spec: Spec{Items: items()}})
	if q.Scoring != ScoreSubsequence {
		t.Fatalf("default scoring %q", q.Scoring)
	}
	order := func(q QuestionInput, texts ...string) *Response {
		r := &Response{Order: []string{}}
		for _, x := range texts {
			for _, it := range q.Items {
				if it.Text == x {
					r.Order = append(r.Order, it.ID)
				}
			}
		}
		return r
	}
	runGrade(t, q, []gradeCase{
		{"exact", order(q, "1", "2", "3", "4", "5"), 1, true, ""},
		{"reversed", order(q, "5", "4", "3", "2", "1"), 0, true, ""},
		{"one moved to the end", order(q, "2", "3", "4", "5", "1"), 0.75, true, ""},
		{"two swapped", order(q, "2", "1", "3", "4", "5"), 0.75, true, ""},
		{"LIS of 3", order(q, "3", "1", "5", "2", "4"), 0.5, true, ""},
		{"not answered", &Response{Order: []string{}}, 0, true, ""},
	})
	p := mustQ(t, QuestionInput{Kind: KindOrdering, Prompt: "Order", Spec: Spec{Scoring: ScorePositions, Items: items()}})
	runGrade(t, p, []gradeCase{
		{"positions exact", order(p, "1", "2", "3", "4", "5"), 1, true, ""},
		{"positions shifted", order(p, "2", "3", "4", "5", "1"), 0, true, ""},
		{"positions swap", order(p, "2", "1", "3", "4", "5"), 0.6, true, ""},
		{"positions reversed keeps middle", order(p, "5", "4", "3", "2", "1"), 0.2, true, ""},
	})
}

func TestGradeCloze(t *testing.T) {
	q := mustQ(t, QuestionInput{Kind: KindCloze, Prompt: "Interpol HQ is in {{1}}, founded {{2}}, colour {{3}}.", Spec: Spec{Blanks: []Blank{
		{Kind: BlankShort, Answers: []Accepted{{Text: "Lyon", Feedback: "Lyon it is"}, {Text: "Lyons", Fraction: num(0.5)}}},
		{Kind: BlankNumeric, Answers: []Accepted{{Value: num(1923), Tolerance: 0}}, Weight: num(2)},
		{Kind: BlankChoice, Options: []Option{{Text: "blue", Correct: true}, {Text: "red"}}},
	}}})
	blue := optID(t, q.Blanks[2].Options, "blue")
	red := optID(t, q.Blanks[2].Options, "red")
	runGrade(t, q, []gradeCase{
		{"all right", &Response{Blanks: []string{"lyon", "1923", blue}}, 1, true, "Lyon it is"},
		{"numeric weighted double", &Response{Blanks: []string{"", "1923", ""}}, 0.5, true, ""},
		{"partial short", &Response{Blanks: []string{"Lyons", "1922", red}}, 0.125, true, ""},
		{"decimal comma", &Response{Blanks: []string{"", "1923,0", ""}}, 0.5, true, ""},
		{"none", &Response{Blanks: []string{"", "", ""}}, 0, true, ""},
	})
}

func TestGradeEssay(t *testing.T) {
	q := mustQ(t, QuestionInput{Kind: KindEssay, Prompt: "Explain."})
	runGrade(t, q, []gradeCase{
		{"waits for a person", &Response{Text: str("Because...")}, 0, false, ""},
		{"empty essay scores 0 at once", &Response{Text: str("  ")}, 0, true, ""},
		{"unanswered", nil, 0, true, ""},
	})
}

func TestCorrectResponseEarnsFullMarks(t *testing.T) {
	qs := []QuestionInput{
		{Kind: KindSingle, Prompt: "p", Spec: Spec{Options: []Option{{Text: "a"}, {Text: "b", Correct: true}}}},
		{Kind: KindMultiple, Prompt: "p", Spec: Spec{Options: []Option{{Text: "a", Correct: true}, {Text: "b", Correct: true}, {Text: "c"}}}},
		{Kind: KindTrueFalse, Prompt: "p", Spec: Spec{Answer: new(bool)}},
		{Kind: KindShort, Prompt: "p", Spec: Spec{Answers: []Accepted{{Text: "x", Fraction: num(0.5)}, {Text: "y"}}}},
		{Kind: KindNumeric, Prompt: "p", Spec: Spec{Answers: []Accepted{{Value: num(3), Tolerance: 1}}}},
		{Kind: KindMatching, Prompt: "p", Spec: Spec{Pairs: []Pair{{Text: "a", Answer: "1"}, {Text: "b", Answer: "2"}}}},
		{Kind: KindOrdering, Prompt: "p", Spec: Spec{Items: []OrderItem{{Text: "a"}, {Text: "b"}, {Text: "c"}}}},
		{Kind: KindCloze, Prompt: "{{1}} {{2}} {{3}}", Spec: Spec{Blanks: []Blank{
			{Kind: BlankShort, Answers: []Accepted{{Text: "x"}}}, {Kind: BlankNumeric, Answers: []Accepted{{Value: num(0.1)}}},
			{Kind: BlankChoice, Options: []Option{{Text: "a"}, {Text: "b", Correct: true}}}}}},
	}
	for _, in := range qs {
		q := mustQ(t, in)
		r := CorrectResponse(q.Kind, &q.Spec)
		if err := r.Check(q.Kind, &q.Spec); err != nil {
			t.Fatalf("%s: correct response has a wrong shape: %v", q.Kind, err)
		}
		if g := Grade(q.Kind, &q.Spec, r); g.Fraction != 1 {
			t.Errorf("%s: correct response scores %v", q.Kind, g.Fraction)
		}
	}
}

func TestResponseShape(t *testing.T) {
	single := mustQ(t, QuestionInput{Kind: KindSingle, Prompt: "p", Spec: Spec{Options: []Option{{Text: "a", Correct: true}, {Text: "b"}}}})
	order := mustQ(t, QuestionInput{Kind: KindOrdering, Prompt: "p", Spec: Spec{Items: []OrderItem{{Text: "a"}, {Text: "b"}}}})
	cloze := mustQ(t, QuestionInput{Kind: KindCloze, Prompt: "{{1}}", Spec: Spec{Blanks: []Blank{{Kind: BlankShort, Answers: []Accepted{{Text: "x"}}}}}})
	num := mustQ(t, QuestionInput{Kind: KindNumeric, Prompt: "p", Spec: Spec{Answers: []Accepted{{Value: num(1)}}, Units: []Unit{{Name: "m", Multiplier: 1}}}})
	cases := []struct {
		name  string
		q     QuestionInput
		r     Response
		field string
	}{
		{"text for single", single, Response{Text: str("a")}, "response.text"},
		{"missing option_ids", single, Response{}, "response.option_ids"},
		{"two options for single", single, Response{OptionIDs: []string{single.Options[0].ID, single.Options[1].ID}}, "response.option_ids"},
		{"unknown option", single, Response{OptionIDs: []string{"nope"}}, "response.option_ids"},
		{"partial order", order, Response{Order: []string{order.Items[0].ID}}, "response.order"},
		{"duplicate order", order, Response{Order: []string{order.Items[0].ID, order.Items[0].ID}}, "response.order"},
		{"blank count", cloze, Response{Blanks: []string{"a", "b"}}, "response.blanks"},
		{"unknown unit", num, Response{Number: func() *float64 { f := 1.0; return &f }(), Unit: str("ft")}, "response.unit"},
	}
	for _, c := range cases {
		err := c.r.Check(c.q.Kind, &c.q.Spec)
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: got %v, want an error on %s", c.name, err, c.field)
		}
	}
}

func TestNormalizeRefusesBadQuestions(t *testing.T) {
	cases := []struct {
		name  string
		in    QuestionInput
		field string
	}{
		{"unknown kind", QuestionInput{Kind: "poll", Prompt: "p"}, "kind"},
		{"no prompt", QuestionInput{Kind: KindEssay}, "prompt"},
		{"zero points", QuestionInput{Kind: KindEssay, Prompt: "p", Points: num(0)}, "points"},
		{"single without correct", QuestionInput{Kind: KindSingle, Prompt: "p", Spec: Spec{Options: []Option{{Text: "a"}, {Text: "b"}}}}, "options"},
		{"one option", QuestionInput{Kind: KindSingle, Prompt: "p", Spec: Spec{Options: []Option{{Text: "a", Correct: true}}}}, "options"},
		{"duplicate options", QuestionInput{Kind: KindSingle, Prompt: "p", Spec: Spec{Options: []Option{{Text: "a", Correct: true}, {Text: "a"}}}}, "options.1.text"},
		{"weights not 100", QuestionInput{Kind: KindMultiple, Prompt: "p", Spec: Spec{Options: []Option{{Text: "a", Fraction: num(0.5)}, {Text: "b", Fraction: num(0.2)}}}}, "options"},
		{"field of another kind", QuestionInput{Kind: KindSingle, Prompt: "p", Spec: Spec{Items: []OrderItem{{Text: "x"}}, Options: []Option{{Text: "a", Correct: true}, {Text: "b"}}}}, "items"},
		{"tf without answer", QuestionInput{Kind: KindTrueFalse, Prompt: "p"}, "answer"},
		{"numeric without value", QuestionInput{Kind: KindNumeric, Prompt: "p", Spec: Spec{Answers: []Accepted{{Tolerance: 1}}}}, "answers.0.value"},
		{"negative tolerance", QuestionInput{Kind: KindNumeric, Prompt: "p", Spec: Spec{Answers: []Accepted{{Value: num(1), Tolerance: -1}}}}, "answers.0.tolerance"},
		{"short no full marks", QuestionInput{Kind: KindShort, Prompt: "p", Spec: Spec{Answers: []Accepted{{Text: "a", Fraction: num(0.5)}}}}, "answers"},
		{"cloze marker missing", QuestionInput{Kind: KindCloze, Prompt: "no marker", Spec: Spec{Blanks: []Blank{{Kind: BlankShort, Answers: []Accepted{{Text: "x"}}}}}}, "prompt"},
		{"cloze extra marker", QuestionInput{Kind: KindCloze, Prompt: "{{1}} {{2}}", Spec: Spec{Blanks: []Blank{{Kind: BlankShort, Answers: []Accepted{{Text: "x"}}}}}}, "prompt"},
		{"matching one pair", QuestionInput{Kind: KindMatching, Prompt: "p", Spec: Spec{Pairs: []Pair{{Text: "a", Answer: "b"}}}}, "pairs"},
		{"unit zero multiplier", QuestionInput{Kind: KindNumeric, Prompt: "p", Spec: Spec{Answers: []Accepted{{Value: num(1)}}, Units: []Unit{{Name: "m"}}}}, "units.0.multiplier"},
	}
	for _, c := range cases {
		f := c.in.Normalize(nil)
		if _, ok := f[c.field]; !ok {
			t.Errorf("%s: errors %v, want one on %s", c.name, f, c.field)
		}
	}
}

func TestNormalizeKeepsIDsOnEdit(t *testing.T) {
	q := mustQ(t, QuestionInput{Kind: KindSingle, Prompt: "p", Spec: Spec{Options: []Option{{Text: "a", Correct: true}, {Text: "b"}}}})
	prev := q.Spec
	edit := QuestionInput{Kind: KindSingle, Prompt: "p2", Spec: Spec{Options: []Option{
		{ID: q.Options[1].ID, Text: "b fixed", Correct: true}, {ID: q.Options[0].ID, Text: "a"}, {ID: "forged", Text: "c"},
	}}}
	if f := edit.Normalize(&prev); len(f) > 0 {
		t.Fatal(f)
	}
	if edit.Options[0].ID != q.Options[1].ID || edit.Options[1].ID != q.Options[0].ID {
		t.Fatalf("ids not kept: %+v", edit.Options)
	}
	if edit.Options[2].ID == "forged" || edit.Options[2].ID == "" {
		t.Fatalf("a new option must get a fresh id, got %q", edit.Options[2].ID)
	}
}

func TestWildcard(t *testing.T) {
	cases := []struct {
		p, s string
		ok   bool
	}{
		{"a*c", "abc", true}, {"a*c", "ac", true}, {"a*c", "abcd", false}, {"*", "", true},
		{"*b*", "aaabaaa", true}, {"a**", "a", true}, {`a\*`, "a*", true}, {`a\*`, "ab", false},
		{"a*b*c", "a-b-b-c", true}, {"a*b*c", "a-c-b", false},
	}
	for _, c := range cases {
		if got := wildcardMatch(c.p, c.s); got != c.ok {
			t.Errorf("%q ~ %q = %v", c.p, c.s, got)
		}
	}
}
