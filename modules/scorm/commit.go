package scorm

import (
	"glc/modules/scorm/cam"

	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"glc/internal/apperr"
	"glc/internal/auth"
)

// CommitIn is one commit of a SCO's run-time data. Session and Seq make it idempotent: the
// player numbers its commits 1, 2, 3... within a session, and a commit that is not newer than
// the last one applied is acknowledged without being applied again.
type CommitIn struct {
	Item       string         `json:"item"`
	Session    int            `json:"session"`
	Seq        int64          `json:"seq"`
	Terminated bool           `json:"terminated"`
	CMI        map[string]any `json:"cmi"`
}

// CommitOut acknowledges a commit.
type CommitOut struct {
	Applied bool     `json:"applied"`
	Seq     int64    `json:"seq"`
	Attempt *Attempt `json:"-"`
	Item    *ItemState
}

// Commit applies a commit to the caller's own attempt (403 for anyone else's, admins
// included), then reports the attempt's result to Progress. The caller is the signed-in user,
// or (from the content origin, without cookies) the holder of the session's commit capability;
// when both are present they must agree.
func (s *Service) Commit(ctx context.Context, attemptID int64, in CommitIn, capability string) (*CommitOut, error) {
	a, err := s.loadAttempt(ctx, attemptID)
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	switch {
	case p != nil && p.UserID != a.UserID:
		return nil, fmt.Errorf("attempt %d belongs to another learner: %w", attemptID, apperr.ErrForbidden)
	case p == nil && capability == "":
		return nil, apperr.ErrUnauthenticated
	case capability != "" && !s.tokens.checkCommitCap(capability, a.ID, a.UserID, in.Item, in.Session):
		return nil, fmt.Errorf("the commit token does not match this session: %w", apperr.ErrForbidden)
	case p == nil:
		ctx = auth.WithPrincipal(ctx, &auth.Principal{UserID: a.UserID, Roles: []string{auth.RoleLearner}})
	}
	acc, err := s.access(ctx, a.LessonID)
	if err != nil {
		return nil, err
	}
	_, m, err := s.packageOf(ctx, a.LessonID)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	it := m.Find(in.Item)
	f.Check(it == nil || !it.Launchable, "item", "is not a launchable item of this package")
	f.Check(in.Session < 1, "session", "must be a session number from launch")
	f.Check(in.Seq < 1, "seq", "must be a positive sequence number")
	f.Check(in.CMI == nil, "cmi", "is required")
	if err := f.Err(); err != nil {
		return nil, err
	}
	userID := a.UserID
	out := &CommitOut{}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var st ItemState
		if err := lockRow(tx, s.db.Dialect).Where("attempt_id = ? AND item = ?", a.ID, it.Identifier).Take(&st).Error; err != nil {
			if isNotFound(err) {
				return apperr.Invalid("session", "was not opened by a launch")
			}
			return err
		}
		switch {
		case in.Session > st.Sessions:
			return apperr.Invalid("session", "was not opened by a launch")
		case in.Session < st.SessionNo:
			return apperr.New(http.StatusConflict, "stale_session", "A newer session of this item has started; this commit belongs to an older one.")
		case in.Session == st.SessionNo && in.Seq <= st.LastSeq:
			out.Seq, out.Item = st.LastSeq, &st
			return nil // a replay: already applied
		}
		if in.Session > st.SessionNo {
			st.PriorCS += st.SessionCS
			st.SessionNo, st.SessionCS = in.Session, 0
		}
		st.LastSeq = in.Seq
		if err := s.applyCMI(tx, a, m, it, &st, in, userID); err != nil {
			return err
		}
		if err := tx.Save(&st).Error; err != nil {
			return err
		}
		if err := s.rollup(tx, a, m); err != nil {
			return err
		}
		out.Applied, out.Seq, out.Item = true, st.LastSeq, &st
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !out.Applied {
		// Re-read the attempt: a replay reports the result as it stands.
		if err := s.db.WithContext(ctx).Take(a, a.ID).Error; err != nil {
			return nil, err
		}
	}
	out.Attempt = a
	// A preview (staff trying the lesson) never reaches lesson progress, even when its author
	// has enrolled since.
	if acc.Learn && !a.Preview {
		r := resultOf(a, acc.Settings)
		// The lesson record counts the learner's attempts: their previews, if any, are not.
		var n int64
		if err := s.db.WithContext(ctx).Model(&Attempt{}).Where("lesson_id = ? AND user_id = ? AND preview = ? AND number <= ?",
			a.LessonID, a.UserID, false, a.Number).Count(&n).Error; err != nil {
			return nil, err
		}
		r.Attempt = int(n)
		if err := s.lessons.RecordResult(ctx, a.UserID, a.LessonID, r); err != nil {
			return nil, fmt.Errorf("record the lesson result: %w", err)
		}
	}
	return out, nil
}

