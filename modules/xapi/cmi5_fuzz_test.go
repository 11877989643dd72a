package xapi

import (
	"encoding/json"
	"strings"
	"testing"

	"glc/modules/scorm"
)

// FuzzCMI5Structure feeds arbitrary documents to the course structure parser: it must never
// panic, refuse with a 422 refusal only, and whatever it accepts must have AUs with a checked
// URL and survive the JSON round trip the course row makes.
func FuzzCMI5Structure(f *testing.F) {
	ns := `xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"`
	t := `<title><langstring lang="en">T</langstring></title><description><langstring>D</langstring></description>`
	seeds := []string{
		`<courseStructure ` + ns + `><course id="http://c.example/c">` + t + `</course><au id="http://c.example/a" moveOn="Passed" masteryScore="0.5">` + t + `<url>index.html?x=1#f</url></au></courseStructure>`,
		`<courseStructure ` + ns + `><course id="http://c.example/c">` + t + `</course><objectives><objective id="http://c.example/o">` + t + `</objective></objectives><block id="http://c.example/b">` + t + `<objectives><objective idref="http://c.example/o"/></objectives><block id="http://c.example/b2">` + t + `<au id="http://c.example/a">` + t + `<url>https://x.example/a</url><launchParameters>p</launchParameters><entitlementKey>k</entitlementKey></au></block></block></courseStructure>`,
		`<courseStructure/>`, `<?xml version="1.0"?><x/>`, `<courseStructure ` + ns + `><course>`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	has := func(name string) bool { return name == "index.html" }
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, h := range []func(string) bool{has, nil} {
			st, err := ParseStructure(data, h)
			if err != nil {
				if !scorm.IsRefusal(err) {
					t.Fatalf("not a refusal: %v", err)
				}
				continue
			}
			if len(st.AUs()) == 0 {
				t.Fatal("a structure without AUs was accepted")
			}
			for _, au := range st.AUs() {
				if au.URL == "" || strings.ContainsAny(au.URL, " \t\n") || (h == nil && !au.Remote) {
					t.Fatalf("AU URL %q accepted", au.URL)
				}
			}
			st.assignIDs("http://glc.example/cmi5/courses/x")
			raw, err := json.Marshal(st)
			if err != nil {
				t.Fatal(err)
			}
			var back Structure
			if err := json.Unmarshal(raw, &back); err != nil {
				t.Fatal(err)
			}
			back.index()
			if len(back.AUs()) != len(st.AUs()) || len(back.Blocks()) != len(st.Blocks()) {
				t.Fatal("the structure changed in its JSON round trip")
			}
		}
	})
}
