package e2e_test

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"glc/internal/e2e"
)

// TestLibraryAnonymousVisitor (issue #7): on the real binary with its first-run demo content,
// an anonymous visitor opens the home page (featured courses, news, sessions, events and
// publications), the library, searches and filters it (select boxes naming languages and
// topics, with counts), opens the journal series (issues newest first), opens an issue (its
// topic and language by name) and downloads its PDF; then the programmes (linked courses by
// title) and the news, and the demo course with a lesson of each kind. Screenshots
// in English and Arabic; every page passes axe-core, weighs under 200 KB, asks nothing of
// another origin and marks its dates up as <time datetime> elements.
func TestLibraryAnonymousVisitor(t *testing.T) {
	srv := e2e.Start(t) // an empty embedded database: the demo content is loaded at start
	b := srv.Browser(t)

	// timesOK checks that every <time> has a machine-readable datetime and returns how many.
	timesOK := func(name string) int {
		t.Helper()
		bad := e2e.Eval[[]string](b, `Array.from(document.querySelectorAll("time")).filter(e => !/^\d{4}-\d{2}-\d{2}/.test(e.getAttribute("datetime") || "")).map(e => e.outerHTML)`)
		if len(bad) > 0 {
			t.Errorf("%s: <time> without a date: %v", name, bad)
		}
		return e2e.Eval[int](b, `document.querySelectorAll("time[datetime]").length`)
	}

	for _, lang := range []string{"en", "ar"} {
		b.Navigate("/?lang=" + lang)
		for _, sec := range []string{"#home-courses", "#home-news", "#home-sessions", "#home-events", "#home-publications"} {
			if n := e2e.Eval[int](b, `document.querySelectorAll("`+sec+` .card").length`); n == 0 {
				t.Errorf("%s home page: no cards in %s", lang, sec)
			}
		}
		if got := b.Text("#home-courses"); !strings.Contains(got, "Introduction to international notices and diffusions") {
			t.Errorf("%s home page: the demo course is not featured: %q", lang, got)
		}
		// Sessions and events show date ranges: two <time> elements per card.
		if n := e2e.Eval[int](b, `document.querySelectorAll("#home-sessions .card time[datetime], #home-events .card time[datetime]").length`); n < 4 {
			t.Errorf("%s home page: %d dates in sessions and events", lang, n)
		}
		timesOK("home-" + lang)
		pageChecks(t, b, "library-home-"+lang)
	}

	b.Navigate("/library?lang=en")
	if got := b.Text("#library-results"); !strings.Contains(got, "Police Training Review") {
		t.Errorf("library: %q", got)
	}
	pageChecks(t, b, "library-en")
	// Search and filter: publications about role players (a phrase of issue 1's PDF).
	b.Fill("#library-q", "role players")
	setValue(b, "#library-kind", "publication")
	b.Submit("#library-q")
	if got := b.Text("#results-h"); !strings.Contains(got, "1") {
		t.Errorf("search heading: %q", got)
	}
	if got := b.Text("#library-results"); !strings.Contains(got, "Designing scenario-based exercises") {
		t.Errorf("search for a phrase of issue 1: %q", got)
	}
	// The filters are select boxes that name what they filter on, with counts; choosing a
	// topic filters the results.
	b.Navigate("/library?lang=en")
	for _, c := range []struct{ sel, want string }{
		{"#library-language", "English ("}, {"#library-language", "Français ("}, {"#library-language", "Español ("}, {"#library-language", "العربية ("},
		{"#library-topic", "Training and presentation skills ("}, {"#library-topic", "Forensics and crime scene (1)"},
		{"#library-year", "("},
	} {
		opts := e2e.Eval[[]string](b, `Array.from(document.querySelectorAll("`+c.sel+` option")).map(o => o.textContent)`)
		if !slices.ContainsFunc(opts, func(o string) bool { return strings.Contains(o, c.want) }) {
			t.Errorf("%s offers %q, want one with %q", c.sel, opts, c.want)
		}
	}
	b.Navigate("/library?lang=en")
	setValue(b, "#library-topic", "forensics")
	b.Submit("#library-q")
	if got := e2e.Eval[[]string](b, `Array.from(document.querySelectorAll("#library-results h3")).map(e => e.textContent)`); len(got) != 1 || got[0] != "Handbook for first responders at a crime scene" {
		t.Errorf("topic filter: %q", got)
	}
	if got := b.Attr("#library-topic option[selected]", "value"); got != "forensics" {
		t.Errorf("the chosen topic is not selected after the search: %q", got)
	}
	b.Navigate("/library?kind=guide&lang=en")
	for _, title := range e2e.Eval[[]string](b, `Array.from(document.querySelectorAll("#library-results h3")).map(e => e.textContent)`) {
		if !strings.Contains(title, "Handbook") && !strings.Contains(title, "Guía") {
			t.Errorf("kind=guide lists %q", title)
		}
	}
	b.Navigate("/library?lang=en")
	b.ClickAndWait("#series-list a")
	if got := b.Text("h1"); got != "Police Training Review" {
		t.Fatalf("series page %q", got)
	}
	titles := e2e.Eval[[]string](b, `Array.from(document.querySelectorAll("#series-issues h3")).map(e => e.textContent)`)
	dates := e2e.Eval[[]string](b, `Array.from(document.querySelectorAll("#series-issues time")).map(e => e.getAttribute("datetime"))`)
	num := regexp.MustCompile(`^Issue (\d+)`)
	var nums []string
	for _, tt := range titles {
		if m := num.FindStringSubmatch(tt); m != nil {
			nums = append(nums, m[1])
		}
	}
	if strings.Join(nums, " ") != "5 4 3 2 1" {
		t.Errorf("issues in the order %v (%v), want newest first", nums, titles)
	}
	if len(dates) != 5 || !sort.SliceIsSorted(dates, func(i, j int) bool { return dates[i] > dates[j] }) {
		t.Errorf("issue dates %v, want 5 newest first", dates)
	}
	timesOK("series-en")
	pageChecks(t, b, "library-series-en")
	seriesPath := strings.TrimPrefix(b.Location(), srv.URL)

	b.ClickAndWait("#series-issues h3 a")
	if got := b.Text("h1"); !strings.Contains(got, "Police Training Review 5") {
		t.Fatalf("issue page %q", got)
	}
	if timesOK("issue-en") == 0 {
		t.Error("the issue page shows its date without a <time> element")
	}
	pageChecks(t, b, "library-issue-en")
	issuePath := strings.TrimPrefix(b.Location(), srv.URL)
	if got := b.Text("#resource-topic"); got != "Training and presentation skills" {
		t.Errorf("the issue's topic is shown as %q", got)
	}
	if got := b.Text("#resource dl"); !strings.Contains(got, "English") {
		t.Errorf("the issue's language is not named: %q", got)
	}
	href := b.Attr("#resource-download", "href")
	// The download, as the visitor's browser does it, then with a plain client.
	if got := fetchInPage(b, href, ""); !strings.HasPrefix(got, "200 application/pdf") || !strings.HasSuffix(got, "%PDF-") {
		t.Errorf("download in the browser: %q", got)
	}
	resp, err := http.Get(srv.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) ||
		!bytes.Contains(pdf[max(0, len(pdf)-1024):], []byte("%%EOF")) || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d %q %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), len(pdf))
	}
	b.Navigate(issuePath)
	if got := b.Text("#resource-downloads"); got == "0" {
		t.Errorf("downloads counter still %q after two downloads", got)
	}

	for _, p := range []struct{ path, name string }{
		{"/library?lang=ar", "library-ar"}, {seriesPath + "?lang=ar", "library-series-ar"}, {issuePath + "?lang=ar", "library-issue-ar"},
		{"/programmes?lang=en", "programmes-en"}, {"/programmes?lang=ar", "programmes-ar"},
		{"/programmes/1?lang=en", "programme-en"}, {"/programmes/1?lang=ar", "programme-ar"},
		{"/news?lang=en", "news-en"}, {"/news?lang=ar", "news-ar"}, {"/news/1?lang=ar", "news-article-ar"},
		{"/events/1?lang=en", "event-en"}, {"/events/1?lang=ar", "event-ar"},
	} {
		b.Navigate(p.path)
		if got := b.Attr("html", "dir"); got != map[bool]string{true: "rtl", false: "ltr"}[strings.HasSuffix(p.path, "lang=ar")] {
			t.Errorf("%s: dir %q", p.name, got)
		}
		n := timesOK(p.name)
		if slices.Contains([]string{"programme-en", "programme-ar", "news-en", "event-en"}, p.name) && n == 0 {
			t.Errorf("%s: no <time> element", p.name)
		}
		pageChecks(t, b, p.name)
	}
	// Named in the reader's language: the issue's topic in Arabic; the programme's linked
	// course by its title, a link to its page.
	b.Navigate(issuePath + "?lang=ar")
	if got := b.Text("#resource-topic"); got != "مهارات التدريب والعرض" {
		t.Errorf("the issue's topic in Arabic: %q", got)
	}
	for _, lang := range []string{"en", "ar"} {
		b.Navigate("/programmes/1?lang=" + lang)
		if got := b.Text("#programme-courses a"); got != "Introduction to international notices and diffusions" {
			t.Errorf("%s programme page lists its course as %q", lang, got)
		}
	}
	b.ClickAndWait("#programme-courses a")
	if got := b.Text("#course-title"); got != "Introduction to international notices and diffusions" {
		t.Errorf("the programme's course link led to %q", got)
	}
	// The demo course: in the catalogue, its page open to visitors with a lesson of each kind.
	for _, lang := range []string{"en", "ar"} {
		b.Navigate("/courses?lang=" + lang)
		b.ClickAndWait("#catalogue-results h3 a")
		if got := b.Text("#course-title"); got != "Introduction to international notices and diffusions" {
			t.Fatalf("demo course page %q", got)
		}
		if n := e2e.Eval[int](b, `document.querySelectorAll("#course-outline .outline-lessons li").length`); n != 6 {
			t.Errorf("the demo course outline has %d lessons, want 6", n)
		}
		if got := b.Attr("#course-login", "href"); !strings.HasPrefix(got, "/login?next=/courses/") {
			t.Errorf("a visitor is not offered to log in to enrol: %q", got)
		}
		pageChecks(t, b, "course-demo-"+lang)
	}
	// A visitor is asked to log in to apply and is shown no application of theirs.
	b.Navigate("/programmes/1?lang=en")
	if got := b.Text("#programme-sessions"); strings.Contains(got, "Your application") || !strings.Contains(got, "Log in to apply") {
		t.Errorf("programme sessions for a visitor: %q", got)
	}
}
