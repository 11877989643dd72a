package library_test

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"glc/internal/app/apptest"
	"glc/internal/testkit"
)

// selectOptions returns the options of the <select id=id> of a page as "value|label|attrs"
// (attrs: " selected", " lang=xx"), or nil when the page has no such select box.
func selectOptions(t *testing.T, page, id string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<select id="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</select>`).FindStringSubmatch(page)
	if m == nil {
		return nil
	}
	var out []string
	for _, o := range regexp.MustCompile(`<option value="([^"]*)"([^>]*)>([^<]*)</option>`).FindAllStringSubmatch(m[1], -1) {
		attrs := ""
		if l := regexp.MustCompile(`lang="([^"]+)"`).FindStringSubmatch(o[2]); l != nil {
			attrs += " lang=" + l[1]
		}
		if strings.Contains(o[2], "selected") {
			attrs += " selected"
		}
		out = append(out, o[1]+"|"+html.UnescapeString(o[3])+"|"+attrs)
	}
	return out
}

// TestTopicsAndLanguagesByName: the library files resources under the course topics (one list
// for the portal, read through the app's adapter) and shows topics and languages by name in
// the page's language; its filters are select boxes of the values that have results, with
// their counts. A topic that is not in the list is refused and changes nothing; a resource
// keeps a topic retired since.
func TestTopicsAndLanguagesByName(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	ed, admin := s.Instructor(t), s.Admin(t)
	mk := func(title, lang, topic, date string) int64 {
		return createResource(t, s, ed.Token, []kv{{"title", title}, {"kind", "guide"}, {"language", lang}, {"topic", topic}, {"published_on", date}}, "f.txt", []byte(title))
	}
	scene := mk("Crime scene handbook", "en", "forensics", "2024-05-02")
	mk("Guide de la scène de crime", "fr", "forensics", "2023-01-10")
	cyber := mk("Guía de evidencia digital", "es", "cybercrime", "2023-03-01")
	mk("Field notes", "pt", "", "2021-07-01")

	// Refusals: an unknown topic, on create and on edit; nothing is created or changed.
	var before struct{ Total int }
	s.Do("GET", "/api/v1/resources", "", nil).JSON(t, &before)
	r := postForm(t, s, "POST", "/api/v1/resources", ed.Token, []kv{{"title", "X"}, {"kind", "guide"}, {"topic", "knitting"}}, "x.txt", []byte("x"))
	if r.Status != 422 || !strings.Contains(string(r.Body), `"topic"`) {
		t.Errorf("unknown topic on create: %d %s", r.Status, r.Body)
	}
	if r := s.Do("PATCH", "/api/v1/resources/"+itoa(scene), ed.Token, map[string]any{"topic": "knitting"}); r.Status != 422 || !strings.Contains(string(r.Body), `"topic"`) {
		t.Errorf("unknown topic on edit: %d %s", r.Status, r.Body)
	}
	if r := s.Do("POST", "/api/v1/series", ed.Token, map[string]any{"title": "Knitting Review", "topic": "knitting"}); r.Status != 422 {
		t.Errorf("unknown topic of a series: %d %s", r.Status, r.Body)
	}
	var after struct{ Total int }
	s.Do("GET", "/api/v1/resources", "", nil).JSON(t, &after)
	if after.Total != before.Total || s.Do("GET", "/api/v1/resources/"+itoa(scene), "", nil).Map(t)["topic"] != "forensics" {
		t.Errorf("a refusal changed something: %d resources (was %d)", after.Total, before.Total)
	}

	// The library page in French: names in French, languages by their own names (a language
	// outside the portal's by its code), counts, years present; no free-text boxes left.
	page := string(s.Do("GET", "/library?lang=fr", "", nil).Body)
	for id, want := range map[string][]string{
		"library-topic":    {"cybercrime|Cybercriminalité (1)|", "forensics|Criminalistique et scène de crime (2)|"},
		"library-language": {"en|English (1)| lang=en", "fr|Français (1)| lang=fr", "es|Español (1)| lang=es", "pt|pt (1)|"},
		"library-year":     {"2024|2024 (1)|", "2023|2023 (2)|", "2021|2021 (1)|"},
	} {
		got := selectOptions(t, page, id)
		if len(got) == 0 || !strings.HasPrefix(got[0], "|") {
			t.Errorf("%s: no select box or no 'any' choice first: %v", id, got)
			continue
		}
		if fmt.Sprint(got[1:]) != fmt.Sprint(want) {
			t.Errorf("%s options %v, want %v", id, got[1:], want)
		}
	}
	for _, name := range []string{"language", "topic", "year"} {
		if regexp.MustCompile(`<input[^>]*name="` + name + `"`).MatchString(page) {
			t.Errorf("the %s filter is still a text box", name)
		}
	}
	// The facet links name the topics too.
	if !strings.Contains(page, ">Criminalistique et scène de crime</a>") || !strings.Contains(page, `<span lang="es">Español</span>`) {
		t.Errorf("facet links do not name topics and languages")
	}

	// Filtered: the chosen values are selected; the other facets count within the filter.
	page = string(s.Do("GET", "/library?lang=en&topic=forensics&year=2024", "", nil).Body)
	if got := selectOptions(t, page, "library-topic"); !strings.Contains(fmt.Sprint(got), "forensics|Forensics and crime scene (1)| selected") {
		t.Errorf("topic filter: %v", got)
	}
	if got := selectOptions(t, page, "library-year"); fmt.Sprint(got[1:]) != "[2024|2024 (1)| selected 2023|2023 (1)|]" {
		t.Errorf("year filter within the topic: %v", got)
	}
	if got := selectOptions(t, page, "library-kind"); !strings.Contains(fmt.Sprint(got), "guide|Guide or manual (1)|") {
		t.Errorf("kind filter counts: %v", got)
	}

	// The resource page in Arabic.
	page = string(s.Do("GET", "/library/resources/"+itoa(cyber)+"?lang=ar", "", nil).Body)
	if !strings.Contains(page, `<dd id="resource-topic">الجريمة السيبرانية</dd>`) || !strings.Contains(page, `<span lang="es">Español</span>`) {
		t.Errorf("resource page does not name its topic and language: %s", page)
	}

	// A topic retired by an admin: no longer offered for new resources, kept by those filed
	// under it (an edit of another field keeps it; the edit form offers it).
	var topics struct {
		Items []struct {
			ID   int64
			Slug string
		}
	}
	s.Do("GET", "/api/v1/course-topics", "", nil).JSON(t, &topics)
	for _, tp := range topics.Items {
		if tp.Slug == "cybercrime" {
			if r := s.Do("PATCH", fmt.Sprintf("/api/v1/course-topics/%d", tp.ID), admin.Token, map[string]any{"active": false}); r.Status != 200 {
				t.Fatalf("retire topic: %d %s", r.Status, r.Body)
			}
		}
	}
	if r := postForm(t, s, "POST", "/api/v1/resources", ed.Token, []kv{{"title", "Y"}, {"kind", "guide"}, {"topic", "cybercrime"}}, "y.txt", []byte("y")); r.Status != 422 {
		t.Errorf("a retired topic for a new resource: %d %s", r.Status, r.Body)
	}
	if r := s.Do("PATCH", "/api/v1/resources/"+itoa(cyber), ed.Token, map[string]any{"title": "Guía de evidencia digital (2.ª ed.)", "topic": "cybercrime"}); r.Status != 200 {
		t.Errorf("editing a resource under a retired topic: %d %s", r.Status, r.Body)
	}
	page = string(s.Do("GET", "/library/resources/"+itoa(cyber)+"/edit?lang=en", ed.Token, nil).Body)
	got := selectOptions(t, page, "res-topic")
	if !strings.Contains(fmt.Sprint(got), "cybercrime|Cybercrime| selected") || !strings.Contains(fmt.Sprint(got), "forensics|Forensics and crime scene|") {
		t.Errorf("edit form topics: %v", got)
	}
	page = string(s.Do("GET", "/library/new?lang=en", ed.Token, nil).Body)
	if got := selectOptions(t, page, "res-topic"); strings.Contains(fmt.Sprint(got), "cybercrime") || len(got) < 5 {
		t.Errorf("new resource form topics: %v", got)
	}
	// Still named in the library.
	page = string(s.Do("GET", "/library?lang=en", "", nil).Body)
	if got := selectOptions(t, page, "library-topic"); !strings.Contains(fmt.Sprint(got), "cybercrime|Cybercrime (1)|") {
		t.Errorf("a retired topic in the filter: %v", got)
	}
}
