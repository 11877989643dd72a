package quiz

import (
	"context"
	"encoding/json"
	"time"
)

// OptionView is a choice as a learner sees it: never its correctness.
type OptionView struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// BlankView is a gap of a cloze question: its kind and, for choice blanks, its options.
type BlankView struct {
	Kind    string       `json:"kind"`
	Options []OptionView `json:"options,omitempty"`
}

// QuestionView is a question of an attempt. While the attempt runs it holds no answer key:
// only what the learner needs to answer (and their own saved response). Review fields appear
// when the review policy (or the viewer's role) allows.
type QuestionView struct {
	ID        int64        `json:"id"`
	Position  int          `json:"position"`
	Kind      string       `json:"kind"`
	Title     string       `json:"title,omitempty"`
	Prompt    string       `json:"prompt"`
	Points    float64      `json:"points"`
	MediaURL  string       `json:"media_url,omitempty"`
	MediaType string       `json:"media_type,omitempty"`
	Options   []OptionView `json:"options,omitempty"` // single, multiple, true_false
	Prompts   []OptionView `json:"prompts,omitempty"` // matching: left side
	Choices   []OptionView `json:"choices,omitempty"` // matching: answers to pick from
	Items     []OptionView `json:"items,omitempty"`   // ordering: items in their starting order
	Blanks    []BlankView  `json:"blanks,omitempty"`  // cloze
	Units     []string     `json:"units,omitempty"`   // numeric
	Locked    bool         `json:"locked,omitempty"`  // sequential navigation: already passed
	Response  *Response    `json:"response,omitempty"`
	SavedAt   *time.Time   `json:"saved_at,omitempty"`
	Seq       int64        `json:"seq,omitempty"`
	// Review.
	Score           *float64  `json:"score,omitempty"`
	State           string    `json:"state,omitempty"` // correct, partial, incorrect, pending
	CorrectResponse *Response `json:"correct_response,omitempty"`
	Feedback        []string  `json:"feedback,omitempty"`
	GeneralFeedback string    `json:"general_feedback,omitempty"`
	Comment         string    `json:"comment,omitempty"`
}

// AttemptView is an attempt as its owner (within the review policy) or an instructor sees it.
type AttemptView struct {
	ID            int64          `json:"id"`
	LessonID      int64          `json:"lesson_id"`
	UserID        int64          `json:"user_id"`
	Number        int            `json:"number"`
	Preview       bool           `json:"preview"`
	Status        string         `json:"status"`
	Navigation    string         `json:"navigation"`
	Position      int            `json:"position,omitempty"`
	StartedAt     time.Time      `json:"started_at"`
	Deadline      *time.Time     `json:"deadline"`
	FinishedAt    *time.Time     `json:"finished_at"`
	ClosedBy      string         `json:"closed_by,omitempty"`
	ServerTime    time.Time      `json:"server_time"`
	QuestionCount int            `json:"question_count"`
	Questions     []QuestionView `json:"questions"`
	Score         *float64       `json:"score,omitempty"`
	MaxScore      *float64       `json:"max_score,omitempty"`
	Percent       *float64       `json:"percent,omitempty"`
	Passed        *bool          `json:"passed,omitempty"`
	NeedsGrading  bool           `json:"needs_grading,omitempty"`
	Review        Review         `json:"review"`
	// For instructors.
	OverrideScore  *float64 `json:"override_score,omitempty"`
	OverrideReason string   `json:"override_reason,omitempty"`
	Audit          []Audit  `json:"audit,omitempty"`
	Manager        bool     `json:"-"`
}

// reviewOpen reports whether learners may review finished attempts at now.
func (s *Service) reviewOpen(q *Quiz, now time.Time) bool {
	switch q.ReviewWhen {
	case ReviewImmediately:
		return true
	case ReviewAfterClose:
		return q.ClosesAt != nil && !now.Before(*q.ClosesAt)
	}
	return false
}

// visibility is what the viewer may see of an attempt beyond the questions and their own
// responses. Nothing while it runs.
func (s *Service) visibility(q *Quiz, a *Attempt, manager bool, now time.Time) Review {
	if a.Status != StatusFinished {
		return Review{When: q.ReviewWhen}
	}
	if manager {
		return Review{When: q.ReviewWhen, Score: true, Answers: true, Feedback: true}
	}
	if !s.reviewOpen(q, now) {
		return Review{When: q.ReviewWhen}
	}
	return Review{When: q.ReviewWhen, Score: q.ReviewScore, Answers: q.ReviewAnswers, Feedback: q.ReviewFeedback}
}

func optionViews(ids []string, opts []Option) []OptionView {
	byID := map[string]string{}
	for _, o := range opts {
		byID[o.ID] = o.Text
	}
	out := make([]OptionView, 0, len(ids))
	for _, id := range ids {
		if t, ok := byID[id]; ok {
			out = append(out, OptionView{ID: id, Text: t})
		}
	}
	return out
}

