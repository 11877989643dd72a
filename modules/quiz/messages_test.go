package quiz

import (
	"strings"
	"testing"

	"glc/internal/web"
)

// TestGIFTErrorCodes: every parse error carries a code (and its parameters), keeps its line,
// and its English message stays the API's.
func TestGIFTErrorCodes(t *testing.T) {
	cases := []struct {
		src, code string
		params    map[string]string
	}{
		{"No answers here", GIFTNoAnswerBlock, nil},
		{"Unclosed {=a ~b", GIFTBlockUnclosed, nil},
		{"::Title without end {T}", GIFTTitleUnclosed, nil},
		{"Two blocks {=a} and {=b}", GIFTSeveralBlocks, nil},
		{"Open weight {~%50 a =b}", GIFTWeightUnclosed, nil},
		{"Bad weight {~%abc%a =b}", GIFTWeightRange, map[string]string{"Weight": "abc"}},
		{"Bad number {#abc}", GIFTNotANumber, map[string]string{"Value": "abc"}},
		{"Bad tf {maybe}", GIFTBadAnswers, nil},
		{"Text before {junk =a ~b}", GIFTTextBeforeAnswers, map[string]string{"Text": "junk"}},
		{"Match {=a -> 1 =b}", GIFTMatchingArrow, map[string]string{"Text": "b"}},
		{"Numeric lead {#x =1}", GIFTTextBeforeNumeric, map[string]string{"Text": "x"}},
		{"Numeric mark {#=1 ~2}", GIFTNumericMark, nil},
		{"Negative tolerance {#1:-2}", GIFTNegativeTolerance, nil},
	}
	for _, c := range cases {
		_, errs := ParseGIFT("// comment\n\n" + c.src)
		if len(errs) != 1 || errs[0].Code != c.code || errs[0].Line != 3 || errs[0].Msg == "" {
			t.Errorf("%q: %+v, want code %s on line 3", c.src, errs, c.code)
			continue
		}
		for k, v := range c.params {
			if errs[0].Params[k] != v {
				t.Errorf("%q: params %v, want %s=%q", c.src, errs[0].Params, k, v)
			}
		}
	}
	// Questions that parse but are not valid are reported on their line, with the field.
	_, err := checkGIFT("::A:: ok {T}\n\n\n::B:: no right option {~a ~b}\n", "gift")
	ge, ok := err.(*GIFTErrors)
	if !ok || len(ge.Errs) == 0 || ge.Errs[0].Line != 4 || ge.Errs[0].Code != GIFTInvalidQuestion || ge.Errs[0].Params["Field"] != "options" {
		t.Fatalf("invalid question: %#v", err)
	}
	if _, err := checkGIFT("// nothing\n", "gift"); err == nil || err.(*GIFTErrors).Errs[0].Code != GIFTNoQuestions {
		t.Errorf("empty text: %v", err)
	}
}

// TestMessagesTranslated: every GIFT error code, field family and choice the pages show has a
// message in the four languages, and the translated messages keep the line number.
func TestMessagesTranslated(t *testing.T) {
	cat, err := web.NewCatalogue(assets)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"quiz.gift.line", "quiz.field.kind_fixed", "quiz.field.cloze_prompt", "quiz.field.unused", "quiz.field.other"}
	for _, c := range []string{GIFTTitleUnclosed, GIFTNoAnswerBlock, GIFTBlockUnclosed, GIFTSeveralBlocks, GIFTWeightUnclosed, GIFTWeightRange,
		GIFTTextBeforeAnswers, GIFTMatchingArrow, GIFTBadAnswers, GIFTTextBeforeNumeric, GIFTNumericMark, GIFTNotANumber, GIFTNegativeTolerance,
		GIFTNoQuestions, GIFTTooManyQuestions} {
		ids = append(ids, "quiz.gift.error."+c)
	}
	for f := range fieldFamilies {
		ids = append(ids, "quiz.field."+f)
	}
	for _, k := range Kinds {
		ids = append(ids, "quiz.qform.json_hint."+k, "quiz.kind."+k)
	}
	for _, x := range []string{"single", "multiple"} {
		ids = append(ids, "quiz.qform.options_hint."+x)
	}
	for _, x := range []string{"short", "numeric"} {
		ids = append(ids, "quiz.qform.answers_hint."+x)
	}
	for _, x := range []string{ScoreProportional, ScoreAllOrNothing} {
		ids = append(ids, "quiz.scoring."+x)
	}
	for _, x := range []string{GradeHighest, GradeLast, GradeFirst, GradeAverage} {
		ids = append(ids, "quiz.settings.method."+x)
	}
	for _, x := range []string{ReviewImmediately, ReviewAfterClose, ReviewNever} {
		ids = append(ids, "quiz.settings.review_when."+x)
	}
	for _, x := range []string{NavFree, NavSequential} {
		ids = append(ids, "quiz.settings.navigation."+x)
	}
	for _, x := range []string{FormatGIFT, FormatJSON} {
		ids = append(ids, "quiz.bank.format."+x)
	}
	for _, lang := range []string{"en", "fr", "es", "ar"} {
		for _, id := range ids {
			if m := cat.T(lang, id, map[string]any{"N": 2, "Field": "f", "Marker": "{{1}}", "Line": 7, "Message": "m"}); strings.HasPrefix(m, "[") {
				t.Errorf("%s: %s has no message", lang, id)
			}
		}
		_, errs := ParseGIFT("\n\nBroken {=a ~b")
		tr := func(id string, args ...any) string { return cat.T(lang, id, args...) }
		msgs := giftMessages(tr, errs)
		en := giftMessages(func(id string, args ...any) string { return cat.T("en", id, args...) }, errs)
		if len(msgs) != 1 || !strings.Contains(msgs[0], "3") || lang != "en" && msgs[0] == en[0] {
			t.Errorf("%s: %v (English %v)", lang, msgs, en)
		}
	}
	// The cloze hint writes its markers literally.
	if m := cat.T("en", "quiz.qform.json_hint.cloze"); !strings.Contains(m, "{{1}}") {
		t.Errorf("cloze hint: %s", m)
	}
}
