package portal_test

import (
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"time"

	"glc/internal/app/apptest"
)

func TestAtomFeedNewestFirst(t *testing.T) {
	s := apptest.New(t)
	admin := s.Admin(t)
	now := time.Now().UTC()
	for i, title := range []string{"Oldest item", "Newest item", "Middle item"} {
		days := map[int]int{0: -30, 1: -1, 2: -10}[i]
		r := s.Do("POST", "/api/v1/news", admin.Token, map[string]any{"title": title, "summary": "S", "language": "en",
			"body": "Some **bold** <script>alert(1)</script> text", "published_at": now.AddDate(0, 0, days).Format(time.RFC3339)})
		if r.Status != 201 {
			t.Fatalf("create news: %d %s", r.Status, r.Body)
		}
	}
	// Scheduled items stay out of the feed until their date.
	s.Do("POST", "/api/v1/news", admin.Token, map[string]any{"title": "Future item", "body": "x", "language": "en", "published_at": now.AddDate(0, 0, 5).Format(time.RFC3339)})
	r := s.Do("GET", "/news/feed.atom", "", nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("feed: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	var feed struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		Entries []struct {
			Title     string `xml:"title"`
			Published string `xml:"published"`
			Content   string `xml:"content"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(r.Body, &feed); err != nil {
		t.Fatalf("feed is not XML: %v\n%s", err, r.Body)
	}
	var titles []string
	for _, e := range feed.Entries {
		titles = append(titles, e.Title)
	}
	if fmt.Sprint(titles) != "[Newest item Middle item Oldest item]" {
		t.Fatalf("entries %v", titles)
	}
	if c := feed.Entries[0].Content; !strings.Contains(c, "<strong>bold</strong>") || strings.Contains(c, "<script") {
		t.Errorf("content not rendered and sanitized: %q", c)
	}
}

func TestNewsAndEventRefusals(t *testing.T) {
	s := apptest.New(t)
	admin, learner := s.Admin(t), s.Learner(t)
	for _, c := range []struct {
		method, path, token string
		body                any
		status              int
	}{
		{"POST", "/api/v1/news", learner.Token, map[string]any{"title": "T", "body": "B", "language": "en"}, 403},
		{"POST", "/api/v1/news", "", map[string]any{"title": "T", "body": "B", "language": "en"}, 401},
		{"POST", "/api/v1/news", admin.Token, map[string]any{"title": "", "body": "", "language": "english"}, 422},
		{"GET", "/api/v1/news/999", "", nil, 404},
		{"POST", "/api/v1/events", admin.Token, map[string]any{"title": "E", "place": "P", "language": "en", "starts_at": "2030-01-02T09:00:00Z", "ends_at": "2030-01-01T09:00:00Z"}, 422},
		{"POST", "/api/v1/events/999/registrations", learner.Token, nil, 404},
	} {
		if r := s.Do(c.method, c.path, c.token, c.body); r.Status != c.status {
			t.Errorf("%s %s: %d, want %d: %s", c.method, c.path, r.Status, c.status, r.Body)
		}
	}
	if n := s.Do("GET", "/api/v1/news", "", nil).Map(t)["total"].(float64); n != 0 {
		t.Errorf("news after refusals: %v", n)
	}
	r := s.Do("POST", "/api/v1/events", admin.Token, map[string]any{"title": "Symposium", "place": "Lyon", "language": "en", "capacity": 1, "registration_open": true,
		"starts_at": time.Now().AddDate(0, 1, 0).Format(time.RFC3339), "ends_at": time.Now().AddDate(0, 1, 2).Format(time.RFC3339)})
	if r.Status != 201 {
		t.Fatalf("event: %d %s", r.Status, r.Body)
	}
	path := fmt.Sprintf("/api/v1/events/%d/registrations", int64(r.Map(t)["id"].(float64)))
	if r := s.Do("POST", path, "", map[string]any{}); r.Status != 401 {
		t.Errorf("anonymous registration: %d", r.Status)
	}
	if r := s.Do("POST", path, learner.Token, nil); r.Status != 201 {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	if r := s.Do("POST", path, learner.Token, nil); r.Status != 409 {
		t.Errorf("twice: %d", r.Status)
	}
	if r := s.Do("POST", path, s.Learner(t).Token, nil); r.Status != 409 {
		t.Errorf("over capacity: %d", r.Status)
	}
	if r := s.Do("GET", path, learner.Token, nil); r.Status != 403 {
		t.Errorf("learner lists registrations: %d", r.Status)
	}
	var regs struct{ Total int }
	s.Do("GET", path, admin.Token, nil).JSON(t, &regs)
	if regs.Total != 1 {
		t.Errorf("registrations = %d", regs.Total)
	}
}
