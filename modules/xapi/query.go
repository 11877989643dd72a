package xapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"glc/internal/apperr"
)

// MaxLimit is the most statements one page returns.
const MaxLimit = 500

// Query is a statement query (the filters of GET /xapi/statements).
type Query struct {
	Agent             string     `json:"ag,omitempty"` // IFI
	Verb              string     `json:"vb,omitempty"`
	Activity          string     `json:"ac,omitempty"`
	Registration      string     `json:"rg,omitempty"`
	RelatedActivities bool       `json:"ra,omitempty"`
	RelatedAgents     bool       `json:"rA,omitempty"`
	Since             *time.Time `json:"si,omitempty"`
	Until             *time.Time `json:"un,omitempty"`
	Limit             int        `json:"li,omitempty"`
	Ascending         bool       `json:"as,omitempty"`
	Format            string     `json:"fo,omitempty"`
	Attachments       bool       `json:"at,omitempty"`
	// After is the sequence number the next page starts after (paging cursor).
	After int64 `json:"af,omitempty"`
	// Until the first page was read: the newest sequence that page could see.
	Horizon int64 `json:"hz,omitempty"`
}

// StatementResult is what a query returns.
type StatementResult struct {
	Statements []json.RawMessage `json:"statements"`
	More       string            `json:"more"`
	// Last is the stored time of the newest statement returned.
	Last time.Time `json:"-"`
	// SHAs are the attachments the statements reference.
	SHAs []string `json:"-"`
}

// encodeMore turns the next page's query into an opaque token.
func encodeMore(q Query) string {
	raw, _ := json.Marshal(q)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func decodeMore(tok string) (Query, error) {
	var q Query
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || json.Unmarshal(raw, &q) != nil {
		return q, badRequest("the more token is not valid")
	}
	return q, nil
}

// allowedParams lists what GET /statements accepts.
var allowedParams = map[string]bool{"statementId": true, "voidedStatementId": true, "agent": true, "verb": true,
	"activity": true, "registration": true, "related_activities": true, "related_agents": true, "since": true,
	"until": true, "limit": true, "format": true, "attachments": true, "ascending": true, "more": true}

func boolParam(v url.Values, name string) (bool, error) {
	s := v.Get(name)
	switch s {
	case "":
		return false, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, badRequestf("%s must be true or false", name)
}

// ParseQuery reads the query parameters of GET /statements.
func ParseQuery(v url.Values, ver Version) (Query, error) {
	var q Query
	for k := range v {
		if !allowedParams[k] {
			return q, badRequestf("unknown parameter %q", k)
		}
	}
	val := validator{v: ver}
	if a := v.Get("agent"); a != "" {
		m, err := parseAgentParam(a, ver)
		if err != nil {
			return q, err
		}
		q.Agent = IFI(m)
	}
	if s := v.Get("verb"); s != "" {
		if !isIRI(s) {
			return q, badRequest("verb must be an IRI")
		}
		q.Verb = s
	}
	if s := v.Get("activity"); s != "" {
		if !isIRI(s) {
			return q, badRequest("activity must be an IRI")
		}
		q.Activity = s
	}
	if s := v.Get("registration"); s != "" {
		if !IsUUID(s) {
			return q, badRequest("registration must be a UUID")
		}
		q.Registration = strings.ToLower(s)
	}
	var err error
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"related_activities", &q.RelatedActivities}, {"related_agents", &q.RelatedAgents}, {"ascending", &q.Ascending}, {"attachments", &q.Attachments}} {
		if *b.dst, err = boolParam(v, b.name); err != nil {
			return q, err
		}
	}
	for _, t := range []struct {
		name string
		dst  **time.Time
	}{{"since", &q.Since}, {"until", &q.Until}} {
		if s := v.Get(t.name); s != "" {
			tm, err := val.parseTimestamp(s)
			if err != nil {
				return q, badRequestf("%s: %v", t.name, err)
			}
			*t.dst = &tm
		}
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return q, badRequest("limit must be a whole number from 0")
		}
		q.Limit = n
	}
	q.Format = v.Get("format")
	switch q.Format {
	case "", "exact", "ids", "canonical":
	default:
		return q, badRequest("format must be ids, exact or canonical")
	}
	return q, nil
}

// parseAgentParam reads a JSON Agent (or identified Group) parameter.
func parseAgentParam(s string, v Version) (map[string]any, error) {
	var m map[string]any
	if err := decodeJSON([]byte(s), &m); err != nil {
		return nil, badRequest("agent must be a JSON Agent")
	}
	val := validator{v: v}
	if err := val.actor(m, "agent"); err != nil {
		return nil, err
	}
	if IFI(m) == "" {
		return nil, badRequest("agent must have an inverse functional identifier")
	}
	return m, nil
}

