package app_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"glc/internal/app/apptest"
	"glc/internal/testkit"
)

// uploadWithSettings uploads a package with the new lesson's settings before the file.
func uploadWithSettings(t testing.TB, s *apptest.Server, token string, section int64, fields map[string]string, data []byte) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "package.zip")
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/sections/%d/packages", s.URL, section), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return s.Send(req)
}

// fetchContent plays a package lesson as u up to its content: an attempt (preview or not),
// the launch, then the launch file as the browser fetches it (no cookie: the address carries
// the capability). It returns the attempt, the content address and the response.
func fetchContent(t testing.TB, s *apptest.Server, u apptest.TestUser, lesson int64) (map[string]any, string, *http.Response, string) {
	t.Helper()
	att := want(t, s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), u.Token, nil), 201).Map(t)
	ld := want(t, s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/launch", int64(att["id"].(float64))), u.Token, map[string]string{"item": "item1"}), 200).Map(t)
	url := ld["url"].(string)
	resp, err := http.Get(s.URL + url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return att, url, resp, string(b)
}

// TestSCORMDuplicatedCourseKeepsItsPackage: duplicating a course gives each package lesson a
// package of its own over the same stored files, with the same settings and no attempts; the
// copy plays; deleting the original lesson (and course) leaves the copy's files alone.
func TestSCORMDuplicatedCourseKeepsItsPackage(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	owner, learner := s.Instructor(t), s.Learner(t)
	course, section := scormCourse(t, s, owner)
	lesson := idOf(t, want(t, uploadWithSettings(t, s, owner.Token, section, map[string]string{"max_attempts": "2", "mastery_score": "70"}, package12(t)), 201))
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), owner.Token, nil), 200)
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enrolments", course), learner.Token, map[string]any{}), 201)
	att, origURL, resp, _ := fetchContent(t, s, learner, lesson)
	if resp.StatusCode != 200 || att["preview"] != false {
		t.Fatalf("the original plays: %d %v", resp.StatusCode, att)
	}
	objects := scormObjects(t, s)

	// The course editor's Duplicate button.
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/teach/courses/%d/duplicate", s.URL, course), strings.NewReader("csrf_token="+strings.Repeat("k", 48)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "glc_access", Value: owner.Token})
	req.AddCookie(&http.Cookie{Name: "glc_csrf", Value: strings.Repeat("k", 48)})
	resp, err := s.Browser().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var copyCourse int64
	if _, err := fmt.Sscanf(resp.Header.Get("Location"), "/teach/courses/%d", &copyCourse); resp.StatusCode != 303 || err != nil || copyCourse == course {
		t.Fatalf("duplicate button: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	d := want(t, s.Do("GET", fmt.Sprintf("/api/v1/courses/%d", copyCourse), owner.Token, nil), 200).Map(t)
	ls := d["sections"].([]any)[0].(map[string]any)["lessons"].([]any)
	copyLesson := int64(ls[0].(map[string]any)["id"].(float64))
	if copyLesson == lesson || ls[0].(map[string]any)["kind"] != "package" {
		t.Fatalf("copied lessons: %v", ls)
	}
	pkg := want(t, s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/package", copyLesson), owner.Token, nil), 200).Map(t)
	if pkg["max_attempts"] != 2.0 || pkg["mastery_score"] != 70.0 || pkg["standard"] != "scorm12" || pkg["lesson_id"] != float64(copyLesson) {
		t.Fatalf("the copy's package: %v", pkg)
	}
	if r := want(t, s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts?previews=include", copyLesson), owner.Token, nil), 200).Map(t); r["total"] != 0.0 {
		t.Errorf("attempts were copied: %v", r)
	}
	var rows []struct {
		UUID, ContentUUID string
		LessonID          int64
	}
	s.DB.Raw("SELECT uuid, content_uuid, lesson_id FROM scorm_packages ORDER BY id").Scan(&rows)
	if len(rows) != 2 || rows[0].UUID == rows[1].UUID || rows[0].ContentUUID != rows[1].ContentUUID || rows[1].LessonID != copyLesson {
		t.Fatalf("package rows: %+v", rows)
	}
	if n := scormObjects(t, s); n != objects {
		t.Errorf("duplicating copied the files: %d objects, were %d", n, objects)
	}
	// The copy plays (the owner previews the draft copy) from the shared files.
	patt, copyURL, resp, body := fetchContent(t, s, owner, copyLesson)
	if resp.StatusCode != 200 || !strings.Contains(body, "Passports") || patt["preview"] != true || patt["mastery_score"] != 70.0 ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "connect-src") {
		t.Fatalf("the copy's content: %d %v %v", resp.StatusCode, patt, resp.Header)
	}
	if origURL[:strings.Index(origURL[len("/content/"):], "/")+len("/content/")] != copyURL[:strings.Index(copyURL[len("/content/"):], "/")+len("/content/")] {
		t.Errorf("the copy does not read the same content: %s vs %s", origURL, copyURL)
	}

	// Deleting the original lesson (with the learner's history) and its course leaves the
	// copy working.
	want(t, s.Do("DELETE", fmt.Sprintf("/api/v1/lessons/%d?confirm=true", lesson), owner.Token, nil), 204)
	want(t, s.Do("DELETE", fmt.Sprintf("/api/v1/courses/%d", course), owner.Token, nil), 204)
	if n := scormObjects(t, s); n != objects {
		t.Errorf("objects after deleting the original: %d, were %d", n, objects)
	}
	_, _, resp, body = fetchContent(t, s, owner, copyLesson)
	if resp.StatusCode != 200 || !strings.Contains(body, "Passports") {
		t.Fatalf("the copy after the original was deleted: %d", resp.StatusCode)
	}
	// The copy's own settings are its own.
	want(t, s.Do("PATCH", fmt.Sprintf("/api/v1/lessons/%d/package", copyLesson), owner.Token, map[string]any{"max_attempts": 5}), 200)
	var maxes []int
	s.DB.Raw("SELECT max_attempts FROM scorm_packages ORDER BY id").Scan(&maxes)
	if len(maxes) != 2 || maxes[0] != 2 || maxes[1] != 5 {
		t.Errorf("settings after changing the copy's: %v", maxes)
	}
	// The API duplicates the copy too (a copy of a copy reads the same files).
	d = want(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/duplicate", copyCourse), owner.Token, nil), 201).Map(t)
	third := int64(d["sections"].([]any)[0].(map[string]any)["lessons"].([]any)[0].(map[string]any)["id"].(float64))
	_, _, resp, body = fetchContent(t, s, owner, third)
	if resp.StatusCode != 200 || !strings.Contains(body, "Passports") || scormObjects(t, s) != objects {
		t.Fatalf("a copy of the copy: %d, %d objects", resp.StatusCode, scormObjects(t, s))
	}
}

// TestSCORMPreviewNeverFeedsProgress: an instructor who is not enrolled previews; their
// attempt is a preview and stays one when they enrol later (its commits record nothing);
// their first learner attempt then counts as attempt 1. Results pages name the people.
func TestSCORMPreviewNeverFeedsProgress(t *testing.T) {
	s := apptest.New(t)
	owner := s.Instructor(t, apptest.Name("Amina Diallo"))
	learner := s.Learner(t, apptest.Name("Yusuf Haddad"))
	co := s.Instructor(t)
	course, section := scormCourse(t, s, owner)
	lesson := idOf(t, want(t, uploadPackage(t, s, owner.Token, section, "", package12(t)), 201))
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), owner.Token, nil), 200)
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/instructors", course), owner.Token, map[string]any{"user_id": co.ID}), 201)
	commit := func(u apptest.TestUser, att int64, seq int, status string) {
		t.Helper()
		want(t, s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/commit", att), u.Token, map[string]any{"item": "item1", "session": 1, "seq": seq,
			"cmi": map[string]any{"core": map[string]any{"lesson_status": status, "session_time": "00:01:00", "score": map[string]any{"raw": "90"}}}}), 200)
	}
	progressRows := func(u apptest.TestUser) (n int64) {
		s.DB.Raw("SELECT COUNT(*) FROM lesson_progress WHERE user_id = ?", u.ID).Scan(&n)
		return n
	}

	// The owner previews: a preview attempt, nothing in progress.
	prev := want(t, s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), owner.Token, nil), 201).Map(t)
	pid := int64(prev["id"].(float64))
	if prev["preview"] != true {
		t.Fatalf("the owner's attempt: %v", prev)
	}
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/launch", pid), owner.Token, map[string]string{"item": "item1"}), 200)
	commit(owner, pid, 1, "passed")
	if n := progressRows(owner); n != 0 {
		t.Fatalf("the preview made %d lesson record(s)", n)
	}
	// The owner enrols in their own course: the old preview stays a preview.
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enrolments", course), owner.Token, map[string]any{}), 201)
	commit(owner, pid, 2, "passed")
	if n := progressRows(owner); n != 0 {
		t.Fatalf("a commit to the preview after enrolling made %d lesson record(s)", n)
	}
	// Now tracked, they get a learner attempt, which counts as their first.
	b := s.Browser()
	page := func(u apptest.TestUser, path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: "glc_access", Value: u.Token})
		resp, err := b.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if st, body := page(owner, fmt.Sprintf("/lessons/%d/play", lesson)); st != 200 || strings.Contains(body, `id="scorm-preview"`) {
		t.Fatalf("the enrolled owner's player: %d preview=%v", st, strings.Contains(body, `id="scorm-preview"`))
	}
	list := want(t, s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts?user_id=%d&previews=include", lesson, owner.ID), owner.Token, nil), 200).Map(t)
	items := list["items"].([]any)
	if len(items) != 2 || items[1].(map[string]any)["preview"] != false || items[1].(map[string]any)["number"] != 2.0 {
		t.Fatalf("the owner's attempts: %v", items)
	}
	aid := int64(items[1].(map[string]any)["id"].(float64))
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/launch", aid), owner.Token, map[string]string{"item": "item1"}), 200)
	commit(owner, aid, 1, "passed")
	p := want(t, s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d", lesson), owner.Token, nil), 200).Map(t)["progress"].(map[string]any)
	if p["status"] != "passed" || p["attempts"] != 1.0 {
		t.Fatalf("the owner's lesson record as a learner: %v", p)
	}

	// A learner's attempt, then the results: names, e-mail, previews apart.
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enrolments", course), learner.Token, map[string]any{}), 201)
	lat := want(t, s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), learner.Token, nil), 201).Map(t)
	if lat["preview"] != false {
		t.Fatalf("the learner's attempt: %v", lat)
	}
	for _, u := range []apptest.TestUser{owner, co} {
		st, body := page(u, fmt.Sprintf("/lessons/%d/scorm/attempts", lesson))
		if st != 200 || !strings.Contains(body, "<bdi>Yusuf Haddad</bdi>") || !strings.Contains(body, learner.Email) ||
			!strings.Contains(body, "<bdi>Amina Diallo</bdi>") || strings.Contains(body, "Learner ") || !strings.Contains(body, "Show the preview by staff") {
			t.Fatalf("results page for %d: %d\n%s", u.ID, st, body)
		}
	}
	st, body := page(owner, fmt.Sprintf("/lessons/%d/scorm/attempts?previews=only", lesson))
	if st != 200 || strings.Count(body, `<span class="badge">Preview</span>`) != 1 || strings.Contains(body, "Yusuf Haddad") {
		t.Fatalf("previews page: %d\n%s", st, body)
	}
	if st, _ := page(s.Instructor(t), fmt.Sprintf("/lessons/%d/scorm/attempts", lesson)); st != 403 {
		t.Errorf("another instructor reads the results: %d", st)
	}
	// The lesson editor links a package lesson to its settings page.
	if st, body := page(owner, fmt.Sprintf("/teach/lessons/%d", lesson)); st != 200 ||
		!strings.Contains(body, fmt.Sprintf(`href="/lessons/%d/package" id="lesson-kind-settings"`, lesson)) {
		t.Fatalf("lesson editor: %d", st)
	}
}

