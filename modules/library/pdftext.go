package library

import (
	"context"
	"io"
	"strings"
	"unicode"

	"github.com/ledongthuc/pdf"
)

const (
	// maxPDFForText: larger PDFs are not read for their text.
	maxPDFForText = 32 << 20
	// maxIndexedText bounds the text kept for the search index (PostgreSQL's tsvector holds
	// at most 1 MiB).
	maxIndexedText = 200 << 10
)

// pdfText extracts the plain text of a stored PDF for the search index, with
// github.com/ledongthuc/pdf reading the object through its ReaderAt (ranged reads on S3).
// Failures (and the library's panics on malformed files) only mean no text is indexed.
func (s *Service) pdfText(ctx context.Context, key string, size int64) (text string) {
	if size <= 0 || size > maxPDFForText {
		return ""
	}
	obj, err := s.objects.Get(ctx, key)
	if err != nil {
		return ""
	}
	defer obj.Close()
	ra, ok := obj.(io.ReaderAt)
	if !ok {
		return ""
	}
	defer func() {
		if r := recover(); r != nil {
			s.log.Warn("library: pdf text extraction failed", "key", key, "panic", r)
			text = ""
		}
	}()
	rd, err := pdf.NewReader(ra, size)
	if err != nil {
		return ""
	}
	plain, err := rd.GetPlainText()
	if err != nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(plain, maxIndexedText))
	return cleanText(string(b))
}

// cleanText keeps valid printable text with single spaces.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, " ")
	s = strings.Map(func(r rune) rune {
		if r == 0 || (unicode.IsControl(r) && !unicode.IsSpace(r)) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
