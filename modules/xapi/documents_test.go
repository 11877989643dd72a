package xapi_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"
	"time"
)

func TestDocumentsConcurrency(t *testing.T) {
	_, l := newLRS(t)
	actID := url.QueryEscape("http://example.org/activities/doc")
	ag := url.QueryEscape(urlAgent(agent("dora")))
	resources := []struct {
		name, path string
		// strict: PUT without a precondition on an existing document is refused (409).
		strict103 bool
	}{
		{"state", "/activities/state?activityId=" + actID + "&agent=" + ag + "&stateId=s1", false},
		{"activity profile", "/activities/profile?activityId=" + actID + "&profileId=p1", true},
		{"agent profile", "/agents/profile?agent=" + ag + "&profileId=p1", true},
	}
	for _, res := range resources {
		for _, v := range []string{"1.0.3", "2.0.0"} {
			c := l.as(v)
			t.Run(res.name+" "+v, func(t *testing.T) {
				c.req("DELETE", res.path, nil, map[string]string{"If-Match": "*"})
				if r := c.req("GET", res.path, nil, nil); r.Status != 404 {
					t.Fatalf("missing document: %d", r.Status)
				}
				// If-Match on a missing document fails; If-None-Match: * creates.
				if r := c.req("PUT", res.path, `{"a":1}`, map[string]string{"If-Match": `"abc"`}); r.Status != 412 {
					t.Errorf("If-Match on missing: %d", r.Status)
				}
				r := c.req("PUT", res.path, `{"a":1}`, map[string]string{"If-None-Match": "*"})
				if r.Status != 204 || r.Header.Get("ETag") == "" {
					t.Fatalf("create: %d %v", r.Status, r.Header)
				}
				g := c.req("GET", res.path, nil, nil)
				etag := g.Header.Get("ETag")
				if g.Status != 200 || string(g.Body) != `{"a":1}` || etag != r.Header.Get("ETag") || etag[0] != '"' || g.Header.Get("Last-Modified") == "" {
					t.Fatalf("get: %d %s %v", g.Status, g.Body, g.Header)
				}
				if r := c.req("PUT", res.path, `{"a":2}`, map[string]string{"If-None-Match": "*"}); r.Status != 412 {
					t.Errorf("If-None-Match * on existing: %d", r.Status)
				}
				if r := c.req("PUT", res.path, `{"a":2}`, map[string]string{"If-None-Match": etag}); r.Status != 412 {
					t.Errorf("If-None-Match current etag: %d", r.Status)
				}
				if r := c.req("PUT", res.path, `{"a":2}`, map[string]string{"If-Match": `"0000"`}); r.Status != 412 {
					t.Errorf("If-Match stale etag: %d", r.Status)
				}
				noHeader := c.req("PUT", res.path, `{"a":3}`, nil)
				wantNoHeader := 409
				if v == "1.0.3" && !res.strict103 {
					wantNoHeader = 204
				}
				if noHeader.Status != wantNoHeader {
					t.Errorf("PUT without precondition: %d, want %d", noHeader.Status, wantNoHeader)
				}
				cur := c.req("GET", res.path, nil, nil).Header.Get("ETag")
				r = c.req("PUT", res.path, `{"a":4}`, map[string]string{"If-Match": cur})
				if r.Status != 204 {
					t.Fatalf("If-Match current: %d %s", r.Status, r.Body)
				}
				// POST merges JSON objects (and honours If-Match too).
				if r := c.req("POST", res.path, `{"b":5}`, map[string]string{"If-Match": `"stale"`}); r.Status != 412 {
					t.Errorf("POST stale If-Match: %d", r.Status)
				}
				if r := c.req("POST", res.path, `{"b":5,"a":6}`, nil); r.Status != 204 {
					t.Fatalf("POST merge: %d %s", r.Status, r.Body)
				}
				var merged map[string]int
				json.Unmarshal(c.req("GET", res.path, nil, nil).Body, &merged)
				if merged["a"] != 6 || merged["b"] != 5 {
					t.Errorf("merged %v", merged)
				}
				if r := c.req("POST", res.path, `[1,2]`, nil); r.Status != 400 {
					t.Errorf("POST of an array: %d", r.Status)
				}
				if r := c.req("POST", res.path, "plain", map[string]string{"Content-Type": "text/plain"}); r.Status != 400 {
					t.Errorf("POST of text onto JSON: %d", r.Status)
				}
				// DELETE honours If-Match.
				if r := c.req("DELETE", res.path, nil, map[string]string{"If-Match": `"stale"`}); r.Status != 412 {
					t.Errorf("DELETE stale: %d", r.Status)
				}
				cur = c.req("GET", res.path, nil, nil).Header.Get("ETag")
				if r := c.req("DELETE", res.path, nil, map[string]string{"If-Match": cur}); r.Status != 204 {
					t.Errorf("DELETE: %d", r.Status)
				}
				if r := c.req("GET", res.path, nil, nil); r.Status != 404 {
					t.Errorf("deleted document: %d", r.Status)
				}
			})
		}
	}
	// A 1.0.3 profile PUT without any precondition is refused even when new.
	if r := l.req("PUT", "/agents/profile?agent="+ag+"&profileId="+newID(), `{}`, nil); r.Status != 400 {
		t.Errorf("1.0.3 new profile without precondition: %d", r.Status)
	}
}

