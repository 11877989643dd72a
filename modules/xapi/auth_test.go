package xapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"glc/internal/app/apptest"
	"glc/modules/xapi"
)

func TestCredentialsAPI(t *testing.T) {
	s := apptest.New(t)
	admin, learner := s.Admin(t), s.Learner(t)
	cases := []struct {
		name   string
		token  string
		body   any
		status int
	}{
		{"anonymous", "", map[string]any{"name": "x"}, 401},
		{"learner", learner.Token, map[string]any{"name": "x"}, 403},
		{"instructor", s.Instructor(t).Token, map[string]any{"name": "x"}, 403},
		{"no name", admin.Token, map[string]any{"scopes": []string{"all"}}, 422},
		{"unknown scope", admin.Token, map[string]any{"name": "x", "scopes": []string{"everything"}}, 422},
		{"unknown field", admin.Token, map[string]any{"name": "x", "secret": "y"}, 422},
		{"default scopes", admin.Token, map[string]any{"name": "Reporting"}, 201},
		{"given scopes", admin.Token, map[string]any{"name": "Reader", "scopes": []string{"statements/read", "state"}}, 201},
	}
	for _, c := range cases {
		r := s.Do("POST", "/api/v1/lrs/credentials", c.token, c.body)
		if r.Status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, r.Status, c.status, r.Body)
		}
	}
	r := s.Do("POST", "/api/v1/lrs/credentials", admin.Token, map[string]any{"name": "Once"})
	var created struct {
		ID                 int64
		Username, Password string
		Scopes             []string
		Authority          map[string]any
	}
	r.JSON(t, &created)
	if created.Username == "" || len(created.Password) < 32 || strings.Join(created.Scopes, ",") != "all" {
		t.Fatalf("created credentials: %s", r.Body)
	}
	if acc, _ := created.Authority["account"].(map[string]any); acc["name"] != created.Username {
		t.Errorf("authority %v does not name the credentials", created.Authority)
	}
	// The list has no secrets, and learners cannot see it.
	list := s.Do("GET", "/api/v1/lrs/credentials?per_page=2", admin.Token, nil)
	if list.Status != 200 || strings.Contains(string(list.Body), created.Password) || strings.Contains(string(list.Body), "secret") {
		t.Fatalf("list: %d %s", list.Status, list.Body)
	}
	var page struct {
		Items []map[string]any
		Total int
	}
	list.JSON(t, &page)
	if page.Total != 3 || len(page.Items) != 2 || page.Items[0]["username"] != created.Username {
		t.Errorf("list page: %s", list.Body)
	}
	if r := s.Do("GET", "/api/v1/lrs/credentials", learner.Token, nil); r.Status != 403 {
		t.Errorf("learner lists credentials: %d", r.Status)
	}
	// The password is stored hashed.
	var stored string
	s.DB.Raw("SELECT secret_hash FROM xapi_credentials WHERE username = ?", created.Username).Scan(&stored)
	if stored == "" || stored == created.Password || strings.Contains(stored, created.Password) {
		t.Errorf("secret stored as %q", stored)
	}
	l := &lrsClient{s: s, t: t, user: created.Username, pass: created.Password, version: "1.0.3"}
	if r := l.req("GET", "/statements", nil, nil); r.Status != 200 {
		t.Fatalf("new credentials refused: %d %s", r.Status, r.Body)
	}
	// Revoke.
	if r := s.Do("DELETE", fmt.Sprintf("/api/v1/lrs/credentials/%d", created.ID), learner.Token, nil); r.Status != 403 {
		t.Errorf("learner deletes credentials: %d", r.Status)
	}
	if r := s.Do("DELETE", fmt.Sprintf("/api/v1/lrs/credentials/%d", created.ID), admin.Token, nil); r.Status != 204 {
		t.Errorf("delete: %d %s", r.Status, r.Body)
	}
	if r := s.Do("DELETE", fmt.Sprintf("/api/v1/lrs/credentials/%d", created.ID), admin.Token, nil); r.Status != 404 {
		t.Errorf("delete again: %d", r.Status)
	}
	if r := l.req("GET", "/statements", nil, nil); r.Status != 401 {
		t.Errorf("revoked credentials: %d", r.Status)
	}
}

