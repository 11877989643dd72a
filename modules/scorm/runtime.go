package scorm

import (
	"glc/modules/scorm/cam"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/database"
)

func isNotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }

// CurrentAttempt returns the caller's latest attempt at the lesson, starting the first one when
// there is none. Staff who are not enrolled as learners get preview attempts.
func (s *Service) CurrentAttempt(ctx context.Context, lessonID int64) (*Attempt, error) {
	acc, err := s.access(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	var a Attempt
	// A learner carries on with their latest learner attempt (not an earlier preview of theirs,
	// from before they enrolled); staff with their latest preview.
	err = s.db.WithContext(ctx).Where("lesson_id = ? AND user_id = ? AND preview = ?", lessonID, p.UserID, !acc.Tracked).
		Order("number DESC").Take(&a).Error
	if err == nil {
		return &a, nil
	}
	if !isNotFound(err) {
		return nil, err
	}
	return s.startAttempt(ctx, acc, p.UserID)
}

// NewAttempt starts a new attempt for the caller, within the lesson's attempt limit (409 when
// it is reached). The attempt takes the lesson's settings as they are now. The limit counts
// learners' attempts: previews by staff are not limited (and do not count).
func (s *Service) NewAttempt(ctx context.Context, lessonID int64) (*Attempt, error) {
	acc, err := s.access(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	return s.startAttempt(ctx, acc, auth.FromContext(ctx).UserID)
}

func (s *Service) startAttempt(ctx context.Context, acc LessonAccess, userID int64) (*Attempt, error) {
	pkg, _, err := s.packageOf(ctx, acc.LessonID)
	if err != nil {
		return nil, err
	}
	preview := !acc.Tracked
	var out *Attempt
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var n, counted int64
		if err := tx.Model(&Attempt{}).Where("lesson_id = ? AND user_id = ?", acc.LessonID, userID).Count(&n).Error; err != nil {
			return err
		}
		if !preview {
			if err := tx.Model(&Attempt{}).Where("lesson_id = ? AND user_id = ? AND preview = ?", acc.LessonID, userID, false).Count(&counted).Error; err != nil {
				return err
			}
		}
		if max := acc.Settings.MaxAttempts; !preview && max > 0 && int(counted) >= max {
			return apperr.New(http.StatusConflict, "attempts_exhausted", "You have used all %d attempts at this lesson.", max)
		}
		a := &Attempt{PackageID: pkg.ID, LessonID: acc.LessonID, UserID: userID, Number: int(n) + 1, Preview: preview,
			MasteryScore: acc.Settings.MasteryScore, CompletionStatus: "not attempted", SuccessStatus: "unknown"}
		if err := tx.Create(a).Error; err != nil {
			if database.IsUniqueViolation(err) {
				return fmt.Errorf("another attempt was started at the same time: %w", apperr.ErrConflict)
			}
			return err
		}
		out = a
		return nil
	})
	return out, err
}

// attemptFor loads an attempt the caller may read: their own, or any in a lesson they manage.
func (s *Service) attemptFor(ctx context.Context, id int64, own bool) (*Attempt, LessonAccess, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, LessonAccess{}, err
	}
	a, err := s.loadAttempt(ctx, id)
	if err != nil {
		return nil, LessonAccess{}, err
	}
	acc, err := s.access(ctx, a.LessonID)
	if err != nil {
		return nil, LessonAccess{}, err
	}
	if a.UserID != p.UserID && (own || !acc.Manage) {
		return nil, LessonAccess{}, fmt.Errorf("attempt %d belongs to another learner: %w", id, apperr.ErrForbidden)
	}
	return a, acc, nil
}

func (s *Service) loadAttempt(ctx context.Context, id int64) (*Attempt, error) {
	var a Attempt
	if err := s.db.WithContext(ctx).Take(&a, id).Error; err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("attempt %d: %w", id, apperr.ErrNotFound)
		}
		return nil, err
	}
	return &a, nil
}

// LaunchData is what the API frame needs to run one SCO: where it is, and the CMI data to
// start from.
type LaunchData struct {
	AttemptID int64          `json:"attempt_id"`
	Item      string         `json:"item"`
	Title     string         `json:"title"`
	Standard  string         `json:"standard"`
	Session   int            `json:"session"`
	URL       string         `json:"url"`
	CMI       map[string]any `json:"cmi"`
	// CommitURL and CommitToken: the API frame posts commits there with the token in the
	// X-SCORM-Commit-Token header (on the content origin when there is one).
	CommitURL   string `json:"commit_url"`
	CommitToken string `json:"commit_token"`
	// Sequencing is the 2004 activity tree for scorm-again (nil for 1.2).
	Sequencing map[string]any `json:"sequencing,omitempty"`
}

