package xapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"glc/internal/database"
)

// The cmi5 statement rules (sections 7.1, 9 and 10.2.2 of the specification) for the
// statements an AU sends with its launch token. cmi5Check runs before anything is stored and
// checks each statement on its own; cmi5Apply runs in the storing transaction and checks the
// order of the session (initialized first, nothing after terminated, no cmi5 defined verb
// twice, passed or failed once) and of the registration (completed once, passed once, no
// failed after passed), then moves the session and the AU's state on and records the
// satisfied statements the AU's moveOn criterion earns. Order is arrival order.

// auVerbs are the cmi5 defined verbs an AU may send.
var auVerbs = map[string]string{verbInitialized: "initialized", verbCompleted: "completed", verbPassed: "passed",
	verbFailed: "failed", verbTerminated: "terminated"}

func asList(x any) []any {
	switch t := x.(type) {
	case []any:
		return t
	case map[string]any:
		return []any{t}
	}
	return nil
}

func hasActivity(list any, id string) bool {
	for _, a := range asList(list) {
		if m, ok := a.(map[string]any); ok && m["id"] == id {
			return true
		}
	}
	return false
}

func mapOf(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	return v
}

func statementVerb(m map[string]any) string {
	id, _ := mapOf(m, "verb")["id"].(string)
	return id
}

// categories says whether a statement carries the cmi5 and the moveOn category activities.
func categories(m map[string]any) (cmi5, moveOn bool) {
	cat := mapOf(mapOf(m, "context"), "contextActivities")["category"]
	return hasActivity(cat, catCMI5), hasActivity(cat, catMoveOn)
}

func sameNumber(x any, want float64) bool {
	f, ok := number(x)
	if !ok {
		if g, ok2 := x.(float64); ok2 {
			f, ok = g, true
		}
	}
	return ok && math.Abs(f-want) < 1e-9
}

var reUTC = regexp.MustCompile(`(?i)(z|[+]00(:?00)?)$`)

// cmi5Check is the stateless part of the rules (an OnCheck hook).
func (s *Service) cmi5Check(ctx context.Context, id *Identity, stmts []map[string]any) error {
	if s.c5 == nil {
		return nil
	}
	if id.cmi5 == nil {
		return s.checkForeign(ctx, stmts)
	}
	for i, m := range stmts {
		if err := checkAUStatement(id.cmi5, m); err != nil {
			return cmi5Forbidden("statement %d breaks a cmi5 rule: %v", i, err)
		}
	}
	return nil
}

// checkForeign refuses cmi5 defined statements that other credentials send into a
// registration GLC made: only the launched AU (with its token) and GLC itself send those.
func (s *Service) checkForeign(ctx context.Context, stmts []map[string]any) error {
	var regs []string
	for _, m := range stmts {
		if c5, _ := categories(m); !c5 {
			continue
		}
		if r, ok := mapOf(m, "context")["registration"].(string); ok {
			regs = append(regs, strings.ToLower(r))
		}
	}
	if len(regs) == 0 {
		return nil
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&cmi5Registration{}).Where("uuid IN ?", regs).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return cmi5Forbidden("cmi5 defined statements in a registration GLC launched are sent by the launched AU (with its auth token) or by GLC")
	}
	return nil
}