func TestLRSAuthentication(t *testing.T) {
	s, l := newLRS(t)
	cases := []struct {
		name string
		hdr  map[string]string
	}{
		{"no credentials", map[string]string{"Authorization": ""}},
		{"wrong password", map[string]string{"Authorization": "Basic " + basic(l.user, "wrong")}},
		{"unknown user", map[string]string{"Authorization": "Basic " + basic("nobody", l.pass)}},
		{"not base64", map[string]string{"Authorization": "Basic !!!"}},
		{"no colon", map[string]string{"Authorization": "Basic " + basicRaw("justuser")}},
		{"bad bearer", map[string]string{"Authorization": "Bearer nonsense"}},
	}
	for _, c := range cases {
		r := l.req("GET", "/statements", nil, c.hdr)
		if r.Status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", c.name, r.Status)
		}
		if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("%s: no WWW-Authenticate challenge", c.name)
		}
	}
	_ = s
}

func basicRaw(s string) string { return b64(s) }

func basic(u, p string) string { return b64(u + ":" + p) }

func TestLRSScopes(t *testing.T) {
	s, all := newLRS(t)
	reader := credentials(t, s, "statements/read")
	writer := credentials(t, s, "statements/write")
	mine := credentials(t, s, "statements/write", "statements/read/mine")
	allRead := credentials(t, s, "all/read")
	state := credentials(t, s, "state")
	theirs := all.post(stmt("a", "v", "x"))[0]
	ownID := mine.post(stmt("b", "v", "x"))[0]
	stateQ := "/activities/state?activityId=" + url.QueryEscape("http://example.org/a") + "&agent=" + url.QueryEscape(urlAgent(agent("a"))) + "&stateId=s1"
	cases := []struct {
		name   string
		c      *lrsClient
		method string
		path   string
		body   any
		status int
	}{
		{"reader reads", reader, "GET", "/statements", nil, 200},
		{"reader cannot write", reader, "POST", "/statements", stmt("a", "v", "x"), 403},
		{"writer writes", writer, "POST", "/statements", stmt("a", "v", "x"), 200},
		{"writer cannot read", writer, "GET", "/statements", nil, 403},
		{"writer cannot read one", writer, "GET", "/statements?statementId=" + theirs, nil, 403},
		{"mine reads its own", mine, "GET", "/statements?statementId=" + ownID, nil, 200},
		{"mine cannot read others'", mine, "GET", "/statements?statementId=" + theirs, nil, 404},
		{"all/read reads", allRead, "GET", "/statements", nil, 200},
		{"all/read cannot write", allRead, "POST", "/statements", stmt("a", "v", "x"), 403},
		{"all/read reads state", allRead, "GET", stateQ, nil, 404},
		{"all/read cannot write state", allRead, "PUT", stateQ, map[string]any{"x": 1}, 403},
		{"state writes state", state, "PUT", stateQ, map[string]any{"x": 1}, 204},
		{"state cannot read statements", state, "GET", "/statements", nil, 403},
		{"writer cannot read state", writer, "GET", stateQ, nil, 403},
	}
	for _, c := range cases {
		if r := c.c.req(c.method, c.path, c.body, nil); r.Status != c.status {
			t.Errorf("%s: %s %s = %d, want %d: %s", c.name, c.method, c.path, r.Status, c.status, r.Body)
		}
	}
	got, _ := mine.query("")
	if len(got) != 1 || got[0]["id"] != ownID {
		t.Errorf("statements/read/mine query returned %v, want only %s", ids(got), ownID)
	}
}

