package course_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"glc/internal/app/apptest"
)

// browser is a signed-in (or anonymous) cookie session that submits forms with the CSRF token.
type browser struct {
	t     *testing.T
	s     *apptest.Server
	c     *http.Client
	token string
}

func newBrowser(t *testing.T, s *apptest.Server, u *apptest.TestUser) *browser {
	b := &browser{t: t, s: s, c: s.Browser()}
	if u != nil {
		b.token = u.Token
		su, _ := url.Parse(s.URL)
		b.c.Jar.SetCookies(su, []*http.Cookie{{Name: "glc_access", Value: u.Token, Path: "/"}})
	}
	return b
}

type page struct {
	status int
	body   string
	header http.Header
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, string(body), resp.Header}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.s.URL+path, nil)
	return b.do(req)
}

func (b *browser) csrf() string {
	su, _ := url.Parse(b.s.URL)
	for _, c := range b.c.Jar.Cookies(su) {
		if c.Name == "glc_csrf" {
			return c.Value
		}
	}
	b.get("/courses")
	for _, c := range b.c.Jar.Cookies(su) {
		if c.Name == "glc_csrf" {
			return c.Value
		}
	}
	b.t.Fatal("no csrf cookie")
	return ""
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", b.csrf())
	}
	req, _ := http.NewRequest("POST", b.s.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) upload(path, name string, data []byte, fields map[string]string) page {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", b.csrf())
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	w, _ := mw.CreateFormFile("file", name)
	_, _ = w.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.s.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func want(t *testing.T, p page, status int, parts ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d: %.600s", p.status, status, p.body)
	}
	for _, s := range parts {
		if !strings.Contains(p.body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	if m := regexp.MustCompile(`\[[a-z]+\.[a-z_.]+\]`).FindString(p.body); m != "" {
		t.Errorf("untranslated message %s", m)
	}
}

func TestPagesLearner(t *testing.T) {
	s := apptest.New(t)
	f := newFixture(t, s)
	f.publish(t)
	anon := newBrowser(t, s, nil)
	want(t, anon.get("/courses"), 200, "Interdicting Maritime Smuggling", `id="catalogue-search"`, `href="/courses"`)
	want(t, anon.get("/courses?q=interdiction&topic=maritime-security"), 200, "Interdicting Maritime Smuggling")
	if p := anon.get("/courses?q=zzzzqqq"); !strings.Contains(p.body, `id="catalogue-empty"`) {
		t.Error("no empty state")
	}
	want(t, anon.get("/courses?level=expert"), 422, "field-error")
	want(t, anon.get(fmt.Sprintf("/courses/%d", f.course)), 200, `id="course-login"`, "Lesson video", "Basics", "<strong>interdiction</strong>")
	want(t, anon.get("/courses/interdicting-maritime-smuggling"), 200, `id="course-title"`)
	if p := anon.get("/my"); p.status != 303 || !strings.HasPrefix(p.header.Get("Location"), "/login?next=") {
		t.Errorf("/my anonymous: %d %s", p.status, p.header.Get("Location"))
	}
	if p := anon.get(fmt.Sprintf("/lessons/%d", f.lessons["text"])); p.status != 303 {
		t.Errorf("lesson anonymous: %d", p.status)
	}
	want(t, anon.get("/courses?lang=ar"), 200, `dir="rtl"`, "فهرس الدورات")

	u := s.Learner(t)
	b := newBrowser(t, s, &u)
	want(t, b.get(fmt.Sprintf("/lessons/%d", f.lessons["text"])), 403)
	want(t, b.get(fmt.Sprintf("/courses/%d", f.course)), 200, `id="course-enrol"`)
	// A form without the CSRF token is refused.
	if p := b.post(fmt.Sprintf("/courses/%d/enrol", f.course), url.Values{"csrf_token": {"forged"}}); p.status != 403 {
		t.Errorf("forged enrol: %d", p.status)
	}
	p := b.post(fmt.Sprintf("/courses/%d/enrol", f.course), nil)
	if p.status != 303 || p.header.Get("Location") != fmt.Sprintf("/lessons/%d", f.lessons["text"]) {
		t.Fatalf("enrol: %d %s", p.status, p.header.Get("Location"))
	}
	text := b.get(fmt.Sprintf("/lessons/%d", f.lessons["text"]))
	want(t, text, 200, `id="lesson-text"`, `width="40" height="30"`, `id="lesson-next"`, `aria-current="page"`, "You are enrolled")
	if strings.Contains(text.body, "evil.example") || strings.Contains(text.body, "<script>alert") {
		t.Error("unsanitized text lesson")
	}
	video := b.get(fmt.Sprintf("/lessons/%d", f.lessons["video"]))
	want(t, video, 200, `<video id="lesson-video"`, `data-progress-url="/api/v1/lessons/`, `data-csrf="`+b.csrf()+`"`, "/static/js/media-progress.js?v=")
	want(t, b.get(fmt.Sprintf("/lessons/%d", f.lessons["document"])), 200, `<iframe id="lesson-document"`, `id="lesson-download"`)
	want(t, b.get(fmt.Sprintf("/lessons/%d", f.lessons["link"])), 200, `href="https://example.org/guide" target="_blank" rel="noopener noreferrer"`)
	want(t, b.get(fmt.Sprintf("/lessons/%d", f.lessons["quiz"])), 200, fmt.Sprintf(`id="lesson-start" href="/quizzes/%d"`, f.lessons["quiz"]))
	want(t, b.get(fmt.Sprintf("/lessons/%d", f.lessons["package"])), 200, fmt.Sprintf(`id="lesson-start" href="/lessons/%d/play"`, f.lessons["package"]), `id="lesson-back"`)
	// Opening the pages recorded "viewed"; the video (watched rule) stays in progress.
	l := must(t, s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d", f.lessons["document"]), u.Token, nil), 200).Map(t)
	if l["progress"].(map[string]any)["status"] != "completed" {
		t.Errorf("document after viewing: %v", l["progress"])
	}
	// The course page's Continue goes to the last lesson opened; My learning lists the course.
	b.get(fmt.Sprintf("/lessons/%d", f.lessons["link"]))
	want(t, b.get(fmt.Sprintf("/courses/%d", f.course)), 200, fmt.Sprintf(`id="course-continue" href="/lessons/%d?variant=en"`, f.lessons["link"]))
	want(t, b.get("/my"), 200, fmt.Sprintf(`id="my-course-%d"`, f.course), `<progress id="my-progress-`, `value="50"`)
}

func TestPagesAuthor(t *testing.T) {
	s := apptest.New(t)
	ins := s.Instructor(t)
	b := newBrowser(t, s, &ins)
	want(t, b.get("/teach"), 200, `id="new-course"`, `href="/teach"`)
	want(t, b.post("/teach/courses", url.Values{"title": {""}, "summary": {"S"}, "language": {"en"}}), 422, "field-error")
	p := b.post("/teach/courses", url.Values{"title": {"Digital Evidence Basics"}, "summary": {"Seizing and preserving devices."}, "language": {"en"}})
	if p.status != 303 {
		t.Fatalf("create: %d %.300s", p.status, p.body)
	}
	editor := p.header.Get("Location")
	cid := strings.TrimPrefix(editor, "/teach/courses/")
	want(t, b.get(editor), 200, `id="course-details"`, `id="add-section"`, "The course was created as a draft.")
	want(t, b.post(editor+"/sections", url.Values{"title": {"Seizure"}, "variant": {"en"}}), 303)
	want(t, b.post(editor, url.Values{"variant": {"en"}, "title": {"Digital Evidence Basics"}, "summary": {"S"}, "estimated_hours": {"-3"}}), 422, "estimated_hours")
	want(t, b.post(editor, url.Values{"variant": {"en"}, "title": {"Digital Evidence Basics"}, "summary": {"Seizing devices."}, "estimated_hours": {"2.5"},
		"self_enrolment": {"on"}, "level": {"introductory"}, "tags": {"phones, forensics"}}), 303)
	page := b.get(editor)
	m := regexp.MustCompile(`action="/teach/sections/(\d+)/lessons"`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no add-lesson form: %.2000s", page.body)
	}
	p = b.post("/teach/sections/"+m[1]+"/lessons", url.Values{"title": {"Chain of custody"}, "kind": {"text"}, "variant": {"en"}})
	if p.status != 303 {
		t.Fatalf("add lesson: %d %.300s", p.status, p.body)
	}
	lessonEditor := strings.SplitN(p.header.Get("Location"), "?", 2)[0]
	lid := strings.TrimPrefix(lessonEditor, "/teach/lessons/")
	want(t, b.get(lessonEditor), 200, `id="lesson-form"`, `id="media-form"`)
	want(t, b.upload(lessonEditor+"/media", "photo.png", pngBytes(t, 20, 10), map[string]string{"variant": "en"}), 303)
	want(t, b.upload(lessonEditor+"/media", "photo.png", []byte("<html></html>"), map[string]string{"variant": "en"}), 415)
	want(t, b.post(lessonEditor, url.Values{"variant": {"en"}, "title": {"Chain of custody"}, "body": {"Label **every** bag."}, "completion": {"viewed"}, "required": {"on"}}), 303)
	want(t, b.post(lessonEditor, url.Values{"variant": {"en"}, "title": {""}}), 422, `id="lesson-errors"`)
	want(t, b.post(editor+"/status", url.Values{"status": {"published"}}), 303)
	want(t, b.get(editor), 200, `id="editor-unpublish"`, "Chain of custody")
	// Co-instructor by e-mail; another instructor is refused the editor.
	other := s.Instructor(t)
	want(t, b.post(editor+"/instructors", url.Values{"email": {other.Email}}), 303)
	third := s.Instructor(t)
	want(t, newBrowser(t, s, &third).get(editor), 403)
	want(t, newBrowser(t, s, &other).get(editor), 200)
	// A learner takes the lesson; deleting it then asks for confirmation and keeps the history.
	learner := s.Learner(t)
	want(t, b.post(editor+"/enrolments", url.Values{"emails": {learner.Email}}), 303)
	lb := newBrowser(t, s, &learner)
	want(t, lb.get("/lessons/"+lid), 200, "<strong>every</strong>")
	want(t, b.get(lessonEditor+"/delete"), 200, `id="delete-warning"`)
	want(t, b.post(lessonEditor+"/delete", url.Values{}), 409)
	want(t, b.post(lessonEditor+"/delete", url.Values{"confirm": {"true"}}), 303)
	want(t, lb.get("/lessons/"+lid), 404)
	var n int64
	s.DB.Raw("SELECT COUNT(*) FROM lesson_progress WHERE lesson_id = ?", lid).Scan(&n)
	if n != 1 {
		t.Errorf("history after delete: %d", n)
	}
	// Duplicate and archive.
	p = b.post(editor+"/duplicate", nil)
	if p.status != 303 || p.header.Get("Location") == editor {
		t.Errorf("duplicate: %d %s", p.status, p.header.Get("Location"))
	}
	want(t, b.post(editor+"/status", url.Values{"status": {"archived"}}), 303)
	want(t, b.get("/teach"), 200, "Digital Evidence Basics")
	_ = cid
}

// TestPageWeight: the catalogue and a course page weigh under 200 KB on first load: the HTML
// plus every same-origin stylesheet and script they reference (cover images excluded).
func TestPageWeight(t *testing.T) {
	s := apptest.New(t)
	f := newFixture(t, s)
	must(t, upload(t, s, f.owner.Token, fmt.Sprintf("/api/v1/courses/%d/cover", f.course), "cover.png", pngBytes(t, 320, 180)), 200)
	f.publish(t)
	for i := 0; i < 11; i++ {
		id := createCourse(t, s, f.owner, map[string]any{"title": fmt.Sprintf("Course %d on border management", i), "summary": strings.Repeat("A realistic summary of a course. ", 8), "language": "en"})
		sec := id2(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/sections", id), f.owner.Token, map[string]any{"title": "S"}))
		must(t, s.Do("POST", fmt.Sprintf("/api/v1/sections/%d/lessons", sec), f.owner.Token, map[string]any{"title": "L", "kind": "text"}), 201)
		must(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", id), f.owner.Token, nil), 200)
	}
	u := s.Learner(t)
	b := newBrowser(t, s, &u)
	assetRe := regexp.MustCompile(`(?:<link[^>]+rel="stylesheet"[^>]+href|<script[^>]+src)="(/[^"]+)"`)
	for _, path := range []string{"/courses", fmt.Sprintf("/courses/%d", f.course)} {
		p := b.get(path)
		want(t, p, 200)
		total := len(p.body)
		assets := assetRe.FindAllStringSubmatch(p.body, -1)
		if len(assets) == 0 {
			t.Fatalf("%s references no stylesheet", path)
		}
		for _, a := range assets {
			ap := b.get(strings.ReplaceAll(a[1], "&amp;", "&"))
			want(t, ap, 200)
			total += len(ap.body)
		}
		t.Logf("%s: HTML %d bytes, with %d CSS/JS files %d bytes", path, len(p.body), len(assets), total)
		if total >= 200_000 {
			t.Errorf("%s weighs %d bytes", path, total)
		}
		imgs := regexp.MustCompile(`<img[^>]*>`).FindAllString(p.body, -1)
		if len(imgs) == 0 {
			t.Errorf("%s shows no cover image", path)
		}
		for _, img := range imgs {
			if !strings.Contains(img, "width=") || !strings.Contains(img, "height=") {
				t.Errorf("%s: image without its size: %s", path, img)
			}
		}
	}
}
