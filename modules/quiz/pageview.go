package quiz

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"glc/internal/web"
)

// attemptPage is what the attempt page shows.
type attemptPage struct {
	A         *AttemptView
	Questions []pageQuestion
	// Running: the owner may still answer (in progress, before the deadline).
	Running bool
	// TimeUp: in progress, but the deadline has passed (the attempt is being closed).
	TimeUp       bool
	Owner        bool
	Manager      bool
	Deadline     string // RFC 3339, for the script
	ServerNow    string
	NextURL      string
	ScoreText    string
	MaxText      string
	PercentText  string
	OverrideText string
	Passed       string // "passed", "failed" or "" (hidden or pending)
}

// pageQuestion is a question laid out for the page's form.
type pageQuestion struct {
	QuestionView
	Number      int
	Options     []OptionView // with translated true/false labels
	Selected    map[string]bool
	Text        string
	NumberText  string
	Unit        string
	Pairs       map[string]string
	Ranks       map[string]int
	RankChoices []int
	Segments    []segment
	Disabled    bool
	SavedAt     template.HTML // when the answer was saved, a <time> element
	PointsText  string
	ScoreText   string
	CorrectText string
	Media       string // image, audio or video
	Review      bool
}

// segment is a piece of a cloze prompt: text, or a blank.
type segment struct {
	Text    string
	IsBlank bool
	Index   int
	Number  int
	Kind    string
	Options []OptionView
	Value   string
}

