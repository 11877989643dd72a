package scorm_test

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fixture reads a manifest kept in cam/testdata (shared with the parser's own tests).
func fixture(name string) string {
	b, err := os.ReadFile(filepath.Join("cam", "testdata", name))
	if err != nil {
		panic(err)
	}
	return string(b)
}

// zipEntry is one entry of a generated package.
type zipEntry struct {
	Name   string
	Body   string
	Mode   fs.FileMode // 0: a regular file
	Method uint16      // zip.Store or zip.Deflate (default)
}

// buildZip makes a zip in memory.
func buildZip(t testing.TB, entries ...zipEntry) []byte {
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

const scoPage = `<!doctype html><html><head><meta charset="utf-8"><title>SCO</title></head><body><p>SCO</p></body></html>`

// scoWith is a SCO page that runs the test SCO script at src.
func scoWith(src string) string {
	return `<!doctype html><html><head><meta charset="utf-8"><title>SCO</title></head><body><h1>SCO</h1><p id="where"></p><script src="` + src + `"></script></body></html>`
}

// scoScript is a small SCO for both SCORM versions. It finds the API the way the ADL sample
// does (walking up the parents), initializes, reports itself in data attributes, and offers
// finishSCO(status, success, score, nav) to the test. With ?auto=1 it also probes what the
// runtime's sequencer says about navigation (SCORM 2004) and what it can reach outside its frame (the player page's DOM, the portal's API with the learner's cookies,
// named by ?main=) and finishes by itself, writing the probe into suspend_data.
const scoScript = `(function () {
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

// manifest12Multi is a SCORM 1.2 package with three SCOs and an asset, nested under a folder
// item, with prerequisites, a mastery score, launch parameters and xml:base.
var manifest12Multi = fixture("multi12.xml")

func package12Multi(t testing.TB) []byte {
	return buildZip(t,
		zipEntry{Name: "imsmanifest.xml", Body: manifest12Multi},
		zipEntry{Name: "content/"},
		zipEntry{Name: "content/intro/index.html", Body: scoWith("../sco.js")},
		zipEntry{Name: "content/docs/page.html", Body: scoWith("../sco.js")},
		zipEntry{Name: "content/quiz/quiz.html", Body: scoWith("../sco.js")},
		zipEntry{Name: "content/glossary.html", Body: scoPage},
		zipEntry{Name: "content/style.css", Body: "body{color:#111}"},
		zipEntry{Name: "content/app.js", Body: "var x = 1;"},
		zipEntry{Name: "content/sco.js", Body: scoScript},
	)
}

// manifest2004 is a SCORM 2004 4th edition package with sequencing: flow without choice at the
// root, a sequencing collection referenced by IDRef, rules, rollup, objectives, limits,
// delivery controls and a completion threshold.
var manifest2004 = fixture("seq2004.xml")

func package2004(t testing.TB) []byte {
	return package2004With(t, manifest2004)
}

func package2004With(t testing.TB, manifest string) []byte {
	return buildZip(t,
		zipEntry{Name: "imsmanifest.xml", Body: manifest},
		zipEntry{Name: "one.html", Body: scoWith("sco.js")},
		zipEntry{Name: "two.html", Body: scoWith("sco.js")},
		zipEntry{Name: "sco.js", Body: scoScript},
	)
}
