// Package scormtest builds SCORM packages for tests: the SCORM module's own tests and the
// browser tests that drive the real binary (internal/e2e) share them.
package scormtest

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Fixture reads a manifest kept in modules/scorm/cam/testdata (shared with the parser's own
// tests).
func Fixture(name string) string {
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "cam", "testdata", name))
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Entry is one entry of a generated package.
type Entry struct {
	Name   string
	Body   string
	Mode   fs.FileMode // 0: a regular file
	Method uint16      // zip.Store or zip.Deflate (default)
}

// BuildZip makes a zip in memory.
func BuildZip(t testing.TB, entries ...Entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
		if e.Method == zip.Store {
			h.Method = zip.Store
		}
		if e.Mode != 0 {
			h.SetMode(e.Mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.Body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// SCOPage is a page that does not talk to the runtime (an asset).
const SCOPage = `<!doctype html><html><head><meta charset="utf-8"><title>SCO</title></head><body><p>SCO</p></body></html>`

// SCOWith is a SCO page that runs the test SCO script at src.
func SCOWith(src string) string {
	return `<!doctype html><html><head><meta charset="utf-8"><title>SCO</title></head><body><h1>SCO</h1><p id="where"></p><script src="` + src + `"></script></body></html>`
}

// SCOScript is a small SCO for both SCORM versions. It finds the API the way the ADL sample
// does (walking up the parents), initializes, reports itself in data attributes, and offers
// finishSCO(status, success, score, nav) to the test. With ?auto=1 it also probes what the
// runtime's sequencer says about navigation (SCORM 2004) and what it can reach outside its
// frame (the player page's DOM, the portal's API with the learner's cookies, named by ?main=)
// and finishes by itself, writing the probe into suspend_data.
const SCOScript = `(function () {
  var v2004 = false, api = null, w = window, n = 0;
  while (w && n < 10) {
    try { if (w.API_1484_11) { api = w.API_1484_11; v2004 = true; break; } if (w.API) { api = w.API; break; } } catch (e) { break; }
    if (w.parent === w) { break; }
    w = w.parent; n++;
  }
  var b = document.body;
  if (!api) { b.setAttribute("data-api", "missing"); return; }
  function get(k12, k04) { return v2004 ? api.GetValue(k04) : api.LMSGetValue(k12); }
  function set(k12, k04, v) { return v2004 ? api.SetValue(k04, v) : api.LMSSetValue(k12, v); }
  v2004 ? api.Initialize("") : api.LMSInitialize("");
  b.setAttribute("data-api", v2004 ? "2004" : "1.2");
  b.setAttribute("data-entry", get("cmi.core.entry", "cmi.entry"));
  b.setAttribute("data-location", get("cmi.core.lesson_location", "cmi.location"));
  document.getElementById("where").textContent = location.pathname + location.search + location.hash;
  window.finishSCO = function (status, success, score, nav) {
    if (score) { set("cmi.core.score.raw", "cmi.score.raw", score); if (v2004) { set("", "cmi.score.scaled", String(score / 100)); } }
    if (v2004) { set("", "cmi.completion_status", status); if (success) { set("", "cmi.success_status", success); } if (nav) { set("", "adl.nav.request", nav); } }
    else { set("cmi.core.lesson_status", "", success || status); }
    set("cmi.core.session_time", "cmi.session_time", v2004 ? "PT5S" : "00:00:05");
    set("cmi.core.lesson_location", "cmi.location", "end");
    v2004 ? api.Terminate("") : api.LMSFinish("");
    b.setAttribute("data-finished", "yes");
  };
  var q = new URLSearchParams(location.search);
  if (q.get("auto") === "1") {
    var probe = [];
    if (v2004) { probe.push("prev=" + api.GetValue("adl.nav.request_valid.previous"), "cont=" + api.GetValue("adl.nav.request_valid.continue")); }
    try { probe.push("top=" + (window.top.document.title ? "open" : "open")); } catch (e) { probe.push("top=blocked"); }
    fetch(q.get("main") + "/api/v1/me", { credentials: "include" }).then(function (r) {
      probe.push("api=" + r.status);
    }, function () { probe.push("api=blocked"); }).then(function () {
      set("cmi.suspend_data", "cmi.suspend_data", probe.join(";"));
      b.setAttribute("data-probe", probe.join(";"));
      window.finishSCO("completed", "passed", "90", "continue");
    });
  }
})();`

// Manifest12Multi is a SCORM 1.2 manifest with three SCOs and an asset, nested under a folder
// item, with prerequisites, a mastery score, launch parameters and xml:base.
func Manifest12Multi() string { return Fixture("multi12.xml") }

// Package12Multi is the package of Manifest12Multi: its SCOs run SCOScript.
func Package12Multi(t testing.TB) []byte {
	return BuildZip(t,
		Entry{Name: "imsmanifest.xml", Body: Manifest12Multi()},
		Entry{Name: "content/"},
		Entry{Name: "content/intro/index.html", Body: SCOWith("../sco.js")},
		Entry{Name: "content/docs/page.html", Body: SCOWith("../sco.js")},
		Entry{Name: "content/quiz/quiz.html", Body: SCOWith("../sco.js")},
		Entry{Name: "content/glossary.html", Body: SCOPage},
		Entry{Name: "content/style.css", Body: "body{color:#111}"},
		Entry{Name: "content/app.js", Body: "var x = 1;"},
		Entry{Name: "content/sco.js", Body: SCOScript},
	)
}

// Manifest2004 is a SCORM 2004 4th edition manifest with sequencing: flow without choice at
// the root, a sequencing collection referenced by IDRef, rules, rollup, objectives, limits,
// delivery controls and a completion threshold.
func Manifest2004() string { return Fixture("seq2004.xml") }

// Package2004 is the package of Manifest2004.
func Package2004(t testing.TB) []byte { return Package2004With(t, Manifest2004()) }

// Package2004With is a two-SCO package (one.html, two.html running SCOScript) with manifest.
func Package2004With(t testing.TB, manifest string) []byte {
	return BuildZip(t,
		Entry{Name: "imsmanifest.xml", Body: manifest},
		Entry{Name: "one.html", Body: SCOWith("sco.js")},
		Entry{Name: "two.html", Body: SCOWith("sco.js")},
		Entry{Name: "sco.js", Body: SCOScript},
	)
}

// Auto2004 is the sequencing package whose first SCO probes its surroundings and finishes by
// itself (a test cannot script a frame on another origin); main is the portal's origin.
func Auto2004(t testing.TB, main string) []byte {
	params := "?auto=1&amp;main=" + main
	m := strings.Replace(Manifest2004(), `<item identifier="lesson1" identifierref="r1">`, `<item identifier="lesson1" identifierref="r1" parameters="`+params+`">`, 1)
	return Package2004With(t, m)
}
