package progress_test

import (
	"fmt"
	"testing"
	"time"

	"glc/internal/app/apptest"
	"glc/internal/testkit"
)

// TestStoredProgressFollowsCourseChanges checks that the stored progress that reports and
// dashboards read (course_progress.percent_complete) follows the course outline for learners
// still in progress when a required lesson is added, made optional or deleted, while a learner
// who completed keeps 100 and their completion.
func TestStoredProgressFollowsCourseChanges(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	owner := s.Instructor(t)
	done, midway := s.Learner(t), s.Learner(t)
	course := idOf(t, must(t, s.Do("POST", "/api/v1/courses", owner.Token, map[string]any{"title": "Crime scene basics", "summary": "First steps at a scene.", "language": "en"}), 201))
	cpath := fmt.Sprintf("/api/v1/courses/%d", course)
	sec := idOf(t, must(t, s.Do("POST", cpath+"/sections", owner.Token, map[string]any{"title": "Module 1"}), 201))
	lesson := func(title string) int64 {
		return idOf(t, must(t, s.Do("POST", fmt.Sprintf("/api/v1/sections/%d/lessons", sec), owner.Token, map[string]any{"title": title, "kind": "text", "body": "Read me."}), 201))
	}
	l1, l2 := lesson("Securing the scene"), lesson("Documenting")
	must(t, s.Do("PATCH", cpath, owner.Token, map[string]any{"self_enrolment": true}), 200)
	must(t, s.Do("POST", cpath+"/publish", owner.Token, nil), 200)
	for _, u := range []apptest.TestUser{done, midway} {
		must(t, s.Do("POST", cpath+"/enrolments", u.Token, map[string]any{}), 201)
	}
	view := func(u apptest.TestUser, l int64) {
		must(t, s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/progress", l), u.Token, map[string]any{"event": "viewed"}), 200)
	}
	view(done, l1)
	view(done, l2)
	view(midway, l1)

	stored := func(u apptest.TestUser) (percent int, status string) {
		row := struct {
			PercentComplete int
			Status          string
		}{}
		s.DB.Raw(`SELECT percent_complete, status FROM course_progress WHERE user_id = ? AND course_id = ?`, u.ID, course).Scan(&row)
		return row.PercentComplete, row.Status
	}
	// waitStored waits for the background recompute (a job) to store want for midway.
	waitStored := func(step string, want int, wantStatus string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			p, st := stored(midway)
			if p == want && st == wantStatus {
				break
			}
			if time.Now().After(deadline) {
				var jobsDump []struct {
					ID          int64
					Kind, State string
				}
				s.DB.Raw(`SELECT id, kind, state FROM river_job`).Scan(&jobsDump)
				t.Logf("jobs: %+v", jobsDump)
				t.Fatalf("%s: stored progress of the learner in progress is %d%% %s, want %d%% %s", step, p, st, want, wantStatus)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if p, st := stored(done); p != 100 || st != "completed" {
			t.Fatalf("%s: the learner who completed now has %d%% %s", step, p, st)
		}
	}
	waitStored("before any change", 50, "in_progress")

	l3 := lesson("Collecting evidence")
	waitStored("a required lesson added", 33, "in_progress")

	// Text edits do not count; making the lesson optional does.
	must(t, s.Do("PATCH", fmt.Sprintf("/api/v1/lessons/%d", l3), owner.Token, map[string]any{"body": "Gloves first."}), 200)
	must(t, s.Do("PATCH", fmt.Sprintf("/api/v1/lessons/%d", l3), owner.Token, map[string]any{"required": false}), 200)
	waitStored("the new lesson made optional", 50, "in_progress")

	// Deleting the lesson the learner has not done completes them: every remaining required
	// lesson is done.
	must(t, s.Do("DELETE", fmt.Sprintf("/api/v1/lessons/%d", l2), owner.Token, nil), 409) // done has progress in it
	must(t, s.Do("DELETE", fmt.Sprintf("/api/v1/lessons/%d?confirm=true", l2), owner.Token, nil), 204)
	waitStored("the unfinished lesson deleted", 100, "completed")
	if n := countCertificates(t, s, midway.ID, course); n != 1 {
		t.Fatalf("the learner completed by the change has %d certificates", n)
	}
	if n := countCertificates(t, s, done.ID, course); n != 1 {
		t.Fatalf("the learner who completed first has %d certificates", n)
	}
}
