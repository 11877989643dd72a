package xapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/modules/scorm"
)

// cmi5Stored reports the lesson's result to Progress after an AU's statements are stored.
func (s *Service) cmi5Stored(ctx context.Context, id *Identity, stmts []map[string]any) {
	if id.cmi5 == nil {
		return
	}
	ended := false
	for _, m := range stmts {
		ended = ended || statementVerb(m) == verbTerminated
	}
	s.reportAfter(ctx, id.cmi5.registration.ID, ended)
}

// lessonResult turns a registration's AU states into the lesson's result: passed or completed
// once every AU is satisfied (its moveOn criterion met, waived, or NotApplicable), failed while
// a judged AU failed and none passed, in progress otherwise.
func lessonResult(st *Structure, states map[int]*cmi5AUState, reg *cmi5Registration) scorm.Result {
	all, passed, failed := true, false, false
	var spent time.Duration
	var scaled []float64
	var one *cmi5AUState
	for _, au := range st.AUs() {
		x := states[au.Index]
		if x == nil {
			all = false
			continue
		}
		all = all && x.Satisfied
		passed = passed || x.Passed
		failed = failed || (x.Failed && !x.Passed)
		spent += time.Duration(x.DurationMS) * time.Millisecond
		if x.ScoreScaled != nil || x.ScoreRaw != nil {
			one = x
			if x.ScoreScaled != nil {
				scaled = append(scaled, *x.ScoreScaled)
			}
		}
	}
	r := scorm.Result{Attempt: 1, Status: "in_progress", TimeSpent: spent, Source: "content"}
	switch {
	case all && passed:
		r.Status, r.Completed = "passed", true
		t := true
		r.Passed = &t
	case all:
		r.Status, r.Completed = "completed", true
	case failed:
		r.Status = "failed"
		f := false
		r.Passed = &f
	}
	switch {
	case len(scaled) == 1 && one != nil:
		r.ScoreRaw, r.ScoreMin, r.ScoreMax, r.Scaled = one.ScoreRaw, one.ScoreMin, one.ScoreMax, one.ScoreScaled
		if r.ScoreRaw == nil && r.Scaled != nil {
			raw, lo, hi := *r.Scaled*100, 0.0, 100.0
			r.ScoreRaw, r.ScoreMin, r.ScoreMax = &raw, &lo, &hi
		}
	case len(scaled) > 1:
		var sum float64
		for _, v := range scaled {
			sum += v
		}
		avg := sum / float64(len(scaled))
		raw, lo, hi := avg*100, 0.0, 100.0
		r.Scaled, r.ScoreRaw, r.ScoreMin, r.ScoreMax = &avg, &raw, &lo, &hi
	case one != nil:
		r.ScoreRaw, r.ScoreMin, r.ScoreMax = one.ScoreRaw, one.ScoreMin, one.ScoreMax
	}
	return r
}

// reportAfter reports a registration's lesson result to Progress when its status changed, or
// when a session ended (the time spent grew). Errors are logged: the statements are stored
// whatever Progress says.
func (s *Service) reportAfter(ctx context.Context, regID int64, ended bool) {
	if s.c5 == nil || s.c5.lessons == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if err := s.report(ctx, regID, ended); err != nil {
		s.c5.log.ErrorContext(ctx, "cmi5: report the lesson result", "registration", regID, "err", err)
	}
}

func (s *Service) report(ctx context.Context, regID int64, ended bool) error {
	db := s.db.WithContext(ctx)
	var reg cmi5Registration
	if err := db.Take(&reg, regID).Error; err != nil {
		return err
	}
	if reg.UserID == 0 {
		return nil
	}
	_, st, err := s.courseByID(ctx, db, reg.CourseID)
	if err != nil {
		return err
	}
	states, err := s.auStates(db, reg.ID)
	if err != nil {
		return err
	}
	r := lessonResult(st, states, &reg)
	if r.Status == reg.Reported && !ended {
		return nil
	}
	r.At = s.now()
	if err := s.c5.lessons.RecordResult(ctx, reg.UserID, reg.LessonID, r); err != nil {
		return err
	}
	return db.Model(&cmi5Registration{}).Where("id = ?", reg.ID).Update("reported", r.Status).Error
}

// WaiveIn asks to waive an AU for a learner: by the learner's GLC user id or by registration.
type WaiveIn struct {
	UserID       int64           `json:"user_id"`
	Registration string          `json:"registration"`
	AU           json.RawMessage `json:"au"`
	Reason       string          `json:"reason"`
}

// WaiveOut is the waiver that was recorded.
type WaiveOut struct {
	Registration string `json:"registration"`
	AU           int    `json:"au"`
	SessionID    string `json:"session_id"`
	Reason       string `json:"reason"`
}

