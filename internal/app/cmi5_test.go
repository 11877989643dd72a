package app_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"testing"

	"glc/internal/app/apptest"
	"glc/internal/testkit"
)

const cmi5Remote = `<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://example.org/courses/notices">
    <title><langstring lang="en-US">Notices</langstring></title>
    <description><langstring lang="en-US">Colour-coded notices.</langstring></description>
  </course>
  <au id="https://example.org/courses/notices/au1" moveOn="Passed" masteryScore="0.7">
    <title><langstring lang="en-US">Red notices</langstring></title>
    <description><langstring lang="en-US">What a red notice is.</langstring></description>
    <url>https://elearning.example.org/red/index.html</url>
  </au>
</courseStructure>`

// TestCmi5WaiverThroughTheCourse: with the course module behind cmi5 (the app's adapter), an
// instructor waives the only AU of a cmi5 lesson for an enrolled learner who never launched
// it; the lesson and the course are then complete for that learner. A learner who does not
// take the course cannot be waived, and a learner cannot waive.
func TestCmi5WaiverThroughTheCourse(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	owner, learner, stranger := s.Instructor(t), s.Learner(t), s.Learner(t)
	course, section := scormCourse(t, s, owner)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("cmi5.xml")
	_, _ = w.Write([]byte(cmi5Remote))
	_ = zw.Close()
	lesson := idOf(t, want(t, uploadPackage(t, s, owner.Token, section, "", buf.Bytes()), 201))
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), owner.Token, nil), 200)
	want(t, s.Do("POST", fmt.Sprintf("/api/v1/courses/%d/enrolments", course), learner.Token, map[string]any{}), 201)

	path := fmt.Sprintf("/api/v1/lessons/%d/waivers", lesson)
	want(t, s.Do("POST", path, learner.Token, map[string]any{"user_id": learner.ID, "au": 0, "reason": "Tested Out"}), 403)
	want(t, s.Do("POST", path, owner.Token, map[string]any{"user_id": stranger.ID, "au": 0, "reason": "Tested Out"}), 422)
	want(t, s.Do("POST", path, owner.Token, map[string]any{"user_id": learner.ID, "au": 0, "reason": "Tested Out"}), 201)

	var p struct {
		PercentComplete int     `json:"percent_complete"`
		CompletedAt     *string `json:"completed_at"`
	}
	want(t, s.Do("GET", fmt.Sprintf("/api/v1/courses/%d/progress", course), learner.Token, nil), 200).JSON(t, &p)
	if p.PercentComplete != 100 || p.CompletedAt == nil {
		t.Fatalf("after the waiver: %+v", p)
	}
}
