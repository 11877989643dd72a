package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"glc/internal/app"
	"glc/internal/app/apptest"
	"glc/modules/course"
)

func TestSeedDemo(t *testing.T) {
	s := apptest.New(t)
	var out strings.Builder
	seeded, err := s.App.SeedIfEmpty(context.Background(), &out)
	if err != nil || !seeded {
		t.Fatalf("seed: %v %v", seeded, err)
	}
	for _, role := range []string{"learner", "instructor", "coordinator", "admin"} {
		if !strings.Contains(out.String(), role+"@demo.glc.example") {
			t.Errorf("output lacks the %s user: %s", role, out.String())
		}
	}
	if again, err := s.App.SeedIfEmpty(context.Background(), &out); again || err != nil {
		t.Errorf("second seed ran: %v %v", again, err)
	}
	if err := s.App.SeedDemo(context.Background(), &out); !errors.Is(err, app.ErrAlreadySeeded) {
		t.Errorf("seeding twice: %v", err)
	}
	var progs struct{ Total int }
	s.Do("GET", "/api/v1/programmes", "", nil).JSON(t, &progs)
	if progs.Total != 7 {
		t.Errorf("programmes = %d", progs.Total)
	}
	var lib struct {
		Total int
		Items []struct{ ID int64 }
	}
	s.Do("GET", "/api/v1/resources?kind=publication&q=review", "", nil).JSON(t, &lib)
	if lib.Total != 5 {
		t.Errorf("journal issues found = %d", lib.Total)
	}
	s.Do("GET", "/api/v1/resources?q=role+players", "", nil).JSON(t, &lib) // in issue 1's PDF and contents only
	if lib.Total != 1 {
		t.Errorf("search in generated PDF text: %d", lib.Total)
	}
	var series struct {
		Items []struct{ ID int64 }
	}
	s.Do("GET", "/api/v1/series", "", nil).JSON(t, &series)
	if len(series.Items) != 1 {
		t.Fatalf("series: %+v", series)
	}
	for _, path := range []string{"/", "/library", "/library/series/1", "/library/resources/1", "/programmes", "/programmes/1", "/events", "/events/1", "/news", "/news/1", "/news/feed.atom", "/?lang=ar", "/library?lang=ar&kind=link"} {
		r := s.Do("GET", path, "", nil)
		if r.Status != 200 {
			t.Errorf("%s: %d %.300s", path, r.Status, r.Body)
		}
	}
	home := string(s.Do("GET", "/", "", nil).Body)
	for _, want := range []string{"Police Training Review 5", "Global Police Training Symposium", "New e-learning modules on digital evidence", "National Central Bureau staff programme"} {
		if !strings.Contains(home, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
}

// TestSeedDemoCourse: the demo course is published, found in the catalogue, taught by the demo
// instructor and has a lesson of every built-in kind whose media play: the video is a WebM that
// the server serves in ranges, the document a PDF; a learner completes it by opening each
// lesson and watching the video.
func TestSeedDemoCourse(t *testing.T) {
	s := apptest.New(t)
	if err := s.App.SeedDemo(context.Background(), io.Discard); err != nil {
		t.Fatal(err)
	}
	var cat struct {
		Total int
		Items []struct {
			ID     int64
			Title  string
			Status string
		}
	}
	s.Do("GET", "/api/v1/courses?q=diffusions", "", nil).JSON(t, &cat)
	if cat.Total != 1 || cat.Items[0].Title != app.DemoCourseTitle || cat.Items[0].Status != "published" {
		t.Fatalf("catalogue search: %+v", cat)
	}
	id := cat.Items[0].ID
	var c struct {
		SelfEnrolment bool `json:"self_enrolment"`
		Instructors   []struct{ Name string }
		Sections      []struct {
			Title   string
			Lessons []struct {
				ID   int64
				Kind string
			}
		}
	}
	s.Do("GET", fmt.Sprintf("/api/v1/courses/%d", id), "", nil).JSON(t, &c)
	if !c.SelfEnrolment || len(c.Instructors) != 1 || c.Instructors[0].Name != "Lucía Fernández" {
		t.Errorf("course: %+v", c)
	}
	var kinds []string
	var lessons []int64
	for _, sec := range c.Sections {
		for _, l := range sec.Lessons {
			kinds = append(kinds, l.Kind)
			lessons = append(lessons, l.ID)
		}
	}
	if strings.Join(kinds, " ") != "text video document link package quiz" {
		t.Fatalf("lesson kinds %v, want one of each kind", kinds)
	}
	learner := s.Learner(t)
	s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enrolments", id), learner.Token, map[string]any{}).JSON(t, &struct{}{})
	media := map[string]string{}
	for i, kind := range []string{"video", "document"} {
		var lv struct {
			Media *struct {
				URL         string `json:"url"`
				ContentType string `json:"content_type"`
			}
		}
		r := s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d", lessons[i+1]), learner.Token, nil)
		if r.Status != 200 {
			t.Fatalf("%s lesson: %d %.300s", kind, r.Status, r.Body)
		}
		r.JSON(t, &lv)
		if lv.Media == nil {
			t.Fatalf("the %s lesson has no media", kind)
		}
		media[kind] = lv.Media.URL
		if want := map[string]string{"video": "video/webm", "document": "application/pdf"}[kind]; lv.Media.ContentType != want {
			t.Errorf("%s media type %q, want %q", kind, lv.Media.ContentType, want)
		}
	}
	req, _ := http.NewRequest("GET", s.URL+media["video"], nil)
	req.Header.Set("Authorization", "Bearer "+learner.Token)
	req.Header.Set("Range", "bytes=0-99")
	r := s.Send(req)
	switch {
	case r.Status == http.StatusFound: // S3: a signed URL on the object store
		get, _ := http.NewRequest("GET", r.Header.Get("Location"), nil)
		get.Header.Set("Range", "bytes=0-99")
		r = s.Send(get)
		fallthrough
	default:
		if r.Status != http.StatusPartialContent || len(r.Body) != 100 || !bytes.HasPrefix(r.Body, []byte{0x1A, 0x45, 0xDF, 0xA3}) {
			t.Errorf("video range: %d, %d bytes", r.Status, len(r.Body))
		}
	}
	if r := s.Do("GET", media["document"], learner.Token, nil); r.Status != 200 || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
		t.Errorf("document: %d %.20q", r.Status, r.Body)
	}
	// The learner takes the course: each lesson viewed, the video watched to the end, the
	// package played as its page does it (passed, 100), the quiz answered and graded.
	for _, l := range lessons[:4] {
		s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/progress", l), learner.Token, map[string]any{"event": "viewed"})
	}
	if r := s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/progress", lessons[1]), learner.Token,
		map[string]any{"event": "position", "position_seconds": 10, "duration_seconds": 10, "watched_percent": 100}); r.Status != 200 {
		t.Fatalf("video progress: %d %s", r.Status, r.Body)
	}
	playDemoPackage(t, s, learner, lessons[4])
	takeDemoQuiz(t, s, learner, lessons[5])
	var mine struct {
		Items []struct {
			ID              int64
			PercentComplete int `json:"percent_complete"`
			Enrolment       struct {
				CompletedAt *string `json:"completed_at"`
			}
		}
	}
	s.Do("GET", "/api/v1/me/courses", learner.Token, nil).JSON(t, &mine)
	if len(mine.Items) != 1 || mine.Items[0].PercentComplete != 100 || mine.Items[0].Enrolment.CompletedAt == nil {
		t.Errorf("after every lesson: %+v", mine)
	}

	// Seeding again changes nothing.
	counts := func() string {
		var out []string
		for _, table := range []string{"users", "courses", "course_lessons", "quiz_questions", "scorm_packages", "resources", "programmes"} {
			var n int64
			if err := s.DB.Table(table).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s=%d", table, n))
		}
		return strings.Join(out, " ")
	}
	before := counts()
	if err := s.App.SeedDemo(context.Background(), io.Discard); !errors.Is(err, app.ErrAlreadySeeded) {
		t.Errorf("seeding again: %v", err)
	}
	if seeded, err := s.App.SeedIfEmpty(context.Background(), io.Discard); seeded || err != nil {
		t.Errorf("seeding a full database: %v %v", seeded, err)
	}
	if after := counts(); after != before {
		t.Errorf("seeding again changed the content: %s, was %s", after, before)
	}
}