// Launch opens a new run-time session of an item in the caller's own attempt.
func (s *Service) Launch(ctx context.Context, attemptID int64, itemID string) (*LaunchData, error) {
	a, _, err := s.attemptFor(ctx, attemptID, true)
	if err != nil {
		return nil, err
	}
	pkg, m, err := s.packageOf(ctx, a.LessonID)
	if err != nil {
		return nil, err
	}
	if itemID == "" {
		itemID = s.resumeItem(ctx, a, m)
	}
	it := m.Find(itemID)
	if it == nil || !it.Launchable {
		return nil, apperr.Invalid("item", "is not a launchable item of this package")
	}
	states, err := s.states(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if m.Standard == StandardSCORM12 && it.Prerequisites != "" {
		if !cam.EvalPrerequisites(it.Prerequisites, statusLookup(states)) {
			return nil, apperr.New(http.StatusConflict, "prerequisites_not_met", "Complete the earlier parts of this lesson first.")
		}
	}
	var st ItemState
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		err := lockRow(tx, s.db.Dialect).Where("attempt_id = ? AND item = ?", a.ID, it.Identifier).Take(&st).Error
		if isNotFound(err) {
			st = ItemState{AttemptID: a.ID, Item: it.Identifier, CMI: "{}", CompletionStatus: "not attempted", SuccessStatus: "unknown"}
			if err := tx.Create(&st).Error; err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		st.Sessions++
		return tx.Model(&st).Update("sessions", st.Sessions).Error
	})
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	ld := &LaunchData{AttemptID: a.ID, Item: it.Identifier, Title: it.Title, Standard: m.Standard, Session: st.Sessions,
		URL: s.ContentURL(pkg, p.UserID, it.Href), CMI: initialCMI(m, it, a, &st, p),
		CommitURL:   s.contentBase() + "/api/v1/scorm/attempts/" + strconv.FormatInt(a.ID, 10) + "/commit",
		CommitToken: s.tokens.commitCap(a.ID, a.UserID, it.Identifier, st.Sessions)}
	if m.Standard == StandardSCORM2004 {
		ld.Sequencing = activityTree(m)
	}
	return ld, nil
}

// resumeItem picks the item to open: the last one used, else the first launchable one.
func (s *Service) resumeItem(ctx context.Context, a *Attempt, m *Manifest) string {
	var st ItemState
	if err := s.db.WithContext(ctx).Where("attempt_id = ?", a.ID).Order("updated_at DESC").Take(&st).Error; err == nil {
		if it := m.Find(st.Item); it != nil && it.Launchable {
			return st.Item
		}
	}
	if l := m.Launchable(); len(l) > 0 {
		return l[0].Identifier
	}
	return ""
}