// Waive records that a learner met an AU's requirements by other means (section 9.3.7):
// instructors of the course and admins. The AU counts as satisfied; GLC records "waived" and
// the satisfied statements it earns under a session id of their own.
func (s *Service) Waive(ctx context.Context, lessonID int64, in WaiveIn) (*WaiveOut, error) {
	_, acc, err := s.cmi5Access(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	if !acc.Manage {
		return nil, fmt.Errorf("only the course's instructors and admins may waive an AU: %w", apperr.ErrForbidden)
	}
	f := apperr.Fields{}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		in.Reason = "Administrative"
	}
	f.Check(len(in.Reason) > 100, "reason", "is at most 100 characters (Tested Out, Equivalent AU, Equivalent Outside Activity or Administrative)")
	f.Check(in.UserID <= 0 && in.Registration == "", "user_id", "or registration is required")
	f.Check(in.Registration != "" && !IsUUID(in.Registration), "registration", "must be a UUID")
	f.Check(len(in.AU) == 0 || string(in.AU) == "null", "au", "is required (the AU's index or id)")
	if err := f.Err(); err != nil {
		return nil, err
	}
	course, st, err := s.courseOfLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	au, err := pickAU(st, in.AU)
	if err != nil {
		return nil, err
	}
	reg, err := s.waiveRegistration(ctx, course, st, in)
	if err != nil {
		return nil, err
	}
	out := &WaiveOut{Registration: reg.UUID, AU: au.Index, SessionID: uuid.NewString(), Reason: in.Reason}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := lockStatements(tx, s.db.Dialect); err != nil {
			return err
		}
		ast, err := s.auState(tx, reg.ID, au.Index)
		if err != nil {
			return err
		}
		if ast.Waived {
			return fmt.Errorf("this AU is already waived for this learner: %w", apperr.ErrConflict)
		}
		if ast.Satisfied {
			return fmt.Errorf("this learner has already satisfied this AU: %w", apperr.ErrConflict)
		}
		if err := tx.Model(ast).Updates(map[string]any{"waived": true, "waive_reason": in.Reason, "satisfied": true, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		stmt := map[string]any{
			"id": uuid.NewString(), "actor": reg.actor(), "verb": verbOf(verbWaived, "waived"), "object": s.auObject(au),
			"result":  map[string]any{"success": true, "completion": true, "extensions": map[string]any{extReason: in.Reason}},
			"context": cmi5Context(reg, au.ID, out.SessionID, true, nil), "timestamp": formatTime(s.storedTime()),
		}
		if err := s.storeLMS(tx, []map[string]any{stmt}); err != nil {
			return err
		}
		var fresh cmi5Registration
		if err := tx.Take(&fresh, reg.ID).Error; err != nil {
			return err
		}
		return s.satisfy(tx, &fresh, st, out.SessionID)
	})
	if err != nil {
		return nil, err
	}
	s.reportAfter(ctx, reg.ID, false)
	return out, nil
}

// waiveRegistration finds the registration a waiver is for; a learner who never launched the
// course gets one when the course module says they take the lesson.
func (s *Service) waiveRegistration(ctx context.Context, course *cmi5Course, st *Structure, in WaiveIn) (*cmi5Registration, error) {
	db := s.db.WithContext(ctx)
	var reg cmi5Registration
	if in.Registration != "" {
		err := db.Where("uuid = ? AND course_id = ?", strings.ToLower(in.Registration), course.ID).Take(&reg).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, fmt.Errorf("registration %s in this lesson: %w", in.Registration, apperr.ErrNotFound)
		}
		if err == nil && in.UserID > 0 && reg.UserID != in.UserID {
			return nil, apperr.Invalid("registration", "is not this learner's registration")
		}
		return &reg, err
	}
	var row learnerRow
	err := db.Where("user_id = ?", in.UserID).Take(&row).Error
	if err == nil {
		a := map[string]any{"objectType": "Agent", "account": map[string]any{"homePage": s.baseURL, "name": row.AgentName}}
		err = db.Where("course_id = ? AND actor_ifi = ?", course.ID, IFI(a)).Take(&reg).Error
		if err == nil {
			return &reg, nil
		}
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	lc, ok := s.c5.lessons.(LearnerChecker)
	if !ok {
		return nil, apperr.Invalid("user_id", "this learner has not started the course yet; waive by registration after their first launch")
	}
	takes, err := lc.TakesLesson(ctx, course.LessonID, in.UserID)
	if err != nil {
		return nil, err
	}
	if !takes {
		return nil, apperr.Invalid("user_id", "is not a learner of this lesson")
	}
	actor, err := s.LearnerAgent(ctx, in.UserID, "")
	if err != nil {
		return nil, err
	}
	var out *cmi5Registration
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := lockStatements(tx, s.db.Dialect); err != nil {
			return err
		}
		var err error
		out, err = s.registrationFor(ctx, tx, course, st, actor, in.UserID, "")
		return err
	})
	return out, err
}