// playDemoPackage plays the demo SCORM package as its page does: it opens an attempt,
// launches the SCO and commits what the page reports when every answer is right.
func playDemoPackage(t *testing.T, s *apptest.Server, learner apptest.TestUser, lesson int64) {
	t.Helper()
	r := s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d", lesson), learner.Token, nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), app.DemoPackageTitle) {
		t.Fatalf("package lesson: %d %.300s", r.Status, r.Body)
	}
	att := idOf(t, want(t, s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), learner.Token, nil), 201))
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/launch", att), learner.Token, map[string]string{"item": "case"}), 200)
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/commit", att), learner.Token, map[string]any{"item": "case", "session": 1, "seq": 1,
		"cmi": map[string]any{"core": map[string]any{"lesson_status": "passed", "lesson_location": "screen-2", "session_time": "00:02:10", "exit": "",
			"score": map[string]any{"raw": "100", "min": "0", "max": "100"}}}}), 200)
	var l struct {
		Progress struct {
			Status string
			Score  *float64
		}
	}
	s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d", lesson), learner.Token, nil).JSON(t, &l)
	if l.Progress.Status != "passed" || l.Progress.Score == nil || *l.Progress.Score != 100 {
		t.Errorf("package lesson after the commit: %+v", l.Progress)
	}
}