// restrict narrows what an identity may read.
func readRestriction(id *Identity) (mineAuthority, mineAgent string, err error) {
	switch {
	case id.AgentIFI != "":
		return "", id.AgentIFI, nil
	case id.Can(ScopeStatementsRead, ScopeAllRead):
		return "", "", nil
	case id.Can(ScopeStatementsReadMine):
		return id.AuthorityIFI, "", nil
	}
	return "", "", fmt.Errorf("these credentials cannot read statements: %w", apperr.ErrForbidden)
}

// filterSQL returns the conditions of q's filters on the statement aliased a.
func filterSQL(a string, q Query) ([]string, []any) {
	var where []string
	var args []any
	if q.Agent != "" {
		if q.RelatedAgents {
			where = append(where, a+".seq IN (SELECT seq FROM xapi_statement_agents WHERE ifi = ?)")
		} else {
			where = append(where, a+".seq IN (SELECT seq FROM xapi_statement_agents WHERE ifi = ? AND direct = ?)")
		}
		args = append(args, q.Agent)
		if !q.RelatedAgents {
			args = append(args, true)
		}
	}
	if q.Verb != "" {
		where = append(where, a+".verb_id = ?")
		args = append(args, q.Verb)
	}
	if q.Activity != "" {
		if q.RelatedActivities {
			where = append(where, a+".seq IN (SELECT seq FROM xapi_statement_activities WHERE activity_id = ?)")
		} else {
			where = append(where, a+".object_activity_id = ?")
		}
		args = append(args, q.Activity)
	}
	if q.Registration != "" {
		where = append(where, a+".registration = ?")
		args = append(args, q.Registration)
	}
	return where, args
}

// pageSQL returns the conditions that apply to the returned statement itself; key is the
// column that orders the page (the driving table's seq).
func pageSQL(key string, q Query, mineAuthority string) ([]string, []any) {
	where := []string{"s.voided = ?"}
	args := []any{false}
	if q.Since != nil {
		where = append(where, "s.stored > ?")
		args = append(args, *q.Since)
	}
	if q.Until != nil {
		where = append(where, "s.stored <= ?")
		args = append(args, *q.Until)
	}
	if q.After != 0 {
		if q.Ascending {
			where = append(where, key+" > ?")
		} else {
			where = append(where, key+" < ?")
		}
		args = append(args, q.After)
	}
	if q.Horizon != 0 {
		where = append(where, key+" <= ?")
		args = append(args, q.Horizon)
	}
	if mineAuthority != "" {
		where = append(where, "s.authority_ifi = ?")
		args = append(args, mineAuthority)
	}
	return where, args
}

// mainSQL builds the page query. The most selective index table drives it (the agent's rows
// in xapi_statement_agents, or the activity's in xapi_statement_activities), read in seq
// order through its (key, seq) index, so that a filter that matches a few statements among
// millions does not scan the statements table.
func mainSQL(q Query, mineAuthority, mineAgent string, limit int) (string, []any) {
	from, key := "xapi_statements s", "s.seq"
	var where []string
	var args []any
	rest := q
	switch {
	case q.Agent != "":
		from, key = "xapi_statement_agents d JOIN xapi_statements s ON s.seq = d.seq", "d.seq"
		where, args = append(where, "d.ifi = ?"), append(args, q.Agent)
		if !q.RelatedAgents {
			where, args = append(where, "d.direct = ?"), append(args, true)
		}
		rest.Agent = ""
	case mineAgent != "":
		from, key = "xapi_statement_agents d JOIN xapi_statements s ON s.seq = d.seq", "d.seq"
		where, args = append(where, "d.ifi = ?"), append(args, mineAgent)
		mineAgent = ""
	case q.Activity != "" && q.RelatedActivities:
		from, key = "xapi_statement_activities d JOIN xapi_statements s ON s.seq = d.seq", "d.seq"
		where, args = append(where, "d.activity_id = ?"), append(args, q.Activity)
		rest.Activity = ""
	}
	pw, pa := pageSQL(key, q, mineAuthority)
	where, args = append(where, pw...), append(args, pa...)
	if mineAgent != "" {
		where, args = append(where, "s.seq IN (SELECT seq FROM xapi_statement_agents WHERE ifi = ?)"), append(args, mineAgent)
	}
	fw, fa := filterSQL("s", rest)
	where, args = append(where, fw...), append(args, fa...)
	order := "DESC"
	if q.Ascending {
		order = "ASC"
	}
	return "SELECT " + key + " FROM " + from + " WHERE " + strings.Join(where, " AND ") + " ORDER BY " + key + " " + order + " LIMIT ?", append(args, limit)
}

