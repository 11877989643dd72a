package xapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"glc/internal/apperr"
	"glc/internal/database"
)

// prepared is a validated statement ready to be stored.
type prepared struct {
	m           map[string]any
	id          string
	hadTime     bool
	raw         []byte
	row         statementRow
	ix          *index
	voidTarget  string
	definitions map[string]map[string]any
}

// decodeJSON decodes b keeping numbers exact; it refuses trailing data.
func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return badRequestf("the body is not valid JSON: %v", err)
	}
	if dec.More() {
		return badRequest("the body holds more than one JSON value")
	}
	return nil
}

// ParseStatements reads a statement or an array of statements.
func ParseStatements(body []byte) ([]map[string]any, error) {
	var x any
	if err := decodeJSON(body, &x); err != nil {
		return nil, err
	}
	switch t := x.(type) {
	case map[string]any:
		return []map[string]any{t}, nil
	case []any:
		out := make([]map[string]any, 0, len(t))
		for i, e := range t {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, badRequestf("statement %d is not an object", i)
			}
			out = append(out, m)
		}
		return out, nil
	}
	return nil, badRequest("send a statement object or an array of statements")
}

// StoreStatements validates and stores a batch atomically. putID is the statementId of a PUT
// ("" for POST). It returns the ids in order; stored is false for a PUT whose identical
// statement was already stored.
func (s *Service) StoreStatements(ctx context.Context, id *Identity, v Version, stmts []map[string]any, parts []Part, putID string) ([]string, error) {
	if !id.Can(ScopeStatementsWrite) {
		return nil, fmt.Errorf("these credentials cannot write statements: %w", apperr.ErrForbidden)
	}
	if len(stmts) == 0 {
		return []string{}, nil
	}
	val := validator{v: v}
	seen := map[string]bool{}
	for i, m := range stmts {
		if err := val.statement(m, fmt.Sprintf("statement[%d]", i), false); err != nil {
			return nil, err
		}
		if putID != "" {
			if sid, ok := m["id"].(string); ok && !strings.EqualFold(sid, putID) {
				return nil, badRequest("the statement's id differs from the statementId parameter")
			}
			m["id"] = putID
		}
		if sid, ok := m["id"].(string); ok {
			k := strings.ToLower(sid)
			if seen[k] {
				return nil, badRequestf("the batch holds statement %s twice", sid)
			}
			seen[k] = true
		}
		if err := id.mayWrite(m); err != nil {
			return nil, err
		}
	}
	if err := checkAttachments(stmts, parts); err != nil {
		return nil, err
	}
	for _, h := range s.checks {
		if err := h(ctx, id, stmts); err != nil {
			return nil, err
		}
	}
	stored := s.storedTime()
	preps := make([]*prepared, len(stmts))
	for i, m := range stmts {
		p, err := s.prepare(m, id, v, stored)
		if err != nil {
			return nil, err
		}
		preps[i] = p
	}
	if err := s.putAttachments(ctx, parts); err != nil {
		return nil, err
	}
	var fresh []*prepared
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		if fresh, err = s.insert(tx, preps, parts); err != nil {
			return err
		}
		if id.cmi5 != nil && len(fresh) > 0 {
			// cmi5's session rules depend on what the session sent before: they are checked
			// (and the session's state moved on) in the transaction that stores the statements,
			// which holds the statement writers' lock.
			out := make([]map[string]any, len(fresh))
			for i, p := range fresh {
				out[i] = p.m
			}
			return s.cmi5Apply(ctx, tx, id, out)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(preps))
	for i, p := range preps {
		ids[i] = p.id
	}
	if len(fresh) > 0 && len(s.storedHooks) > 0 {
		out := make([]map[string]any, len(fresh))
		for i, p := range fresh {
			out[i] = p.m
		}
		for _, h := range s.storedHooks {
			h(ctx, id, out)
		}
	}
	return ids, nil
}