func lockRow(tx *gorm.DB, d database.Dialect) *gorm.DB {
	if d == database.Postgres {
		return tx.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return tx
}

func (s *Service) states(ctx context.Context, attemptID int64) ([]ItemState, error) {
	var out []ItemState
	err := s.db.WithContext(ctx).Where("attempt_id = ?", attemptID).Order("id").Find(&out).Error
	return out, err
}

// statusLookup maps item identifiers to their SCORM 1.2 lesson status for prerequisites.
func statusLookup(states []ItemState) func(string) string {
	m := map[string]string{}
	for _, st := range states {
		m[st.Item] = status12(st.CompletionStatus, st.SuccessStatus)
	}
	return func(id string) string {
		if v, ok := m[id]; ok {
			return v
		}
		return "not attempted"
	}
}

// status12 folds completion and success into a SCORM 1.2 lesson_status.
func status12(completion, success string) string {
	switch {
	case success == "passed":
		return "passed"
	case success == "failed":
		return "failed"
	case completion == "completed":
		return "completed"
	case completion == "incomplete":
		return "incomplete"
	case completion == "browsed":
		return "browsed"
	}
	return "not attempted"
}

// resumable reports whether the SCO's last session ended suspended.
func resumable(st *ItemState) bool { return st.Exit == "suspend" }

// initialCMI builds the data the runtime starts from: what the SCO stored before (when it
// resumes, or always for SCORM 1.2, whose data lasts the attempt), plus what the LMS provides.
func initialCMI(m *Manifest, it *Item, a *Attempt, st *ItemState, p *auth.Principal) map[string]any {
	cmi := map[string]any{}
	prior := map[string]any{}
	if st.CMI != "" {
		_ = json.Unmarshal([]byte(st.CMI), &prior)
	}
	resume := resumable(st)
	first := st.Sessions <= 1 && st.LastSeq == 0
	mastery := a.MasteryScore
	if mastery == nil {
		mastery = it.MasteryScore
	}
	if m.Standard == StandardSCORM12 {
		for k, v := range prior {
			if k != "interactions" {
				cmi[k] = v
			}
		}
		core, _ := cmi["core"].(map[string]any)
		if core == nil {
			core = map[string]any{}
		}
		delete(core, "session_time")
		delete(core, "exit")
		entry := ""
		if first {
			entry = "ab-initio"
		} else if resume {
			entry = "resume"
		}
		core["entry"] = entry
		core["student_id"] = strconv.FormatInt(p.UserID, 10)
		core["student_name"] = p.Name
		core["credit"] = "credit"
		core["lesson_mode"] = "normal"
		core["total_time"] = cam.FormatTimespan12(st.TotalCS())
		if _, ok := core["lesson_status"]; !ok || first {
			core["lesson_status"] = "not attempted"
		}
		cmi["core"] = core
		sd := map[string]any{"max_time_allowed": it.MaxTimeAllowed, "time_limit_action": it.TimeLimitAction}
		if mastery != nil {
			sd["mastery_score"] = strconv.FormatFloat(*mastery, 'f', -1, 64)
		}
		cmi["student_data"] = sd
		cmi["launch_data"] = it.DataFromLMS
		return cmi
	}
	if resume {
		for k, v := range prior {
			cmi[k] = v
		}
	}
	delete(cmi, "session_time")
	delete(cmi, "exit")
	delete(cmi, "adl")
	entry := "ab-initio"
	if resume {
		entry = "resume"
	} else if !first {
		entry = ""
	}
	cmi["entry"] = entry
	cmi["learner_id"] = strconv.FormatInt(p.UserID, 10)
	cmi["learner_name"] = p.Name
	cmi["credit"] = "credit"
	cmi["mode"] = "normal"
	cmi["total_time"] = cam.FormatDuration2004(st.TotalCS())
	cmi["launch_data"] = it.DataFromLMS
	cmi["max_time_allowed"] = it.MaxTimeAllowed
	cmi["time_limit_action"] = it.TimeLimitAction
	if ct := it.CompletionThreshold; ct != nil && ct.CompletedByMeasure {
		cmi["completion_threshold"] = strconv.FormatFloat(ct.MinProgressMeasure, 'f', -1, 64)
	}
	if sps := scaledPassingScore(it, mastery); sps != nil {
		cmi["scaled_passing_score"] = strconv.FormatFloat(*sps, 'f', -1, 64)
	}
	return cmi
}

// scaledPassingScore is the lesson's mastery score (0-100) scaled, else the item's primary
// objective's minimum normalized measure when it is satisfied by measure.
func scaledPassingScore(it *Item, mastery *float64) *float64 {
	if mastery != nil {
		v := *mastery / 100
		return &v
	}
	if it.Sequencing != nil && it.Sequencing.PrimaryObjective != nil {
		po := it.Sequencing.PrimaryObjective
		if po.SatisfiedByMeasure && po.MinNormalizedMeasure != nil {
			v := *po.MinNormalizedMeasure
			return &v
		}
	}
	return nil
}

// activityTree turns the outline and its sequencing data into scorm-again's activity tree.
func activityTree(m *Manifest) map[string]any {
	var conv func(it *Item) map[string]any
	conv = func(it *Item) map[string]any {
		n := map[string]any{"id": it.Identifier, "title": it.Title, "isVisible": !it.Hidden}
		addSequencing(n, it.Sequencing)
		if it.CompletionThreshold != nil {
			n["completionThreshold"] = it.CompletionThreshold
		}
		if len(it.HideLMSUI) > 0 {
			n["hideLmsUi"] = it.HideLMSUI
		}
		if len(it.Children) > 0 {
			kids := make([]map[string]any, 0, len(it.Children))
			for _, c := range it.Children {
				kids = append(kids, conv(c))
			}
			n["children"] = kids
		}
		return n
	}
	root := map[string]any{"id": orDefault(m.Organization, "root"), "title": m.Title}
	addSequencing(root, m.Sequencing)
	kids := make([]map[string]any, 0, len(m.Items))
	for _, it := range m.Items {
		kids = append(kids, conv(it))
	}
	root["children"] = kids
	return map[string]any{"activityTree": root}
}

func addSequencing(n map[string]any, s *Sequencing) {
	if s == nil {
		return
	}
	raw, _ := json.Marshal(s)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	for k, v := range m {
		n[k] = v
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Previews says which attempts a list of a lesson's attempts holds.
const (
	PreviewsExclude = "exclude" // learners' attempts only (the default)
	PreviewsInclude = "include" // learners' attempts and previews
	PreviewsOnly    = "only"    // previews only
)

// AttemptFilter narrows a list of a lesson's attempts.
type AttemptFilter struct {
	// UserID: one person's attempts (0: everyone's).
	UserID int64
	// Previews: PreviewsExclude ("" too), PreviewsInclude or PreviewsOnly.
	Previews string
}

// Attempts lists a lesson's attempts, in order of person and number: all of them for those who
// manage the lesson (learners' attempts only unless f.Previews asks for previews; optionally
// one person's), the caller's own otherwise (previews included: they are theirs).
func (s *Service) Attempts(ctx context.Context, lessonID int64, f AttemptFilter, offset, limit int) ([]Attempt, int64, error) {
	acc, err := s.access(ctx, lessonID)
	if err != nil {
		return nil, 0, err
	}
	switch f.Previews {
	case "", PreviewsExclude, PreviewsInclude, PreviewsOnly:
	default:
		return nil, 0, apperr.Invalid("previews", "must be exclude, include or only")
	}
	p := auth.FromContext(ctx)
	q := s.db.WithContext(ctx).Model(&Attempt{}).Where("lesson_id = ?", lessonID)
	switch {
	case !acc.Manage:
		q = q.Where("user_id = ?", p.UserID)
	default:
		if f.UserID > 0 {
			q = q.Where("user_id = ?", f.UserID)
		}
		switch f.Previews {
		case "", PreviewsExclude:
			q = q.Where("preview = ?", false)
		case PreviewsOnly:
			q = q.Where("preview = ?", true)
		}
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []Attempt
	err = q.Order("user_id, number").Offset(offset).Limit(limit).Find(&out).Error
	return out, total, err
}

// CountPreviews counts the preview attempts at a lesson, for those who manage it.
func (s *Service) CountPreviews(ctx context.Context, lessonID int64) (int64, error) {
	acc, err := s.access(ctx, lessonID)
	if err != nil {
		return 0, err
	}
	if !acc.Manage {
		return 0, fmt.Errorf("lesson %d: %w", lessonID, apperr.ErrForbidden)
	}
	var n int64
	err = s.db.WithContext(ctx).Model(&Attempt{}).Where("lesson_id = ? AND preview = ?", lessonID, true).Count(&n).Error
	return n, err
}

// People names the people of a lesson's attempts for those who manage it (the course module
// says who they are); the caller's own name otherwise.
func (s *Service) People(ctx context.Context, lessonID int64, acc LessonAccess, list []Attempt) (map[int64]Person, error) {
	if !acc.Manage {
		p := auth.FromContext(ctx)
		return map[int64]Person{p.UserID: {Name: p.Name}}, nil
	}
	var ids []int64
	seen := map[int64]bool{}
	for _, a := range list {
		if !seen[a.UserID] {
			seen[a.UserID] = true
			ids = append(ids, a.UserID)
		}
	}
	if len(ids) == 0 {
		return map[int64]Person{}, nil
	}
	return s.lessons.People(ctx, lessonID, ids)
}

// AttemptDetail is an attempt with its items' CMI data and interactions.
type AttemptDetail struct {
	Attempt      *Attempt
	Access       LessonAccess
	Items        []ItemState
	Interactions []Interaction
	Manifest     *Manifest
}

// Attempt returns one attempt in full to its learner or to those who manage the lesson.
func (s *Service) Attempt(ctx context.Context, id int64) (*AttemptDetail, error) {
	a, acc, err := s.attemptFor(ctx, id, false)
	if err != nil {
		return nil, err
	}
	states, err := s.states(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	var inters []Interaction
	if err := s.db.WithContext(ctx).Where("attempt_id = ?", a.ID).Order("item, session_no, idx").Find(&inters).Error; err != nil {
		return nil, err
	}
	_, m, err := s.packageOf(ctx, a.LessonID)
	if err != nil {
		return nil, err
	}
	return &AttemptDetail{Attempt: a, Access: acc, Items: states, Interactions: inters, Manifest: m}, nil
}

// now returns the service clock.
func (s *Service) clock() time.Time { return s.now() }