// refSQL finds statements that target (StatementRef) a statement matching the filters: they
// match too. Only the few statements with a ref_id are read (a partial index holds them).
func refSQL(q Query, mineAuthority, mineAgent string, limit int) (string, []any) {
	where, args := pageSQL("s.seq", q, mineAuthority)
	if mineAgent != "" {
		where, args = append(where, "s.seq IN (SELECT seq FROM xapi_statement_agents WHERE ifi = ?)"), append(args, mineAgent)
	}
	tw, ta := filterSQL("t", q)
	where, args = append(where, tw...), append(args, ta...)
	order := "DESC"
	if q.Ascending {
		order = "ASC"
	}
	return "SELECT s.seq FROM xapi_statements s JOIN xapi_statements t ON t.statement_id = s.ref_id WHERE s.ref_id IS NOT NULL AND " +
		strings.Join(where, " AND ") + " ORDER BY s.seq " + order + " LIMIT ?", append(args, limit)
}

// Query runs a statement query and returns one page.
func (s *Service) Query(ctx context.Context, id *Identity, q Query) (*StatementResult, error) {
	mineAuthority, mineAgent, err := readRestriction(id)
	if err != nil {
		return nil, err
	}
	if id.cmi5 != nil {
		// An AU's token reads only its registration's statements.
		if q.Registration != "" && !strings.EqualFold(q.Registration, id.Registration) {
			return nil, cmi5Forbidden("this token may only read statements of registration %s", id.Registration)
		}
		q.Registration = strings.ToLower(id.Registration)
	}
	limit := q.Limit
	if limit == 0 || limit > MaxLimit {
		limit = MaxLimit
	}
	db := s.db.WithContext(ctx)
	if q.Horizon == 0 {
		var max *int64
		if err := db.Raw("SELECT MAX(seq) FROM xapi_statements").Scan(&max).Error; err != nil {
			return nil, err
		}
		if max == nil {
			return &StatementResult{Statements: []json.RawMessage{}}, nil
		}
		q.Horizon = *max
	}
	var seqs []int64
	sqlText, args := mainSQL(q, mineAuthority, mineAgent, limit+1)
	if err := db.Raw(sqlText, args...).Scan(&seqs).Error; err != nil {
		return nil, err
	}
	if q.Agent != "" || q.Verb != "" || q.Activity != "" || q.Registration != "" {
		var refs []int64
		sqlText, args := refSQL(q, mineAuthority, mineAgent, limit+1)
		if err := db.Raw(sqlText, args...).Scan(&refs).Error; err != nil {
			return nil, err
		}
		seqs = mergeSeqs(seqs, refs, q.Ascending)
	}
	more := ""
	if len(seqs) > limit {
		seqs = seqs[:limit]
		next := q
		next.After = seqs[len(seqs)-1]
		more = "/xapi/statements?more=" + encodeMore(next)
	}
	rows, err := s.loadRows(ctx, seqs)
	if err != nil {
		return nil, err
	}
	res := &StatementResult{Statements: make([]json.RawMessage, 0, len(rows)), More: more}
	for _, r := range rows {
		res.Statements = append(res.Statements, json.RawMessage(r.Statement))
		if r.Stored.After(res.Last) {
			res.Last = r.Stored
		}
	}
	return res, nil
}

func mergeSeqs(a, b []int64, asc bool) []int64 {
	set := map[int64]bool{}
	out := make([]int64, 0, len(a)+len(b))
	for _, x := range append(a, b...) {
		if !set[x] {
			set[x] = true
			out = append(out, x)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if asc {
			return out[i] < out[j]
		}
		return out[i] > out[j]
	})
	return out
}

// loadRows fetches statements by sequence, in the order given.
func (s *Service) loadRows(ctx context.Context, seqs []int64) ([]statementRow, error) {
	if len(seqs) == 0 {
		return nil, nil
	}
	var rows []statementRow
	if err := s.db.WithContext(ctx).Select("seq", "statement", "stored").Where("seq IN ?", seqs).Find(&rows).Error; err != nil {
		return nil, err
	}
	pos := map[int64]int{}
	for i, q := range seqs {
		pos[q] = i
	}
	sort.Slice(rows, func(i, j int) bool { return pos[rows[i].Seq] < pos[rows[j].Seq] })
	return rows, nil
}

// GetStatement returns one statement by id; voided selects voidedStatementId semantics.
func (s *Service) GetStatement(ctx context.Context, id *Identity, statementID string, voided bool) (json.RawMessage, time.Time, error) {
	mineAuthority, mineAgent, err := readRestriction(id)
	if err != nil {
		return nil, time.Time{}, err
	}
	var row statementRow
	tx := s.db.WithContext(ctx).Where("statement_id = ? AND voided = ?", strings.ToLower(statementID), voided)
	if mineAuthority != "" {
		tx = tx.Where("authority_ifi = ?", mineAuthority)
	}
	if mineAgent != "" {
		tx = tx.Where("seq IN (SELECT seq FROM xapi_statement_agents WHERE ifi = ?)", mineAgent)
	}
	if id.cmi5 != nil {
		tx = tx.Where("registration = ?", strings.ToLower(id.Registration))
	}
	err = tx.Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, time.Time{}, fmt.Errorf("statement %s: %w", statementID, apperr.ErrNotFound)
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	return json.RawMessage(row.Statement), row.Stored, nil
}
