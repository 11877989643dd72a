package xapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/database"
	"glc/modules/scorm"
)

// LaunchIn asks to launch an AU. AU is the AU's index in the course (a number) or its id
// (the publisher's or GLC's); without it the first AU not yet satisfied. Actor (admins only)
// names the xAPI Agent to launch for; without it the caller launches for themselves.
type LaunchIn struct {
	AU           json.RawMessage `json:"au"`
	Registration string          `json:"registration"`
	LaunchMode   string          `json:"launch_mode"`
	Actor        map[string]any  `json:"actor"`
}

// LaunchOut is where to send the browser.
type LaunchOut struct {
	URL          string `json:"url"`
	Registration string `json:"registration"`
	SessionID    string `json:"session_id"`
	AU           int    `json:"au"`
	LaunchMethod string `json:"launch_method"`
	LaunchMode   string `json:"launch_mode"`
}

// lmsAgent is the authority of the statements GLC itself records.
func (s *Service) lmsIdentity() *Identity {
	a := map[string]any{"objectType": "Agent", "name": "GLC", "account": map[string]any{"homePage": s.baseURL, "name": "glc-lms"}}
	return &Identity{Scopes: []string{ScopeAll}, Authority: a, AuthorityIFI: IFI(a)}
}

// access checks the caller may use the lesson and returns what they may do.
func (s *Service) cmi5Access(ctx context.Context, lessonID int64) (*auth.Principal, scorm.LessonAccess, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, scorm.LessonAccess{}, err
	}
	if s.c5 == nil || s.c5.lessons == nil {
		return nil, scorm.LessonAccess{}, errNoLessons
	}
	acc, err := s.c5.lessons.Access(ctx, lessonID)
	if err != nil {
		return nil, acc, err
	}
	if !acc.Learn && !acc.Manage {
		return nil, acc, fmt.Errorf("lesson %d: %w", lessonID, apperr.ErrForbidden)
	}
	return p, acc, nil
}

// pickAU finds the AU a request names: an index, or an id.
func pickAU(st *Structure, raw json.RawMessage) (*Node, error) {
	aus := st.AUs()
	var idx int
	if err := json.Unmarshal(raw, &idx); err == nil {
		if idx < 0 || idx >= len(aus) {
			return nil, apperr.Invalid("au", fmt.Sprintf("must be between 0 and %d, or an AU id", len(aus)-1))
		}
		return aus[idx], nil
	}
	var id string
	if err := json.Unmarshal(raw, &id); err == nil && id != "" {
		if n, err := strconv.Atoi(id); err == nil && n >= 0 && n < len(aus) {
			return aus[n], nil
		}
		for _, au := range aus {
			if au.ID == id || au.ActivityID == id {
				return au, nil
			}
		}
		return nil, apperr.Invalid("au", "no AU of this course has this id")
	}
	return nil, apperr.Invalid("au", "must be an AU's index or id")
}

// masteryFor is the AU's mastery score for new launches: the lesson's setting (0-100) when
// set, else the course structure's.
func masteryFor(au *Node, acc scorm.LessonAccess) *float64 {
	if ms := acc.Settings.MasteryScore; ms != nil {
		v := *ms / 100
		return &v
	}
	return au.MasteryScore
}

