package cam_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"glc/modules/scorm/cam"
)

// FuzzManifest feeds arbitrary bytes to the manifest parser. It must never panic, and what it
// accepts must be consistent: every launchable item has a clean relative launch path that the
// package holds, and the result survives a JSON round trip (it is stored as JSON).
// Run: go test ./modules/scorm/cam -run '^$' -fuzz FuzzManifest -fuzztime 60s
func FuzzManifest(f *testing.F) {
	for _, name := range []string{"multi12.xml", "seq2004.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, seed := range []string{
		`<manifest xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"><organizations><organization identifier="o"><item identifier="i" identifierref="r"/></organization></organizations><resources><resource identifier="r" href="a.html"/></resources></manifest>`,
		`<manifest><organizations>`, ``, `<?xml version="1.0" encoding="ISO-8859-1"?><manifest/>`} {
		f.Add([]byte(seed))
	}
	has := func(name string) bool {
		return name == "a.html" || strings.HasPrefix(name, "content/") || strings.HasSuffix(name, ".html")
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := cam.ParseManifest(data, has)
		if err != nil {
			if !cam.IsRefusal(err) {
				t.Fatalf("a parse error that is not a refusal: %v", err)
			}
			return
		}
		if m.Standard != cam.StandardSCORM12 && m.Standard != cam.StandardSCORM2004 {
			t.Fatalf("standard %q", m.Standard)
		}
		if len(m.Launchable()) == 0 {
			t.Fatal("accepted a manifest without a launchable item")
		}
		for _, it := range m.Launchable() {
			p := it.Href
			if i := strings.IndexAny(p, "?#"); i >= 0 {
				p = p[:i]
			}
			if p == "" || strings.HasPrefix(p, "/") || strings.Contains("/"+p+"/", "/../") || strings.Contains(p, "://") {
				t.Fatalf("unsafe launch path %q", it.Href)
			}
		}
		raw, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		var back cam.Manifest
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatalf("unmarshal: %v", err)
		}
		raw2, _ := json.Marshal(&back)
		if !bytes.Equal(raw, raw2) {
			t.Fatalf("JSON round trip differs")
		}
		cam.EvalPrerequisites(m.Launchable()[0].Prerequisites, func(string) string { return "completed" })
	})
}
