package xapi

import "strings"

// IFI returns the canonical form of an Agent's or Group's inverse functional identifier
// ("mbox:mailto:a@b", "account:https://home|name"), or "" for an anonymous Group.
func IFI(m map[string]any) string {
	if s, ok := m["mbox"].(string); ok {
		return "mbox:" + s
	}
	if s, ok := m["mbox_sha1sum"].(string); ok {
		return "mbox_sha1sum:" + strings.ToLower(s)
	}
	if s, ok := m["openid"].(string); ok {
		return "openid:" + s
	}
	if a, ok := m["account"].(map[string]any); ok {
		hp, _ := a["homePage"].(string)
		n, _ := a["name"].(string)
		return "account:" + hp + "|" + n
	}
	return ""
}

// index is what a statement contributes to the query index tables.
type index struct {
	agents     map[string]bool // ifi -> direct
	activities map[string]bool // activity id -> direct
}

func newIndex() *index { return &index{agents: map[string]bool{}, activities: map[string]bool{}} }

func (ix *index) agent(x any, direct bool) {
	m, ok := x.(map[string]any)
	if !ok {
		return
	}
	if ifi := IFI(m); ifi != "" {
		ix.agents[ifi] = ix.agents[ifi] || direct
	}
	if members, ok := m["member"].([]any); ok {
		for _, a := range members {
			ix.agent(a, direct)
		}
	}
}

func (ix *index) activity(x any, direct bool) {
	m, ok := x.(map[string]any)
	if !ok {
		return
	}
	if id, ok := m["id"].(string); ok {
		ix.activities[id] = ix.activities[id] || direct
	}
}

func (ix *index) activityList(x any) {
	if arr, ok := x.([]any); ok {
		for _, a := range arr {
			ix.activity(a, false)
		}
		return
	}
	ix.activity(x, false)
}

// statement collects the agents and activities of m; top is false inside a SubStatement,
// whose agents and activities are only "related".
func (ix *index) statement(m map[string]any, top bool) {
	ix.agent(m["actor"], top)
	if o, ok := m["object"].(map[string]any); ok {
		switch o["objectType"] {
		case "Agent", "Group":
			ix.agent(o, top)
		case "SubStatement":
			ix.statement(o, false)
		case "StatementRef":
		default:
			ix.activity(o, top)
		}
	}
	ix.agent(m["authority"], false)
	ctx, _ := m["context"].(map[string]any)
	if ctx == nil {
		return
	}
	ix.agent(ctx["instructor"], false)
	ix.agent(ctx["team"], false)
	for _, key := range []string{"contextAgents", "contextGroups"} {
		if arr, ok := ctx[key].([]any); ok {
			for _, e := range arr {
				if em, ok := e.(map[string]any); ok {
					ix.agent(em["agent"], false)
					ix.agent(em["group"], false)
				}
			}
		}
	}
	if ca, ok := ctx["contextActivities"].(map[string]any); ok {
		for _, v := range ca {
			ix.activityList(v)
		}
	}
}