// Launch starts a session of an AU for the caller (or, for admins, for a named actor): it
// finds or creates the registration, abandons the registration's open sessions, writes
// LMS.LaunchData, records "launched" and returns the launch URL.
func (s *Service) Launch(ctx context.Context, r *http.Request, lessonID int64, in LaunchIn) (*LaunchOut, error) {
	p, acc, err := s.cmi5Access(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	course, st, err := s.courseOfLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	mode := in.LaunchMode
	switch mode {
	case "":
		mode = ModeNormal
	case ModeNormal, ModeBrowse, ModeReview:
	default:
		return nil, apperr.Invalid("launch_mode", "must be Normal, Browse or Review")
	}
	if in.Registration != "" && !IsUUID(in.Registration) {
		return nil, apperr.Invalid("registration", "must be a UUID")
	}
	var actor map[string]any
	var userID int64
	if in.Actor != nil {
		if !p.IsAdmin() {
			return nil, fmt.Errorf("only administrators may launch for another actor: %w", apperr.ErrForbidden)
		}
		if actor, userID, err = s.namedActor(ctx, in.Actor); err != nil {
			return nil, err
		}
	} else {
		if actor, err = s.LearnerAgent(ctx, p.UserID, ""); err != nil {
			return nil, err
		}
		userID = p.UserID
	}
	var au *Node
	if len(in.AU) > 0 && string(in.AU) != "null" {
		if au, err = pickAU(st, in.AU); err != nil {
			return nil, err
		}
	}
	now := s.now()
	sess := &cmi5Session{SessionID: uuid.NewString(), LaunchMode: mode, State: sessLaunched, LaunchedAt: now, LastAt: now}
	fetch := randomToken(32)
	sess.FetchHash = hashSecret(fetch)
	var reg *cmi5Registration
	var out LaunchOut
	abandoned := false
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := lockStatements(tx, s.db.Dialect); err != nil {
			return err
		}
		var err error
		if reg, err = s.registrationFor(ctx, tx, course, st, actor, userID, in.Registration); err != nil {
			return err
		}
		if au == nil {
			if au, err = s.nextAU(tx, reg, st); err != nil {
				return err
			}
		}
		if abandoned, err = s.abandonOpen(ctx, tx, reg, st, ""); err != nil {
			return err
		}
		sess.RegistrationID, sess.AU, sess.MoveOn, sess.MasteryScore = reg.ID, au.Index, au.MoveOn, masteryFor(au, acc)
		if err := tx.Create(sess).Error; err != nil {
			return err
		}
		launchURL, err := s.auURL(r, course, au, reg)
		if err != nil {
			return err
		}
		if err := s.writeLaunchData(tx, reg, au, sess, lessonID, r); err != nil {
			return err
		}
		if err := s.storeLMS(tx, []map[string]any{s.launchedStatement(reg, au, sess, launchURL)}); err != nil {
			return err
		}
		q := url.Values{}
		q.Set("endpoint", s.lmsOrigin(r)+"/xapi/")
		q.Set("fetch", s.lmsOrigin(r)+"/xapi"+cmi5FetchPath+fetch)
		raw, _ := json.Marshal(reg.actor())
		q.Set("actor", string(raw))
		q.Set("registration", reg.UUID)
		q.Set("activityId", au.ActivityID)
		out = LaunchOut{URL: withQuery(launchURL, q), Registration: reg.UUID, SessionID: sess.SessionID, AU: au.Index,
			LaunchMethod: au.LaunchMethod, LaunchMode: mode}
		if au.Remote {
			// An AU elsewhere on the web is opened in its own window (its origin is not framed).
			out.LaunchMethod = LaunchOwnWindow
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.reportAfter(ctx, reg.ID, abandoned)
	return &out, nil
}

// withQuery appends the launch parameters to a URL, keeping its own query and fragment.
func withQuery(raw string, q url.Values) string {
	base, frag, _ := strings.Cut(raw, "#")
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	out := base + sep + q.Encode()
	if frag != "" {
		out += "#" + frag
	}
	return out
}

// auURL is the AU's URL without the launch parameters: its own URL when it is on the web,
// else its file of the package under a content capability.
func (s *Service) auURL(r *http.Request, course *cmi5Course, au *Node, reg *cmi5Registration) (string, error) {
	if au.Remote {
		return au.URL, nil
	}
	u, err := url.Parse(au.URL)
	if err != nil {
		return "", err
	}
	out := s.contentBase(r) + "/cmi5/content/" + course.UUID + "/" + s.contentCap(course.UUID) + "/" + escapePath(u.Path)
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	if u.Fragment != "" {
		out += "#" + u.EscapedFragment()
	}
	return out, nil
}

// namedActor checks the Agent an admin names and finds the GLC learner it stands for, if any.
func (s *Service) namedActor(ctx context.Context, a map[string]any) (map[string]any, int64, error) {
	raw, _ := json.Marshal(a)
	var m map[string]any
	if err := decodeJSON(raw, &m); err != nil {
		return nil, 0, apperr.Invalid("actor", "must be an xAPI Agent")
	}
	if err := (validator{v: V103}).agent(m, "actor", false); err != nil {
		return nil, 0, apperr.Invalid("actor", err.Error())
	}
	if ot, _ := m["objectType"].(string); ot == "Group" {
		return nil, 0, apperr.Invalid("actor", "must be an Agent, not a Group")
	}
	acc, ok := m["account"].(map[string]any)
	if !ok {
		return nil, 0, apperr.Invalid("actor", "cmi5 identifies learners by an account (homePage and name)")
	}
	m["objectType"] = "Agent"
	var userID int64
	if hp, _ := acc["homePage"].(string); hp == s.baseURL {
		name, _ := acc["name"].(string)
		var row learnerRow
		if err := s.db.WithContext(ctx).Where("agent_name = ?", name).Take(&row).Error; err == nil {
			userID = row.UserID
		}
	}
	return m, userID, nil
}

// registrationFor finds the actor's registration in the course, or creates it. A named
// registration must be the actor's.
func (s *Service) registrationFor(ctx context.Context, tx *gorm.DB, course *cmi5Course, st *Structure, actor map[string]any, userID int64, want string) (*cmi5Registration, error) {
	ifi := IFI(actor)
	var reg cmi5Registration
	err := tx.Where("course_id = ? AND actor_ifi = ?", course.ID, ifi).Take(&reg).Error
	if err == nil {
		if want != "" && !strings.EqualFold(want, reg.UUID) {
			return nil, fmt.Errorf("registration %s is not this learner's registration in this course: %w", want, apperr.ErrNotFound)
		}
		return &reg, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	if want != "" {
		return nil, fmt.Errorf("registration %s: %w", want, apperr.ErrNotFound)
	}
	raw, _ := json.Marshal(actor)
	now := s.now()
	reg = cmi5Registration{UUID: uuid.NewString(), CourseID: course.ID, LessonID: course.LessonID, UserID: userID,
		Actor: string(raw), ActorIFI: ifi, SatisfiedBlocks: "[]", CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(&reg).Error; err != nil {
		if database.IsUniqueViolation(err) {
			return nil, fmt.Errorf("the registration was created meanwhile; try again: %w", apperr.ErrConflict)
		}
		return nil, err
	}
	// moveOn is evaluated when the registration is made: NotApplicable AUs are satisfied at
	// once (and may satisfy blocks and the course).
	states := map[int]*cmi5AUState{}
	for _, au := range st.AUs() {
		if au.MoveOn == MoveOnNotApplicable {
			states[au.Index] = &cmi5AUState{RegistrationID: reg.ID, AU: au.Index, Satisfied: true, UpdatedAt: now}
		}
	}
	if len(states) > 0 {
		list := make([]*cmi5AUState, 0, len(states))
		for _, v := range states {
			list = append(list, v)
		}
		if err := tx.CreateInBatches(list, 200).Error; err != nil {
			return nil, err
		}
		if err := s.satisfy(tx, &reg, st, uuid.NewString()); err != nil {
			return nil, err
		}
	}
	return &reg, nil
}

// nextAU is the first AU the registration has not satisfied (the first AU when all are).
func (s *Service) nextAU(tx *gorm.DB, reg *cmi5Registration, st *Structure) (*Node, error) {
	states, err := s.auStates(tx, reg.ID)
	if err != nil {
		return nil, err
	}
	for _, au := range st.AUs() {
		if x := states[au.Index]; x == nil || !x.Satisfied {
			return au, nil
		}
	}
	return st.AUs()[0], nil
}

func (s *Service) auStates(tx *gorm.DB, regID int64) (map[int]*cmi5AUState, error) {
	var rows []cmi5AUState
	if err := tx.Where("registration_id = ?", regID).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[int]*cmi5AUState{}
	for i := range rows {
		out[rows[i].AU] = &rows[i]
	}
	return out, nil
}

// auState loads (or starts) a registration's state in one AU, locked for the transaction.
func (s *Service) auState(tx *gorm.DB, regID int64, au int) (*cmi5AUState, error) {
	var st cmi5AUState
	q := tx
	if s.db.Dialect == database.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Where("registration_id = ? AND au = ?", regID, au).Take(&st).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		st = cmi5AUState{RegistrationID: regID, AU: au, UpdatedAt: s.now()}
		if err := tx.Create(&st).Error; err != nil {
			return nil, err
		}
		return &st, nil
	}
	return &st, err
}

// writeLaunchData writes the LMS.LaunchData state document of a launch (section 10).
func (s *Service) writeLaunchData(tx *gorm.DB, reg *cmi5Registration, au *Node, sess *cmi5Session, lessonID int64, r *http.Request) error {
	doc := map[string]any{
		"contextTemplate": map[string]any{
			"contextActivities": map[string]any{"grouping": []any{map[string]any{"id": au.ID}}},
			"extensions":        map[string]any{extSessionID: sess.SessionID},
		},
		"launchMode":   sess.LaunchMode,
		"launchMethod": au.LaunchMethod,
		"moveOn":       sess.MoveOn,
		"returnURL":    fmt.Sprintf("%s/lessons/%d/cmi5/return", s.lmsOrigin(r), lessonID),
	}
	if sess.MasteryScore != nil {
		doc["masteryScore"] = *sess.MasteryScore
	}
	if au.LaunchParameters != nil {
		doc["launchParameters"] = *au.LaunchParameters
	}
	if au.EntitlementKey != nil {
		doc["entitlementKey"] = map[string]any{"courseStructure": *au.EntitlementKey}
	}
	content, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	if err := lockDocs(tx, s.db.Dialect); err != nil {
		return err
	}
	k := DocKey{Kind: KindState, ActivityID: au.ActivityID, AgentIFI: reg.ActorIFI, Registration: strings.ToLower(reg.UUID), DocID: cmi5LaunchState}
	cur, err := s.findDoc(tx, k)
	if err != nil {
		return err
	}
	now := s.storedTime()
	if cur == nil {
		return tx.Create(&Document{Kind: k.Kind, ActivityID: k.ActivityID, AgentIFI: k.AgentIFI, Registration: k.Registration, DocID: k.DocID,
			ContentType: "application/json", Content: content, ETag: etagOf(content), Updated: now}).Error
	}
	return tx.Model(&Document{}).Where("id = ?", cur.ID).Updates(map[string]any{
		"content_type": "application/json", "content": content, "etag": etagOf(content), "updated": now}).Error
}

// cmi5Context is the context of a statement GLC records: registration, the cmi5 category (and
// the moveOn category for results with success or completion), the publisher id in grouping,
// and the session id.
func cmi5Context(reg *cmi5Registration, publisherID, sessionID string, moveOn bool, ext map[string]any) map[string]any {
	cat := []any{map[string]any{"id": catCMI5}}
	if moveOn {
		cat = append(cat, map[string]any{"id": catMoveOn})
	}
	e := map[string]any{extSessionID: sessionID}
	for k, v := range ext {
		e[k] = v
	}
	return map[string]any{
		"registration":      reg.UUID,
		"contextActivities": map[string]any{"category": cat, "grouping": []any{map[string]any{"id": publisherID}}},
		"extensions":        e,
	}
}

func verbOf(id, display string) map[string]any {
	return map[string]any{"id": id, "display": map[string]any{"en-US": display}}
}

func (s *Service) auObject(au *Node) map[string]any {
	d := map[string]any{"name": langMapOf(au.Title)}
	if len(au.Description) > 0 {
		d["description"] = langMapOf(au.Description)
	}
	if au.ActivityType != "" && isIRI(au.ActivityType) {
		d["type"] = au.ActivityType
	}
	return map[string]any{"objectType": "Activity", "id": au.ActivityID, "definition": d}
}

func (s *Service) launchedStatement(reg *cmi5Registration, au *Node, sess *cmi5Session, launchURL string) map[string]any {
	ext := map[string]any{extLaunchMode: sess.LaunchMode, extLaunchURL: launchURL, extMoveOn: sess.MoveOn}
	if sess.MasteryScore != nil {
		ext[extMasteryScore] = *sess.MasteryScore
	}
	if au.LaunchParameters != nil {
		ext[extLaunchParams] = *au.LaunchParameters
	}
	return map[string]any{
		"id": uuid.NewString(), "actor": reg.actor(), "verb": verbOf(verbLaunched, "launched"), "object": s.auObject(au),
		"context": cmi5Context(reg, au.ID, sess.SessionID, false, ext), "timestamp": formatTime(s.storedTime()),
	}
}

// storeLMS validates and stores statements GLC records itself, inside tx.
func (s *Service) storeLMS(tx *gorm.DB, stmts []map[string]any) error {
	if len(stmts) == 0 {
		return nil
	}
	id := s.lmsIdentity()
	stored := s.storedTime()
	preps := make([]*prepared, 0, len(stmts))
	for i, m := range stmts {
		// Through JSON so that numbers are json.Number, as the validator expects.
		raw, err := json.Marshal(m)
		if err != nil {
			return err
		}
		var mm map[string]any
		if err := decodeJSON(raw, &mm); err != nil {
			return err
		}
		if err := (validator{v: V103}).statement(mm, fmt.Sprintf("statement[%d]", i), false); err != nil {
			return fmt.Errorf("cmi5: GLC built an invalid statement: %w", err)
		}
		p, err := s.prepare(mm, id, V103, stored)
		if err != nil {
			return err
		}
		preps = append(preps, p)
	}
	_, err := s.insert(tx, preps, nil)
	return err
}

// abandonOpen abandons the registration's sessions that are still open (except keep).
func (s *Service) abandonOpen(ctx context.Context, tx *gorm.DB, reg *cmi5Registration, st *Structure, keep string) (bool, error) {
	var open []cmi5Session
	if err := tx.Where("registration_id = ? AND state IN ?", reg.ID, []string{sessLaunched, sessInitialized}).Find(&open).Error; err != nil {
		return false, err
	}
	any := false
	for i := range open {
		if open[i].SessionID == keep {
			continue
		}
		if err := s.abandon(tx, reg, st, &open[i]); err != nil {
			return false, err
		}
		any = true
	}
	return any, nil
}

// abandon records that a session ended without "terminated" (section 9.3.6). Its duration is
// the time from "launched" to the AU's last statement.
func (s *Service) abandon(tx *gorm.DB, reg *cmi5Registration, st *Structure, sess *cmi5Session) error {
	aus := st.AUs()
	if sess.AU < 0 || sess.AU >= len(aus) {
		return fmt.Errorf("cmi5 session %s names AU %d of %d", sess.SessionID, sess.AU, len(aus))
	}
	au := aus[sess.AU]
	now := s.now()
	res := tx.Model(&cmi5Session{}).Where("id = ? AND state IN ?", sess.ID, []string{sessLaunched, sessInitialized}).
		Updates(map[string]any{"state": sessAbandoned, "ended_at": now})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return nil // ended meanwhile
	}
	d := sess.LastAt.Sub(sess.LaunchedAt)
	if d < 0 {
		d = 0
	}
	ast, err := s.auState(tx, reg.ID, au.Index)
	if err != nil {
		return err
	}
	if err := tx.Model(ast).Updates(map[string]any{"duration_ms": ast.DurationMS + d.Milliseconds(), "sessions": ast.Sessions + 1, "updated_at": now}).Error; err != nil {
		return err
	}
	stmt := map[string]any{
		"id": uuid.NewString(), "actor": reg.actor(), "verb": verbOf(verbAbandoned, "abandoned"), "object": s.auObject(au),
		"result":  map[string]any{"duration": isoDuration(d)},
		"context": cmi5Context(reg, au.ID, sess.SessionID, false, nil), "timestamp": formatTime(s.storedTime()),
	}
	return s.storeLMS(tx, []map[string]any{stmt})
}

// AbandonIdle abandons the sessions that have been silent for longer than idle (a background
// job runs it with SessionTimeout). It returns how many it abandoned.
func (s *Service) AbandonIdle(ctx context.Context, idle time.Duration) (int, error) {
	if s.c5 == nil {
		return 0, nil
	}
	cutoff := s.now().Add(-idle)
	var list []cmi5Session
	if err := s.db.WithContext(ctx).Where("state IN ? AND last_at <= ?", []string{sessLaunched, sessInitialized}, cutoff).
		Order("id").Limit(500).Find(&list).Error; err != nil {
		return 0, err
	}
	n := 0
	regs := map[int64]bool{}
	for i := range list {
		sess := &list[i]
		err := s.db.Tx(ctx, func(tx *gorm.DB) error {
			if err := lockStatements(tx, s.db.Dialect); err != nil {
				return err
			}
			var reg cmi5Registration
			if err := tx.Take(&reg, sess.RegistrationID).Error; err != nil {
				return err
			}
			_, st, err := s.courseByID(ctx, tx, reg.CourseID)
			if err != nil {
				return err
			}
			return s.abandon(tx, &reg, st, sess)
		})
		if err != nil {
			return n, err
		}
		regs[sess.RegistrationID] = true
		n++
	}
	for id := range regs {
		s.reportAfter(ctx, id, true)
	}
	return n, nil
}

// isoDuration writes a duration as ISO 8601 (PT1H2M3.45S), to the hundredth of a second.
func isoDuration(d time.Duration) string {
	cs := d.Milliseconds() / 10
	h := cs / 360000
	m := cs / 6000 % 60
	sec := float64(cs%6000) / 100
	out := "PT"
	if h > 0 {
		out += strconv.FormatInt(h, 10) + "H"
	}
	if m > 0 {
		out += strconv.FormatInt(m, 10) + "M"
	}
	return out + strconv.FormatFloat(sec, 'f', -1, 64) + "S"
}

func newUUID() string { return uuid.NewString() }
