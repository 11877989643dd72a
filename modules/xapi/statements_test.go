package xapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"glc/modules/xapi"
)

func TestStatementLifecycle(t *testing.T) {
	s, l := newLRS(t)
	id := newID()
	st := stmt("alice", "completed", "course")
	if r := l.req("PUT", "/statements?statementId="+id, st, nil); r.Status != 204 {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	var got map[string]any
	r := l.req("GET", "/statements?statementId="+id, nil, nil)
	r.JSON(t, &got)
	if got["id"] != id || got["stored"] == nil || got["timestamp"] == nil || got["authority"] == nil || got["version"] != "1.0.0" {
		t.Fatalf("stored statement lacks LRS properties: %v", got)
	}
	if r.Header.Get("X-Experience-API-Consistent-Through") == "" || r.Header.Get("Last-Modified") == "" {
		t.Errorf("headers: %v", r.Header)
	}
	if acc := got["authority"].(map[string]any)["account"].(map[string]any); acc["name"] != l.username {
		t.Errorf("authority %v", got["authority"])
	}
	// The authority given by the client is replaced with the credentials' own.
	forged := clone(st)
	forged["authority"] = agent("mallory")
	fid := l.post(forged)[0]
	l.req("GET", "/statements?statementId="+fid, nil, nil).JSON(t, &got)
	if strings.Contains(urlAgent(got["authority"].(map[string]any)), "mallory") {
		t.Errorf("client authority kept: %v", got["authority"])
	}
	// Immutable: identical PUT is accepted, different content conflicts.
	if r := l.req("PUT", "/statements?statementId="+id, st, nil); r.Status != 204 {
		t.Errorf("identical PUT: %d %s", r.Status, r.Body)
	}
	changed := stmt("alice", "failed", "course")
	if r := l.req("PUT", "/statements?statementId="+id, changed, nil); r.Status != 409 {
		t.Errorf("different PUT: %d %s", r.Status, r.Body)
	}
	withID := clone(changed)
	withID["id"] = id
	if r := l.req("POST", "/statements", []any{stmt("bob", "v", "x"), withID}, nil); r.Status != 409 {
		t.Errorf("batch with a conflicting id: %d", r.Status)
	}
	same := clone(st)
	same["id"] = id
	if ids := l.post(same); ids[0] != id {
		t.Errorf("identical POST returned %v", ids)
	}
	// Request shape refusals.
	refusals := []struct {
		name, method, path string
		body               any
		hdr                map[string]string
	}{
		{"PUT without statementId", "PUT", "/statements", st, nil},
		{"PUT with a bad statementId", "PUT", "/statements?statementId=nope", st, nil},
		{"PUT with a different body id", "PUT", "/statements?statementId=" + newID(), same, nil},
		{"PUT of an array", "PUT", "/statements?statementId=" + newID(), []any{st}, nil},
		{"POST with a parameter", "POST", "/statements?verb=x", st, nil},
		{"duplicate ids in a batch", "POST", "/statements", []any{withID, withID}, nil},
		{"not JSON", "POST", "/statements", "{nope", nil},
		{"two JSON values", "POST", "/statements", `{} {}`, nil},
		{"a string", "POST", "/statements", `"x"`, nil},
		{"form content type", "POST", "/statements", st, map[string]string{"Content-Type": "text/plain"}},
	}
	for _, c := range refusals {
		if r := l.req(c.method, c.path, c.body, c.hdr); r.Status != 400 {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
		}
	}
	if r := l.req("DELETE", "/statements", nil, nil); r.Status != 405 {
		t.Errorf("DELETE statements: %d", r.Status)
	}
	if r := l.req("GET", "/statements?statementId="+newID(), nil, nil); r.Status != 404 {
		t.Errorf("missing statement: %d", r.Status)
	}
	if r := l.req("GET", "/nothing", nil, nil); r.Status != 404 {
		t.Errorf("unknown resource: %d", r.Status)
	}
	// 2.0.0: a timestamp with an offset is converted to UTC; precision is kept.
	ts := clone(st)
	ts["timestamp"] = "2024-05-06T09:08:07.123456+02:00"
	tid := l.as("2.0.0").post(ts)[0]
	l.req("GET", "/statements?statementId="+tid, nil, nil).JSON(t, &got)
	if got["timestamp"] != "2024-05-06T07:08:07.123456Z" {
		t.Errorf("2.0.0 timestamp %v", got["timestamp"])
	}
	_ = s
}

func TestConcurrentBatches(t *testing.T) {
	s, l := newLRS(t)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			batch := make([]map[string]any, 10)
			for i := range batch {
				batch[i] = stmt("c", "v", "x")
			}
			l.post(batch...)
		}()
	}
	wg.Wait()
	if n := countStatements(t, s); n != 40 {
		t.Fatalf("%d statements stored, want 40", n)
	}
	// Paging walks every statement exactly once.
	seen := map[string]bool{}
	page, more := l.query("?limit=7")
	for {
		for _, id := range ids(page) {
			if seen[id] {
				t.Fatalf("statement %s returned twice", id)
			}
			seen[id] = true
		}
		if more == "" {
			break
		}
		page, more = l.query(strings.TrimPrefix(more, "/xapi/statements"))
	}
	if len(seen) != 40 {
		t.Fatalf("paging saw %d statements, want 40", len(seen))
	}
}

