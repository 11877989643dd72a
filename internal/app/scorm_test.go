package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"glc/internal/app/apptest"
	"glc/internal/auth"
	"glc/internal/testkit"
)

// The SCORM module wired to the course module: a package is a course lesson of kind "package",
// from the upload to the learner's lesson record and course completion.

const manifest12 = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="glc.test.border" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>Document checks at the border</title>
      <item identifier="item1" identifierref="res1"><title>Spotting forged passports</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res1" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
    </resource>
  </resources>
</manifest>`

// package12 is a one-SCO SCORM 1.2 package.
func package12(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string]string{
		"imsmanifest.xml": manifest12,
		"index.html":      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SCO</title></head><body><p>Passports</p></body></html>`,
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func uploadPackage(t testing.TB, s *apptest.Server, token string, section int64, query string, data []byte) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "package.zip")
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/sections/%d/packages%s", s.URL, section, query), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return s.Send(req)
}

func want(t testing.TB, r *apptest.Response, status int) *apptest.Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}

// scormCourse is a published self-enrolment course with one (empty) section, by owner.
func scormCourse(t testing.TB, s *apptest.Server, owner apptest.TestUser) (course, section int64) {
	t.Helper()
	course = idOf(t, want(t, s.Do("POST", "/api/v1/courses", owner.Token, map[string]any{"title": "Border document checks",
		"summary": "Forged and altered travel documents.", "language": "en"}), 201))
	section = idOf(t, want(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/sections", course), owner.Token, map[string]any{"title": "Passports"}), 201))
	want(t, s.Do("PATCH", fmt.Sprintf("/api/v1/courses/%d", course), owner.Token, map[string]any{"self_enrolment": true}), 200)
	return course, section
}

func lessonCount(t testing.TB, s *apptest.Server, course int64) int64 {
	t.Helper()
	var n int64
	if err := s.DB.Raw("SELECT COUNT(*) FROM course_lessons WHERE course_id = ?", course).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func scormObjects(t testing.TB, s *apptest.Server) int {
	t.Helper()
	objs, err := s.Store.List(context.Background(), "scorm/")
	if err != nil {
		t.Fatal(err)
	}
	return len(objs)
}

func TestSCORMPackageIsACourseLesson(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	owner, other := s.Instructor(t), s.Instructor(t)
	learner, learner2 := s.Learner(t), s.Learner(t)
	course, section := scormCourse(t, s, owner)
	_, otherSection := scormCourse(t, s, other)

	// Refusals change nothing: an instructor of another course (403), a learner (403), a
	// file that is not a zip, a zip without a manifest (422); none leaves a lesson or an object.
	if r := uploadPackage(t, s, other.Token, section, "", package12(t)); r.Status != 403 {
		t.Fatalf("another course's instructor: %d %s", r.Status, r.Body)
	}
	if r := uploadPackage(t, s, learner.Token, section, "", package12(t)); r.Status != 403 {
		t.Fatalf("learner: %d %s", r.Status, r.Body)
	}
	if r := uploadPackage(t, s, owner.Token, section+otherSection+100, "", package12(t)); r.Status != 404 {
		t.Fatalf("no such section: %d %s", r.Status, r.Body)
	}
	if r := uploadPackage(t, s, owner.Token, section, "", []byte("%PDF-1.4 this is not a zip")); r.Status != 422 || !strings.Contains(string(r.Body), "zip") {
		t.Fatalf("not a zip: %d %s", r.Status, r.Body)
	}
	if n := lessonCount(t, s, course); n != 0 {
		t.Fatalf("refused uploads left %d lesson(s)", n)
	}
	if n := scormObjects(t, s); n != 0 {
		t.Fatalf("refused uploads left %d object(s) in storage", n)
	}
	// Lessons of kind package are only made by uploading one.
	r := want(t, s.Do("POST", fmt.Sprintf("/api/v1/sections/%d/lessons", section), owner.Token, map[string]any{"title": "By hand", "kind": "package"}), 422)
	if !strings.Contains(string(r.Body), fmt.Sprintf("/api/v1/sections/%d/packages", section)) {
		t.Errorf("the refusal does not say where to upload: %s", r.Body)
	}

	// The owner uploads: 201 with the lesson, which the outline shows as a package lesson.
	r = want(t, uploadPackage(t, s, owner.Token, section, "", package12(t)), 201)
	res := r.Map(t)
	lesson := int64(res["id"].(float64))
	if res["kind"] != "package" || res["package"].(map[string]any)["standard"] != "scorm12" {
		t.Fatalf("import result: %s", r.Body)
	}
	if n := scormObjects(t, s); n != 2 {
		t.Errorf("objects after the import: %d, want the 2 files of the package", n)
	}
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), owner.Token, nil), 200)
	cv := want(t, s.Do("GET", fmt.Sprintf("/api/v1/courses/%d", course), learner.Token, nil), 200).Map(t)
	ls := cv["sections"].([]any)[0].(map[string]any)["lessons"].([]any)
	if len(ls) != 1 {
		t.Fatalf("outline: %v", cv["sections"])
	}
	item := ls[0].(map[string]any)
	if int64(item["id"].(float64)) != lesson || item["kind"] != "package" || item["available"] != true || item["title"] != "Document checks at the border" ||
		item["completion"] != "package_completed" {
		t.Fatalf("outline lesson: %v", item)
	}

	// Not enrolled yet: the package is closed to the learner.
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), learner.Token, nil), 403)
	for _, u := range []apptest.TestUser{learner, learner2} {
		want(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enrolments", course), u.Token, map[string]any{}), 201)
	}
	lv := want(t, s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d", lesson), learner.Token, nil), 200).Map(t)
	if lv["player_url"] != fmt.Sprintf("/lessons/%d/play", lesson) {
		t.Fatalf("player_url %v", lv["player_url"])
	}

	// The learner launches and commits "passed" with a score.
	att := idOf(t, want(t, s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), learner.Token, nil), 201))
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/launch", att), learner.Token, map[string]string{"item": "item1"}), 200)
	commit := map[string]any{"item": "item1", "session": 1, "seq": 1, "cmi": map[string]any{"core": map[string]any{
		"lesson_status": "passed", "lesson_location": "p7", "session_time": "00:03:20", "exit": "",
		"score": map[string]any{"raw": "85", "min": "0", "max": "100"}}}}
	r = want(t, s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/commit", att), learner.Token, commit), 200)
	if r.Map(t)["applied"] != true {
		t.Fatalf("commit: %s", r.Body)
	}
	progress := func() map[string]any {
		t.Helper()
		p, _ := want(t, s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d", lesson), learner.Token, nil), 200).Map(t)["progress"].(map[string]any)
		if p == nil {
			t.Fatal("no lesson progress")
		}
		return p
	}
	p := progress()
	if p["status"] != "passed" || p["score"] != 85.0 || p["max_score"] != 100.0 || p["attempts"] != 1.0 || p["completed_at"] == nil ||
		p["time_spent_seconds"].(float64) < 200 {
		t.Fatalf("lesson progress after the commit: %v", p)
	}
	cv = want(t, s.Do("GET", fmt.Sprintf("/api/v1/courses/%d", course), learner.Token, nil), 200).Map(t)
	if e, _ := cv["enrolment"].(map[string]any); e == nil || e["completed_at"] == nil {
		t.Fatalf("course not completed: %v", cv["enrolment"])
	}
	var source string
	s.DB.Raw("SELECT source FROM lesson_progress WHERE user_id = ? AND lesson_id = ?", learner.ID, lesson).Scan(&source)
	if source != "scorm" {
		t.Errorf("progress source %q", source)
	}

	// Replaying the same commit (and a later commit of the same status) counts no new attempt.
	r = want(t, s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/commit", att), learner.Token, commit), 200)
	if r.Map(t)["applied"] != false {
		t.Fatalf("replay applied: %s", r.Body)
	}
	commit2 := map[string]any{"item": "item1", "session": 1, "seq": 2, "cmi": commit["cmi"]}
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/commit", att), learner.Token, commit2), 200)
	if p := progress(); p["attempts"] != 1.0 || p["status"] != "passed" || p["score"] != 85.0 {
		t.Fatalf("lesson progress after replays: %v", p)
	}

	// Another learner cannot commit to (or read) this attempt, and nothing changes for them.
	if r := s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/commit", att), learner2.Token, map[string]any{"item": "item1", "session": 1, "seq": 3,
		"cmi": map[string]any{"core": map[string]any{"lesson_status": "failed"}}}); r.Status != 403 {
		t.Fatalf("another learner's commit: %d %s", r.Status, r.Body)
	}
	want(t, s.Do("GET", fmt.Sprintf("/api/v1/scorm/attempts/%d", att), learner2.Token, nil), 403)
	var n2 int64
	s.DB.Raw("SELECT COUNT(*) FROM lesson_progress WHERE user_id = ? AND lesson_id = ?", learner2.ID, lesson).Scan(&n2)
	if n2 != 0 {
		t.Errorf("the refused commit made a lesson record for the other learner")
	}
	if p := progress(); p["status"] != "passed" || p["attempts"] != 1.0 {
		t.Fatalf("the refused commit changed the learner's record: %v", p)
	}

	// The owner sees every attempt; an instructor of another course does not.
	if r := want(t, s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), owner.Token, nil), 200).Map(t); r["total"] != 1.0 {
		t.Errorf("owner's attempt list: %v", r)
	}
	want(t, s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), other.Token, nil), 403)

	// Previewing as the owner plays the package but records nothing in lesson progress.
	oatt := idOf(t, want(t, s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), owner.Token, nil), 201))
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/launch", oatt), owner.Token, map[string]string{"item": "item1"}), 200)
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/commit", oatt), owner.Token, commit), 200)
	var n3 int64
	s.DB.Raw("SELECT COUNT(*) FROM lesson_progress WHERE user_id = ?", owner.ID).Scan(&n3)
	if n3 != 0 {
		t.Errorf("the owner's preview made %d lesson record(s)", n3)
	}

	// The course editor links the section to the upload page, and the player back to the course.
	b := s.Browser()
	page := func(u apptest.TestUser, path string) string {
		t.Helper()
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: "glc_access", Value: u.Token})
		resp, err := b.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out bytes.Buffer
		_, _ = out.ReadFrom(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return out.String()
	}
	editor := page(owner, fmt.Sprintf("/teach/courses/%d", course))
	if !strings.Contains(editor, fmt.Sprintf(`href="/sections/%d/packages/new"`, section)) || strings.Contains(editor, `<option value="package">`) {
		t.Errorf("course editor: no upload link for the section, or package still offered in the new-lesson form")
	}
	if body := page(learner, fmt.Sprintf("/lessons/%d", lesson)); !strings.Contains(body, fmt.Sprintf(`id="lesson-start" href="/lessons/%d/play"`, lesson)) {
		t.Errorf("lesson page does not lead to the package player")
	}
	if body := page(learner, fmt.Sprintf("/lessons/%d/play", lesson)); !strings.Contains(body, fmt.Sprintf(`<a href="/courses/%d" id="scorm-back">`, course)) {
		t.Errorf("the player has no link back to the course")
	}
}