// prepare sets what the LRS owns (id, stored, authority, version, timestamp) and computes the
// indexed columns.
func (s *Service) prepare(m map[string]any, id *Identity, v Version, stored time.Time) (*prepared, error) {
	p := &prepared{m: m, ix: newIndex(), definitions: map[string]map[string]any{}}
	sid, _ := m["id"].(string)
	if sid == "" {
		sid = uuid.NewString()
		m["id"] = sid
	}
	p.id = sid
	m["stored"] = formatTime(stored)
	m["authority"] = id.Authority
	if _, ok := m["version"]; !ok {
		m["version"] = v.statementVersion()
	}
	ts := stored
	if t, ok := m["timestamp"].(string); ok {
		p.hadTime = true
		parsed, err := validator{v: v}.parseTimestamp(t)
		if err != nil {
			return nil, badRequestf("statement.timestamp: %v", err)
		}
		ts = parsed
		if v == V200 && !strings.HasSuffix(t, "Z") {
			m["timestamp"] = parsed.Format(time.RFC3339Nano)
		}
	} else {
		m["timestamp"] = formatTime(stored)
	}
	arrayContextActivities(m)
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	p.raw = raw
	if bytes.Contains(raw, []byte(`\u0000`)) {
		return nil, badRequest("statements with NUL characters are not supported")
	}
	actor, _ := m["actor"].(map[string]any)
	verb, _ := m["verb"].(map[string]any)
	obj, _ := m["object"].(map[string]any)
	verbID, _ := verb["id"].(string)
	row := statementRow{StatementID: strings.ToLower(sid), VerbID: verbID, ActorIFI: IFI(actor), AuthorityIFI: id.AuthorityIFI,
		Stored: stored, Timestamp: ts, Statement: string(raw)}
	if id.CredentialID != 0 {
		row.CredentialID = &id.CredentialID
	}
	if id.UserID != 0 {
		row.UserID = &id.UserID
	}
	switch obj["objectType"] {
	case "StatementRef":
		ref := strings.ToLower(obj["id"].(string))
		row.RefID = &ref
		if verbID == VerbVoided {
			row.Voiding = true
			p.voidTarget = ref
		}
	case nil, "Activity":
		aid, _ := obj["id"].(string)
		row.ObjectActivityID = &aid
	}
	if ctxm, ok := m["context"].(map[string]any); ok {
		if reg, ok := ctxm["registration"].(string); ok {
			r := strings.ToLower(reg)
			row.Registration = &r
		}
	}
	p.row = row
	p.ix.statement(m, true)
	if err := p.checkLengths(); err != nil {
		return nil, err
	}
	collectDefinitions(m, p.definitions)
	return p, nil
}

// maxIndexed is the longest identifier (IRI, agent identifier) the index columns hold.
const maxIndexed = 1000

func (p *prepared) checkLengths() error {
	long := len(p.row.VerbID) > maxIndexed || len(p.row.ActorIFI) > maxIndexed
	for k := range p.ix.agents {
		long = long || len(k) > maxIndexed
	}
	for k := range p.ix.activities {
		long = long || len(k) > maxIndexed
	}
	if long {
		return badRequestf("identifiers longer than %d characters are not supported", maxIndexed)
	}
	return nil
}

// arrayContextActivities stores every context activity list as an array (the LRS returns
// arrays even when a single object was sent).
func arrayContextActivities(m map[string]any) {
	if c, ok := m["context"].(map[string]any); ok {
		if ca, ok := c["contextActivities"].(map[string]any); ok {
			for k, v := range ca {
				if _, isArr := v.([]any); !isArr {
					ca[k] = []any{v}
				}
			}
		}
	}
	if o, ok := m["object"].(map[string]any); ok && o["objectType"] == "SubStatement" {
		arrayContextActivities(o)
	}
}