func TestVoiding(t *testing.T) {
	_, l := newLRS(t)
	target := l.post(stmt("alice", "attempted", "quiz"))[0]
	voiding := map[string]any{"actor": agent("admin"), "verb": map[string]any{"id": xapi.VerbVoided},
		"object": map[string]any{"objectType": "StatementRef", "id": target}}
	vid := l.post(voiding)[0]
	if r := l.req("GET", "/statements?statementId="+target, nil, nil); r.Status != 404 {
		t.Errorf("voided statement by statementId: %d", r.Status)
	}
	if r := l.req("GET", "/statements?voidedStatementId="+target, nil, nil); r.Status != 200 {
		t.Errorf("voided statement by voidedStatementId: %d", r.Status)
	}
	if r := l.req("GET", "/statements?voidedStatementId="+vid, nil, nil); r.Status != 404 {
		t.Errorf("a voiding statement by voidedStatementId: %d", r.Status)
	}
	if r := l.req("GET", "/statements?statementId="+target+"&voidedStatementId="+target, nil, nil); r.Status != 400 {
		t.Errorf("both ids: %d", r.Status)
	}
	if r := l.req("GET", "/statements?statementId="+target+"&verb=http://x.example.org", nil, nil); r.Status != 400 {
		t.Errorf("statementId with a filter: %d", r.Status)
	}
	all, _ := l.query("")
	if len(all) != 1 || all[0]["id"] != vid {
		t.Errorf("query returns %v, want only the voiding statement %s", ids(all), vid)
	}
	// The voiding statement matches the filters its target matches.
	byVerb, _ := l.query("?verb=" + url.QueryEscape("http://example.org/verbs/attempted"))
	if len(byVerb) != 1 || byVerb[0]["id"] != vid {
		t.Errorf("verb filter returns %v, want the voiding statement", ids(byVerb))
	}
	// A voiding statement cannot be voided.
	again := clone(voiding)
	again["object"] = map[string]any{"objectType": "StatementRef", "id": vid}
	if r := l.req("POST", "/statements", again, nil); r.Status != 400 {
		t.Errorf("voiding a voiding statement: %d %s", r.Status, r.Body)
	}
	if r := l.req("GET", "/statements?statementId="+vid, nil, nil); r.Status != 200 {
		t.Errorf("voiding statement lost: %d", r.Status)
	}
	// A statement that arrives after its voiding statement is voided on arrival.
	late := newID()
	v2 := clone(voiding)
	v2["object"] = map[string]any{"objectType": "StatementRef", "id": late}
	l.post(v2)
	lateSt := stmt("bob", "v", "x")
	lateSt["id"] = late
	l.post(lateSt)
	if r := l.req("GET", "/statements?voidedStatementId="+late, nil, nil); r.Status != 200 {
		t.Errorf("late statement not voided: %d", r.Status)
	}
}

// TestStoredHook checks the hook cmi5 uses: called once per stored statement, after commit.
func TestStoredHook(t *testing.T) {
	s, l := newLRS(t)
	var got []string
	s.App.LRS.OnStored(func(_ context.Context, _ *xapi.Identity, stmts []map[string]any) {
		for _, m := range stmts {
			got = append(got, m["id"].(string))
		}
	})
	s.App.LRS.OnCheck(func(_ context.Context, _ *xapi.Identity, stmts []map[string]any) error {
		for _, m := range stmts {
			if m["verb"].(map[string]any)["id"] == "http://example.org/verbs/forbidden" {
				return xapi.BadRequest("this verb is not allowed in this registration")
			}
		}
		return nil
	})
	ids := l.post(stmt("a", "v", "x"), stmt("b", "v", "y"))
	same := stmt("a", "v", "x")
	same["id"] = ids[0]
	l.post(same)
	if strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("hook saw %v, want %v", got, ids)
	}
	if r := l.req("POST", "/statements", stmt("a", "forbidden", "x"), nil); r.Status != 400 {
		t.Errorf("check hook ignored: %d", r.Status)
	}
}

func TestTimestampsInQueries(t *testing.T) {
	_, l := newLRS(t)
	first := l.post(stmt("t", "v", "x"))[0]
	time.Sleep(20 * time.Millisecond)
	mid := time.Now().UTC().Format(time.RFC3339Nano)
	time.Sleep(20 * time.Millisecond)
	second := l.post(stmt("t", "v", "x"))[0]
	since, _ := l.query("?since=" + url.QueryEscape(mid))
	until, _ := l.query("?until=" + url.QueryEscape(mid))
	if len(since) != 1 || since[0]["id"] != second || len(until) != 1 || until[0]["id"] != first {
		t.Errorf("since %v until %v", ids(since), ids(until))
	}
	if r := l.req("GET", "/statements?since=yesterday", nil, nil); r.Status != 400 {
		t.Errorf("bad since: %d", r.Status)
	}
	_ = http.StatusOK
}