// AUView is one AU (or block heading) as the player lists it.
type AUView struct {
	Kind        string `json:"kind"` // "au" or "block"
	Index       int    `json:"index"`
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Depth       int    `json:"depth"`
	// TitleLang and DescriptionLang are the languages of the texts (for the page's lang
	// attributes).
	TitleLang       string   `json:"-"`
	DescriptionLang string   `json:"-"`
	LaunchMethod    string   `json:"launch_method,omitempty"`
	MoveOn          string   `json:"move_on,omitempty"`
	MasteryScore    *float64 `json:"mastery_score,omitempty"`
	Remote          bool     `json:"remote,omitempty"`
	// Status: not_attempted, in_progress, completed, passed, failed or waived; Satisfied:
	// the moveOn criterion is met.
	Status    string `json:"status,omitempty"`
	Satisfied bool   `json:"satisfied"`
}

// CourseView is a cmi5 lesson as its player shows it to the caller.
type CourseView struct {
	LessonID        int64    `json:"lesson_id"`
	CourseID        int64    `json:"course_id"`
	Title           string   `json:"title"`
	Description     string   `json:"description"`
	TitleLang       string   `json:"-"`
	DescriptionLang string   `json:"-"`
	Registration    string   `json:"registration,omitempty"`
	Satisfied       bool     `json:"satisfied"`
	Status          string   `json:"status"`
	Manage          bool     `json:"manage"`
	Items           []AUView `json:"items"`
}

// Course describes a cmi5 lesson and the caller's progress in it.
func (s *Service) Course(ctx context.Context, lessonID int64, lang string) (*CourseView, error) {
	p, acc, err := s.cmi5Access(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	course, st, err := s.courseOfLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	out := &CourseView{LessonID: lessonID, CourseID: acc.CourseID, Manage: acc.Manage, Status: "not_attempted"}
	out.Title, out.TitleLang = pickLang(st.Title, lang)
	out.Description, out.DescriptionLang = pickLang(st.Description, lang)
	if out.Title == "" {
		out.Title = course.Title
	}
	db := s.db.WithContext(ctx)
	states := map[int]*cmi5AUState{}
	sessions := map[int]bool{}
	var row learnerRow
	if err := db.Where("user_id = ?", p.UserID).Take(&row).Error; err == nil {
		a := map[string]any{"objectType": "Agent", "account": map[string]any{"homePage": s.baseURL, "name": row.AgentName}}
		var reg cmi5Registration
		if err := db.Where("course_id = ? AND actor_ifi = ?", course.ID, IFI(a)).Take(&reg).Error; err == nil {
			out.Registration, out.Satisfied = reg.UUID, reg.Satisfied
			if states, err = s.auStates(db, reg.ID); err != nil {
				return nil, err
			}
			var aus []int
			if err := db.Model(&cmi5Session{}).Where("registration_id = ?", reg.ID).Distinct().Pluck("au", &aus).Error; err != nil {
				return nil, err
			}
			for _, a := range aus {
				sessions[a] = true
			}
			out.Status = lessonResult(st, states, &reg).Status
		}
	}
	var walk func(nodes []*Node, depth int)
	walk = func(nodes []*Node, depth int) {
		for _, n := range nodes {
			v := AUView{Kind: n.Kind, Index: n.Index, ID: n.ID, Depth: depth}
			v.Title, v.TitleLang = pickLang(n.Title, lang)
			v.Description, v.DescriptionLang = pickLang(n.Description, lang)
			if n.Kind == "block" {
				out.Items = append(out.Items, v)
				walk(n.Children, depth+1)
				continue
			}
			v.LaunchMethod, v.MoveOn, v.MasteryScore, v.Remote = n.LaunchMethod, n.MoveOn, masteryFor(n, acc), n.Remote
			v.Status = "not_attempted"
			if x := states[n.Index]; x != nil {
				v.Satisfied = x.Satisfied
				switch {
				case x.Waived:
					v.Status = "waived"
				case x.Passed:
					v.Status = "passed"
				case x.Failed:
					v.Status = "failed"
				case x.Completed:
					v.Status = "completed"
				case sessions[n.Index]:
					v.Status = "in_progress"
				}
			} else if sessions[n.Index] {
				v.Status = "in_progress"
			}
			out.Items = append(out.Items, v)
		}
	}
	walk(st.Children, 0)
	return out, nil
}