func num2(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func buildAttemptPage(cat *web.Catalogue, lang string, a *AttemptView, userID int64) attemptPage {
	now := a.ServerTime
	d := attemptPage{A: a, Owner: a.UserID == userID, Manager: a.Manager, ServerNow: now.Format(time.RFC3339Nano)}
	if a.Deadline != nil {
		d.Deadline = a.Deadline.UTC().Format(time.RFC3339Nano)
	}
	inProgress := a.Status == StatusInProgress
	d.TimeUp = inProgress && a.Deadline != nil && !now.Before(*a.Deadline)
	d.Running = inProgress && d.Owner && !d.TimeUp
	if a.Score != nil {
		d.ScoreText, d.MaxText, d.PercentText = num2(*a.Score), num2(*a.MaxScore), strconv.FormatFloat(*a.Percent, 'f', 1, 64)
	}
	if a.Passed != nil {
		d.Passed = map[bool]string{true: "passed", false: "failed"}[*a.Passed]
	}
	if a.OverrideScore != nil {
		d.OverrideText = num2(*a.OverrideScore)
	}
	for _, q := range a.Questions {
		pq := pageQuestionOf(cat, lang, q)
		pq.Disabled = !d.Running || q.Locked
		pq.Review = a.Status == StatusFinished && (a.Review.Score || a.Review.Answers || a.Review.Feedback)
		d.Questions = append(d.Questions, pq)
	}
	if d.Running && a.Navigation == NavSequential && len(a.Questions) < a.QuestionCount {
		last := a.Questions[len(a.Questions)-1]
		if last.Response != nil {
			d.NextURL = fmt.Sprintf("/attempts/%d", a.ID)
		}
	}
	return d
}

func pageQuestionOf(cat *web.Catalogue, lang string, q QuestionView) pageQuestion {
	pq := pageQuestion{QuestionView: q, Number: q.Position, Options: q.Options, Selected: map[string]bool{}, Pairs: map[string]string{},
		Ranks: map[string]int{}, PointsText: num2(q.Points)}
	if q.Kind == KindTrueFalse {
		pq.Options = make([]OptionView, len(q.Options))
		for i, o := range q.Options {
			pq.Options[i] = OptionView{ID: o.ID, Text: cat.T(lang, "quiz.answer."+o.ID)}
		}
	}
	switch {
	case q.MediaURL == "":
	case strings.HasPrefix(q.MediaType, "image/"):
		pq.Media = "image"
	case strings.HasPrefix(q.MediaType, "video/"):
		pq.Media = "video"
	default:
		pq.Media = "audio"
	}
	r := q.Response
	if r != nil {
		for _, id := range r.OptionIDs {
			pq.Selected[id] = true
		}
		if r.Text != nil {
			pq.Text = *r.Text
		}
		if r.Number != nil {
			pq.NumberText = num2(*r.Number)
		}
		if r.Unit != nil {
			pq.Unit = *r.Unit
		}
		for k, v := range r.Pairs {
			pq.Pairs[k] = v
		}
	}
	if q.SavedAt != nil {
		pq.SavedAt = web.TimeAt(*q.SavedAt, "15:04:05 UTC")
	}
	if q.Score != nil {
		pq.ScoreText = num2(*q.Score)
	}
	if q.Kind == KindOrdering {
		order := q.Items
		if r != nil && len(r.Order) == len(q.Items) {
			order = optionViews(r.Order, toOptions(q.Items))
		}
		pq.Items = order
		for i, it := range order {
			pq.Ranks[it.ID] = i + 1
			pq.RankChoices = append(pq.RankChoices, i+1)
		}
	}
	if q.Kind == KindCloze {
		pq.Segments = clozeSegments(q, r)
	}
	if q.CorrectResponse != nil {
		pq.CorrectText = correctText(cat, lang, q)
	}
	return pq
}

func toOptions(vs []OptionView) []Option {
	out := make([]Option, len(vs))
	for i, v := range vs {
		out[i] = Option{ID: v.ID, Text: v.Text}
	}
	return out
}

// clozeSegments splits a cloze prompt at its {{n}} markers.
func clozeSegments(q QuestionView, r *Response) []segment {
	var out []segment
	rest := q.Prompt
	for {
		loc := blankMarker.FindStringSubmatchIndex(rest)
		if loc == nil {
			break
		}
		if loc[0] > 0 {
			out = append(out, segment{Text: rest[:loc[0]]})
		}
		n, _ := strconv.Atoi(rest[loc[2]:loc[3]])
		seg := segment{IsBlank: true, Index: n - 1, Number: n}
		if n-1 < len(q.Blanks) {
			seg.Kind, seg.Options = q.Blanks[n-1].Kind, q.Blanks[n-1].Options
		}
		if r != nil && n-1 < len(r.Blanks) {
			seg.Value = r.Blanks[n-1]
		}
		out = append(out, seg)
		rest = rest[loc[1]:]
	}
	if rest != "" {
		out = append(out, segment{Text: rest})
	}
	return out
}

// correctText writes a question's correct response for people.
func correctText(cat *web.Catalogue, lang string, q QuestionView) string {
	r := q.CorrectResponse
	text := func(opts []OptionView, id string) string {
		for _, o := range opts {
			if o.ID == id {
				return o.Text
			}
		}
		return id
	}
	var parts []string
	switch q.Kind {
	case KindSingle, KindMultiple:
		for _, id := range r.OptionIDs {
			parts = append(parts, text(q.Options, id))
		}
	case KindTrueFalse:
		for _, id := range r.OptionIDs {
			parts = append(parts, cat.T(lang, "quiz.answer."+id))
		}
	case KindShort:
		if r.Text != nil {
			parts = append(parts, *r.Text)
		}
	case KindNumeric:
		if r.Number != nil {
			parts = append(parts, num2(*r.Number))
		}
	case KindMatching:
		for _, p := range q.Prompts {
			parts = append(parts, p.Text+" → "+text(q.Choices, r.Pairs[p.ID]))
		}
		return strings.Join(parts, "; ")
	case KindOrdering:
		for _, id := range r.Order {
			parts = append(parts, text(q.Items, id))
		}
		return strings.Join(parts, " → ")
	case KindCloze:
		for i, v := range r.Blanks {
			if i < len(q.Blanks) && q.Blanks[i].Kind == BlankChoice {
				v = text(q.Blanks[i].Options, v)
			}
			parts = append(parts, v)
		}
		return strings.Join(parts, " | ")
	}
	return strings.Join(parts, ", ")
}