// applyCMI stores the committed data model and the fields the LMS tracks.
func (s *Service) applyCMI(tx *gorm.DB, a *Attempt, m *Manifest, it *Item, st *ItemState, in CommitIn, userID int64) error {
	cmi := in.CMI
	if inner, ok := cmi["cmi"].(map[string]any); ok { // scorm-again's renderCommitCMI wraps it
		cmi = inner
	}
	delete(cmi, "total_time")
	if core, ok := cmi["core"].(map[string]any); ok {
		delete(core, "total_time")
	}
	raw, err := json.Marshal(cmi)
	if err != nil {
		return err
	}
	st.CMI = string(raw)
	st.ReportedBy = userID
	var v cmiValues
	if m.Standard == StandardSCORM12 {
		v = values12(cmi)
	} else {
		v = values2004(cmi)
	}
	if v.sessionTime != "" {
		if cs, err := cam.ParseSessionTime(m.Standard, v.sessionTime); err == nil {
			st.SessionCS = cs
		}
	}
	st.Location, st.Exit = truncate(v.location, 1000), v.exit
	st.ScoreRaw, st.ScoreMin, st.ScoreMax, st.ScoreScaled, st.ProgressMeasure = v.raw, v.min, v.max, v.scaled, v.progress
	if st.ScoreScaled == nil && st.ScoreRaw != nil {
		st.ScoreScaled = scaleRaw(*st.ScoreRaw, st.ScoreMin, st.ScoreMax)
	}
	completion, success := v.completion, v.success
	if ct := it.CompletionThreshold; ct != nil && ct.CompletedByMeasure && v.progress != nil {
		completion = "incomplete"
		if *v.progress >= ct.MinProgressMeasure {
			completion = "completed"
		}
	}
	if pass := passThreshold(m, it, a); pass != nil && st.ScoreScaled != nil {
		success = "failed"
		if *st.ScoreScaled >= *pass-1e-9 {
			success = "passed"
		}
	}
	// Status only moves forward within an attempt: a completed or passed SCO stays so.
	if st.CompletionStatus != "completed" || completion == "completed" {
		if completion != "" {
			st.CompletionStatus = completion
		}
	}
	if st.SuccessStatus != "passed" && success != "" {
		st.SuccessStatus = success
	}
	return s.saveInteractions(tx, a.ID, it.Identifier, st.SessionNo, v.interactions)
}

// passThreshold is the scaled score (0-1) that passes the item: the lesson's mastery score,
// else the manifest's (SCORM 1.2 masteryscore; SCORM 2004 primary objective satisfied by
// measure). nil when there is none.
func passThreshold(m *Manifest, it *Item, a *Attempt) *float64 {
	ms := a.MasteryScore
	if ms == nil && m.Standard == StandardSCORM12 {
		ms = it.MasteryScore
	}
	if ms != nil {
		v := *ms / 100
		return &v
	}
	if m.Standard == StandardSCORM2004 {
		return scaledPassingScore(it, nil)
	}
	return nil
}

// cmiValues are the fields read from a committed data model.
type cmiValues struct {
	completion, success, location, exit, sessionTime string
	raw, min, max, scaled, progress                  *float64
	interactions                                     []Interaction
}