func checkAUStatement(g *cmi5Grant, m map[string]any) error {
	if sid, _ := m["id"].(string); sid == "" {
		return errors.New("the AU must give every statement an id")
	}
	verb := statementVerb(m)
	if verb == VerbVoided {
		return errors.New("an AU may not void statements")
	}
	ts, _ := m["timestamp"].(string)
	if ts == "" {
		return errors.New("every statement needs a timestamp")
	}
	if !reUTC.MatchString(ts) {
		return errors.New("timestamps must be in UTC")
	}
	cx := mapOf(m, "context")
	if cx == nil {
		return errors.New("the statement has no context (use the contextTemplate of LMS.LaunchData)")
	}
	if r, _ := cx["registration"].(string); !strings.EqualFold(r, g.registration.UUID) {
		return errors.New("context.registration must be the launch's registration")
	}
	ext := mapOf(cx, "extensions")
	if sid, _ := ext[extSessionID].(string); sid != g.sessionID {
		return errors.New("context.extensions must hold the session id of LMS.LaunchData")
	}
	c5, moveOn := categories(m)
	if moveOn && (!c5 || (verb != verbPassed && verb != verbFailed && verb != verbCompleted)) {
		return errors.New("only cmi5 defined passed, failed and completed statements carry the moveOn category")
	}
	if !c5 {
		return nil // a "cmi5 allowed" statement; its place in the session is checked when stored
	}
	actor := mapOf(m, "actor")
	if ot, _ := actor["objectType"].(string); ot != "" && ot != "Agent" {
		return errors.New("the actor of a cmi5 defined statement is an Agent")
	}
	if _, ok := actor["account"].(map[string]any); !ok {
		return errors.New("the actor of a cmi5 defined statement is identified by an account")
	}
	name, ok := auVerbs[verb]
	if !ok {
		return fmt.Errorf("the verb %s is not one an AU sends as a cmi5 defined statement", verb)
	}
	obj := mapOf(m, "object")
	if ot, _ := obj["objectType"].(string); (ot != "" && ot != "Activity") || obj["id"] != g.au.ActivityID {
		return errors.New("the object of a cmi5 defined statement is the AU (the activityId of the launch URL)")
	}
	if !hasActivity(mapOf(cx, "contextActivities")["grouping"], g.au.ID) {
		return errors.New("context.contextActivities.grouping must hold the contextTemplate's publisher id activity")
	}
	if g.launchMode != ModeNormal && verb != verbInitialized && verb != verbTerminated {
		return fmt.Errorf("in %s mode an AU sends no cmi5 defined statement but initialized and terminated", g.launchMode)
	}
	res := mapOf(m, "result")
	_, hasSuccess := res["success"]
	_, hasCompletion := res["completion"]
	score, hasScore := res["score"].(map[string]any)
	duration, _ := res["duration"].(string)
	needsMoveOn := verb == verbPassed || verb == verbFailed || verb == verbCompleted
	if needsMoveOn && !moveOn {
		return fmt.Errorf("a %s statement carries the moveOn category", name)
	}
	if verb != verbInitialized && duration == "" {
		return fmt.Errorf("a %s statement needs result.duration", name)
	}
	if hasScore && verb != verbPassed && verb != verbFailed {
		return fmt.Errorf("a %s statement has no score", name)
	}
	switch verb {
	case verbCompleted:
		if res["completion"] != true {
			return errors.New("a completed statement has result.completion true")
		}
		if hasSuccess {
			return errors.New("a completed statement has no result.success")
		}
	case verbPassed, verbFailed:
		if want := verb == verbPassed; res["success"] != want {
			return fmt.Errorf("a %s statement has result.success %v", name, want)
		}
		if hasCompletion {
			return fmt.Errorf("a %s statement has no result.completion", name)
		}
		if hasScore {
			if err := checkScore(g, verb, score, ext); err != nil {
				return err
			}
		}
	default:
		if hasSuccess || hasCompletion {
			return fmt.Errorf("a %s statement has neither result.success nor result.completion", name)
		}
	}
	return nil
}

