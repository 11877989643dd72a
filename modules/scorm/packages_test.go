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
		zipEntry{Name: "content/intro/index.html", Body: scoPage},
		zipEntry{Name: "content/docs/page.html", Body: scoPage},
		zipEntry{Name: "content/quiz/quiz.html", Body: scoPage},
		zipEntry{Name: "content/glossary.html", Body: scoPage},
		zipEntry{Name: "content/style.css", Body: "body{color:#111}"},
		zipEntry{Name: "content/app.js", Body: "var x = 1;"},
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
	return buildZip(t,
		zipEntry{Name: "imsmanifest.xml", Body: manifest2004},
		zipEntry{Name: "one.html", Body: scoPage},
		zipEntry{Name: "two.html", Body: scoPage},
	)
}