// questionView shows a question in the attempt's layout, without its answer key.
func questionView(it *Item, q *Question, spec *Spec) QuestionView {
	var lay Layout
	_ = json.Unmarshal([]byte(it.Layout), &lay)
	v := QuestionView{ID: q.ID, Position: it.Position, Kind: q.Kind, Title: q.Title, Prompt: q.Prompt, Points: it.Points, MediaURL: mediaURL(q), MediaType: q.MediaType}
	switch q.Kind {
	case KindSingle, KindMultiple, KindTrueFalse:
		v.Options = optionViews(lay.Options, spec.Options)
	case KindMatching:
		pairs := make([]Option, len(spec.Pairs))
		for i, p := range spec.Pairs {
			pairs[i] = Option{ID: p.ID, Text: p.Text}
		}
		choices := make([]Option, len(spec.Choices))
		for i, c := range spec.Choices {
			choices[i] = Option{ID: c.ID, Text: c.Text}
		}
		v.Prompts, v.Choices = optionViews(lay.Pairs, pairs), optionViews(lay.Choices, choices)
	case KindOrdering:
		items := make([]Option, len(spec.Items))
		for i, x := range spec.Items {
			items[i] = Option{ID: x.ID, Text: x.Text}
		}
		v.Items = optionViews(lay.Items, items)
	case KindCloze:
		for i, b := range spec.Blanks {
			bv := BlankView{Kind: b.Kind}
			if b.Kind == BlankChoice && i < len(lay.Blanks) {
				bv.Options = optionViews(lay.Blanks[i], b.Options)
			}
			v.Blanks = append(v.Blanks, bv)
		}
	case KindNumeric:
		for _, u := range spec.Units {
			v.Units = append(v.Units, u.Name)
		}
	}
	return v
}

// stateOf names how well a question was answered.
func stateOf(score *float64, points float64) string {
	switch {
	case score == nil:
		return "pending"
	case *score >= points-1e-9:
		return "correct"
	case *score > 0:
		return "partial"
	}
	return "incorrect"
}

// attemptView builds what the viewer sees of an attempt.
func (s *Service) attemptView(ctx context.Context, st store, a *Attempt, q *Quiz, manager bool) (*AttemptView, error) {
	now := s.now()
	items, err := st.items(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	answers, err := st.answers(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.QuestionID
	}
	qs, err := st.questionsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	vis := s.visibility(q, a, manager, now)
	v := &AttemptView{ID: a.ID, LessonID: a.LessonID, UserID: a.UserID, Number: a.Number, Preview: a.Preview, Status: a.Status,
		Navigation: a.Navigation, StartedAt: a.StartedAt, Deadline: a.Deadline, FinishedAt: a.FinishedAt, ClosedBy: a.ClosedBy,
		ServerTime: now, QuestionCount: len(items), Questions: []QuestionView{}, Review: vis, Manager: manager}
	// Sequential navigation: the learner sees the questions up to the one they are on, and the
	// next one once that is answered.
	frontier := len(items)
	if a.Navigation == NavSequential && a.Status == StatusInProgress {
		v.Position = a.Position
	}
	if a.Navigation == NavSequential && a.Status == StatusInProgress && !manager {
		frontier = a.Position
		for _, it := range items {
			if it.Position == a.Position && answers[it.QuestionID] != nil && frontier < len(items) {
				frontier++
			}
		}
	}
	for i := range items {
		it := &items[i]
		qu := qs[it.QuestionID]
		if qu == nil || it.Position > frontier {
			continue
		}
		spec, err := qu.Spec()
		if err != nil {
			return nil, err
		}
		qv := questionView(it, qu, spec)
		qv.Locked = a.Navigation == NavSequential && a.Status == StatusInProgress && it.Position < a.Position
		var resp *Response
		if ans := answers[it.QuestionID]; ans != nil {
			resp = &Response{}
			if err := json.Unmarshal([]byte(ans.Response), resp); err != nil {
				return nil, err
			}
			saved := ans.SavedAt
			qv.Response, qv.SavedAt, qv.Seq = resp, &saved, ans.Seq
		}
		if vis.Score {
			qv.Score, qv.State = it.Score, stateOf(it.Score, it.Points)
		}
		if vis.Answers {
			qv.CorrectResponse = CorrectResponse(qu.Kind, spec)
		}
		if vis.Feedback {
			qv.Feedback = Grade(qu.Kind, spec, resp).Feedback
			qv.GeneralFeedback, qv.Comment = qu.GeneralFeedback, it.Comment
		}
		v.Questions = append(v.Questions, qv)
	}
	if vis.Score {
		sc, mx, pc := a.EffectiveScore(), a.MaxScore, a.Percent
		v.Score, v.MaxScore, v.Percent, v.Passed, v.NeedsGrading = &sc, &mx, &pc, a.Passed, a.NeedsGrading
	}
	if manager {
		v.OverrideScore, v.OverrideReason = a.OverrideScore, a.OverrideReason
		if err := st.q(ctx).Where("attempt_id = ?", a.ID).Order("id").Find(&v.Audit).Error; err != nil {
			return nil, err
		}
	}
	return v, nil
}
