// Package openapi assembles the OpenAPI document of /api/v1 from the fragments that each module
// ships beside its handlers, and compares it with the routes the server really has.
package openapi

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Doc is the parts of an OpenAPI 3.1 document that GLC assembles.
type Doc struct {
	OpenAPI    string                    `json:"openapi"`
	Info       map[string]any            `json:"info"`
	Servers    []map[string]any          `json:"servers,omitempty"`
	Paths      map[string]map[string]any `json:"paths"`
	Components map[string]map[string]any `json:"components"`
	Security   []map[string][]string     `json:"security,omitempty"`
	Tags       []map[string]any          `json:"tags,omitempty"`
}

// Fragment is what a module ships: paths (relative to /api/v1) and components.
type Fragment struct {
	Paths      map[string]map[string]any `json:"paths"`
	Components map[string]map[string]any `json:"components"`
	Tags       []map[string]any          `json:"tags"`
}

// Build merges the fragments into one document. Two fragments may not define the same
// operation or component.
func Build(version string, fragments ...[]byte) (*Doc, error) {
	d := &Doc{
		OpenAPI: "3.1.0",
		Info: map[string]any{"title": "GLC API", "version": version,
			"description": "JSON API of the Global Learning Centre. Errors are {\"error\":{\"code\",\"message\",\"fields\"}}."},
		Servers:    []map[string]any{{"url": "/api/v1"}},
		Paths:      map[string]map[string]any{},
		Components: map[string]map[string]any{},
		Security:   []map[string][]string{{"bearer": {}}},
	}
	for i, raw := range fragments {
		var f Fragment
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, fmt.Errorf("openapi fragment %d: %w", i, err)
		}
		for p, ops := range f.Paths {
			if d.Paths[p] == nil {
				d.Paths[p] = map[string]any{}
			}
			for m, op := range ops {
				if _, dup := d.Paths[p][m]; dup {
					return nil, fmt.Errorf("openapi: %s %s defined twice", m, p)
				}
				d.Paths[p][m] = op
			}
		}
		for kind, items := range f.Components {
			if d.Components[kind] == nil {
				d.Components[kind] = map[string]any{}
			}
			for name, v := range items {
				if _, dup := d.Components[kind][name]; dup {
					return nil, fmt.Errorf("openapi: component %s/%s defined twice", kind, name)
				}
				d.Components[kind][name] = v
			}
		}
		d.Tags = append(d.Tags, f.Tags...)
	}
	return d, nil
}

// Operations lists "METHOD /path" for every operation in the document.
func (d *Doc) Operations() []string {
	var out []string
	for p, ops := range d.Paths {
		for m := range ops {
			switch m {
			case "get", "put", "post", "patch", "delete", "head", "options":
				out = append(out, strings.ToUpper(m)+" "+p)
			}
		}
	}
	sort.Strings(out)
	return out
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z_]+)`)

// GinPath turns a Gin route (/courses/:id) into an OpenAPI path (/courses/{id}).
func GinPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// Refs returns every "$ref" target in the document that is missing from components.
func (d *Doc) Refs() []string {
	raw, _ := json.Marshal(d)
	re := regexp.MustCompile(`"\$ref":"#/components/([^/"]+)/([^"]+)"`)
	var missing []string
	for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
		if _, ok := d.Components[m[1]][m[2]]; !ok {
			missing = append(missing, m[1]+"/"+m[2])
		}
	}
	sort.Strings(missing)
	return missing
}