// takeDemoQuiz takes the demo quiz through the API: five questions of five kinds, answered by
// their texts (a learner's reading of the course), submitted and graded 5/5.
func takeDemoQuiz(t *testing.T, s *apptest.Server, learner apptest.TestUser, lesson int64) {
	t.Helper()
	type opt struct{ ID, Text string }
	var a struct {
		ID        int64
		Questions []struct {
			ID                      int64
			Kind                    string
			Options, Prompts, Items []opt
			Choices                 []opt
		}
	}
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/quizzes/%d/attempts", lesson), learner.Token, nil), 201).JSON(t, &a)
	right := map[string]string{"Red notice": "", "false": "",
		"The legal basis: a valid arrest warrant or court decision, with its date": "", "What you ask the receiving country to do": "",
		"An officer in charge and a telephone number answered day and night": ""}
	matches := map[string]string{"Yellow": "Help to find a missing person", "Black": "Information about an unidentified body",
		"Blue": "More information about a person's identity, location or activities", "Orange": "A warning about an imminent threat"}
	order := []string{"Record the request and the time it arrived", "Check that it is complete and that the rules allow you to act on it",
		"Search the national databases for the person", "Tell the requesting bureau what you found"}
	var kinds []string
	for _, q := range a.Questions {
		kinds = append(kinds, q.Kind)
		resp := map[string]any{}
		switch q.Kind {
		case "single", "multiple", "true_false":
			ids := []string{}
			for _, o := range q.Options {
				if _, ok := right[o.Text]; ok {
					ids = append(ids, o.ID)
				}
			}
			resp["option_ids"] = ids
		case "matching":
			pairs := map[string]string{}
			for _, p := range q.Prompts {
				for _, c := range q.Choices {
					if matches[p.Text] == c.Text {
						pairs[p.ID] = c.ID
					}
				}
			}
			resp["pairs"] = pairs
		case "ordering":
			ids := []string{}
			for _, text := range order {
				for _, it := range q.Items {
					if it.Text == text {
						ids = append(ids, it.ID)
					}
				}
			}
			resp["order"] = ids
		}
		want(t, s.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%d", a.ID, q.ID), learner.Token, map[string]any{"response": resp}), 200)
	}
	sort.Strings(kinds)
	if strings.Join(kinds, " ") != "matching multiple ordering single true_false" {
		t.Errorf("quiz question kinds: %v", kinds)
	}
	var sub struct {
		Status   string
		Score    *float64
		MaxScore *float64 `json:"max_score"`
		Passed   *bool
	}
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", a.ID), learner.Token, nil), 200).JSON(t, &sub)
	if sub.Status != "finished" || sub.Score == nil || *sub.Score != 5 || *sub.MaxScore != 5 || sub.Passed == nil || !*sub.Passed {
		t.Errorf("graded attempt: %+v", sub)
	}
}

// TestSeedDemoCourseHook: lessons given in App.DemoLessons go at the end of the demo course's
// last section (after the package and the quiz that modules() adds), as the instructor.
func TestSeedDemoCourseHook(t *testing.T) {
	extra := app.DemoLesson{Name: "check lesson", Add: func(ctx context.Context, a *app.App, courseID, sectionID int64) error {
		title, kind, body := "Which notice?", course.KindText, "Which notice asks to locate a wanted person?"
		_, err := a.Courses.AddLesson(ctx, sectionID, course.LessonInput{Title: &title, Kind: &kind, Body: &body})
		return err
	}}
	s := apptest.NewWith(t, []app.Option{func(a *app.App) { a.DemoLessons = []app.DemoLesson{extra} }})
	if err := s.App.SeedDemo(context.Background(), io.Discard); err != nil {
		t.Fatal(err)
	}
	var c struct {
		Sections []struct {
			Lessons []struct{ Title string }
		}
	}
	s.Do("GET", "/api/v1/courses/1", "", nil).JSON(t, &c)
	if len(c.Sections) != 2 {
		t.Fatalf("sections: %+v", c)
	}
	last := c.Sections[1].Lessons
	if len(last) != 5 || last[4].Title != "Which notice?" {
		t.Errorf("last section: %+v", last)
	}
}
