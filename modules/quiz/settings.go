package quiz

import (
	"bytes"
	"encoding/json"
	"slices"
	"time"

	"glc/internal/apperr"
)

// Grading methods: which finished attempts make the quiz grade.
const (
	GradeHighest = "highest"
	GradeLast    = "last"
	GradeFirst   = "first"
	GradeAverage = "average"
)

// Review timings.
const (
	ReviewImmediately = "immediately"
	ReviewAfterClose  = "after_close"
	ReviewNever       = "never"
)

// Navigation modes.
const (
	NavFree       = "free"
	NavSequential = "sequential"
)

// maxTimeLimit bounds a quiz's time limit (one week).
const maxTimeLimit = 7 * 24 * 3600

// Review says when a learner may look back at a finished attempt, and what they see.
type Review struct {
	When     string `json:"when"`
	Score    bool   `json:"score"`
	Answers  bool   `json:"answers"`
	Feedback bool   `json:"feedback"`
}

// Settings are a quiz's rules.
type Settings struct {
	ShuffleQuestions bool       `json:"shuffle_questions"`
	ShuffleOptions   bool       `json:"shuffle_options"`
	TimeLimitSeconds int        `json:"time_limit_seconds"`
	OpensAt          *time.Time `json:"opens_at"`
	ClosesAt         *time.Time `json:"closes_at"`
	MaxAttempts      int        `json:"max_attempts"`
	GradingMethod    string     `json:"grading_method"`
	PassPercent      float64    `json:"pass_percent"`
	Review           Review     `json:"review"`
	Navigation       string     `json:"navigation"`
}

// DefaultSettings: unlimited attempts and time, highest grade, free navigation, everything
// reviewable at once (as Moodle's defaults).
func DefaultSettings() Settings {
	return Settings{GradingMethod: GradeHighest, Navigation: NavFree,
		Review: Review{When: ReviewImmediately, Score: true, Answers: true, Feedback: true}}
}

// OptTime is a time field of a partial update: Set tells that the key was present (null
// clears the value).
type OptTime struct {
	Set   bool
	Value *time.Time
}

// UnmarshalJSON implements json.Unmarshaler.
func (o *OptTime) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Value = nil
		return nil
	}
	var t time.Time
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	t = t.UTC()
	o.Value = &t
	return nil
}

// ReviewInput changes the review policy; absent fields keep their value.
type ReviewInput struct {
	When     *string `json:"when,omitempty"`
	Score    *bool   `json:"score,omitempty"`
	Answers  *bool   `json:"answers,omitempty"`
	Feedback *bool   `json:"feedback,omitempty"`
}

// SettingsInput creates or changes a quiz's settings; absent fields keep their value (the
// default on create). "shuffle" sets both shuffles.
type SettingsInput struct {
	Shuffle          *bool        `json:"shuffle,omitempty"`
	ShuffleQuestions *bool        `json:"shuffle_questions,omitempty"`
	ShuffleOptions   *bool        `json:"shuffle_options,omitempty"`
	TimeLimitSeconds *int         `json:"time_limit_seconds,omitempty"`
	OpensAt          OptTime      `json:"opens_at"`
	ClosesAt         OptTime      `json:"closes_at"`
	MaxAttempts      *int         `json:"max_attempts,omitempty"`
	GradingMethod    *string      `json:"grading_method,omitempty"`
	PassPercent      *float64     `json:"pass_percent,omitempty"`
	Review           *ReviewInput `json:"review,omitempty"`
	Navigation       *string      `json:"navigation,omitempty"`
}

// Apply changes s and validates the result; field errors are prefixed with prefix.
func (in SettingsInput) Apply(s *Settings, prefix string) error {
	set := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&s.ShuffleQuestions, in.Shuffle)
	set(&s.ShuffleOptions, in.Shuffle)
	set(&s.ShuffleQuestions, in.ShuffleQuestions)
	set(&s.ShuffleOptions, in.ShuffleOptions)
	if in.TimeLimitSeconds != nil {
		s.TimeLimitSeconds = *in.TimeLimitSeconds
	}
	if in.OpensAt.Set {
		s.OpensAt = in.OpensAt.Value
	}
	if in.ClosesAt.Set {
		s.ClosesAt = in.ClosesAt.Value
	}
	if in.MaxAttempts != nil {
		s.MaxAttempts = *in.MaxAttempts
	}
	if in.GradingMethod != nil {
		s.GradingMethod = *in.GradingMethod
	}
	if in.PassPercent != nil {
		s.PassPercent = *in.PassPercent
	}
	if r := in.Review; r != nil {
		if r.When != nil {
			s.Review.When = *r.When
		}
		set(&s.Review.Score, r.Score)
		set(&s.Review.Answers, r.Answers)
		set(&s.Review.Feedback, r.Feedback)
	}
	if in.Navigation != nil {
		s.Navigation = *in.Navigation
	}
	return s.validate(prefix)
}

func (s *Settings) validate(prefix string) error {
	f := apperr.Fields{}
	f.Check(s.TimeLimitSeconds < 0 || s.TimeLimitSeconds > maxTimeLimit, prefix+"time_limit_seconds", "must be from 0 (no limit) to 604800")
	f.Check(s.MaxAttempts < 0 || s.MaxAttempts > 1000, prefix+"max_attempts", "must be from 0 (unlimited) to 1000")
	f.Check(!slices.Contains([]string{GradeHighest, GradeLast, GradeFirst, GradeAverage}, s.GradingMethod), prefix+"grading_method", "must be highest, last, first or average")
	f.Check(!finite(s.PassPercent) || s.PassPercent < 0 || s.PassPercent > 100, prefix+"pass_percent", "must be from 0 to 100")
	f.Check(!slices.Contains([]string{ReviewImmediately, ReviewAfterClose, ReviewNever}, s.Review.When), prefix+"review.when", "must be immediately, after_close or never")
	f.Check(s.Navigation != NavFree && s.Navigation != NavSequential, prefix+"navigation", "must be free or sequential")
	f.Check(s.OpensAt != nil && s.ClosesAt != nil && !s.ClosesAt.After(*s.OpensAt), prefix+"closes_at", "must be after opens_at")
	return f.Err()
}