// TestLearnerSession: content GLC launches uses the learner's own session, limited to
// statements and documents about that learner.
func TestLearnerSession(t *testing.T) {
	s, admin := newLRS(t)
	u, other := s.Learner(t), s.Learner(t)
	me, err := s.App.LRS.LearnerAgent(context.Background(), u.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := s.App.LRS.LearnerAgent(context.Background(), u.ID, "")
	if fmt.Sprint(me) != fmt.Sprint(again) {
		t.Fatalf("learner agent not stable: %v %v", me, again)
	}
	theirs, _ := s.App.LRS.LearnerAgent(context.Background(), other.ID, "")
	l := &lrsClient{s: s, t: t, bearer: u.Token, version: "1.0.3"}
	mine := map[string]any{"actor": me, "verb": verb("experienced"), "object": activity("lesson")}
	notMine := map[string]any{"actor": theirs, "verb": verb("experienced"), "object": activity("lesson")}
	id := l.post(mine)[0]
	if r := l.req("POST", "/statements", notMine, nil); r.Status != 403 {
		t.Errorf("learner posts as another: %d", r.Status)
	}
	if r := l.req("POST", "/statements", []any{mine, notMine}, nil); r.Status != 403 {
		t.Errorf("learner batch with another's statement: %d", r.Status)
	}
	admin.post(notMine, stmt("x", "v", "lesson"))
	got, _ := l.query("")
	if len(got) != 1 || got[0]["id"] != id {
		t.Errorf("learner sees %v, want only %s", ids(got), id)
	}
	if acc, _ := got[0]["authority"].(map[string]any)["account"].(map[string]any); acc["name"] != me["account"].(map[string]any)["name"] {
		t.Errorf("authority of a learner's statement: %v", got[0]["authority"])
	}
	state := func(a map[string]any) string {
		return "/activities/state?activityId=" + url.QueryEscape("http://example.org/a") + "&agent=" + url.QueryEscape(urlAgent(a)) + "&stateId=bookmark"
	}
	if r := l.req("PUT", state(me), map[string]any{"page": 3}, nil); r.Status != 204 {
		t.Errorf("learner writes own state: %d %s", r.Status, r.Body)
	}
	if r := l.req("GET", state(me), nil, nil); r.Status != 200 {
		t.Errorf("learner reads own state: %d", r.Status)
	}
	if r := l.req("PUT", state(theirs), map[string]any{"page": 3}, nil); r.Status != 403 {
		t.Errorf("learner writes another's state: %d", r.Status)
	}
	if r := l.req("GET", state(theirs), nil, nil); r.Status != 403 {
		t.Errorf("learner reads another's state: %d", r.Status)
	}
	// The session cookie works too (content served by GLC on the same origin).
	cookie := &lrsClient{s: s, t: t, version: "2.0.0"}
	if r := cookie.req("POST", "/statements", mine, map[string]string{"Cookie": "glc_access=" + u.Token}); r.Status != 200 {
		t.Errorf("cookie session POST: %d %s", r.Status, r.Body)
	}
	// A browser session cannot use the alternate request syntax (a cross-site form could).
	form := url.Values{"X-Experience-API-Version": {"1.0.3"}, "content": {`{}`}}
	cookie.version = ""
	r := cookie.req("POST", "/statements?method=PUT", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Cookie": "glc_access=" + u.Token})
	if r.Status != 401 {
		t.Errorf("session alternate syntax: %d", r.Status)
	}
}

func TestAlternateSyntaxAndCORS(t *testing.T) {
	s, l := newLRS(t)
	id := newID()
	raw := `{"actor":{"mbox":"mailto:alt@example.org"},"verb":{"id":"http://example.org/v"},"object":{"id":"http://example.org/a"}}`
	form := url.Values{"Authorization": {"Basic " + basic(l.user, l.pass)}, "X-Experience-API-Version": {"1.0.3"},
		"Content-Type": {"application/json"}, "statementId": {id}, "content": {raw}}
	anon := &lrsClient{s: s, t: t}
	hdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	if r := anon.req("POST", "/statements?method=PUT", form.Encode(), hdr); r.Status != 204 {
		t.Fatalf("alternate PUT: %d %s", r.Status, r.Body)
	}
	get := url.Values{"Authorization": form["Authorization"], "X-Experience-API-Version": {"1.0.3"}, "statementId": {id}}
	r := anon.req("POST", "/statements?method=GET", get.Encode(), hdr)
	if r.Status != 200 || !strings.Contains(string(r.Body), "alt@example.org") {
		t.Fatalf("alternate GET: %d %s", r.Status, r.Body)
	}
	refusals := []struct {
		name, method, path string
		form               url.Values
	}{
		{"2.0.0 has no alternate syntax", "POST", "/statements?method=GET", url.Values{"Authorization": form["Authorization"], "X-Experience-API-Version": {"2.0.0"}}},
		{"not sent as POST", "PUT", "/statements?method=PUT", form},
		{"extra URL parameter", "POST", "/statements?method=PUT&statementId=" + id, form},
		{"unknown method", "POST", "/statements?method=PATCH", form},
	}
	for _, c := range refusals {
		if r := anon.req(c.method, c.path, c.form.Encode(), hdr); r.Status != 400 {
			t.Errorf("%s: %d", c.name, r.Status)
		}
	}
	// CORS preflight and headers.
	r = anon.req("OPTIONS", "/statements", nil, map[string]string{"Origin": "https://content.example.org", "Access-Control-Request-Method": "PUT"})
	if r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(r.Header.Get("Access-Control-Allow-Headers"), "X-Experience-API-Version") ||
		!strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "ETag") {
		t.Errorf("preflight: %d %v", r.Status, r.Header)
	}
	// HEAD answers like GET without a body.
	h := l.req("HEAD", "/statements?statementId="+id, nil, nil)
	if h.Status != 200 || len(h.Body) != 0 || h.Header.Get("Last-Modified") == "" {
		t.Errorf("HEAD: %d %q %v", h.Status, h.Body, h.Header)
	}
	if h := l.req("HEAD", "/statements?statementId="+newID(), nil, nil); h.Status != 404 {
		t.Errorf("HEAD missing: %d", h.Status)
	}
}

// TestLaunchAuthenticator plugs in an authenticator the way cmi5 will for its fetch tokens:
// the identity is bound to one agent and one registration.
func TestLaunchAuthenticator(t *testing.T) {
	s, admin := newLRS(t)
	reg := newID()
	au := agent("launched")
	s.App.LRS.AddAuthenticator(func(r *http.Request) (*xapi.Identity, error) {
		if r.Header.Get("Authorization") != "Basic launch-token" {
			return nil, nil
		}
		return &xapi.Identity{Scopes: []string{xapi.ScopeStatementsWrite, xapi.ScopeStatementsReadMine, xapi.ScopeState},
			Authority: au, AuthorityIFI: xapi.IFI(au), Agent: au, AgentIFI: xapi.IFI(au), Registration: reg}, nil
	})
	l := &lrsClient{s: s, t: t, version: "1.0.3"}
	hdr := map[string]string{"Authorization": "Basic launch-token"}
	inReg := map[string]any{"actor": au, "verb": verb("initialized"), "object": activity("au"), "context": map[string]any{"registration": reg}}
	if r := l.req("POST", "/statements", inReg, hdr); r.Status != 200 {
		t.Fatalf("launch statement: %d %s", r.Status, r.Body)
	}
	otherReg := clone(inReg)
	otherReg["context"] = map[string]any{"registration": newID()}
	noReg := clone(inReg)
	delete(noReg, "context")
	otherActor := clone(inReg)
	otherActor["actor"] = agent("someone")
	for name, st := range map[string]map[string]any{"other registration": otherReg, "no registration": noReg, "other actor": otherActor} {
		if r := l.req("POST", "/statements", st, hdr); r.Status != 403 {
			t.Errorf("%s: %d", name, r.Status)
		}
	}
	// Other credentials still work beside it.
	if r := admin.req("GET", "/statements", nil, nil); r.Status != 200 {
		t.Errorf("basic credentials beside the authenticator: %d", r.Status)
	}
}