const cmi5XML = `<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://example.org/courses/border">
    <title><langstring lang="en-US">Border checks</langstring></title>
    <description><langstring lang="en-US">Checking documents.</langstring></description>
  </course>
  <au id="https://example.org/courses/border/au-1">
    <title><langstring lang="en-US">Reading</langstring></title>
    <description><langstring lang="en-US">A page</langstring></description>
    <url>content/au.html</url>
  </au>
</courseStructure>`

func cmi5Zip(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string]string{"cmi5.xml": cmi5XML, "content/au.html": `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>AU</title></head><body><p>AU</p></body></html>`} {
		w, _ := zw.Create(name)
		_, _ = w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSCORMPagesLeaveCMI5Alone: a package lesson holding a cmi5 course has no SCORM settings:
// the upload refuses settings for it, its instructors land on the lesson editor (not on a
// page that does not apply), and the lesson editor offers no settings link for it.
func TestSCORMPagesLeaveCMI5Alone(t *testing.T) {
	s := apptest.New(t)
	owner := s.Instructor(t)
	_, section := scormCourse(t, s, owner)
	if r := uploadWithSettings(t, s, owner.Token, section, map[string]string{"max_attempts": "2"}, cmi5Zip(t)); r.Status != 422 {
		t.Fatalf("cmi5 with settings: %d %s", r.Status, r.Body)
	}
	r := want(t, uploadWithSettings(t, s, owner.Token, section, nil, cmi5Zip(t)), 201)
	if r.Map(t)["package"].(map[string]any)["standard"] != "cmi5" {
		t.Fatalf("cmi5 import: %s", r.Body)
	}
	lesson := idOf(t, r)
	get := func(path string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: "glc_access", Value: owner.Token})
		resp, err := s.Browser().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	if resp, _ := get(fmt.Sprintf("/lessons/%d/package?imported=1", lesson)); resp.StatusCode != 303 || resp.Header.Get("Location") != fmt.Sprintf("/teach/lessons/%d", lesson) {
		t.Fatalf("the package page of a cmi5 lesson: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := get(fmt.Sprintf("/teach/lessons/%d", lesson)); resp.StatusCode != 200 || strings.Contains(body, `id="lesson-kind-settings"`) || strings.Contains(body, `id="lesson-kind-setup"`) {
		t.Fatalf("lesson editor of a cmi5 lesson: %d settings=%v setup=%v", resp.StatusCode, strings.Contains(body, `id="lesson-kind-settings"`), strings.Contains(body, `id="lesson-kind-setup"`))
	}
}
