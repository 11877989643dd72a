package programme

import (
	"context"
	"errors"
	"slices"
	"testing"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/testkit"
)

// fakeEnroller records the enrolments it is asked for.
type fakeEnroller struct {
	got map[int64][]int64
	err error
}

func (f *fakeEnroller) EnrolUsers(_ context.Context, courseID int64, userIDs []int64) error {
	if f.err != nil {
		return f.err
	}
	f.got[courseID] = append(f.got[courseID], userIDs...)
	return nil
}

func as(p *auth.Principal) context.Context { return auth.WithPrincipal(context.Background(), p) }

func TestEnrolParticipantsInLinkedCourses(t *testing.T) {
	db := testkit.DB(t)
	fake := &fakeEnroller{got: map[int64][]int64{}}
	s := NewService(db, nil, fake)
	admin := as(&auth.Principal{UserID: 1, Roles: []string{"learner", "admin"}})
	coord := as(&auth.Principal{UserID: 2, Roles: []string{"learner", "coordinator"}, Country: "KE"})
	d, err := s.Create(admin, ProgrammeInput{Title: "NCB staff programme", Published: true, Languages: []string{"en"}, CourseIDs: []int64{11, 12}})
	if err != nil {
		t.Fatal(err)
	}
	ss, err := s.AddSession(admin, d.ID, SessionInput{StartsOn: "2030-03-02", EndsOn: "2030-03-13", Place: "Lyon", Language: "en", Seats: 2, Status: SessionOpen})
	if err != nil {
		t.Fatal(err)
	}
	var accepted []int64
	for i, country := range []string{"KE", "KE", "KE"} {
		uid := int64(100 + i)
		a, err := s.Apply(as(&auth.Principal{UserID: uid, Name: "P", Roles: []string{"learner"}, Country: country}), d.ID, ss.ID, ApplyInput{Motivation: "I lead a unit."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Endorse(coord, d.ID, ss.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.Decide(admin, d.ID, ss.ID, a.ID, DecideInput{Decision: "accept"})
		if i < 2 {
			if err != nil {
				t.Fatal(err)
			}
			accepted = append(accepted, uid)
		} else if !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("third accept with 2 seats: %v", err)
		}
	}
	res, err := s.EnrolParticipants(admin, d.ID, ss.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Participants != 2 || !slices.Equal(res.Courses, []int64{11, 12}) {
		t.Fatalf("result %+v", res)
	}
	for _, c := range []int64{11, 12} {
		if !slices.Equal(fake.got[c], accepted) {
			t.Errorf("course %d enrolled %v, want %v", c, fake.got[c], accepted)
		}
	}
	// Only admins run it; a failing enroller is reported.
	if _, err := s.EnrolParticipants(coord, d.ID, ss.ID); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("coordinator enrols: %v", err)
	}
	fake.err = errors.New("course closed")
	if _, err := s.EnrolParticipants(admin, d.ID, ss.ID); err == nil {
		t.Error("enroller error swallowed")
	}
	// Without an enroller the action says it is unavailable.
	if _, err := NewService(db, nil, nil).EnrolParticipants(admin, d.ID, ss.ID); err == nil {
		t.Error("nil enroller accepted")
	}
}
