package scorm_test

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"testing"
	"time"
)

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
// finishSCO(status, success, score, nav) to the test. With ?auto=1 it also probes what it can
// reach outside its frame (the player page's DOM, the portal's API with the learner's cookies,
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
const manifest12Multi = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="multi12" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org1">
    <organization identifier="org1">
      <title>Border checks, the basics</title>
      <item identifier="module1">
        <title>Module 1</title>
        <item identifier="sco1" identifierref="res1" parameters="?start=intro&amp;lang=en">
          <title>Introduction</title>
          <adlcp:maxtimeallowed>00:30:00</adlcp:maxtimeallowed>
          <adlcp:timelimitaction>continue,message</adlcp:timelimitaction>
          <adlcp:datafromlms>level=1</adlcp:datafromlms>
        </item>
        <item identifier="sco2" identifierref="res2">
          <title>Documents</title>
          <adlcp:prerequisites type="aicc_script">sco1</adlcp:prerequisites>
        </item>
      </item>
      <item identifier="sco3" identifierref="res3">
        <title>Final quiz</title>
        <adlcp:prerequisites type="aicc_script">sco1 &amp; sco2</adlcp:prerequisites>
        <adlcp:masteryscore>80</adlcp:masteryscore>
      </item>
      <item identifier="glossary" identifierref="res4" isvisible="false">
        <title>Glossary</title>
      </item>
    </organization>
  </organizations>
  <resources xml:base="content/">
    <resource identifier="res1" type="webcontent" adlcp:scormtype="sco" href="intro/index.html"><file href="intro/index.html"/></resource>
    <resource identifier="res2" type="webcontent" adlcp:scormtype="sco" xml:base="docs/" href="page.html?v=2"><file href="docs/page.html"/></resource>
    <resource identifier="res3" type="webcontent" adlcp:scormtype="sco" href="quiz/quiz.html"><file href="quiz/quiz.html"/></resource>
    <resource identifier="res4" type="webcontent" adlcp:scormtype="asset" href="glossary.html"><file href="glossary.html"/></resource>
  </resources>
</manifest>`

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
const manifest2004 = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="seq2004" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
  xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org" adlseq:objectivesGlobalToSystem="false">
      <title>Maritime security</title>
      <item identifier="lesson1" identifierref="r1">
        <title>Lesson 1</title>
        <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.75" progressWeight="1"/>
        <imsss:sequencing IDRef="tracked">
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="lesson1_passed" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure>
              <imsss:mapInfo targetObjectiveID="g_lesson1" readSatisfiedStatus="true" writeSatisfiedStatus="true"/>
            </imsss:primaryObjective>
          </imsss:objectives>
        </imsss:sequencing>
        <adlnav:presentation><adlnav:navigationInterface><adlnav:hideLMSUI>previous</adlnav:hideLMSUI></adlnav:navigationInterface></adlnav:presentation>
      </item>
      <item identifier="lesson2" identifierref="r2" parameters="#part2">
        <title>Lesson 2</title>
        <imsss:sequencing IDRef="tracked">
          <imsss:sequencingRules>
            <imsss:preConditionRule>
              <imsss:ruleConditions conditionCombination="any">
                <imsss:ruleCondition referencedObjective="prev" operator="not" condition="satisfied"/>
              </imsss:ruleConditions>
              <imsss:ruleAction action="disabled"/>
            </imsss:preConditionRule>
            <imsss:postConditionRule>
              <imsss:ruleConditions><imsss:ruleCondition condition="objectiveMeasureGreaterThan" measureThreshold="0.5"/></imsss:ruleConditions>
              <imsss:ruleAction action="exitAll"/>
            </imsss:postConditionRule>
          </imsss:sequencingRules>
          <imsss:limitConditions attemptLimit="2" attemptAbsoluteDurationLimit="PT1H"/>
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="lesson2_passed"/>
            <imsss:objective objectiveID="prev"><imsss:mapInfo targetObjectiveID="g_lesson1" readSatisfiedStatus="true"/></imsss:objective>
          </imsss:objectives>
        </imsss:sequencing>
      </item>
      <imsss:sequencing>
        <imsss:controlMode choice="false" flow="true" forwardOnly="false"/>
        <imsss:rollupRules rollupObjectiveSatisfied="true" objectiveMeasureWeight="0.5">
          <imsss:rollupRule childActivitySet="all">
            <imsss:rollupConditions><imsss:rollupCondition condition="satisfied"/></imsss:rollupConditions>
            <imsss:rollupAction action="satisfied"/>
          </imsss:rollupRule>
          <imsss:rollupRule childActivitySet="atLeastCount" minimumCount="1">
            <imsss:rollupConditions conditionCombination="any"><imsss:rollupCondition operator="not" condition="attempted"/></imsss:rollupConditions>
            <imsss:rollupAction action="incomplete"/>
          </imsss:rollupRule>
        </imsss:rollupRules>
      </imsss:sequencing>
    </organization>
  </organizations>
  <resources>
    <resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="one.html"><file href="one.html"/></resource>
    <resource identifier="r2" type="webcontent" adlcp:scormType="sco" href="two.html"><file href="two.html"/></resource>
  </resources>
  <imsss:sequencingCollection>
    <imsss:sequencing ID="tracked">
      <imsss:deliveryControls tracked="true" completionSetByContent="true" objectiveSetByContent="true"/>
      <imsss:controlMode choiceExit="false"/>
    </imsss:sequencing>
  </imsss:sequencingCollection>
</manifest>`

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
