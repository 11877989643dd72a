package xapi_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"glc/internal/app/apptest"
)

// lrsClient talks to the record store of a test server with one set of credentials.
type lrsClient struct {
	s        *apptest.Server
	t        testing.TB
	user     string
	pass     string
	bearer   string
	version  string
	username string
}

// newLRS starts a server and creates credentials with the given scopes (none: all).
func newLRS(t testing.TB, scopes ...string) (*apptest.Server, *lrsClient) {
	t.Helper()
	s := apptest.New(t)
	return s, credentials(t, s, scopes...)
}

func credentials(t testing.TB, s *apptest.Server, scopes ...string) *lrsClient {
	t.Helper()
	admin := s.Admin(t)
	body := map[string]any{"name": "test client"}
	if len(scopes) > 0 {
		body["scopes"] = scopes
	}
	r := s.Do("POST", "/api/v1/lrs/credentials", admin.Token, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create credentials: %d %s", r.Status, r.Body)
	}
	var c struct{ Username, Password string }
	r.JSON(t, &c)
	return &lrsClient{s: s, t: t, user: c.Username, pass: c.Password, version: "1.0.3", username: c.Username}
}

// as returns a copy of the client speaking version v.
func (l *lrsClient) as(v string) *lrsClient {
	c := *l
	c.version = v
	return &c
}

// req sends a record-store request. body may be nil, a string, []byte or a value to encode
// as JSON; hdr adds or (with "") removes headers.
func (l *lrsClient) req(method, path string, body any, hdr map[string]string) *apptest.Response {
	l.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			l.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, l.s.URL+"/xapi"+path, rd)
	if err != nil {
		l.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if l.version != "" {
		req.Header.Set("X-Experience-API-Version", l.version)
	}
	switch {
	case l.bearer != "":
		req.Header.Set("Authorization", "Bearer "+l.bearer)
	case l.user != "":
		req.SetBasicAuth(l.user, l.pass)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	return l.s.Send(req)
}

// post stores statements and returns their ids.
func (l *lrsClient) post(stmts ...map[string]any) []string {
	l.t.Helper()
	var body any = stmts
	if len(stmts) == 1 {
		body = stmts[0]
	}
	r := l.req("POST", "/statements", body, nil)
	if r.Status != http.StatusOK {
		l.t.Fatalf("POST statements: %d %s", r.Status, r.Body)
	}
	var ids []string
	r.JSON(l.t, &ids)
	return ids
}

// get returns a statement result.
func (l *lrsClient) query(q string) (statements []map[string]any, more string) {
	l.t.Helper()
	r := l.req("GET", "/statements"+q, nil, nil)
	if r.Status != http.StatusOK {
		l.t.Fatalf("GET statements%s: %d %s", q, r.Status, r.Body)
	}
	var res struct {
		Statements []map[string]any `json:"statements"`
		More       string           `json:"more"`
	}
	r.JSON(l.t, &res)
	return res.Statements, res.More
}

func ids(stmts []map[string]any) []string {
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i], _ = s["id"].(string)
	}
	return out
}

func agent(name string) map[string]any {
	return map[string]any{"objectType": "Agent", "name": name, "mbox": "mailto:" + name + "@example.org"}
}

func activity(id string) map[string]any {
	return map[string]any{"objectType": "Activity", "id": "http://example.org/activities/" + id}
}

func verb(id string) map[string]any {
	return map[string]any{"id": "http://example.org/verbs/" + id, "display": map[string]any{"en-US": id}}
}

// stmt builds a valid statement: actor verb activity.
func stmt(actor, v, act string) map[string]any {
	return map[string]any{"actor": agent(actor), "verb": verb(v), "object": activity(act)}
}

// clone deep-copies a statement so a table can change one property.
func clone(m map[string]any) map[string]any {
	raw, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

func newID() string { return uuid.NewString() }

func countStatements(t testing.TB, s *apptest.Server) int64 {
	t.Helper()
	var n int64
	if err := s.DB.Raw("SELECT COUNT(*) FROM xapi_statements").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func urlAgent(a map[string]any) string {
	raw, _ := json.Marshal(a)
	return fmt.Sprintf("%s", raw)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
