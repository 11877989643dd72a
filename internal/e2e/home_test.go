package e2e_test

import (
	"strings"
	"testing"

	"glc/internal/e2e"
)

func TestMain(m *testing.M) { e2e.Main(m) }

// TestHomePage opens the home page in English and Arabic on the real binary: language and
// direction, screenshots, accessibility (axe-core, WCAG 2.1 AA), page weight under 200 KB and
// no request to another origin.
func TestHomePage(t *testing.T) {
	srv := e2e.Start(t)
	b := srv.Browser(t)
	for _, c := range []struct{ lang, dir, heading string }{
		{"en", "ltr", "Learning for law enforcement"},
		{"ar", "rtl", "التعلم"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			b.Navigate("/?lang=" + c.lang)
			if got := b.Attr("html", "lang"); got != c.lang {
				t.Errorf("html lang = %q", got)
			}
			if got := b.Attr("html", "dir"); got != c.dir {
				t.Errorf("html dir = %q", got)
			}
			if got := e2e.Eval[string](b, `getComputedStyle(document.body).direction`); got != c.dir {
				t.Errorf("computed direction = %q", got)
			}
			if h := b.Text("h1"); !strings.Contains(h, c.heading) {
				t.Errorf("h1 = %q, want it to contain %q", h, c.heading)
			}
			b.Screenshot("home-" + c.lang)
			const limit = 200 << 10
			if w := b.Weight(); w <= 0 || w > limit {
				t.Errorf("page weight %d bytes, want 1..%d (requests: %v)", w, limit, b.Requests())
			} else {
				t.Logf("page weight: %d bytes over %d requests", w, len(b.Requests()))
			}
			if x := b.CrossOrigin(); len(x) > 0 {
				t.Errorf("requests to other origins: %v", x)
			}
			b.Axe()
		})
	}
	// The narrow (phone) layout too.
	b.Viewport(390, 844)
	b.Navigate("/?lang=ar")
	b.Screenshot("home-ar-phone")
	b.Axe()
	b.Navigate("/?lang=en")
	b.Screenshot("home-en-phone")
}
