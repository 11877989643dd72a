package xapi_test

import (
	"net/http"
	"strings"
	"testing"

	"glc/internal/testkit"
)

// TestStatementValidation sends statements that break one rule each: every one is refused
// with 400 and nothing is stored, alone or inside an otherwise valid batch.
func TestStatementValidation(t *testing.T) {
	s, l := newLRS(t)
	t.Logf("backend: %s", testkit.Backend())
	base := stmt("alice", "did", "a1")
	set := func(path string, v any) map[string]any {
		m := clone(base)
		parts := strings.Split(path, ".")
		cur := m
		for _, p := range parts[:len(parts)-1] {
			next, ok := cur[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[p] = next
			}
			cur = next
		}
		if v == "<delete>" {
			delete(cur, parts[len(parts)-1])
		} else {
			cur[parts[len(parts)-1]] = v
		}
		return m
	}
	group := func(extra map[string]any) map[string]any {
		g := map[string]any{"objectType": "Group", "member": []any{agent("m1")}}
		for k, v := range extra {
			g[k] = v
		}
		return g
	}
	cases := []struct {
		name string
		stmt map[string]any
		v    string
	}{
		{"unknown top-level property", set("foo", "bar"), ""},
		{"id not a UUID", set("id", "not-a-uuid"), ""},
		{"id a number", set("id", 12), ""},
		{"missing actor", set("actor", "<delete>"), ""},
		{"missing verb", set("verb", "<delete>"), ""},
		{"missing object", set("object", "<delete>"), ""},
		{"null property", set("result", nil), ""},
		{"null nested property", set("actor.name", nil), ""},
		{"actor without identifier", set("actor", map[string]any{"name": "x"}), ""},
		{"actor with two identifiers", set("actor.openid", "http://openid.example.org/x"), ""},
		{"actor mbox without mailto", set("actor.mbox", "alice@example.org"), ""},
		{"actor bad mbox_sha1sum", set("actor", map[string]any{"mbox_sha1sum": "xyz"}), ""},
		{"actor account without homePage", set("actor", map[string]any{"account": map[string]any{"name": "n"}}), ""},
		{"actor account without name", set("actor", map[string]any{"account": map[string]any{"homePage": "http://h.example.org"}}), ""},
		{"actor account extra key", set("actor", map[string]any{"account": map[string]any{"homePage": "http://h.example.org", "name": "n", "x": 1}}), ""},
		{"actor wrong objectType", set("actor.objectType", "Person"), ""},
		{"anonymous group without members", set("actor", map[string]any{"objectType": "Group"}), ""},
		{"anonymous group with empty members", set("actor", group(map[string]any{"member": []any{}})), ""},
		{"group with a group member", set("actor", group(map[string]any{"member": []any{map[string]any{"objectType": "Group", "mbox": "mailto:g@example.org"}}})), ""},
		{"group with two identifiers", set("actor", group(map[string]any{"mbox": "mailto:g@example.org", "openid": "http://o.example.org"})), ""},
		{"verb without id", set("verb", map[string]any{"display": map[string]any{"en": "x"}}), ""},
		{"verb id not an IRI", set("verb.id", "did"), ""},
		{"verb display not a language map", set("verb.display", "did"), ""},
		{"verb display bad language tag", set("verb.display", map[string]any{"not a tag": "x"}), ""},
		{"verb extra property", set("verb.extra", "x"), ""},
		{"object without id", set("object", map[string]any{"objectType": "Activity"}), ""},
		{"object id not an IRI", set("object.id", "a1"), ""},
		{"object unknown objectType", set("object.objectType", "Thing"), ""},
		{"agent object without objectType", set("object", map[string]any{"mbox": "mailto:b@example.org"}), ""},
		{"statement ref with bad id", set("object", map[string]any{"objectType": "StatementRef", "id": "x"}), ""},
		{"definition bad interactionType", set("object.definition", map[string]any{"interactionType": "essay"}), ""},
		{"definition choices without interactionType", set("object.definition", map[string]any{"choices": []any{map[string]any{"id": "a"}}}), ""},
		{"definition duplicate component ids", set("object.definition", map[string]any{"interactionType": "choice", "choices": []any{map[string]any{"id": "a"}, map[string]any{"id": "a"}}}), ""},
		{"definition moreInfo not IRL", set("object.definition", map[string]any{"moreInfo": "example.org/x"}), ""},
		{"definition extension key not IRI", set("object.definition", map[string]any{"extensions": map[string]any{"key": 1}}), ""},
		{"definition name not language map", set("object.definition", map[string]any{"name": []any{"x"}}), ""},
		{"substatement with id", set("object", map[string]any{"objectType": "SubStatement", "id": newID(), "actor": agent("b"), "verb": verb("v"), "object": activity("x")}), ""},
		{"nested substatement", set("object", map[string]any{"objectType": "SubStatement", "actor": agent("b"), "verb": verb("v"),
			"object": map[string]any{"objectType": "SubStatement", "actor": agent("c"), "verb": verb("v"), "object": activity("x")}}), ""},
		{"substatement without verb", set("object", map[string]any{"objectType": "SubStatement", "actor": agent("b"), "object": activity("x")}), ""},
		{"voided verb without statement ref", set("verb", map[string]any{"id": "http://adlnet.gov/expapi/verbs/voided"}), ""},
		{"score scaled above 1", set("result", map[string]any{"score": map[string]any{"scaled": 1.5}}), ""},
		{"score raw below min", set("result", map[string]any{"score": map[string]any{"raw": 1, "min": 2, "max": 5}}), ""},
		{"score min above max", set("result", map[string]any{"score": map[string]any{"min": 5, "max": 2}}), ""},
		{"score not a number", set("result", map[string]any{"score": map[string]any{"raw": "10"}}), ""},
		{"success not boolean", set("result", map[string]any{"success": "yes"}), ""},
		{"bad duration", set("result", map[string]any{"duration": "1 hour"}), ""},
		{"context registration not UUID", set("context", map[string]any{"registration": "r1"}), ""},
		{"context team is an agent", set("context", map[string]any{"team": agent("t")}), ""},
		{"context unknown contextActivities key", set("context", map[string]any{"contextActivities": map[string]any{"sibling": activity("s")}}), ""},
		{"context revision with agent object", set("object", map[string]any{"objectType": "Agent", "mbox": "mailto:o@example.org"}), "revision"},
		{"context bad language", set("context", map[string]any{"language": "not a language"}), ""},
		{"context statement not a ref", set("context", map[string]any{"statement": map[string]any{"id": newID()}}), ""},
		{"contextAgents under 1.0.3", set("context", map[string]any{"contextAgents": []any{map[string]any{"objectType": "contextAgent", "agent": agent("x")}}}), ""},
		{"contextAgents wrong objectType", set("context", map[string]any{"contextAgents": []any{map[string]any{"objectType": "Agent", "agent": agent("x")}}}), "2.0.0"},
		{"contextGroups empty relevantTypes", set("context", map[string]any{"contextGroups": []any{map[string]any{"objectType": "contextGroup", "group": group(nil), "relevantTypes": []any{}}}}), "2.0.0"},
		{"timestamp not ISO 8601", set("timestamp", "yesterday"), ""},
		{"timestamp with -00:00", set("timestamp", "2024-01-02T03:04:05.000-00:00"), ""},
		{"timestamp impossible date", set("timestamp", "2024-02-31T03:04:05Z"), ""},
		{"version 2.0.0 under 1.0.3", set("version", "2.0.0"), ""},
		{"version 0.95", set("version", "0.95"), ""},
		{"authority identified group", set("authority", group(map[string]any{"mbox": "mailto:g@example.org", "member": []any{agent("a"), agent("b")}})), ""},
		{"attachment without sha2", set("attachments", []any{map[string]any{"usageType": "http://example.org/u", "display": map[string]any{"en": "a"}, "contentType": "text/plain", "length": 1, "fileUrl": "http://example.org/f"}}), ""},
		{"attachment length not integer", set("attachments", []any{map[string]any{"usageType": "http://example.org/u", "display": map[string]any{"en": "a"}, "contentType": "text/plain", "length": 1.5, "sha2": strings.Repeat("a", 64), "fileUrl": "http://example.org/f"}}), ""},
		{"verb id longer than the index holds", set("verb.id", "http://example.org/"+strings.Repeat("a", 1000)), ""},
		{"NUL character", set("actor.name", "a\u0000b"), ""},
		{"attachment data missing", set("attachments", []any{map[string]any{"usageType": "http://example.org/u", "display": map[string]any{"en": "a"}, "contentType": "text/plain", "length": 1, "sha2": strings.Repeat("a", 64)}}), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			client := l
			st := c.stmt
			switch c.v {
			case "2.0.0":
				client = l.as("2.0.0")
			case "revision":
				st["context"] = map[string]any{"revision": "r1"}
			}
			if r := client.req("POST", "/statements", st, nil); r.Status != http.StatusBadRequest {
				t.Fatalf("single: status %d, want 400: %s", r.Status, r.Body)
			}
			batch := []any{stmt("bob", "did", "ok1"), st, stmt("bob", "did", "ok2")}
			if r := client.req("POST", "/statements", batch, nil); r.Status != http.StatusBadRequest {
				t.Fatalf("batch: status %d, want 400: %s", r.Status, r.Body)
			}
			if r := client.req("PUT", "/statements?statementId="+newID(), st, nil); r.Status != http.StatusBadRequest {
				t.Fatalf("put: status %d, want 400: %s", r.Status, r.Body)
			}
		})
	}
	if n := countStatements(t, s); n != 0 {
		t.Fatalf("%d statements stored from invalid requests", n)
	}
	// The same shapes in their valid form are accepted.
	valid := []map[string]any{
		base,
		set("actor", group(map[string]any{"mbox": "mailto:g@example.org"})),
		set("actor", map[string]any{"account": map[string]any{"homePage": "http://h.example.org", "name": "n"}}),
		set("object", map[string]any{"objectType": "SubStatement", "actor": agent("b"), "verb": verb("v"), "object": activity("x")}),
		set("result", map[string]any{"score": map[string]any{"scaled": 0.5, "raw": 5, "min": 0, "max": 10}, "duration": "PT1H2M3.45S", "extensions": map[string]any{"http://example.org/x": nil}}),
		set("timestamp", "2024-01-02T03:04:05.123+02:00"),
		set("context", map[string]any{"registration": newID(), "contextActivities": map[string]any{"parent": activity("p")}, "revision": "r", "platform": "p", "language": "en-GB"}),
	}
	for i, st := range valid {
		if r := l.req("POST", "/statements", st, nil); r.Status != http.StatusOK {
			t.Errorf("valid statement %d refused: %d %s", i, r.Status, r.Body)
		}
	}
	ctxAgents := set("context", map[string]any{"contextAgents": []any{map[string]any{"objectType": "contextAgent", "agent": agent("x"), "relevantTypes": []any{"http://example.org/t"}}}})
	if r := l.as("2.0.0").req("POST", "/statements", ctxAgents, nil); r.Status != http.StatusOK {
		t.Errorf("2.0.0 contextAgents refused: %d %s", r.Status, r.Body)
	}
}

