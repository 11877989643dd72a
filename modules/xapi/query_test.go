package xapi_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestQueries stores a small world and checks every filter of GET /statements.
func TestQueries(t *testing.T) {
	_, l := newLRS(t)
	reg := newID()
	team := map[string]any{"objectType": "Group", "mbox": "mailto:team@example.org", "member": []any{agent("carol")}}
	s1 := stmt("alice", "attempted", "quiz")
	s1["context"] = map[string]any{"registration": reg, "instructor": agent("ivan"),
		"contextActivities": map[string]any{"parent": activity("course"), "grouping": []any{activity("programme")}}}
	s2 := stmt("bob", "completed", "quiz")
	s3 := map[string]any{"actor": team, "verb": verb("attempted"), "object": activity("lesson")}
	s4 := map[string]any{"actor": agent("bob"), "verb": verb("mentored"), "object": agent("alice")}
	s5 := map[string]any{"actor": agent("dave"), "verb": verb("observed"), "object": map[string]any{
		"objectType": "SubStatement", "actor": agent("alice"), "verb": verb("attempted"), "object": activity("exam")}}
	s1["object"].(map[string]any)["definition"] = map[string]any{"name": map[string]any{"en-US": "Quiz", "fr": "Questionnaire"}}
	s2["object"].(map[string]any)["definition"] = map[string]any{"name": map[string]any{"es": "Cuestionario"}, "type": "http://adlnet.gov/expapi/activities/assessment"}
	id := l.post(s1, s2, s3, s4, s5)
	a := func(name string) string { return url.QueryEscape(urlAgent(agent(name))) }
	act := func(name string) string { return url.QueryEscape("http://example.org/activities/" + name) }
	vb := func(name string) string { return url.QueryEscape("http://example.org/verbs/" + name) }
	cases := []struct {
		q    string
		want []int
	}{
		{"", []int{4, 3, 2, 1, 0}},
		{"?ascending=true", []int{0, 1, 2, 3, 4}},
		{"?agent=" + a("alice"), []int{3, 0}},
		{"?agent=" + a("alice") + "&related_agents=true", []int{4, 3, 0}},
		{"?agent=" + a("ivan"), nil},
		{"?agent=" + a("ivan") + "&related_agents=true", []int{0}},
		{"?agent=" + a("carol"), []int{2}},
		{"?agent=" + url.QueryEscape(urlAgent(team)), []int{2}},
		{"?verb=" + vb("attempted"), []int{2, 0}},
		{"?verb=" + vb("nothing"), nil},
		{"?activity=" + act("quiz"), []int{1, 0}},
		{"?activity=" + act("course"), nil},
		{"?activity=" + act("course") + "&related_activities=true", []int{0}},
		{"?activity=" + act("exam") + "&related_activities=true", []int{4}},
		{"?activity=" + act("exam"), nil},
		{"?registration=" + reg, []int{0}},
		{"?registration=" + strings.ToUpper(reg), []int{0}},
		{"?verb=" + vb("attempted") + "&agent=" + a("alice"), []int{0}},
		{"?verb=" + vb("attempted") + "&activity=" + act("quiz") + "&registration=" + reg, []int{0}},
		{"?limit=2", []int{4, 3}},
		{"?limit=2&ascending=true", []int{0, 1}},
	}
	for _, c := range cases {
		got, _ := l.query(c.q)
		want := make([]string, len(c.want))
		for i, w := range c.want {
			want[i] = id[w]
		}
		if !slices.Equal(ids(got), want) {
			t.Errorf("GET statements%s = %v, want %v", c.q, ids(got), want)
		}
	}
	// Paging with more, in both directions.
	for _, asc := range []string{"false", "true"} {
		var seen []string
		q := "?limit=2&ascending=" + asc
		for pages := 0; q != ""; pages++ {
			got, more := l.query(q)
			seen = append(seen, ids(got)...)
			if more != "" && !strings.HasPrefix(more, "/xapi/statements?more=") {
				t.Fatalf("more %q", more)
			}
			q = strings.TrimPrefix(more, "/xapi/statements")
			if pages > 5 {
				t.Fatal("paging does not end")
			}
		}
		if len(seen) != 5 {
			t.Errorf("ascending=%s paging saw %v", asc, seen)
		}
	}
	if r := l.req("GET", "/statements?more=garbage", nil, nil); r.Status != 400 {
		t.Errorf("bad more token: %d", r.Status)
	}
	// Refusals.
	for _, q := range []string{"?agent=alice", "?agent=" + url.QueryEscape(`{"name":"x"}`), "?verb=attempted", "?activity=quiz",
		"?registration=r1", "?limit=-1", "?limit=x", "?ascending=yes", "?format=full", "?since=today", "?color=red"} {
		if r := l.req("GET", "/statements"+q, nil, nil); r.Status != 400 {
			t.Errorf("GET statements%s = %d, want 400", q, r.Status)
		}
	}
	// Formats.
	var one map[string]any
	l.req("GET", "/statements?format=ids&statementId="+id[0], nil, nil).JSON(t, &one)
	if _, has := one["actor"].(map[string]any)["name"]; has {
		t.Errorf("ids format keeps the actor's name: %v", one["actor"])
	}
	if len(one["object"].(map[string]any)) != 1 || len(one["verb"].(map[string]any)) != 1 {
		t.Errorf("ids format: %v %v", one["object"], one["verb"])
	}
	r := l.req("GET", "/statements?format=canonical&statementId="+id[0], nil, map[string]string{"Accept-Language": "fr-CA, fr;q=0.9, en;q=0.5"})
	r.JSON(t, &one)
	name := one["object"].(map[string]any)["definition"].(map[string]any)["name"].(map[string]any)
	if len(name) != 1 || name["fr"] != "Questionnaire" {
		t.Errorf("canonical name %v", name)
	}
	// canonical uses the LRS's merged definition: s2 only sent a Spanish name and a type.
	l.req("GET", "/statements?format=canonical&statementId="+id[1], nil, map[string]string{"Accept-Language": "fr"}).JSON(t, &one)
	def2 := one["object"].(map[string]any)["definition"].(map[string]any)
	if n := def2["name"].(map[string]any); len(n) != 1 || n["fr"] != "Questionnaire" || def2["type"] == nil {
		t.Errorf("canonical definition of s2: %v", def2)
	}
	l.req("GET", "/statements?statementId="+id[0], nil, nil).JSON(t, &one)
	if parent := one["context"].(map[string]any)["contextActivities"].(map[string]any)["parent"]; parent == nil {
		t.Errorf("context activities: %v", one["context"])
	} else if _, isArr := parent.([]any); !isArr {
		t.Errorf("a single context activity is not returned as an array: %v", parent)
	}
	// The activities resource merges the definitions seen in statements.
	var quiz map[string]any
	l.req("GET", "/activities?activityId="+act("quiz"), nil, nil).JSON(t, &quiz)
	def, _ := quiz["definition"].(map[string]any)
	names, _ := def["name"].(map[string]any)
	if len(names) != 3 || def["type"] != "http://adlnet.gov/expapi/activities/assessment" {
		t.Errorf("merged activity: %v", quiz)
	}
	var unknown map[string]any
	l.req("GET", "/activities?activityId="+act("never-seen"), nil, nil).JSON(t, &unknown)
	if unknown["id"] != "http://example.org/activities/never-seen" || unknown["objectType"] != "Activity" {
		t.Errorf("unknown activity: %v", unknown)
	}
	for _, q := range []string{"/activities", "/activities?activityId=quiz", "/agents", "/agents?agent=x"} {
		if r := l.req("GET", q, nil, nil); r.Status != 400 {
			t.Errorf("GET %s = %d", q, r.Status)
		}
	}
	var person map[string]any
	l.req("GET", "/agents?agent="+a("alice"), nil, nil).JSON(t, &person)
	if person["objectType"] != "Person" || !slices.Equal(toStrings(person["mbox"]), []string{"mailto:alice@example.org"}) ||
		!slices.Equal(toStrings(person["name"]), []string{"alice"}) {
		t.Errorf("person: %v", person)
	}
}

func toStrings(x any) []string {
	arr, _ := x.([]any)
	out := make([]string, len(arr))
	for i, v := range arr {
		out[i], _ = v.(string)
	}
	return out
}
