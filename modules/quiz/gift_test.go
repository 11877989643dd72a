package quiz

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const sampleGIFT = `// Moodle-style GIFT sample: every kind GIFT supports.
$CATEGORY: $course$/top/Cybercrime/Basics

::Q1 capital::What is the capital of France? {
	=Paris#Correct!
	~Lyon#No, that is Interpol's city.
	~%50%Paris, France#Half marks
}

::TF::The sun rises in the east.{T#Look again#Well done}

// a multiple-choice with weights
::Multi:: Which are primary colours? {
	~%50%Red
	~%50%Blue
	~%-100%Green#Green is secondary in paint
####Red, blue and yellow.
}

::Short::Who wrote "Hamlet"? {=Shakespeare =%50%William* #Good enough}

::Num range::Pick a number from 1 to 5 {#1..5}

::Num tol::What is pi to two decimals? {#3.14:0.005}

::Num multi::When was Ulysses S. Grant born? {#
	=1822:0#Exactly
	=%50%1822:2#Close
}

::Match::Match the countries and capitals. {
	=Canada -> Ottawa
	=Italy -> Rome
	=Japan -> Tokyo
	= -> Lima
}

::Essay::Describe a crime scene you know. {}

::Blank::Interpol's headquarters is in {=Lyon ~Paris ~Geneva} in France.

::Blank short::The capital of Kenya is {=Nairobi} today.

$CATEGORY: Escapes

::Esc\: colon::Type 2\=2 and \{braces\} \~ \# ok\nsecond line {=a\=b#fb \# hash}

::Essay2::[html]Write <b>something</b>. {####General feedback here}
`

func TestParseGIFTSample(t *testing.T) {
	qs, errs := ParseGIFT(sampleGIFT)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	byTitle := map[string]QuestionInput{}
	for _, q := range qs {
		if f := q.Normalize(nil); len(f) > 0 {
			t.Fatalf("%q invalid after parse: %v", q.Title, f)
		}
		byTitle[q.Title] = q
	}
	if len(qs) != 13 {
		t.Fatalf("parsed %d questions", len(qs))
	}
	q := byTitle["Q1 capital"]
	if q.Kind != KindSingle || q.Category != "Cybercrime/Basics" || len(q.Options) != 3 || !q.Options[0].Correct ||
		q.Options[1].Feedback != "No, that is Interpol's city." || *q.Options[2].Fraction != 0.5 {
		t.Errorf("Q1: %+v", q)
	}
	tf := byTitle["TF"]
	if tf.Kind != KindTrueFalse || !*tf.Answer || tf.TrueFeedback != "Well done" || tf.FalseFeedback != "Look again" {
		t.Errorf("TF: %+v", tf)
	}
	m := byTitle["Multi"]
	if m.Kind != KindMultiple || m.Scoring != ScoreWeighted || *m.Options[2].Fraction != -1 || m.GeneralFeedback != "Red, blue and yellow." {
		t.Errorf("Multi: %+v", m)
	}
	s := byTitle["Short"]
	if s.Kind != KindShort || len(s.Answers) != 2 || s.Answers[1].Text != "William*" || *s.Answers[1].Fraction != 0.5 || s.Answers[1].Feedback != "Good enough" {
		t.Errorf("Short: %+v", s)
	}
	r := byTitle["Num range"]
	if r.Kind != KindNumeric || *r.Answers[0].Value != 3 || r.Answers[0].Tolerance != 2 {
		t.Errorf("Num range: %+v", r.Answers)
	}
	nt := byTitle["Num tol"]
	if *nt.Answers[0].Value != 3.14 || nt.Answers[0].Tolerance != 0.005 {
		t.Errorf("Num tol: %+v", nt.Answers)
	}
	nm := byTitle["Num multi"]
	if len(nm.Answers) != 2 || *nm.Answers[1].Fraction != 0.5 || nm.Answers[1].Tolerance != 2 || nm.Answers[0].Feedback != "Exactly" {
		t.Errorf("Num multi: %+v", nm.Answers)
	}
	mt := byTitle["Match"]
	if mt.Kind != KindMatching || len(mt.Pairs) != 3 || mt.Pairs[1].Answer != "Rome" || len(mt.Distractors) != 1 || len(mt.Choices) != 4 {
		t.Errorf("Match: %+v", mt)
	}
	if byTitle["Essay"].Kind != KindEssay {
		t.Errorf("Essay kind %s", byTitle["Essay"].Kind)
	}
	b := byTitle["Blank"]
	if b.Kind != KindCloze || b.Prompt != "Interpol's headquarters is in {{1}} in France." || b.Blanks[0].Kind != BlankChoice || len(b.Blanks[0].Options) != 3 {
		t.Errorf("Blank: %+v", b)
	}
	bs := byTitle["Blank short"]
	if bs.Kind != KindCloze || bs.Blanks[0].Kind != BlankShort || bs.Blanks[0].Answers[0].Text != "Nairobi" {
		t.Errorf("Blank short: %+v", bs)
	}
	e := byTitle["Esc: colon"]
	if e.Category != "Escapes" || e.Prompt != "Type 2=2 and {braces} ~ # ok\nsecond line" || e.Answers[0].Text != "a=b" || e.Answers[0].Feedback != "fb # hash" {
		t.Errorf("escapes: %q %+v", e.Prompt, e.Answers)
	}
	e2 := byTitle["Essay2"]
	if e2.Prompt != "Write <b>something</b>." || e2.GeneralFeedback != "General feedback here" {
		t.Errorf("format marker / general feedback: %+v", e2)
	}
}

