package quiz

import (
	"sort"
	"strconv"
	"strings"
)

// The service's field errors are in English (the API's messages). Pages say them in the
// reader's language: each field family (a key with its indexes left out, "options.text" for
// "options.3.text") has a message in the catalogue, "quiz.field.<family>", that states the
// rule; its template data are N (the 1-based row) and Field (the key).

// fieldFamilies are the families with a message of their own.
var fieldFamilies = map[string]bool{
	"kind": true, "prompt": true, "title": true, "general_feedback": true, "category": true, "category_id": true,
	"points": true, "options": true, "options.text": true, "options.feedback": true, "options.fraction": true,
	"scoring": true, "answer": true, "answers": true, "answers.text": true, "answers.value": true,
	"answers.tolerance": true, "answers.fraction": true, "answers.feedback": true, "answers.tolerance_kind": true,
	"units.name": true, "units.multiplier": true, "units_required": true, "grader_info": true,
}

// rowMap turns the index of a kept list entry into the row number the form showed (1-based);
// nil counts from 1.
type rowMap func(list string, i int) int

// fieldMessage says the field error key (of a question of kind) in the reader's language; msg
// is the service's English message (only its "is not used" form is recognised).
func fieldMessage(tr func(id string, args ...any) string, key, kind, msg string, rows rowMap) string {
	parts := strings.Split(key, ".")
	var fam []string
	n, list := 0, ""
	for _, p := range parts {
		if i, err := strconv.Atoi(p); err == nil {
			if n == 0 {
				n = i + 1
				if rows != nil {
					n = rows(list, i)
				}
			}
			continue
		}
		if list == "" {
			list = p
		}
		fam = append(fam, p)
	}
	family := strings.Join(fam, ".")
	switch {
	case strings.HasPrefix(msg, "is not used") || strings.HasPrefix(msg, "are used by"):
		return tr("quiz.field.unused", "Field", key)
	case family == "prompt" && kind == KindCloze:
		return tr("quiz.field.cloze_prompt", "Marker", "{{1}}")
	case fieldFamilies[family]:
		return tr("quiz.field."+family, "N", n, "Field", key)
	}
	return tr("quiz.field.other", "Field", key)
}

// fieldMessages says every field error, sorted by key.
func fieldMessages(tr func(id string, args ...any) string, fields map[string]string, kind string, rows rowMap) []string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	seen := map[string]bool{}
	for _, k := range keys {
		m := fieldMessage(tr, k, kind, fields[k], rows)
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}

// giftMessages says the problems of a GIFT text, each with its line.
func giftMessages(tr func(id string, args ...any) string, errs []GIFTError) []string {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		var m string
		if e.Code == GIFTInvalidQuestion {
			m = fieldMessage(tr, e.Params["Field"], e.Params["Kind"], strings.TrimPrefix(e.Msg, e.Params["Field"]+" "), nil)
		} else {
			data := map[string]any{}
			for k, v := range e.Params {
				data[k] = v
			}
			m = tr("quiz.gift.error."+e.Code, data)
		}
		if e.Line > 0 {
			m = tr("quiz.gift.line", "Line", e.Line, "Message", m)
		}
		out = append(out, m)
	}
	return out
}
