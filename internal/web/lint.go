package web

import (
	"html/template"
	"regexp"
	"strings"
	"text/template/parse"
	"unicode"
)

var (
	tagRe     = regexp.MustCompile(`(?s)<[^>]*>`)
	attrRe    = regexp.MustCompile(`(?i)\b(title|alt|placeholder|aria-label|aria-description|value)\s*=\s*"([^"{]*)"`)
	entityRe  = regexp.MustCompile(`&[a-zA-Z0-9#]+;`)
	scriptRe  = regexp.MustCompile(`(?is)<(script|style)\b[^>]*>.*?</(script|style)>`)
	commentRe = regexp.MustCompile(`(?s)<!--.*?-->`)
	// hiddenValueRe finds the inputs whose value is not shown to the user.
	hiddenValueRe = regexp.MustCompile(`(?i)^<input\b[^>]*\btype\s*=\s*"(radio|checkbox|hidden)"`)
)

// LiteralText returns the user-visible literal strings found in the templates' text: words
// between tags and in title/alt/placeholder/aria-label/value attributes. Every such string
// must come from the message catalogue instead.
func LiteralText(t *template.Template) []string {
	var out []string
	for _, tt := range t.Templates() {
		if tt.Tree == nil || tt.Tree.Root == nil {
			continue
		}
		var text strings.Builder
		walk(tt.Tree.Root, &text)
		out = append(out, literals(text.String())...)
	}
	return out
}

func walk(n parse.Node, b *strings.Builder) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, b)
		}
	case *parse.TextNode:
		b.Write(n.Text)
	case *parse.ActionNode, *parse.TemplateNode:
		b.WriteString("\x00") // an action breaks literal text
	case *parse.IfNode:
		walk(n.List, b)
		walk(n.ElseList, b)
	case *parse.RangeNode:
		walk(n.List, b)
		walk(n.ElseList, b)
	case *parse.WithNode:
		walk(n.List, b)
		walk(n.ElseList, b)
	}
}

func literals(s string) []string {
	var out []string
	s = scriptRe.ReplaceAllString(s, " ")
	s = commentRe.ReplaceAllString(s, " ")
	for _, tag := range tagRe.FindAllString(s, -1) {
		// The value of a radio button, a check box or a hidden field is sent, never shown.
		unseen := hiddenValueRe.MatchString(tag)
		for _, m := range attrRe.FindAllStringSubmatch(tag, -1) {
			if hasWord(m[2]) && !(unseen && strings.EqualFold(m[1], "value")) {
				out = append(out, m[1]+`="`+m[2]+`"`)
			}
		}
	}
	for _, part := range strings.Split(tagRe.ReplaceAllString(s, "\x00"), "\x00") {
		part = strings.TrimSpace(entityRe.ReplaceAllString(part, " "))
		if hasWord(part) {
			out = append(out, part)
		}
	}
	return out
}

// hasWord reports whether s has two letters in a row (so "·", "|", "1" or "x" pass).
func hasWord(s string) bool {
	prev := false
	for _, r := range s {
		l := unicode.IsLetter(r)
		if l && prev {
			return true
		}
		prev = l
	}
	return false
}

// CheckPages returns "page: literal" for every literal string in every page.
func (r *Renderer) CheckPages() []string {
	var out []string
	for name, t := range r.pages {
		for _, l := range LiteralText(t) {
			out = append(out, name+": "+l)
		}
	}
	return out
}