func values12(cmi map[string]any) cmiValues {
	core := obj(cmi["core"])
	score := obj(core["score"])
	v := cmiValues{location: str(core["lesson_location"]), exit: str(core["exit"]), sessionTime: str(core["session_time"]),
		raw: num(score["raw"]), min: num(score["min"]), max: num(score["max"])}
	switch status := str(core["lesson_status"]); status {
	case "passed", "failed":
		v.completion, v.success = "completed", status
	case "completed", "incomplete", "browsed", "not attempted":
		v.completion = status
	}
	for idx, x := range indexed(cmi["interactions"]) {
		v.interactions = append(v.interactions, Interaction{Idx: idx, InteractionID: str(x["id"]), Type: str(x["type"]),
			Result: str(x["result"]), LearnerResponse: str(x["student_response"]), Correct: joinPatterns(x["correct_responses"]),
			Weighting: str(x["weighting"]), Latency: str(x["latency"]), Timestamp: str(x["time"])})
	}
	return v
}

func values2004(cmi map[string]any) cmiValues {
	score := obj(cmi["score"])
	v := cmiValues{location: str(cmi["location"]), exit: str(cmi["exit"]), sessionTime: str(cmi["session_time"]),
		raw: num(score["raw"]), min: num(score["min"]), max: num(score["max"]), scaled: num(score["scaled"]),
		progress: num(cmi["progress_measure"])}
	switch c := str(cmi["completion_status"]); c {
	case "completed", "incomplete", "not attempted":
		v.completion = c
	}
	switch ss := str(cmi["success_status"]); ss {
	case "passed", "failed":
		v.success = ss
	}
	for idx, x := range indexed(cmi["interactions"]) {
		v.interactions = append(v.interactions, Interaction{Idx: idx, InteractionID: str(x["id"]), Type: str(x["type"]),
			Result: str(x["result"]), LearnerResponse: str(x["learner_response"]), Correct: joinPatterns(x["correct_responses"]),
			Weighting: str(x["weighting"]), Latency: str(x["latency"]), Timestamp: str(x["timestamp"]), Description: str(x["description"])})
	}
	return v
}

// saveInteractions upserts the session's interactions (same SQL on both dialects).
func (s *Service) saveInteractions(tx *gorm.DB, attemptID int64, item string, session int, list []Interaction) error {
	if len(list) == 0 {
		return nil
	}
	now := s.clock()
	for i := range list {
		list[i].AttemptID, list[i].Item, list[i].SessionNo, list[i].UpdatedAt = attemptID, item, session, now
		list[i].InteractionID = truncate(list[i].InteractionID, 300)
		list[i].Type, list[i].Result = truncate(list[i].Type, 30), truncate(list[i].Result, 50)
		list[i].Weighting, list[i].Latency, list[i].Timestamp = truncate(list[i].Weighting, 30), truncate(list[i].Latency, 30), truncate(list[i].Timestamp, 40)
	}
	return tx.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "attempt_id"}, {Name: "item"}, {Name: "session_no"}, {Name: "idx"}},
		DoUpdates: clause.AssignmentColumns([]string{"interaction_id", "type", "result", "learner_response", "correct",
			"weighting", "latency", "timestamp", "description", "updated_at"}),
	}).CreateInBatches(list, 100).Error
}