func TestDocumentLists(t *testing.T) {
	_, l := newLRS(t)
	l = l.as("2.0.0")
	actID := url.QueryEscape("http://example.org/activities/doc")
	ag := url.QueryEscape(urlAgent(agent("lisa")))
	reg := newID()
	state := func(extra string) string {
		return "/activities/state?activityId=" + actID + "&agent=" + ag + extra
	}
	for _, p := range []string{state("&stateId=a"), state("&stateId=b")} {
		if r := l.req("PUT", p, "binary", map[string]string{"Content-Type": "application/octet-stream"}); r.Status != 204 {
			t.Fatalf("PUT %s: %d %s", p, r.Status, r.Body)
		}
	}
	time.Sleep(10 * time.Millisecond)
	mid := time.Now().UTC().Format(time.RFC3339Nano)
	time.Sleep(10 * time.Millisecond)
	l.req("PUT", state("&stateId=c"), `{"x":1}`, nil)
	l.req("PUT", state("&registration="+reg+"&stateId=r"), `{"x":1}`, nil)
	list := func(p string) []string {
		r := l.req("GET", p, nil, nil)
		var out []string
		if r.Status != 200 {
			t.Fatalf("GET %s: %d %s", p, r.Status, r.Body)
		}
		r.JSON(t, &out)
		return out
	}
	if got := list(state("")); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("state ids %v", got)
	}
	if got := list(state("&since=" + url.QueryEscape(mid))); !slices.Equal(got, []string{"c"}) {
		t.Errorf("state ids since %v", got)
	}
	if got := list(state("&registration=" + reg)); !slices.Equal(got, []string{"r"}) {
		t.Errorf("state ids in registration %v", got)
	}
	g := l.req("GET", state("&stateId=a"), nil, nil)
	if string(g.Body) != "binary" || g.Header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("binary state: %q %v", g.Body, g.Header)
	}
	// DELETE without stateId clears the agent's state for the activity (registration scoped).
	if r := l.req("DELETE", state("&registration="+reg), nil, nil); r.Status != 204 {
		t.Fatalf("delete registration state: %d", r.Status)
	}
	if got := list(state("")); len(got) != 3 {
		t.Errorf("registration delete removed other state: %v", got)
	}
	if r := l.req("DELETE", state(""), nil, nil); r.Status != 204 {
		t.Fatalf("delete all state: %d", r.Status)
	}
	if got := list(state("")); len(got) != 0 {
		t.Errorf("state left after delete: %v", got)
	}
	// Profiles list by id.
	l.req("PUT", "/activities/profile?activityId="+actID+"&profileId=p1", `{}`, map[string]string{"If-None-Match": "*"})
	l.req("PUT", "/agents/profile?agent="+ag+"&profileId=q1", `{}`, map[string]string{"If-None-Match": "*"})
	if got := list("/activities/profile?activityId=" + actID); !slices.Equal(got, []string{"p1"}) {
		t.Errorf("activity profiles %v", got)
	}
	if got := list("/agents/profile?agent=" + ag); !slices.Equal(got, []string{"q1"}) {
		t.Errorf("agent profiles %v", got)
	}
	// Parameter refusals.
	for _, p := range []string{
		"/activities/state?agent=" + ag + "&stateId=a",
		"/activities/state?activityId=" + actID + "&stateId=a",
		"/activities/state?activityId=notiri&agent=" + ag,
		"/activities/state?activityId=" + actID + "&agent=" + url.QueryEscape(`{"mbox":"x"}`),
		"/activities/state?activityId=" + actID + "&agent=" + ag + "&registration=nope",
		"/activities/state?activityId=" + actID + "&agent=" + ag + "&since=never",
		"/activities/state?activityId=" + actID + "&agent=" + ag + "&profileId=x",
		"/agents/profile?profileId=x",
		"/activities/profile?profileId=x",
	} {
		if r := l.req("GET", p, nil, nil); r.Status != 400 {
			t.Errorf("GET %s = %d, want 400", p, r.Status)
		}
	}
	if r := l.req("PUT", state(""), `{}`, nil); r.Status != 400 {
		t.Errorf("PUT without stateId: %d", r.Status)
	}
	if r := l.req("PUT", state("&stateId=bad"), `{nope`, nil); r.Status != 400 {
		t.Errorf("PUT of broken JSON: %d", r.Status)
	}
	if r := l.req("DELETE", "/agents/profile?agent="+ag, nil, nil); r.Status != 400 {
		t.Errorf("DELETE profile without profileId: %d", r.Status)
	}
}