// checkScore applies the score rules of passed and failed statements (9.5.1, 9.3.4, 9.3.5,
// 9.6.3.2).
func checkScore(g *cmi5Grant, verb string, score, ext map[string]any) error {
	if _, ok := score["raw"]; ok {
		_, hasMin := score["min"]
		_, hasMax := score["max"]
		if !hasMin || !hasMax {
			return errors.New("a raw score comes with min and max")
		}
	}
	scaled, ok := number(score["scaled"])
	if !ok || g.masteryScore == nil {
		return nil
	}
	ms := *g.masteryScore
	if verb == verbPassed && scaled < ms {
		return fmt.Errorf("a passed statement's scaled score (%v) is at least the masteryScore (%v)", scaled, ms)
	}
	if verb == verbFailed && scaled >= ms {
		return fmt.Errorf("a failed statement's scaled score (%v) is below the masteryScore (%v)", scaled, ms)
	}
	if !sameNumber(ext[extMasteryScore], ms) {
		return fmt.Errorf("a judged statement carries the masteryScore of LMS.LaunchData (%v) in context.extensions", ms)
	}
	return nil
}

// cmi5Apply is the part of the rules that depends on the session and the registration. It
// runs in the transaction that stores the statements.
func (s *Service) cmi5Apply(ctx context.Context, tx *gorm.DB, id *Identity, stmts []map[string]any) error {
	g := id.cmi5
	var sess cmi5Session
	q := tx
	if s.db.Dialect == database.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&sess, g.sessionRow).Error; err != nil {
		return err
	}
	if !sess.active() {
		return cmi5Forbidden("the session is over: statements are no longer accepted")
	}
	ast, err := s.auState(tx, g.registration.ID, g.au.Index)
	if err != nil {
		return err
	}
	verbs := strings.Fields(sess.Verbs)
	seen := func(v string) bool {
		for _, x := range verbs {
			if x == v {
				return true
			}
		}
		return false
	}
	now := s.now()
	for i, m := range stmts {
		verb := statementVerb(m)
		c5, _ := categories(m)
		name := auVerbs[verb]
		refuse := func(format string, args ...any) error {
			return cmi5Forbidden("statement %d breaks a cmi5 rule: %s", i, fmt.Sprintf(format, args...))
		}
		if sess.State == sessTerminated {
			return refuse("terminated is the last statement of a session")
		}
		if sess.State == sessLaunched && !(c5 && verb == verbInitialized) {
			return refuse("the first statement of a session is the cmi5 defined initialized statement")
		}
		if !c5 {
			continue
		}
		if seen(name) {
			return refuse("%s was already sent in this session", name)
		}
		res := mapOf(m, "result")
		switch verb {
		case verbInitialized:
			sess.State, sess.InitializedAt = sessInitialized, &now
		case verbCompleted:
			if ast.Completed {
				return refuse("completed was already sent in this registration")
			}
			ast.Completed = true
		case verbPassed, verbFailed:
			if seen("passed") || seen("failed") {
				return refuse("a session has one passed or failed statement")
			}
			if ast.Passed {
				return refuse("%s cannot follow passed in this registration", name)
			}
			if verb == verbPassed {
				ast.Passed = true
			} else {
				ast.Failed = true
			}
			if sc, ok := res["score"].(map[string]any); ok {
				ast.ScoreScaled, ast.ScoreRaw, ast.ScoreMin, ast.ScoreMax = numPtr(sc["scaled"]), numPtr(sc["raw"]), numPtr(sc["min"]), numPtr(sc["max"])
			}
		case verbTerminated:
			sess.State, sess.EndedAt = sessTerminated, &now
			d, _ := res["duration"].(string)
			ast.DurationMS += parseISODuration(d).Milliseconds()
			ast.Sessions++
		}
		verbs = append(verbs, name)
	}
	sess.Verbs = strings.Join(verbs, " ")
	if err := tx.Model(&cmi5Session{}).Where("id = ?", sess.ID).Updates(map[string]any{
		"state": sess.State, "verbs": sess.Verbs, "initialized_at": sess.InitializedAt, "ended_at": sess.EndedAt, "last_at": now}).Error; err != nil {
		return err
	}
	newly := !ast.Satisfied && moveOnMet(sess.MoveOn, ast)
	if newly {
		ast.Satisfied = true
	}
	ast.UpdatedAt = now
	if err := tx.Save(ast).Error; err != nil {
		return err
	}
	if newly {
		var reg cmi5Registration
		if err := tx.Take(&reg, g.registration.ID).Error; err != nil {
			return err
		}
		return s.satisfy(tx, &reg, g.st, sess.SessionID)
	}
	return nil
}