// collectDefinitions gathers activity definitions found in a statement.
func collectDefinitions(m map[string]any, into map[string]map[string]any) {
	add := func(x any) {
		a, ok := x.(map[string]any)
		if !ok {
			return
		}
		if ot, _ := a["objectType"].(string); ot != "" && ot != "Activity" {
			return
		}
		id, _ := a["id"].(string)
		d, ok := a["definition"].(map[string]any)
		if id == "" || !ok {
			return
		}
		into[id] = mergeDefinition(into[id], d)
	}
	if o, ok := m["object"].(map[string]any); ok {
		if o["objectType"] == "SubStatement" {
			collectDefinitions(o, into)
		} else {
			add(o)
		}
	}
	if c, ok := m["context"].(map[string]any); ok {
		if ca, ok := c["contextActivities"].(map[string]any); ok {
			for _, v := range ca {
				if arr, ok := v.([]any); ok {
					for _, a := range arr {
						add(a)
					}
				} else {
					add(v)
				}
			}
		}
	}
}

// mergeDefinition merges d into old: language maps gain languages, other properties are replaced.
func mergeDefinition(old, d map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range old {
		out[k] = v
	}
	for k, v := range d {
		switch k {
		case "name", "description":
			lm := map[string]any{}
			if o, ok := out[k].(map[string]any); ok {
				for l, s := range o {
					lm[l] = s
				}
			}
			if n, ok := v.(map[string]any); ok {
				for l, s := range n {
					lm[l] = s
				}
			}
			out[k] = lm
		default:
			out[k] = v
		}
	}
	return out
}

// sameStatement compares a stored statement with a new one, ignoring what the LRS sets.
func sameStatement(storedJSON string, p *prepared) bool {
	var a, b map[string]any
	if decodeJSON([]byte(storedJSON), &a) != nil || decodeJSON(p.raw, &b) != nil {
		return false
	}
	for _, k := range []string{"authority", "stored", "version", "id"} {
		delete(a, k)
		delete(b, k)
	}
	if !p.hadTime {
		delete(a, "timestamp")
		delete(b, "timestamp")
	}
	return reflect.DeepEqual(normalize(a), normalize(b))
}

var reDurationFraction = regexp.MustCompile(`(\d+)\.(\d{1,2})\d*S$`)

// truncDuration drops precision beyond hundredths of a second, which comparisons ignore.
func truncDuration(d string) string { return reDurationFraction.ReplaceAllString(d, "$1.${2}S") }

// normalize makes numbers comparable by value and durations by hundredths of a second.
func normalize(x any) any {
	switch t := x.(type) {
	case map[string]any:
		if r, ok := t["result"].(map[string]any); ok {
			if d, ok := r["duration"].(string); ok {
				r["duration"] = truncDuration(d)
			}
		}
		for k, v := range t {
			t[k] = normalize(v)
		}
	case []any:
		for i, v := range t {
			t[i] = normalize(v)
		}
	case json.Number:
		if f, err := t.Float64(); err == nil {
			return f
		}
	}
	return x
}

// lockStatements serialises statement writers so that sequence order is commit order: a
// reader paging by sequence never skips a statement committed later with a lower number.
func lockStatements(tx *gorm.DB, d database.Dialect) error {
	if d == database.Postgres {
		return tx.Exec("SELECT pg_advisory_xact_lock(70070001)").Error
	}
	return nil
}

