package progress

import (
	"testing"
	"time"
)

func TestComputeRules(t *testing.T) {
	t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	at := func(h int) *time.Time { v := t0.Add(time.Duration(h) * time.Hour); return &v }
	outline := &Outline{CourseID: 1, Lessons: []LessonInfo{
		{ID: 10, Kind: "text", Required: true, Completion: "viewed"},
		{ID: 11, Kind: "video", Required: true, Completion: "watched"},
		{ID: 12, Kind: "text", Required: false, Completion: "viewed"},
		{ID: 13, Kind: "quiz", Required: true, Completion: "passed"},
	}}
	rec := func(id int64, status string, done int) LessonProgress {
		p := LessonProgress{LessonID: id, Status: status, FirstAccessAt: at(0), LastAccessAt: at(done), TimeSpentSeconds: 60}
		if status == StatusCompleted || status == StatusPassed {
			p.CompletedAt = at(done)
		}
		return p
	}
	final := int64(13)
	cases := []struct {
		name    string
		rule    CompletionRule
		records []LessonProgress
		met     bool
		percent int
		done    *time.Time
		status  string
	}{
		{"nothing yet", CompletionRule{Kind: RuleAllRequired}, nil, false, 0, nil, StatusNotStarted},
		{"all required, two of three", CompletionRule{Kind: RuleAllRequired},
			[]LessonProgress{rec(10, StatusCompleted, 1), rec(11, StatusCompleted, 2)}, false, 66, nil, StatusInProgress},
		{"all required, quiz failed does not count", CompletionRule{Kind: RuleAllRequired},
			[]LessonProgress{rec(10, StatusCompleted, 1), rec(11, StatusCompleted, 2), rec(13, StatusFailed, 3)}, false, 66, nil, StatusInProgress},
		{"all required, quiz only completed (grade pending) does not count", CompletionRule{Kind: RuleAllRequired},
			[]LessonProgress{rec(10, StatusCompleted, 1), rec(11, StatusCompleted, 2), rec(13, StatusCompleted, 3)}, false, 66, nil, StatusInProgress},
		{"all required met without the optional lesson", CompletionRule{Kind: RuleAllRequired},
			[]LessonProgress{rec(10, StatusCompleted, 1), rec(13, StatusPassed, 5), rec(11, StatusCompleted, 2)}, true, 100, at(5), StatusCompleted},
		{"selected set", CompletionRule{Kind: RuleSelected, LessonIDs: "10 12"},
			[]LessonProgress{rec(10, StatusCompleted, 1), rec(12, StatusCompleted, 4)}, true, 100, at(4), StatusCompleted},
		{"selected set, half", CompletionRule{Kind: RuleSelected, LessonIDs: "10 12"},
			[]LessonProgress{rec(10, StatusCompleted, 1), rec(11, StatusCompleted, 2)}, false, 50, nil, StatusInProgress},
		{"selected set of deleted lessons falls back to required", CompletionRule{Kind: RuleSelected, LessonIDs: "99"},
			[]LessonProgress{rec(10, StatusCompleted, 1)}, false, 33, nil, StatusInProgress},
		{"final quiz passed completes alone", CompletionRule{Kind: RuleFinalQuiz, FinalLessonID: &final},
			[]LessonProgress{rec(13, StatusPassed, 7)}, true, 100, at(7), StatusCompleted},
		{"final quiz failed", CompletionRule{Kind: RuleFinalQuiz, FinalLessonID: &final},
			[]LessonProgress{rec(10, StatusCompleted, 1), rec(11, StatusCompleted, 2), rec(13, StatusFailed, 3)}, false, 66, nil, StatusInProgress},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := Compute(outline, c.rule, c.records)
			if st.Met != c.met || st.PercentComplete != c.percent || st.Status != c.status {
				t.Fatalf("got met=%v percent=%d status=%s, want %v %d %s", st.Met, st.PercentComplete, st.Status, c.met, c.percent, c.status)
			}
			if (st.CompletedAt == nil) != (c.done == nil) || (c.done != nil && !st.CompletedAt.Equal(*c.done)) {
				t.Fatalf("completed at %v, want %v", st.CompletedAt, c.done)
			}
			// Computing again from the same records gives the same answer.
			if again := Compute(outline, c.rule, c.records); again.PercentComplete != st.PercentComplete || again.Met != st.Met {
				t.Fatal("not idempotent")
			}
			if len(c.records) > 0 && st.TimeSpentSeconds != int64(60*len(c.records)) {
				t.Fatalf("time spent %d", st.TimeSpentSeconds)
			}
		})
	}
}

func TestApplyResultKeepsPassAndCountsAttempts(t *testing.T) {
	now := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	quiz := LessonInfo{ID: 1, Kind: "quiz", Completion: "passed"}
	sc := func(v float64) *float64 { return &v }
	p := &LessonProgress{Status: StatusNotStarted}
	applyResult(p, quiz, Result{Status: StatusFailed, Score: sc(3), MaxScore: sc(10)}, now)
	if p.Status != StatusFailed || p.Attempts != 1 || *p.Score != 3 {
		t.Fatalf("after fail: %+v", p)
	}
	applyResult(p, quiz, Result{Status: StatusCompleted, Score: sc(6), MaxScore: sc(10)}, now)
	if p.Status != StatusInProgress || p.Attempts != 2 || p.CompletedAt != nil {
		t.Fatalf("completed but not passed on a pass-rule lesson: %+v", p)
	}
	applyResult(p, quiz, Result{Status: StatusPassed, Score: sc(8), MaxScore: sc(10), TimeSpentSeconds: 30}, now)
	if p.Status != StatusPassed || p.CompletedAt == nil || p.Attempts != 3 || p.TimeSpentSeconds != 30 {
		t.Fatalf("after pass: %+v", p)
	}
	applyResult(p, quiz, Result{Status: StatusFailed, Score: sc(1), MaxScore: sc(10), Attempts: 7}, now)
	if p.Status != StatusPassed || p.Attempts != 7 || *p.Score != 1 {
		t.Fatalf("a later failure took the pass away: %+v", p)
	}
}