func numPtr(x any) *float64 {
	f, ok := number(x)
	if !ok {
		return nil
	}
	return &f
}

// moveOnMet says whether an AU's state meets its moveOn criterion.
func moveOnMet(moveOn string, a *cmi5AUState) bool {
	if a.Waived {
		return true
	}
	switch moveOn {
	case MoveOnPassed:
		return a.Passed
	case MoveOnCompleted:
		return a.Completed
	case MoveOnCompletedAndPassed:
		return a.Completed && a.Passed
	case MoveOnCompletedOrPassed:
		return a.Completed || a.Passed
	}
	return true // NotApplicable
}

// satisfy records the satisfied statements of the blocks (inner ones first) and of the course
// that the registration's satisfied AUs now complete, under sessionID.
func (s *Service) satisfy(tx *gorm.DB, reg *cmi5Registration, st *Structure, sessionID string) error {
	states, err := s.auStates(tx, reg.ID)
	if err != nil {
		return err
	}
	sat := func(au *Node) bool { x := states[au.Index]; return x != nil && x.Satisfied }
	done := reg.blocks()
	var stmts []map[string]any
	var walk func(n *Node) bool
	walk = func(n *Node) bool {
		if n.Kind == "au" {
			return sat(n)
		}
		all := true
		for _, k := range n.Children {
			all = walk(k) && all
		}
		if all && !done[n.Index] {
			done[n.Index] = true
			stmts = append(stmts, s.satisfiedStatement(reg, n.ActivityID, n.ID, typeBlock, n.Title, sessionID))
		}
		return all
	}
	all := true
	for _, n := range st.Children {
		all = walk(n) && all
	}
	if all && !reg.Satisfied {
		reg.Satisfied = true
		stmts = append(stmts, s.satisfiedStatement(reg, st.ActivityID, st.CourseID, typeCourse, st.Title, sessionID))
	}
	if len(stmts) == 0 {
		return nil
	}
	list := make([]int, 0, len(done))
	for _, b := range st.Blocks() {
		if done[b.Index] {
			list = append(list, b.Index)
		}
	}
	rawList, _ := json.Marshal(list)
	raw := string(rawList)
	reg.SatisfiedBlocks = raw
	if err := tx.Model(&cmi5Registration{}).Where("id = ?", reg.ID).Updates(map[string]any{
		"satisfied": reg.Satisfied, "satisfied_blocks": raw, "updated_at": s.now()}).Error; err != nil {
		return err
	}
	return s.storeLMS(tx, stmts)
}

func (s *Service) satisfiedStatement(reg *cmi5Registration, activityID, publisherID, typ string, title []LangText, sessionID string) map[string]any {
	def := map[string]any{"type": typ}
	if len(title) > 0 {
		def["name"] = langMapOf(title)
	}
	return map[string]any{
		"id": newUUID(), "actor": reg.actor(), "verb": verbOf(verbSatisfied, "satisfied"),
		"object":  map[string]any{"objectType": "Activity", "id": activityID, "definition": def},
		"context": cmi5Context(reg, publisherID, sessionID, false, nil), "timestamp": formatTime(s.storedTime()),
	}
}

var reISODuration = regexp.MustCompile(`^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// parseISODuration reads an ISO 8601 duration (years and months counted as 365 and 30 days);
// 0 when it cannot.
func parseISODuration(s string) time.Duration {
	g := reISODuration.FindStringSubmatch(s)
	if g == nil {
		return 0
	}
	units := []float64{365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1}
	var secs float64
	for i, u := range units {
		if g[i+1] != "" {
			v, _ := strconv.ParseFloat(g[i+1], 64)
			secs += v * u
		}
	}
	return time.Duration(secs * float64(time.Second))
}
