package course_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"testing"

	"glc/internal/app/apptest"
	"glc/internal/auth"
)

// fixture is a server with an instructor, a published course and one lesson of each kind.
type fixture struct {
	s          *apptest.Server
	owner      apptest.TestUser
	course     int64
	section    int64
	lessons    map[string]int64 // by kind
	videoBytes []byte
}

func id(t testing.TB, r *apptest.Response) int64 {
	t.Helper()
	m := r.Map(t)
	v, ok := m["id"].(float64)
	if !ok {
		t.Fatalf("no id in %d %s", r.Status, r.Body)
	}
	return int64(v)
}

func must(t testing.TB, r *apptest.Response, status int) *apptest.Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}

func createCourse(t testing.TB, s *apptest.Server, u apptest.TestUser, body map[string]any) int64 {
	t.Helper()
	return id(t, must(t, s.Do("POST", "/api/v1/courses", u.Token, body), 201))
}

// upload sends data as the multipart part "file".
func upload(t testing.TB, s *apptest.Server, token, path string, name string, data []byte) *apptest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, _ := mw.CreateFormFile("file", name)
	_, _ = w.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", s.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.Send(req)
}

// mp4Bytes is an ISO media file header (ftyp mp42) followed by n filler bytes.
func mp4Bytes(n int) []byte {
	head := []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")
	body := make([]byte, n)
	for i := range body {
		body[i] = byte(i * 7)
	}
	return append(head, body...)
}

func pdfBytes() []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

func pngBytes(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{200, 10, 10, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func docxBytes(t testing.TB) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml"} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, "<?xml version=\"1.0\"?><x/>")
	}
	_ = zw.Close()
	return buf.Bytes()
}

// newFixture builds a published, self-enrolment course with one lesson of every kind.
func newFixture(t testing.TB, s *apptest.Server) *fixture {
	t.Helper()
	f := &fixture{s: s, owner: s.Instructor(t), lessons: map[string]int64{}}
	f.course = createCourse(t, s, f.owner, map[string]any{"title": "Interdicting Maritime Smuggling", "summary": "Boarding and searching vessels.",
		"description": "How coastguards plan **interdiction** operations at sea.", "language": "en", "topic": "maritime-security", "level": "intermediate",
		"tags": []string{"Ports", "Vessels"}})
	f.section = id(t, must(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/sections", f.course), f.owner.Token, map[string]any{"title": "Basics"}), 201))
	add := func(kind string, extra map[string]any) int64 {
		body := map[string]any{"title": "Lesson " + kind, "kind": kind}
		for k, v := range extra {
			body[k] = v
		}
		return id(t, must(t, s.Do("POST", fmt.Sprintf("/api/v1/sections/%d/lessons", f.section), f.owner.Token, body), 201))
	}
	f.lessons["text"] = add("text", map[string]any{"body": "Intro"})
	f.lessons["video"] = add("video", nil)
	f.lessons["document"] = add("document", nil)
	f.lessons["link"] = add("link", map[string]any{"url": "https://example.org/guide"})
	f.lessons["quiz"] = add("quiz", nil)
	// The app registers the package kind: a package lesson is made by the package importer
	// (as the SCORM adapter does), not through POST /sections/{id}/lessons.
	must(t, s.Do("POST", fmt.Sprintf("/api/v1/sections/%d/lessons", f.section), f.owner.Token, map[string]any{"title": "Lesson package", "kind": "package"}), 422)
	pkg, err := s.App.Courses.AddPackageLesson(auth.WithPrincipal(context.Background(), &auth.Principal{UserID: f.owner.ID, Roles: []string{auth.RoleInstructor}}),
		f.section, "Lesson package", "")
	if err != nil {
		t.Fatalf("package lesson: %v", err)
	}
	f.lessons["package"] = pkg
	img := id(t, must(t, upload(t, s, f.owner.Token, fmt.Sprintf("/api/v1/lessons/%d/media", f.lessons["text"]), "map.png", pngBytes(t, 40, 30)), 201))
	must(t, s.Do("PATCH", fmt.Sprintf("/api/v1/lessons/%d", f.lessons["text"]), f.owner.Token,
		map[string]any{"body": fmt.Sprintf("# Welcome\n\n![Port map](/api/v1/lessons/%d/files/%d)\n\n![tracker](https://evil.example/pixel.png)\n\n<script>alert(1)</script>", f.lessons["text"], img)}), 200)
	f.videoBytes = mp4Bytes(200_000)
	must(t, upload(t, s, f.owner.Token, fmt.Sprintf("/api/v1/lessons/%d/media", f.lessons["video"]), "clip.mp4", f.videoBytes), 201)
	must(t, upload(t, s, f.owner.Token, fmt.Sprintf("/api/v1/lessons/%d/media", f.lessons["document"]), "guide.pdf", pdfBytes()), 201)
	return f
}

func (f *fixture) publish(t testing.TB) {
	t.Helper()
	must(t, f.s.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d", f.course), f.owner.Token, map[string]any{"self_enrolment": true}), 200)
	must(t, f.s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", f.course), f.owner.Token, nil), 200)
}

func (f *fixture) enrol(t testing.TB, u apptest.TestUser) {
	t.Helper()
	must(t, f.s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enrolments", f.course), u.Token, map[string]any{}), 201)
}