func TestVersionHeader(t *testing.T) {
	_, l := newLRS(t)
	cases := []struct {
		version    string
		status     int
		respVesion string
	}{
		{"1.0.3", 200, "1.0.3"},
		{"1.0.0", 200, "1.0.3"},
		{"1.0", 200, "1.0.3"},
		{"2.0.0", 200, "2.0.0"},
		{"2.0", 200, "2.0.0"},
		{"", 400, ""},
		{"0.95", 400, ""},
		{"1.1.0", 400, ""},
		{"3.0.0", 400, ""},
		{"banana", 400, ""},
	}
	for _, c := range cases {
		r := l.as(c.version).req("GET", "/statements", nil, nil)
		if r.Status != c.status {
			t.Errorf("version %q: status %d, want %d", c.version, r.Status, c.status)
		}
		got := r.Header.Get("X-Experience-API-Version")
		if c.respVesion != "" && got != c.respVesion {
			t.Errorf("version %q: response version %q, want %q", c.version, got, c.respVesion)
		}
		if got == "" {
			t.Errorf("version %q: no version header in the response", c.version)
		}
	}
	// The about resource needs neither version nor credentials.
	anon := &lrsClient{s: l.s, t: t}
	r := anon.req("GET", "/about", nil, nil)
	if r.Status != 200 {
		t.Fatalf("about: %d", r.Status)
	}
	var about struct{ Version []string }
	r.JSON(t, &about)
	if strings.Join(about.Version, ",") != "1.0.0,1.0.1,1.0.2,1.0.3,2.0.0" {
		t.Errorf("about versions %v", about.Version)
	}
	// The statement's version: set when missing, kept when given, per request version.
	id1 := l.post(stmt("a", "v", "x"))[0]
	id2 := l.as("2.0.0").post(stmt("a", "v", "x"))[0]
	st := clone(stmt("a", "v", "x"))
	st["version"] = "1.0.1"
	id3 := l.as("2.0.0").post(st)[0]
	for id, want := range map[string]string{id1: "1.0.0", id2: "2.0.0", id3: "1.0.1"} {
		var got map[string]any
		l.req("GET", "/statements?statementId="+id, nil, nil).JSON(t, &got)
		if got["version"] != want {
			t.Errorf("statement %s version %v, want %s", id, got["version"], want)
		}
	}
}
