package library

import (
	"bytes"
	"fmt"
	"strings"
)

// MakePDF writes a small, valid PDF 1.4 document: a title and paragraphs of text set in
// Helvetica on A4 pages, word-wrapped. It serves the demo content and the tests (a real PDF
// whose text the search index extracts). Characters outside Latin-1 become "?".
func MakePDF(title string, paragraphs []string) []byte {
	const perPage = 52
	lines := []string{}
	for _, p := range paragraphs {
		lines = append(lines, wrap(p, 92)...)
		lines = append(lines, "")
	}
	var pages [][]string
	for len(lines) > 0 || len(pages) == 0 {
		n := min(perPage, len(lines))
		pages = append(pages, lines[:n])
		lines = lines[n:]
	}
	var objs []string
	add := func(s string) int { objs = append(objs, s); return len(objs) }
	add("<< /Type /Catalog /Pages 2 0 R >>")
	add("") // pages, filled in below
	font := add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	bold := add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
	info := add(fmt.Sprintf("<< /Title %s /Producer (GLC) >>", pdfString(title)))
	var kids []string
	for i, pg := range pages {
		var cs bytes.Buffer
		y := 790
		if i == 0 {
			fmt.Fprintf(&cs, "BT /F2 18 Tf 56 %d Td %s Tj ET\n", y, pdfString(title))
			y -= 34
		}
		fmt.Fprintf(&cs, "BT /F1 11 Tf 14 TL 56 %d Td\n", y)
		for _, l := range pg {
			fmt.Fprintf(&cs, "%s Tj T*\n", pdfString(l))
		}
		cs.WriteString("ET\n")
		content := add(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", cs.Len(), cs.String()))
		page := add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>", content, font, bold))
		kids = append(kids, fmt.Sprintf("%d 0 R", page))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, info, xref)
	return b.Bytes()
}

// pdfString encodes s as a PDF literal string in WinAnsi (Latin-1) bytes.
func pdfString(s string) string {
	var b strings.Builder
	b.WriteByte('(')
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 32 && r < 127:
			b.WriteRune(r)
		case r >= 160 && r < 256:
			fmt.Fprintf(&b, "\\%03o", r)
		case r == '\u2019':
			b.WriteByte('\'')
		case r == '\u2013' || r == '\u2014':
			b.WriteByte('-')
		default:
			b.WriteByte('?')
		}
	}
	b.WriteByte(')')
	return b.String()
}

// wrap breaks a paragraph into lines of at most width characters.
func wrap(p string, width int) []string {
	var out []string
	line := ""
	for _, w := range strings.Fields(p) {
		if line != "" && len(line)+1+len(w) > width {
			out = append(out, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}
