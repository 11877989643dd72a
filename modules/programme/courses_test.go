package programme_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"glc/internal/app/apptest"
	"glc/internal/testkit"
)

// TestProgrammePageNamesLinkedCourses: the programme page lists its linked courses by title
// (in the variant that suits the page's language), each linked to its page; a draft course is
// listed only to those who may open it, marked as a draft.
func TestProgrammePageNamesLinkedCourses(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	admin, teacher, learner := s.Admin(t), s.Instructor(t), s.Learner(t)
	mkCourse := func(title, summary string, publish bool) (int64, string) {
		t.Helper()
		r := s.Do("POST", "/api/v1/courses", teacher.Token, map[string]any{"title": title, "summary": summary, "language": "en"})
		if r.Status != 201 {
			t.Fatalf("course: %d %s", r.Status, r.Body)
		}
		m := r.Map(t)
		id := int64(m["id"].(float64))
		if publish {
			sec := s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/sections", id), teacher.Token, map[string]any{"title": "Start"}).Map(t)["id"].(float64)
			s.Do("POST", fmt.Sprintf("/api/v1/sections/%d/lessons", int64(sec)), teacher.Token, map[string]any{"title": "Welcome", "kind": "text", "body": "Read this first."})
			if r := s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", id), teacher.Token, nil); r.Status != 200 {
				t.Fatalf("publish: %d %s", r.Status, r.Body)
			}
		}
		return id, m["slug"].(string)
	}
	notices, noticesSlug := mkCourse("Notices and diffusions", "What to ask for, and how.", true)
	if r := s.Do("PUT", fmt.Sprintf("/api/v1/courses/%d/variants/fr", notices), teacher.Token,
		map[string]any{"title": "Notices et diffusions", "summary": "Que demander, et comment."}); r.Status != 200 && r.Status != 201 {
		t.Fatalf("French variant: %d %s", r.Status, r.Body)
	}
	evidence, evidenceSlug := mkCourse("Digital evidence basics", "Seize, isolate, document.", true)
	draft, _ := mkCourse("Unfinished module", "Not ready.", false)
	r := s.Do("POST", "/api/v1/programmes", admin.Token, map[string]any{"title": "NCB staff programme", "published": true,
		"course_ids": []int64{evidence, draft, notices}, "languages": []string{"en", "fr", "ar"}})
	if r.Status != 201 {
		t.Fatalf("programme: %d %s", r.Status, r.Body)
	}
	page := fmt.Sprintf("/programmes/%d", int64(r.Map(t)["id"].(float64)))
	links := regexp.MustCompile(`(?s)<ul class="cards" id="programme-courses">(.*?)</ul>`)
	item := regexp.MustCompile(`(?s)<h3(?: lang="([a-z]+)")?><a href="([^"]+)">([^<]+)</a></h3>\s*(<p><span class="badge">)?`)
	list := func(path, token string) []string {
		t.Helper()
		body := string(s.Do("GET", path, token, nil).Body)
		m := links.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no list of courses", path)
		}
		if strings.Contains(m[1], "Course ") {
			t.Errorf("%s: a course named by number: %s", path, m[1])
		}
		var out []string
		for _, it := range item.FindAllStringSubmatch(m[1], -1) {
			s := it[2] + " " + it[1] + " " + it[3]
			if it[4] != "" {
				s += " [draft]"
			}
			out = append(out, s)
		}
		return out
	}
	want := []string{"/courses/" + evidenceSlug + " en Digital evidence basics", "/courses/" + noticesSlug + " en Notices and diffusions"}
	for who, tok := range map[string]string{"visitor": "", "learner": learner.Token} {
		if got := list(page+"?lang=en", tok); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s sees %q, want %q", who, got, want)
		}
	}
	// In French: the French variant where there is one; the summary in the course's language.
	got := list(page+"?lang=fr", "")
	if fmt.Sprint(got) != fmt.Sprint([]string{"/courses/" + evidenceSlug + " en Digital evidence basics", "/courses/" + noticesSlug + " fr Notices et diffusions"}) {
		t.Errorf("in French: %q", got)
	}
	if body := string(s.Do("GET", page+"?lang=fr", "", nil).Body); !strings.Contains(body, `<p lang="fr">Que demander, et comment.</p>`) ||
		!strings.Contains(body, `<bdi lang="ar">العربية</bdi>`) {
		t.Errorf("French page: summaries or language names missing")
	}
	// The draft's instructor (its editor) sees it, marked.
	if got := list(page+"?lang=en", teacher.Token); len(got) != 3 || !strings.HasSuffix(got[1], "Unfinished module [draft]") {
		t.Errorf("the course's instructor sees %q", got)
	}
	// Every link opens its course.
	for _, slug := range []string{evidenceSlug, noticesSlug} {
		if r := s.Do("GET", "/courses/"+slug, "", nil); r.Status != 200 {
			t.Errorf("/courses/%s: %d", slug, r.Status)
		}
	}
}
