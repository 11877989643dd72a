package progress

import (
	"encoding/json"
	"slices"
	"time"
)

// Standing is a learner's course progress computed from the course's outline, its completion
// rule and the learner's lesson records. It is a pure function of them: computing it again
// gives the same answer.
type Standing struct {
	Status           string // not_started, in_progress, completed
	PercentComplete  int
	LessonsDone      int
	LessonsTotal     int
	TimeSpentSeconds int64
	ScorePercent     *float64
	GradedLessons    int
	PassedLessons    int
	FirstAccessAt    *time.Time
	LastAccessAt     *time.Time
	LastLessonID     *int64
	// Met says the rule is met now; CompletedAt is then when it was met (the latest completion
	// among the lessons that count), so that computing it twice gives the same date.
	Met         bool
	CompletedAt *time.Time
	// Counted are the lessons the rule counts, in outline order.
	Counted []int64
}

// RuleSnapshot is what is kept of the rule when a learner completes a course.
type RuleSnapshot struct {
	Rule    string  `json:"rule"`
	Lessons []int64 `json:"lessons"`
}

// counted returns the lessons that the rule counts and whether the rule is met when they are
// all done. Lessons that no longer exist are ignored; a rule left without lessons falls back
// to every required lesson, and a course without required lessons counts every lesson.
func counted(o *Outline, rule CompletionRule) []int64 {
	exists := map[int64]bool{}
	var required, all []int64
	for _, l := range o.Lessons {
		exists[l.ID] = true
		all = append(all, l.ID)
		if l.Required {
			required = append(required, l.ID)
		}
	}
	var out []int64
	switch rule.Kind {
	case RuleSelected:
		for _, l := range o.Lessons {
			if slices.Contains(rule.Lessons(), l.ID) {
				out = append(out, l.ID)
			}
		}
	case RuleFinalQuiz:
		out = required
		if rule.FinalLessonID != nil && exists[*rule.FinalLessonID] && !slices.Contains(out, *rule.FinalLessonID) {
			out = append(slices.Clone(out), *rule.FinalLessonID)
		}
	}
	if len(out) == 0 {
		out = required
	}
	if len(out) == 0 {
		out = all
	}
	return out
}

// lessonDone reports whether a lesson record satisfies the lesson's own rule: a lesson whose
// rule is "passed" needs a pass; others need completed or passed.
func lessonDone(l LessonInfo, p *LessonProgress) bool {
	if p == nil {
		return false
	}
	if l.Completion == "passed" {
		return p.Status == StatusPassed
	}
	return p.Status == StatusCompleted || p.Status == StatusPassed
}

// Compute works out a learner's standing in a course.
func Compute(o *Outline, rule CompletionRule, records []LessonProgress) Standing {
	byLesson := map[int64]*LessonProgress{}
	var st Standing
	var scoreSum float64
	scored := 0
	for i := range records {
		p := &records[i]
		byLesson[p.LessonID] = p
		st.TimeSpentSeconds += p.TimeSpentSeconds
		if p.FirstAccessAt != nil && (st.FirstAccessAt == nil || p.FirstAccessAt.Before(*st.FirstAccessAt)) {
			st.FirstAccessAt = p.FirstAccessAt
		}
		if p.LastAccessAt != nil && (st.LastAccessAt == nil || p.LastAccessAt.After(*st.LastAccessAt)) {
			st.LastAccessAt = p.LastAccessAt
			id := p.LessonID
			st.LastLessonID = &id
		}
		if p.Status == StatusPassed || p.Status == StatusFailed {
			st.GradedLessons++
			if p.Status == StatusPassed {
				st.PassedLessons++
			}
		}
		if p.Score != nil && p.MaxScore != nil && *p.MaxScore > 0 {
			scoreSum += *p.Score / *p.MaxScore * 100
			scored++
		}
	}
	if scored > 0 {
		avg := scoreSum / float64(scored)
		st.ScorePercent = &avg
	}
	info := map[int64]LessonInfo{}
	for _, l := range o.Lessons {
		info[l.ID] = l
	}
	st.Counted = counted(o, rule)
	st.LessonsTotal = len(st.Counted)
	var last *time.Time
	for _, id := range st.Counted {
		p := byLesson[id]
		if !lessonDone(info[id], p) {
			continue
		}
		st.LessonsDone++
		if p.CompletedAt != nil && (last == nil || p.CompletedAt.After(*last)) {
			last = p.CompletedAt
		}
	}
	if final, ok := finalLesson(rule, info); ok {
		p := byLesson[final]
		st.Met = p != nil && p.Status == StatusPassed
		if st.Met {
			last = p.CompletedAt
		}
	} else {
		st.Met = st.LessonsTotal > 0 && st.LessonsDone == st.LessonsTotal
	}
	if st.LessonsTotal > 0 {
		st.PercentComplete = st.LessonsDone * 100 / st.LessonsTotal
	}
	switch {
	case st.Met:
		st.Status = StatusCompleted
		st.PercentComplete = 100
		if last == nil {
			last = st.LastAccessAt
		}
		st.CompletedAt = last
	case len(records) > 0:
		st.Status = StatusInProgress
	default:
		st.Status = StatusNotStarted
	}
	return st
}

// finalLesson returns the final quiz of a RuleFinalQuiz course when it still exists.
func finalLesson(rule CompletionRule, info map[int64]LessonInfo) (int64, bool) {
	if rule.Kind != RuleFinalQuiz || rule.FinalLessonID == nil {
		return 0, false
	}
	_, ok := info[*rule.FinalLessonID]
	return *rule.FinalLessonID, ok
}

// snapshot records the rule that was met.
func snapshot(rule CompletionRule, st Standing) string {
	kind := rule.Kind
	if kind == "" {
		kind = RuleAllRequired
	}
	b, _ := json.Marshal(RuleSnapshot{Rule: kind, Lessons: st.Counted})
	return string(b)
}
