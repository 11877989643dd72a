package progress_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"glc/internal/app/apptest"
	"glc/internal/testkit"
	"glc/modules/progress"
)

// issue gives u a certificate for a course as completing it would.
func issue(t *testing.T, s *apptest.Server, userID, courseID int64, title string) *progress.Certificate {
	t.Helper()
	c, err := s.App.Progress.IssueCertificate(context.Background(), nil, progress.IssueInput{UserID: userID, CourseID: courseID,
		CourseTitle: title, Hours: 6.5, IssuedAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pdfText extracts a PDF's text with pdftotext and normalises it for comparison: NFKC turns
// Arabic presentation forms (what shaped glyphs extract as) back into letters; bidi controls
// go; runs of spaces become one.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed; skipping the PDF text check")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "c.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return normText(string(out))
}

var spaces = regexp.MustCompile(`\s+`)

func normText(s string) string {
	s = norm.NFKC.String(s)
	s = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, s)
	return spaces.ReplaceAllString(s, " ")
}

func TestCertificatePDFHoldsNameInItsScript(t *testing.T) {
	s := apptest.New(t)
	cases := []struct {
		name, lang, title string
		words             []string
	}{
		{"Amina Wanjiru Odhiambo", "en", "Countering Migrant Smuggling at Land Borders", []string{"Certificate of Completion", "Learning hours"}},
		{"فاطمة الزهراء بن علي", "ar", "مكافحة تهريب المهاجرين عبر الحدود البرية", []string{"شهادة إتمام", "رمز التحقق"}},
		{"Zoë Ñúñez-Lefèvre", "fr", "Enquêtes sur la cybercriminalité", []string{"Certificat de réussite", "2 mars 2026"}},
	}
	for i, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			u := s.Learner(t, apptest.Name(c.name), apptest.Lang(c.lang))
			cert := issue(t, s, u.ID, int64(100+i), c.title)
			r := s.Do("GET", "/api/v1/certificates/"+cert.Code+".pdf", u.Token, nil)
			if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(r.Body), "%PDF-") {
				t.Fatalf("pdf: %d %s %.40q", r.Status, r.Header.Get("Content-Type"), r.Body)
			}
			text := pdfText(t, r.Body)
			for _, want := range append([]string{c.name, c.title, cert.Code, s.Cfg.BaseURL[len("http://"):] + "/verify"}, c.words...) {
				if !strings.Contains(text, normText(want)) {
					t.Errorf("certificate text lacks %q:\n%s", want, text)
				}
			}
		})
	}
}

