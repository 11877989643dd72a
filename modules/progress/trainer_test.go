package progress_test

import (
	"fmt"
	"strings"
	"testing"

	"glc/internal/app/apptest"
	"glc/modules/progress"
)

func TestTrainTheTrainer(t *testing.T) {
	s := apptest.New(t)
	courseSchema(t, s.DB)
	admin, teacher := s.Admin(t), s.Instructor(t)
	c1, l1 := newCourse(t, s.DB.DB, teacher.ID, "Adult learning principles", 2, textLesson)
	c2, l2 := newCourse(t, s.DB.DB, teacher.ID, "Facilitating workshops", 2, textLesson)
	a, b := s.Learner(t, apptest.Name("Nadia Haddad")), s.Learner(t)
	for _, u := range []apptest.TestUser{a, b} {
		enrol(t, s.DB.DB, c1, u.ID, nil)
		enrol(t, s.DB.DB, c2, u.ID, nil)
	}
	if r := s.Do("POST", fmt.Sprintf("/api/v1/trainer-track/candidates/%d/confirm", a.ID), admin.Token, nil); r.Status != 409 {
		t.Fatalf("confirm without a track: %d", r.Status)
	}
	if r := s.Do("PUT", "/api/v1/trainer-track", teacher.Token, map[string]any{"course_ids": []int64{c1}}); r.Status != 403 {
		t.Fatalf("instructor sets the track: %d", r.Status)
	}
	if r := s.Do("PUT", "/api/v1/trainer-track", admin.Token, map[string]any{"course_ids": []int64{c1, 999999}}); r.Status != 422 {
		t.Fatalf("track with a missing course: %d", r.Status)
	}
	r := s.Do("PUT", "/api/v1/trainer-track", admin.Token, map[string]any{"course_ids": []int64{c2, c1, c1}})
	if r.Status != 200 || !strings.Contains(string(r.Body), "Facilitating workshops") {
		t.Fatalf("set track: %d %s", r.Status, r.Body)
	}
	record(t, s.App.Progress, s.DB, a.ID, l1[0], progress.StatusCompleted)
	record(t, s.App.Progress, s.DB, b.ID, l1[0], progress.StatusCompleted)
	candidates := func() []progress.Candidate {
		var out struct {
			Items []progress.Candidate `json:"items"`
		}
		r := s.Do("GET", "/api/v1/trainer-track/candidates", admin.Token, nil)
		if r.Status != 200 {
			t.Fatalf("candidates: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &out)
		return out.Items
	}
	if c := candidates(); len(c) != 0 {
		t.Fatalf("candidates after one course: %+v", c)
	}
	record(t, s.App.Progress, s.DB, a.ID, l2[0], progress.StatusCompleted)
	c := candidates()
	if len(c) != 1 || c[0].UserID != a.ID || c[0].Name != "Nadia Haddad" {
		t.Fatalf("candidates: %+v", c)
	}
	if st, body := page(t, s, admin.Token, "/admin/trainers"); st != 200 || !strings.Contains(body, "Nadia Haddad") || !strings.Contains(body, fmt.Sprintf("/admin/trainers/%d/confirm", a.ID)) {
		t.Fatalf("trainers page: %d", st)
	}
	if st, _ := page(t, s, teacher.Token, "/admin/trainers"); st != 403 {
		t.Fatalf("trainers page for an instructor: %d", st)
	}
	if r := s.Do("POST", fmt.Sprintf("/api/v1/trainer-track/candidates/%d/confirm", b.ID), admin.Token, nil); r.Status != 409 {
		t.Fatalf("confirm a learner who is not eligible: %d", r.Status)
	}
	if r := s.Do("POST", fmt.Sprintf("/api/v1/trainer-track/candidates/%d/confirm", a.ID), a.Token, nil); r.Status != 403 {
		t.Fatalf("learner confirms themself: %d", r.Status)
	}
	if r := s.Do("POST", fmt.Sprintf("/api/v1/trainer-track/candidates/%d/confirm", a.ID), admin.Token, nil); r.Status != 204 {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
	var roles string
	s.DB.Raw(`SELECT roles FROM users WHERE id = ?`, a.ID).Scan(&roles)
	if !strings.Contains(roles, "instructor") {
		t.Fatalf("roles after confirmation: %q", roles)
	}
	if c := candidates(); len(c) != 0 {
		t.Fatalf("an instructor is still a candidate: %+v", c)
	}
	var n int64
	s.DB.Raw(`SELECT COUNT(*) FROM trainer_promotions WHERE user_id = ?`, a.ID).Scan(&n)
	if n != 1 {
		t.Fatalf("%d promotions recorded", n)
	}
}