// rollup recomputes the attempt's summary from its items: completed when every SCO is; failed when one failed, passed when every item with a known success passed; the score is
// the single scored item's, or the mean scaled score of several; times add up.
func (s *Service) rollup(tx *gorm.DB, a *Attempt, m *Manifest) error {
	var states []ItemState
	if err := tx.Where("attempt_id = ?", a.ID).Find(&states).Error; err != nil {
		return err
	}
	byItem := map[string]*ItemState{}
	var total int64
	for i := range states {
		byItem[states[i].Item] = &states[i]
		total += states[i].TotalCS()
	}
	// SCOs decide completion; assets (which cannot report) count once opened, and only in a
	// package without SCOs.
	launchable := scos(m)
	completed, attempted := 0, 0
	success, known := "unknown", 0
	var scored []*ItemState
	for _, it := range launchable {
		st := byItem[it.Identifier]
		if st == nil {
			continue
		}
		if st.CompletionStatus != "not attempted" || st.LastSeq > 0 {
			attempted++
		}
		if st.CompletionStatus == "completed" || (it.ScormType == "asset" && st.Sessions > 0) {
			completed++
		}
		switch st.SuccessStatus {
		case "failed":
			success = "failed"
			known++
		case "passed":
			if success != "failed" {
				success = "passed"
			}
			known++
		}
		if st.ScoreScaled != nil || st.ScoreRaw != nil {
			scored = append(scored, st)
		}
	}
	switch {
	case completed == len(launchable) && len(launchable) > 0:
		a.CompletionStatus = "completed"
	case attempted > 0:
		a.CompletionStatus = "incomplete"
	default:
		a.CompletionStatus = "not attempted"
	}
	a.SuccessStatus = success
	a.TotalCS = total
	switch len(scored) {
	case 0:
	case 1:
		st := scored[0]
		a.ScoreRaw, a.ScoreMin, a.ScoreMax, a.ScoreScaled = st.ScoreRaw, st.ScoreMin, st.ScoreMax, st.ScoreScaled
		a.ScoreSource = "content"
	default:
		var sum float64
		n := 0
		for _, st := range scored {
			if st.ScoreScaled != nil {
				sum += *st.ScoreScaled
				n++
			}
		}
		if n > 0 {
			mean := sum / float64(n)
			raw, lo, hi := math.Round(mean*10000)/100, 0.0, 100.0
			a.ScoreScaled, a.ScoreRaw, a.ScoreMin, a.ScoreMax = &mean, &raw, &lo, &hi
			a.ScoreSource = "content"
		}
	}
	if a.CompletedAt == nil && (a.CompletionStatus == "completed" || a.SuccessStatus == "passed") {
		t := s.clock()
		a.CompletedAt = &t
	}
	return tx.Save(a).Error
}

// scos returns the package's SCOs, or every launchable item when it has none.
func scos(m *Manifest) []*Item {
	var out []*Item
	for _, it := range m.Launchable() {
		if it.ScormType == "sco" {
			out = append(out, it)
		}
	}
	if len(out) == 0 {
		return m.Launchable()
	}
	return out
}

// resultOf is what Progress receives for an attempt.
func resultOf(a *Attempt, set LessonSettings) Result {
	r := Result{Attempt: a.Number, Completed: a.CompletionStatus == "completed", ScoreRaw: a.ScoreRaw, ScoreMin: a.ScoreMin,
		ScoreMax: a.ScoreMax, Scaled: a.ScoreScaled, TimeSpent: time.Duration(a.TotalCS) * 10 * time.Millisecond,
		Source: "content", At: a.UpdatedAt}
	switch a.SuccessStatus {
	case "passed":
		t := true
		r.Passed = &t
	case "failed":
		f := false
		r.Passed = &f
	}
	switch {
	case a.SuccessStatus == "passed":
		r.Status = "passed"
	case a.SuccessStatus == "failed":
		r.Status = "failed"
	case a.CompletionStatus == "completed":
		r.Status = "completed"
	case a.CompletionStatus == "incomplete":
		r.Status = "in_progress"
	default:
		r.Status = "not_attempted"
	}
	return r
}

func scaleRaw(raw float64, min, max *float64) *float64 {
	lo, hi := 0.0, 100.0
	if min != nil {
		lo = *min
	}
	if max != nil {
		hi = *max
	}
	if hi <= lo {
		return nil
	}
	v := (raw - lo) / (hi - lo)
	v = math.Max(-1, math.Min(1, v))
	return &v
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		return map[string]any{}
	}
	return m
}

func str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	}
	return ""
}

func num(v any) *float64 {
	s := strings.TrimSpace(str(v))
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

// indexed reads scorm-again's collections ({"0": {...}, "1": {...}} or a list) in order.
func indexed(v any) map[int]map[string]any {
	out := map[int]map[string]any{}
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if i, err := strconv.Atoi(k); err == nil && i >= 0 && i < 10000 {
				if m, ok := x.(map[string]any); ok {
					out[i] = m
				}
			}
		}
	case []any:
		for i, x := range t {
			if m, ok := x.(map[string]any); ok && i < 10000 {
				out[i] = m
			}
		}
	}
	return out
}

func joinPatterns(v any) string {
	items := indexed(v)
	keys := make([]int, 0, len(items))
	for k := range items {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, str(items[k]["pattern"]))
	}
	return strings.Join(parts, " | ")
}