func TestParseGIFTErrors(t *testing.T) {
	cases := []string{
		"No answers here",
		"Unclosed {=a ~b",
		"::Title without end {T}",
		"Two blocks {=a} and {=b}",
		"Bad weight {~%abc%a =b}",
		"Bad number {#abc}",
		"Bad tf {maybe}",
		"Text before {junk =a ~b}",
	}
	for _, c := range cases {
		qs, errs := ParseGIFT(c)
		if len(errs) != 1 || len(qs) != 0 {
			t.Errorf("%q: got %d questions, errors %v", c, len(qs), errs)
		}
	}
	// Errors carry the line of the question; good questions around them still parse.
	qs, errs := ParseGIFT("Good {T}\n\n// c\n\nBad {maybe}\n\nGood2 {F}\n")
	if len(qs) != 2 || len(errs) != 1 || errs[0].Line != 5 {
		t.Fatalf("qs %d errs %v", len(qs), errs)
	}
}

// canonical strips what a GIFT round trip does not keep (generated ids, derived fields).
func canonical(q QuestionInput) QuestionInput {
	raw, _ := json.Marshal(q)
	var c QuestionInput
	_ = json.Unmarshal(raw, &c)
	c.Points = nil
	for i := range c.Options {
		c.Options[i].ID = ""
	}
	for i := range c.Pairs {
		c.Pairs[i].ID, c.Pairs[i].AnswerID = "", ""
	}
	c.Choices = nil
	for i := range c.Blanks {
		for j := range c.Blanks[i].Options {
			c.Blanks[i].Options[j].ID = ""
		}
	}
	return c
}

func TestGIFTRoundTrip(t *testing.T) {
	qs, errs := ParseGIFT(sampleGIFT)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for i := range qs {
		qs[i].Normalize(nil)
	}
	text := WriteGIFT(qs)
	again, errs := ParseGIFT(text)
	if len(errs) > 0 {
		t.Fatalf("written GIFT does not parse: %v\n%s", errs, text)
	}
	if len(again) != len(qs) {
		t.Fatalf("round trip kept %d of %d questions:\n%s", len(again), len(qs), text)
	}
	for i := range again {
		again[i].Normalize(nil)
		a, b := canonical(qs[i]), canonical(again[i])
		if !reflect.DeepEqual(a, b) {
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			t.Errorf("question %d changed:\n%s\n%s", i, ja, jb)
		}
	}
}

