package progress

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

var sampleLabels = map[string]CertificateLabels{
	"en": {Org: "Global Learning Centre", Title: "Certificate of Completion", Certifies: "This certifies that",
		Completed: "has successfully completed the course", Date: "Date of completion", Hours: "Learning hours", Code: "Verification code",
		Verify: "Verify this certificate at", Months: [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}},
	"ar": {Org: "مركز التعلم العالمي", Title: "شهادة إتمام", Certifies: "يشهد بأن", Completed: "قد أتم بنجاح الدورة التدريبية",
		Date: "تاريخ الإتمام", Hours: "ساعات التعلم", Code: "رمز التحقق", Verify: "تحقق من هذه الشهادة على",
		Months: [12]string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"}},
}

var mediaBox = regexp.MustCompile(`MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]`)

// TestCertificateIsA4Landscape renders certificates with long and right-to-left texts; set
// GLC_SAMPLE_DIR to keep the PDFs (pdftoppm turns them into pictures to look at).
func TestCertificateIsA4Landscape(t *testing.T) {
	cases := []struct{ file, name, title, lang string }{
		{"certificate-en.pdf", "Amina Wanjiru Odhiambo", "Countering Migrant Smuggling at Land Borders: Detection, Interviewing and Regional Cooperation for Frontline Officers", "en"},
		{"certificate-ar.pdf", "فاطمة الزهراء بن علي", "مكافحة تهريب المهاجرين عبر الحدود البرية", "ar"},
		{"certificate-long-name.pdf", "Maria de los Angeles Fernandez-Castellanos y Rodriguez de la Fuente Albuquerque", "OSINT", "en"},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		code := "8f3c2a1e-5b7d-4e09-9c61-2d4f7a8b0e13"
		err := RenderCertificate(&buf, CertificateDoc{Name: c.name, CourseTitle: c.title, Date: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
			Hours: 12.5, Code: code, VerifyURL: "https://glc.example.org/verify/" + code, VerifyPage: "https://glc.example.org/verify",
			Lang: c.lang, Labels: sampleLabels[c.lang]})
		if err != nil {
			t.Fatal(err)
		}
		m := mediaBox.FindSubmatch(buf.Bytes())
		if m == nil || string(m[1][:6]) != "841.88" || string(m[2][:6]) != "595.27" {
			t.Fatalf("%s: page box %q, want A4 landscape (841.89 x 595.28 pt)", c.file, m)
		}
		if dir := os.Getenv("GLC_SAMPLE_DIR"); dir != "" {
			if err := os.WriteFile(filepath.Join(dir, c.file), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