func TestCertificateAccessAndVerification(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	owner := s.Learner(t, apptest.Name("Kwame Mensah"))
	other := s.Learner(t)
	instructor := s.Instructor(t)
	admin := s.Admin(t)
	cert := issue(t, s, owner.ID, 7, "Cybercrime Investigations")
	// Issuing again returns the same certificate: one per learner and course.
	if again := issue(t, s, owner.ID, 7, "Cybercrime Investigations"); again.Code != cert.Code {
		t.Fatalf("second issue made a new certificate %s != %s", again.Code, cert.Code)
	}
	pdf := "/api/v1/certificates/" + cert.Code + ".pdf"
	for _, c := range []struct {
		who    string
		token  string
		status int
	}{{"owner", owner.Token, 200}, {"admin", admin.Token, 200}, {"other learner", other.Token, 403}, {"instructor", instructor.Token, 403}, {"anonymous", "", 401}} {
		if r := s.Do("GET", pdf, c.token, nil); r.Status != c.status {
			t.Errorf("%s: pdf status %d, want %d", c.who, r.Status, c.status)
		}
	}
	for _, path := range []string{"/api/v1/certificates/" + cert.Code, "/api/v1/certificates/not-a-code.pdf", "/api/v1/certificates/00000000-0000-4000-8000-000000000000.pdf"} {
		if r := s.Do("GET", path, owner.Token, nil); r.Status != 404 {
			t.Errorf("%s: %d, want 404", path, r.Status)
		}
	}

	// My certificates.
	var mine struct {
		Items []progress.CertificateView `json:"items"`
		Total int                        `json:"total"`
	}
	s.Do("GET", "/api/v1/me/certificates", owner.Token, nil).JSON(t, &mine)
	if mine.Total != 1 || mine.Items[0].Code != cert.Code || mine.Items[0].CourseID != 7 || mine.Items[0].CourseTitle != "Cybercrime Investigations" {
		t.Fatalf("my certificates: %+v", mine)
	}
	s.Do("GET", "/api/v1/me/certificates", other.Token, nil).JSON(t, &mine)
	if mine.Total != 0 || len(mine.Items) != 0 {
		t.Fatalf("another learner sees %+v", mine)
	}

	verify := func(code string) map[string]any {
		r := s.Do("GET", "/api/v1/certificates/"+code+"/verify", "", nil)
		if r.Status != 200 {
			t.Fatalf("verify %s: %d %s", code, r.Status, r.Body)
		}
		return r.Map(t)
	}
	v := verify(cert.Code)
	if v["status"] != "genuine" || v["name"] != "Kwame Mensah" || v["course"] != "Cybercrime Investigations" || !strings.HasPrefix(v["date"].(string), "2026-03-02") {
		t.Fatalf("verify genuine: %v", v)
	}
	for k := range v {
		if k != "status" && k != "name" && k != "course" && k != "date" && k != "code" {
			t.Errorf("verification shows %q", k)
		}
	}
	if v := verify("12345678-1234-4234-8234-123456789012"); v["status"] != "unknown" || v["name"] != nil {
		t.Fatalf("verify unknown: %v", v)
	}
	if v := verify("rubbish"); v["status"] != "unknown" {
		t.Fatalf("verify rubbish: %v", v)
	}
	page := func(code, want string) {
		t.Helper()
		r := s.Do("GET", "/verify/"+code, "", nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), want) {
			t.Fatalf("verify page %s: %d, lacks %q", code, r.Status, want)
		}
	}
	page(cert.Code, "Genuine")
	page(cert.Code, "Kwame Mensah")
	page("12345678-1234-4234-8234-123456789012", "Unknown")

	// Revocation: admins only, with a reason, once.
	revoke := "/api/v1/certificates/" + cert.Code + "/revoke"
	if r := s.Do("POST", revoke, owner.Token, map[string]string{"reason": "mine"}); r.Status != 403 {
		t.Fatalf("owner revokes: %d", r.Status)
	}
	if r := s.Do("POST", revoke, admin.Token, map[string]string{"reason": " "}); r.Status != 422 {
		t.Fatalf("revoke without reason: %d", r.Status)
	}
	if r := s.Do("POST", revoke, admin.Token, map[string]string{"reason": "x", "extra": "y"}); r.Status != 422 {
		t.Fatalf("revoke with unknown field: %d", r.Status)
	}
	if r := s.Do("POST", "/api/v1/certificates/12345678-1234-4234-8234-123456789012/revoke", admin.Token, map[string]string{"reason": "x"}); r.Status != 404 {
		t.Fatalf("revoke unknown: %d", r.Status)
	}
	r := s.Do("POST", revoke, admin.Token, map[string]string{"reason": "Assessment found to be compromised"})
	if r.Status != 200 || r.Map(t)["status"] != "revoked" {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	if r := s.Do("POST", revoke, admin.Token, map[string]string{"reason": "again"}); r.Status != 409 {
		t.Fatalf("revoke twice: %d", r.Status)
	}
	if v := verify(cert.Code); v["status"] != "revoked" || v["name"] != "Kwame Mensah" {
		t.Fatalf("verify revoked: %v", v)
	}
	page(cert.Code, "Revoked")
	page(cert.Code+"?lang=ar", "ملغاة")
	if r := s.Do("GET", pdf, owner.Token, nil); r.Status != 409 {
		t.Errorf("owner downloads a revoked certificate: %d, want 409", r.Status)
	}
	if r := s.Do("GET", pdf, admin.Token, nil); r.Status != 200 {
		t.Errorf("admin downloads a revoked certificate: %d", r.Status)
	}

	// Admin list.
	var list struct {
		Items []progress.CertificateView `json:"items"`
		Total int                        `json:"total"`
	}
	s.Do("GET", "/api/v1/certificates?revoked=true", admin.Token, nil).JSON(t, &list)
	if list.Total != 1 || list.Items[0].RevokeReason != "Assessment found to be compromised" {
		t.Fatalf("admin list: %+v", list)
	}
	if r := s.Do("GET", "/api/v1/certificates", instructor.Token, nil); r.Status != 403 {
		t.Fatalf("instructor lists certificates: %d", r.Status)
	}
	if r := s.Do("GET", "/api/v1/certificates?course_id=x", admin.Token, nil); r.Status != 422 {
		t.Fatalf("bad filter: %d", r.Status)
	}
}

func TestVerifyFormRedirects(t *testing.T) {
	s := apptest.New(t)
	r := s.Do("GET", "/verify", "", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `name="code"`) {
		t.Fatalf("verify form: %d", r.Status)
	}
	r = s.Do("GET", "/verify?code=+abc+", "", nil)
	if r.Status != 303 || r.Header.Get("Location") != "/verify/abc" {
		t.Fatalf("verify redirect: %d %s", r.Status, r.Header.Get("Location"))
	}
	if r := s.Do("GET", "/my/certificates", "", nil); r.Status != 303 {
		t.Fatalf("my certificates anonymous: %d", r.Status)
	}
}