func TestWriteGIFTEveryKind(t *testing.T) {
	in := []QuestionInput{
		{Kind: KindSingle, Title: "s", Prompt: "// starts like a comment", Spec: Spec{Options: []Option{{Text: "%50 off", Correct: true}, {Text: "b"}}}},
		{Kind: KindMultiple, Prompt: "[html] literal", Spec: Spec{Scoring: ScoreProportional, Options: []Option{{Text: "a", Correct: true}, {Text: "b", Correct: true}, {Text: "c"}}}},
		{Kind: KindTrueFalse, Prompt: "tf", Spec: Spec{Answer: new(bool), TrueFeedback: "no"}},
		{Kind: KindNumeric, Prompt: "n", Spec: Spec{Answers: []Accepted{{Value: num(-2.5e-7), Tolerance: 1e-8}}}},
		{Kind: KindNumeric, Prompt: "rel", Spec: Spec{Answers: []Accepted{{Value: num(200), Tolerance: 0.1, ToleranceKind: TolRelative}}}},
		{Kind: KindOrdering, Title: "ord", Prompt: "o", Spec: Spec{Items: []OrderItem{{Text: "a"}, {Text: "b"}}}},
		{Kind: KindCloze, Prompt: "{{1}} and {{2}}", Spec: Spec{Blanks: []Blank{{Kind: BlankShort, Answers: []Accepted{{Text: "x"}}}, {Kind: BlankShort, Answers: []Accepted{{Text: "y"}}}}}},
	}
	for i := range in {
		if f := in[i].Normalize(nil); len(f) > 0 {
			t.Fatal(f)
		}
	}
	text := WriteGIFT(in)
	qs, errs := ParseGIFT(text)
	if len(errs) > 0 {
		t.Fatalf("%v\n%s", errs, text)
	}
	if len(qs) != 5 || strings.Count(text, "// GLC: question") != 2 {
		t.Fatalf("want 5 questions and 2 skipped, got %d:\n%s", len(qs), text)
	}
	if qs[0].Prompt != "// starts like a comment" || qs[0].Options[0].Text != "%50 off" {
		t.Errorf("protected prompt/answer: %q %q", qs[0].Prompt, qs[0].Options[0].Text)
	}
	if qs[1].Prompt != "[html] literal" || qs[1].Kind != KindMultiple {
		t.Errorf("format-like prompt: %+v", qs[1])
	}
	qs[1].Normalize(nil)
	a, b, c := qs[1].Options[0].ID, qs[1].Options[1].ID, qs[1].Options[2].ID
	for _, r := range []struct {
		ids  []string
		want float64
	}{{[]string{a, b}, 1}, {[]string{a}, 0.5}, {[]string{a, c}, 0}} {
		if g := Grade(KindMultiple, &qs[1].Spec, &Response{OptionIDs: r.ids}); math.Abs(g.Fraction-r.want) > 1e-9 {
			t.Errorf("proportional written as weights grades %v, want %v", g.Fraction, r.want)
		}
	}
	if *qs[3].Answers[0].Value != -2.5e-7 {
		t.Errorf("number %v", *qs[3].Answers[0].Value)
	}
	if qs[4].Answers[0].Tolerance != 20 {
		t.Errorf("relative tolerance written as absolute: %v", qs[4].Answers[0].Tolerance)
	}
}

// FuzzParseGIFT checks that the parser never panics and that what it reads, once written
// back, reads the same: WriteGIFT(ParseGIFT(x)) is a fixed point.
func FuzzParseGIFT(f *testing.F) {
	f.Add(sampleGIFT)
	seeds, _ := filepath.Glob("testdata/*.gift")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err == nil {
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		qs, _ := ParseGIFT(src)
		var valid []QuestionInput
		for _, q := range qs {
			if len(q.Normalize(nil)) == 0 {
				valid = append(valid, q)
			}
		}
		t1 := WriteGIFT(valid)
		again, errs := ParseGIFT(t1)
		if len(errs) > 0 {
			t.Fatalf("written GIFT does not parse: %v\n%s", errs, t1)
		}
		for i := range again {
			if f := again[i].Normalize(nil); len(f) > 0 {
				t.Fatalf("written question %d no longer valid: %v\n%s", i, f, t1)
			}
		}
		if t2 := WriteGIFT(again); t2 != t1 {
			t.Fatalf("not a fixed point:\n--- first\n%s\n--- second\n%s", t1, t2)
		}
	})
}
