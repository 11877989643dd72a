package library

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"
)

func TestMakePDFIsReadable(t *testing.T) {
	long := strings.Repeat("Community policing and cross-border cooperation (part two). ", 120)
	b := MakePDF("Journal issue 3 — spring", []string{"Editorial: zanzibarite tactics", long})
	if got := http.DetectContentType(b); got != "application/pdf" {
		t.Fatalf("sniffed %q", got)
	}
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if r.NumPage() < 2 {
		t.Errorf("pages = %d, want the long text on several pages", r.NumPage())
	}
	plain, err := r.GetPlainText()
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(plain)
	for _, want := range []string{"zanzibarite", "Journal issue 3", "cross-border cooperation"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("extracted text lacks %q: %.200s", want, text)
		}
	}
}
