package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"glc/internal/app"
	"glc/internal/app/apptest"
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