func (s *Service) insert(tx *gorm.DB, preps []*prepared, parts []Part) ([]*prepared, error) {
	if err := lockStatements(tx, s.db.Dialect); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(preps))
	for _, p := range preps {
		ids = append(ids, p.row.StatementID)
	}
	// One query finds the statements that exist already and the voiding statements that
	// arrived before their targets.
	var existing []statementRow
	if err := tx.Select("statement_id", "statement", "voiding", "ref_id").
		Where("statement_id IN ? OR (voiding = ? AND ref_id IN ?)", ids, true, ids).Find(&existing).Error; err != nil {
		return nil, err
	}
	have := map[string]statementRow{}
	voidedEarly := map[string]bool{}
	for _, e := range existing {
		if e.Voiding && e.RefID != nil {
			voidedEarly[*e.RefID] = true
		}
		if slices.Contains(ids, e.StatementID) {
			have[e.StatementID] = e
		}
	}
	var fresh []*prepared
	batchVoiding := map[string]bool{}
	for _, p := range preps {
		if e, ok := have[p.row.StatementID]; ok {
			if !sameStatement(e.Statement, p) {
				return nil, fmt.Errorf("statement %s exists with different content: %w", p.id, apperr.ErrConflict)
			}
			continue
		}
		fresh = append(fresh, p)
		batchVoiding[p.row.StatementID] = p.row.Voiding
	}
	if len(fresh) == 0 {
		return nil, nil
	}
	// A voiding statement cannot target another voiding statement.
	var targets []string
	for _, p := range fresh {
		if p.voidTarget != "" {
			if batchVoiding[p.voidTarget] {
				return nil, badRequest("a voiding statement cannot void another voiding statement")
			}
			targets = append(targets, p.voidTarget)
		}
	}
	if len(targets) > 0 {
		var n int64
		if err := tx.Model(&statementRow{}).Where("statement_id IN ? AND voiding = ?", targets, true).Count(&n).Error; err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, badRequest("a voiding statement cannot void another voiding statement")
		}
	}
	rows := make([]*statementRow, len(fresh))
	for i, p := range fresh {
		if voidedEarly[p.row.StatementID] && !p.row.Voiding {
			p.row.Voided = true
		}
		rows[i] = &p.row
	}
	if err := tx.CreateInBatches(rows, 200).Error; err != nil {
		if database.IsUniqueViolation(err) {
			return nil, fmt.Errorf("a statement with this id was stored meanwhile: %w", apperr.ErrConflict)
		}
		return nil, err
	}
	var agents []agentRow
	var acts []activityRow
	defs := map[string]map[string]any{}
	for i, p := range fresh {
		seq := rows[i].Seq
		for ifi, direct := range p.ix.agents {
			agents = append(agents, agentRow{Seq: seq, IFI: ifi, Direct: direct})
		}
		for aid, direct := range p.ix.activities {
			acts = append(acts, activityRow{Seq: seq, ActivityID: aid, Direct: direct})
		}
		for aid, d := range p.definitions {
			defs[aid] = mergeDefinition(defs[aid], d)
		}
	}
	if len(agents) > 0 {
		if err := tx.CreateInBatches(agents, 500).Error; err != nil {
			return nil, err
		}
	}
	if len(acts) > 0 {
		if err := tx.CreateInBatches(acts, 500).Error; err != nil {
			return nil, err
		}
	}
	if len(targets) > 0 {
		if err := tx.Model(&statementRow{}).Where("statement_id IN ? AND voiding = ?", targets, false).Update("voided", true).Error; err != nil {
			return nil, err
		}
	}
	if err := s.saveDefinitions(tx, defs); err != nil {
		return nil, err
	}
	return fresh, s.saveAttachmentRows(tx, parts)
}

func (s *Service) saveDefinitions(tx *gorm.DB, defs map[string]map[string]any) error {
	if len(defs) == 0 {
		return nil
	}
	keys := make([]string, 0, len(defs))
	for k := range defs {
		keys = append(keys, k)
	}
	var old []activityDefRow
	if err := tx.Where("activity_id IN ?", keys).Find(&old).Error; err != nil {
		return err
	}
	unchanged := map[string]bool{}
	for _, o := range old {
		var d map[string]any
		if decodeJSON([]byte(o.Definition), &d) == nil {
			merged := mergeDefinition(d, defs[o.ActivityID])
			raw, _ := json.Marshal(merged)
			unchanged[o.ActivityID] = string(raw) == o.Definition
			defs[o.ActivityID] = merged
		}
	}
	rows := make([]activityDefRow, 0, len(defs))
	for k, d := range defs {
		if unchanged[k] {
			continue
		}
		raw, err := json.Marshal(d)
		if err != nil {
			return err
		}
		rows = append(rows, activityDefRow{ActivityID: k, Definition: string(raw), UpdatedAt: s.now()})
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "activity_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"definition", "updated_at"})}).Create(&rows).Error
}