func TestSCORMLessonSettingsAndCleanup(t *testing.T) {
	s := apptest.New(t)
	owner, learner := s.Instructor(t), s.Learner(t)
	course, section := scormCourse(t, s, owner)
	lesson := idOf(t, want(t, uploadPackage(t, s, owner.Token, section, "", package12(t)), 201))
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), owner.Token, nil), 200)
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enrolments", course), learner.Token, map[string]any{}), 201)

	// Settings: only the course's instructors change them; bad values are refused.
	path := fmt.Sprintf("/api/v1/lessons/%d/package", lesson)
	want(t, s.Do("PATCH", path, learner.Token, map[string]any{"max_attempts": 5}), 403)
	want(t, s.Do("PATCH", path, owner.Token, map[string]any{"max_attempts": -1, "mastery_score": 120}), 422)
	r := want(t, s.Do("PATCH", path, owner.Token, map[string]any{"max_attempts": 1, "mastery_score": 80}), 200).Map(t)
	if r["max_attempts"] != 1.0 || r["mastery_score"] != 80.0 {
		t.Fatalf("settings: %v", r)
	}
	// The rule is the lesson's completion: "passed" keeps a completed-but-failed package open.
	want(t, s.Do("PATCH", fmt.Sprintf("/api/v1/lessons/%d", lesson), owner.Token, map[string]any{"completion": "passed"}), 200)
	att := want(t, s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), learner.Token, nil), 201).Map(t)
	if att["mastery_score"] != 80.0 {
		t.Fatalf("attempt mastery score: %v", att)
	}
	aid := int64(att["id"].(float64))
	ld := want(t, s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/launch", aid), learner.Token, map[string]string{"item": "item1"}), 200).Map(t)
	if sd := ld["cmi"].(map[string]any)["student_data"].(map[string]any); sd["mastery_score"] != "80" {
		t.Errorf("launch mastery score: %v", sd)
	}
	// 70 is below the mastery score: the package says completed, the LMS says failed.
	commit := map[string]any{"item": "item1", "session": 1, "seq": 1, "cmi": map[string]any{"core": map[string]any{
		"lesson_status": "completed", "session_time": "00:01:00", "score": map[string]any{"raw": "70"}}}}
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/commit", aid), learner.Token, commit), 200)
	p := want(t, s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d", lesson), learner.Token, nil), 200).Map(t)["progress"].(map[string]any)
	if p["status"] != "failed" || p["score"] != 70.0 || p["max_score"] != 100.0 || p["completed_at"] != nil || p["attempts"] != 1.0 {
		t.Fatalf("progress below the mastery score: %v", p)
	}
	// One attempt allowed: a second is refused.
	if r := s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), learner.Token, nil); r.Status != 409 || r.ErrorCode() != "attempts_exhausted" {
		t.Fatalf("second attempt: %d %s", r.Status, r.Body)
	}

	// A package lesson that an import could not finish is removed for good when nobody has
	// progress in it.
	ctx := auth.WithPrincipal(context.Background(), &auth.Principal{UserID: owner.ID, Roles: []string{auth.RoleInstructor}})
	tmp, err := s.App.Courses.AddPackageLesson(ctx, section, "Half-imported", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.App.Courses.RemovePackageLesson(ctx, tmp); err != nil {
		t.Fatal(err)
	}
	var left int64
	s.DB.Raw("SELECT COUNT(*) FROM course_lessons WHERE id = ?", tmp).Scan(&left)
	if left != 0 {
		t.Errorf("the lesson of a failed import is still there")
	}
	other := s.Instructor(t)
	octx := auth.WithPrincipal(context.Background(), &auth.Principal{UserID: other.ID, Roles: []string{auth.RoleInstructor}})
	if err := s.App.Courses.RemovePackageLesson(octx, lesson); err == nil {
		t.Error("another instructor removed the lesson")
	}
}

func TestSCORMBackgroundImportMakesTheLesson(t *testing.T) {
	s := apptest.New(t)
	owner := s.Instructor(t)
	course, section := scormCourse(t, s, owner)
	r := want(t, uploadPackage(t, s, owner.Token, section, "?background=1", package12(t)), 202).Map(t)
	statusURL := r["status_url"].(string)
	deadline := time.Now().Add(30 * time.Second)
	var im map[string]any
	for {
		im = want(t, s.Do("GET", statusURL, owner.Token, nil), 200).Map(t)
		if im["status"] == "done" || im["status"] == "failed" || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if im["status"] != "done" {
		t.Fatalf("background import: %v", im)
	}
	lesson := int64(im["lesson"].(map[string]any)["id"].(float64))
	var kind string
	s.DB.Raw("SELECT kind FROM course_lessons WHERE id = ? AND course_id = ?", lesson, course).Scan(&kind)
	if kind != "package" {
		t.Fatalf("lesson %d of the background import: kind %q", lesson, kind)
	}
	if objs, _ := s.Store.List(context.Background(), "scorm/uploads/"); len(objs) != 0 {
		t.Errorf("the upload was kept: %v", objs)
	}
}
