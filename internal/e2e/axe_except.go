package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/chromedp/chromedp"
)

// AxeExcept runs axe-core like Axe, but leaves out the elements matching the selectors and
// what they hold (e.g. the frame of a SCORM player, whose content is a third party's), and
// fails the test listing every violation in the rest of the page.
func (b *Session) AxeExcept(selectors ...string) {
	b.t.Helper()
	src, err := os.ReadFile(filepath.Join(Root(b.t), "web", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		b.t.Fatalf("axe-core missing (run `npm ci --prefix web`): %v", err)
	}
	b.do(chromedp.Evaluate[chromedp.Void](string(src)))
	exclude := make([][]string, len(selectors))
	for i, s := range selectors {
		exclude[i] = []string{s}
	}
	ctx, _ := json.Marshal(map[string]any{"include": [][]string{{"html"}}, "exclude": exclude})
	tags, _ := json.Marshal(AxeTags)
	raw := Eval[json.RawMessage](b, `axe.run(`+string(ctx)+`, {runOnly: {type: "tag", values: `+string(tags)+`}, resultTypes: ["violations"]}).then(r => r.violations)`)
	var vs []Violation
	if err := json.Unmarshal(raw, &vs); err != nil {
		b.t.Fatalf("axe result: %v", err)
	}
	if len(vs) == 0 {
		return
	}
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = v.String()
	}
	b.t.Errorf("%s: %d accessibility violation(s) (outside %v):\n  %s", b.Location(), len(vs), selectors, strings.Join(lines, "\n  "))
}
