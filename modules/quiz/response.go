package quiz

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"glc/internal/apperr"
)

// Response is a learner's answer to one question. Which field is used depends on the kind:
// option_ids (single, multiple, true_false), text (short, essay), number and unit (numeric),
// pairs (matching: prompt id -> choice id), order (ordering: item ids), blanks (cloze: one
// string per blank; a choice blank takes an option id).
type Response struct {
	OptionIDs []string          `json:"option_ids,omitempty"`
	Text      *string           `json:"text,omitempty"`
	Number    *float64          `json:"number,omitempty"`
	Unit      *string           `json:"unit,omitempty"`
	Pairs     map[string]string `json:"pairs,omitempty"`
	Order     []string          `json:"order,omitempty"`
	Blanks    []string          `json:"blanks,omitempty"`
}

// Limits on responses.
const (
	maxShortResponse = 1000
	maxEssayResponse = 100000
)

// Check validates the response's shape against the question: the right field for the kind,
// known identifiers, sizes. A wrong shape is a 422 with fields under "response".
func (r *Response) Check(kind string, s *Spec) error {
	f := apperr.Fields{}
	has := map[string]bool{"option_ids": r.OptionIDs != nil, "text": r.Text != nil, "number": r.Number != nil,
		"unit": r.Unit != nil, "pairs": r.Pairs != nil, "order": r.Order != nil, "blanks": r.Blanks != nil}
	want := map[string][]string{
		KindSingle: {"option_ids"}, KindMultiple: {"option_ids"}, KindTrueFalse: {"option_ids"},
		KindShort: {"text"}, KindEssay: {"text"}, KindNumeric: {"number", "unit"},
		KindMatching: {"pairs"}, KindOrdering: {"order"}, KindCloze: {"blanks"},
	}[kind]
	for name, present := range has {
		if present && !contains(want, name) {
			f.Add("response."+name, "is not used by questions of kind "+kind)
		}
	}
	if !has[want[0]] {
		f.Add("response."+want[0], "is required for questions of kind "+kind)
	}
	if len(f) > 0 {
		return f.Err()
	}
	switch kind {
	case KindSingle, KindTrueFalse, KindMultiple:
		f.Check(kind != KindMultiple && len(r.OptionIDs) > 1, "response.option_ids", "takes at most one option")
		known := map[string]bool{}
		for _, o := range s.Options {
			known[o.ID] = true
		}
		seen := map[string]bool{}
		for _, id := range r.OptionIDs {
			f.Check(!known[id], "response.option_ids", "holds an unknown option")
			f.Check(seen[id], "response.option_ids", "holds an option twice")
			seen[id] = true
		}
	case KindShort:
		f.Check(utf8.RuneCountInString(*r.Text) > maxShortResponse, "response.text", fmt.Sprintf("must be at most %d characters", maxShortResponse))
	case KindEssay:
		f.Check(utf8.RuneCountInString(*r.Text) > maxEssayResponse, "response.text", fmt.Sprintf("must be at most %d characters", maxEssayResponse))
	case KindNumeric:
		f.Check(!finite(*r.Number), "response.number", "must be a finite number")
		if r.Unit != nil && *r.Unit != "" {
			ok := false
			for _, u := range s.Units {
				ok = ok || u.Name == *r.Unit
			}
			f.Check(!ok, "response.unit", "is not one of the question's units")
		}
	case KindMatching:
		known := map[string]bool{}
		for _, c := range s.Choices {
			known[c.ID] = true
		}
		left := map[string]bool{}
		for _, p := range s.Pairs {
			left[p.ID] = true
		}
		for k, v := range r.Pairs {
			f.Check(!left[k], "response.pairs", "holds an unknown prompt")
			f.Check(v != "" && !known[v], "response.pairs", "holds an unknown answer")
		}
	case KindOrdering:
		if len(r.Order) > 0 {
			known := map[string]bool{}
			for _, it := range s.Items {
				known[it.ID] = true
			}
			seen := map[string]bool{}
			for _, id := range r.Order {
				f.Check(!known[id] || seen[id], "response.order", "must list every item once")
				seen[id] = true
			}
			f.Check(len(r.Order) != len(s.Items), "response.order", "must list every item once")
		}
	case KindCloze:
		f.Check(len(r.Blanks) != len(s.Blanks), "response.blanks", fmt.Sprintf("must hold %d answers", len(s.Blanks)))
		for i, v := range r.Blanks {
			f.Check(utf8.RuneCountInString(v) > maxShortResponse, "response.blanks", "holds an answer that is too long")
			if i < len(s.Blanks) && s.Blanks[i].Kind == BlankChoice && v != "" {
				ok := false
				for _, o := range s.Blanks[i].Options {
					ok = ok || o.ID == v
				}
				f.Check(!ok, "response.blanks", "holds an unknown option")
			}
		}
	}
	return f.Err()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ParseNumber reads a number typed by a person: surrounding spaces, a decimal comma, and
// spaces or thin spaces between digit groups are accepted.
func ParseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "").Replace(s)
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !finite(v) {
		return 0, false
	}
	return v, true
}
