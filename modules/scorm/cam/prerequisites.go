package cam

import (
	"strconv"
	"strings"
	"unicode"
)

// EvalPrerequisites evaluates a SCORM 1.2 adlcp:prerequisites expression (AICC script):
// item identifiers (true when the item is passed or completed), comparisons
// (id = "failed", id <> "passed", with full or one-letter statuses), ~ (not), & (and), | (or),
// parentheses, and sets {a,b,c} (all of them) or N*{a,b,c} (at least N). status returns an
// item's lesson status. An expression that cannot be parsed does not lock the item.
func EvalPrerequisites(expr string, status func(id string) string) bool {
	p := &prereqParser{toks: tokenize(expr), status: status}
	if len(p.toks) == 0 {
		return true
	}
	v, ok := p.or()
	if !ok || p.pos != len(p.toks) {
		return true
	}
	return v
}

type prereqParser struct {
	toks   []string
	pos    int
	status func(string) string
	depth  int
}

func (p *prereqParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *prereqParser) next() string { t := p.peek(); p.pos++; return t }

func (p *prereqParser) or() (bool, bool) {
	v, ok := p.and()
	for ok && p.peek() == "|" {
		p.next()
		var r bool
		r, ok = p.and()
		v = v || r
	}
	return v, ok
}

func (p *prereqParser) and() (bool, bool) {
	v, ok := p.unary()
	for ok && p.peek() == "&" {
		p.next()
		var r bool
		r, ok = p.unary()
		v = v && r
	}
	return v, ok
}

func (p *prereqParser) unary() (bool, bool) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 100 {
		return false, false
	}
	switch t := p.peek(); {
	case t == "~":
		p.next()
		v, ok := p.unary()
		return !v, ok
	case t == "(":
		p.next()
		v, ok := p.or()
		if !ok || p.next() != ")" {
			return false, false
		}
		return v, true
	case t == "{":
		return p.set(-1)
	case isNumber(t) && p.pos+1 < len(p.toks) && p.toks[p.pos+1] == "*":
		n, _ := strconv.Atoi(t)
		p.pos += 2
		return p.set(n)
	case isIdent(t):
		p.next()
		st := p.status(t)
		if op := p.peek(); op == "=" || op == "<>" {
			p.next()
			want := statusName(strings.Trim(p.next(), `"`))
			if want == "" {
				return false, false
			}
			return (st == want) == (op == "="), true
		}
		return st == "passed" || st == "completed", true
	}
	return false, false
}

// set evaluates {a,b,...}: all members true (n < 0) or at least n of them.
func (p *prereqParser) set(n int) (bool, bool) {
	if p.next() != "{" {
		return false, false
	}
	count, total := 0, 0
	for {
		v, ok := p.or()
		if !ok {
			return false, false
		}
		total++
		if v {
			count++
		}
		switch p.next() {
		case ",":
			continue
		case "}":
			if n < 0 {
				return count == total, true
			}
			return count >= n, true
		default:
			return false, false
		}
	}
}

func statusName(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "passed", "p":
		return "passed"
	case "completed", "c":
		return "completed"
	case "failed", "f":
		return "failed"
	case "incomplete", "i":
		return "incomplete"
	case "browsed", "b":
		return "browsed"
	case "not attempted", "n":
		return "not attempted"
	}
	return ""
}

func tokenize(s string) []string {
	var out []string
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '<' && i+1 < len(rs) && rs[i+1] == '>':
			out = append(out, "<>")
			i += 2
		case strings.ContainsRune("&|~(){},=*", r):
			out = append(out, string(r))
			i++
		case r == '"':
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			out = append(out, string(rs[i:min(j+1, len(rs))]))
			i = j + 1
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && !strings.ContainsRune("&|~(){},=*<>\"", rs[j]) {
				j++
			}
			if j == i { // a lone "<" or ">": keep it so the parse fails
				j++
			}
			out = append(out, string(rs[i:j]))
			i = j
		}
	}
	return out
}

func isNumber(t string) bool {
	_, err := strconv.Atoi(t)
	return err == nil && t != ""
}

func isIdent(t string) bool {
	if t == "" || strings.ContainsAny(t, "&|~(){},=*<>\"") {
		return false
	}
	return true
}
