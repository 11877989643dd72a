package xapi

import (
	"encoding/json"
	"strings"
)

// formatStatement rewrites a stored statement for the format parameter: "exact" (as stored),
// "ids" (only identifiers) or "canonical" (language maps reduced to the best language of
// the request's Accept-Language).
// defs holds the LRS's canonical (merged) activity definitions for "canonical".
func formatStatement(raw json.RawMessage, format string, langs []string, defs map[string]map[string]any) (json.RawMessage, error) {
	if format == "" || format == "exact" {
		return raw, nil
	}
	var m map[string]any
	if err := decodeJSON(raw, &m); err != nil {
		return nil, err
	}
	if format == "ids" {
		idsStatement(m)
	} else {
		canonical(m, langs, defs)
	}
	return json.Marshal(m)
}

func idsAgent(x any) any {
	m, ok := x.(map[string]any)
	if !ok {
		return x
	}
	out := map[string]any{}
	if ot, ok := m["objectType"]; ok {
		out["objectType"] = ot
	}
	for _, k := range ifiKeys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	if members, ok := m["member"].([]any); ok && IFI(m) == "" {
		ms := make([]any, len(members))
		for i, a := range members {
			ms[i] = idsAgent(a)
		}
		out["member"] = ms
	}
	return out
}

func idsActivity(x any) any {
	m, ok := x.(map[string]any)
	if !ok {
		return x
	}
	return map[string]any{"id": m["id"]}
}

func idsStatement(m map[string]any) {
	if a, ok := m["actor"]; ok {
		m["actor"] = idsAgent(a)
	}
	if a, ok := m["authority"]; ok {
		m["authority"] = idsAgent(a)
	}
	if v, ok := m["verb"].(map[string]any); ok {
		m["verb"] = map[string]any{"id": v["id"]}
	}
	if o, ok := m["object"].(map[string]any); ok {
		switch o["objectType"] {
		case "Agent", "Group":
			m["object"] = idsAgent(o)
		case "SubStatement":
			idsStatement(o)
		case "StatementRef":
		default:
			m["object"] = idsActivity(o)
		}
	}
	c, ok := m["context"].(map[string]any)
	if !ok {
		return
	}
	for _, k := range []string{"instructor", "team"} {
		if a, ok := c[k]; ok {
			c[k] = idsAgent(a)
		}
	}
	if ca, ok := c["contextActivities"].(map[string]any); ok {
		for k, v := range ca {
			if arr, ok := v.([]any); ok {
				for i, a := range arr {
					arr[i] = idsActivity(a)
				}
			} else {
				ca[k] = []any{idsActivity(v)}
			}
		}
	}
}

// pickLanguage reduces a language map to one entry: the first preferred language present,
// then a language whose primary tag matches, then any.
func pickLanguage(x any, langs []string) any {
	m, ok := x.(map[string]any)
	if !ok || len(m) <= 1 {
		return x
	}
	for _, l := range langs {
		for k, v := range m {
			if strings.EqualFold(k, l) {
				return map[string]any{k: v}
			}
		}
	}
	for _, l := range langs {
		primary := strings.SplitN(l, "-", 2)[0]
		for k, v := range m {
			if strings.EqualFold(strings.SplitN(k, "-", 2)[0], primary) {
				return map[string]any{k: v}
			}
		}
	}
	for _, k := range []string{"und", "en-US", "en"} {
		if v, ok := m[k]; ok {
			return map[string]any{k: v}
		}
	}
	for k, v := range m {
		return map[string]any{k: v}
	}
	return x
}

func canonicalActivity(x any, langs []string, defs map[string]map[string]any) {
	a, ok := x.(map[string]any)
	if !ok {
		return
	}
	if id, _ := a["id"].(string); defs[id] != nil {
		a["definition"] = copyMap(defs[id])
	}
	d, ok := a["definition"].(map[string]any)
	if !ok {
		return
	}
	for _, k := range []string{"name", "description"} {
		if v, ok := d[k]; ok {
			d[k] = pickLanguage(v, langs)
		}
	}
	for _, k := range []string{"choices", "scale", "source", "target", "steps"} {
		if arr, ok := d[k].([]any); ok {
			for _, c := range arr {
				if cm, ok := c.(map[string]any); ok {
					if v, ok := cm["description"]; ok {
						cm["description"] = pickLanguage(v, langs)
					}
				}
			}
		}
	}
}

func canonical(m map[string]any, langs []string, defs map[string]map[string]any) {
	if v, ok := m["verb"].(map[string]any); ok {
		if d, ok := v["display"]; ok {
			v["display"] = pickLanguage(d, langs)
		}
	}
	if o, ok := m["object"].(map[string]any); ok {
		switch o["objectType"] {
		case "SubStatement":
			canonical(o, langs, defs)
		case nil, "Activity":
			canonicalActivity(o, langs, defs)
		}
	}
	if c, ok := m["context"].(map[string]any); ok {
		if ca, ok := c["contextActivities"].(map[string]any); ok {
			for _, v := range ca {
				if arr, ok := v.([]any); ok {
					for _, a := range arr {
						canonicalActivity(a, langs, defs)
					}
				} else {
					canonicalActivity(v, langs, defs)
				}
			}
		}
	}
	if arr, ok := m["attachments"].([]any); ok {
		for _, a := range arr {
			if am, ok := a.(map[string]any); ok {
				for _, k := range []string{"display", "description"} {
					if v, ok := am[k]; ok {
						am[k] = pickLanguage(v, langs)
					}
				}
			}
		}
	}
}

// acceptLanguages lists the languages of an Accept-Language header by preference.
func acceptLanguages(h string) []string {
	type lq struct {
		l string
		q float64
	}
	var out []lq
	for _, part := range strings.Split(h, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		l, params, _ := strings.Cut(part, ";")
		q := 1.0
		if strings.HasPrefix(strings.TrimSpace(params), "q=") {
			var f float64
			if _, err := jsonNumber(strings.TrimPrefix(strings.TrimSpace(params), "q="), &f); err == nil {
				q = f
			}
		}
		out = append(out, lq{strings.TrimSpace(l), q})
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].q > out[j-1].q; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	langs := make([]string, 0, len(out))
	for _, x := range out {
		if x.l != "*" {
			langs = append(langs, x.l)
		}
	}
	return langs
}

func jsonNumber(s string, f *float64) (bool, error) {
	err := json.Unmarshal([]byte(s), f)
	return err == nil, err
}

// attachmentSHAs lists the attachments (without fileUrl duplicates) that statements reference.
func attachmentSHAs(stmts []json.RawMessage) []string {
	seen := map[string]bool{}
	var out []string
	for _, raw := range stmts {
		var m map[string]any
		if decodeJSON(raw, &m) != nil {
			continue
		}
		for _, a := range attachmentList(m) {
			sha, _ := a["sha2"].(string)
			sha = strings.ToLower(sha)
			if sha != "" && !seen[sha] {
				seen[sha] = true
				out = append(out, sha)
			}
		}
	}
	return out
}
