package cam_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"glc/modules/scorm/cam"
)

// fixture reads a manifest from testdata.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// parse parses a manifest whose package holds files.
func parse(t *testing.T, data []byte, files ...string) *cam.Manifest {
	t.Helper()
	m, err := cam.ParseManifest(data, func(n string) bool { return slices.Contains(files, n) })
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return m
}

func TestManifest12MultiSCO(t *testing.T) {
	m := parse(t, fixture(t, "multi12.xml"), "content/intro/index.html", "content/docs/page.html", "content/quiz/quiz.html", "content/glossary.html")
	if m.Standard != cam.StandardSCORM12 || m.Edition != "" || m.Title != "Border checks, the basics" {
		t.Fatalf("version/title: %+v", m)
	}
	if len(m.Items) != 3 || m.Items[0].Identifier != "module1" || m.Items[0].Launchable || len(m.Items[0].Children) != 2 {
		t.Fatalf("nested items: %+v", m.Items)
	}
	sco1 := m.Find("sco1")
	if sco1.Href != "content/intro/index.html?start=intro&lang=en" || sco1.ScormType != "sco" || !sco1.Launchable {
		t.Errorf("sco1 launch with parameters and xml:base: %+v", sco1)
	}
	if sco1.MaxTimeAllowed != "00:30:00" || sco1.TimeLimitAction != "continue,message" || sco1.DataFromLMS != "level=1" {
		t.Errorf("sco1 limits: %+v", sco1)
	}
	if sco2 := m.Find("sco2"); sco2.Href != "content/docs/page.html?v=2" || sco2.Prerequisites != "sco1" {
		t.Errorf("sco2: %+v", sco2)
	}
	sco3 := m.Find("sco3")
	if sco3.MasteryScore == nil || *sco3.MasteryScore != 80 || sco3.Prerequisites != "sco1 & sco2" {
		t.Errorf("sco3: %+v", sco3)
	}
	if g := m.Find("glossary"); !g.Hidden || g.ScormType != "asset" {
		t.Errorf("glossary: %+v", g)
	}
	if n := len(m.Launchable()); n != 4 {
		t.Errorf("launchable = %d", n)
	}
}

func TestManifest2004Sequencing(t *testing.T) {
	m := parse(t, fixture(t, "seq2004.xml"), "one.html", "two.html")
	if m.Standard != cam.StandardSCORM2004 || m.Edition != "4th" {
		t.Fatalf("version: %s %s", m.Standard, m.Edition)
	}
	if m.ObjectivesGlobalToSystem == nil || *m.ObjectivesGlobalToSystem {
		t.Error("objectivesGlobalToSystem not read")
	}
	root := m.Sequencing
	if root == nil || root.SequencingControls == nil || *root.SequencingControls.Choice || !*root.SequencingControls.Flow {
		t.Fatalf("root control mode: %+v", root)
	}
	if ctl := root.SequencingControls; ctl.ObjectiveMeasureWeight == nil || *ctl.ObjectiveMeasureWeight != 0.5 || !*ctl.RollupObjectiveSatisfied {
		t.Errorf("rollup controls: %+v", ctl)
	}
	if r := root.RollupRules; r == nil || len(r.Rules) != 2 || r.Rules[1].Consideration != "atLeastCount" || *r.Rules[1].MinimumCount != 1 ||
		r.Rules[1].Conditions[0].Operator != "not" || r.Rules[1].Action != "incomplete" {
		t.Errorf("rollup rules: %+v", r)
	}
	l1 := m.Find("lesson1")
	if l1.CompletionThreshold == nil || !l1.CompletionThreshold.CompletedByMeasure || l1.CompletionThreshold.MinProgressMeasure != 0.75 {
		t.Errorf("completion threshold: %+v", l1.CompletionThreshold)
	}
	s1 := l1.Sequencing
	// From the collection (IDRef) and the item's own objectives.
	if s1.DeliveryControls == nil || !*s1.DeliveryControls.CompletionSetByContent || s1.SequencingControls == nil || *s1.SequencingControls.ChoiceExit {
		t.Errorf("IDRef not merged: %+v", s1)
	}
	po := s1.PrimaryObjective
	if po == nil || po.ObjectiveID != "lesson1_passed" || !po.SatisfiedByMeasure || *po.MinNormalizedMeasure != 0.6 ||
		po.MapInfo[0]["targetObjectiveID"] != "g_lesson1" || po.MapInfo[0]["writeSatisfiedStatus"] != true {
		t.Errorf("primary objective: %+v", po)
	}
	if len(l1.HideLMSUI) != 1 || l1.HideLMSUI[0] != "previous" {
		t.Errorf("hideLMSUI: %v", l1.HideLMSUI)
	}
	l2 := m.Find("lesson2")
	if l2.Href != "two.html#part2" {
		t.Errorf("fragment parameter: %s", l2.Href)
	}
	s2 := l2.Sequencing
	if s2.AttemptLimit == nil || *s2.AttemptLimit != 2 || s2.AttemptAbsoluteDurationLimit != "PT1H" {
		t.Errorf("limit conditions: %+v", s2)
	}
	pre := s2.SequencingRules.PreConditionRules
	if len(pre) != 1 || pre[0].Action != "disabled" || pre[0].ConditionCombination != "any" || pre[0].Conditions[0].ReferencedObjective != "prev" || pre[0].Conditions[0].Operator != "not" {
		t.Errorf("precondition: %+v", pre)
	}
	post := s2.SequencingRules.PostConditionRules
	if len(post) != 1 || post[0].Action != "exitAll" || post[0].Conditions[0].Parameters["threshold"] != 0.5 {
		t.Errorf("postcondition: %+v", post)
	}
	if len(s2.Objectives) != 1 || s2.Objectives[0].ObjectiveID != "prev" {
		t.Errorf("objectives: %+v", s2.Objectives)
	}
}

func TestManifestEditions(t *testing.T) {
	cases := []struct {
		name, head, standard, edition string
	}{
		{"1.2 by schemaversion", `xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"><metadata><schemaversion>1.2</schemaversion></metadata>`, "scorm12", ""},
		{"1.2 by namespace", `xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">`, "scorm12", ""},
		{"2004 2nd", `xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><metadata><schemaversion>CAM 1.3</schemaversion></metadata>`, "scorm2004", "2nd"},
		{"2004 3rd", `xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><metadata><schemaversion>2004 3rd Edition</schemaversion></metadata>`, "scorm2004", "3rd"},
		{"2004 4th", `xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><metadata><schemaversion>2004 4th Edition</schemaversion></metadata>`, "scorm2004", "4th"},
		{"2004 by namespaces", `xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">`, "scorm2004", "3rd"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := `<?xml version="1.0"?><manifest identifier="m" ` + c.head +
				`<organizations default="o"><organization identifier="o"><title>T</title><item identifier="i" identifierref="r"><title>I</title></item></organization></organizations>` +
				`<resources><resource identifier="r" type="webcontent" href="a.html"/></resources></manifest>`
			m, err := cam.ParseManifest([]byte(x), func(n string) bool { return n == "a.html" })
			if err != nil {
				t.Fatal(err)
			}
			if m.Standard != c.standard || m.Edition != c.edition {
				t.Errorf("got %s %q, want %s %q", m.Standard, m.Edition, c.standard, c.edition)
			}
		})
	}
}

func TestManifestRefusals(t *testing.T) {
	org := `<organizations default="o"><organization identifier="o"><title>T</title><item identifier="i" identifierref="r"><title>I</title></item></organization></organizations>`
	head := `<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"><metadata><schemaversion>1.2</schemaversion></metadata>`
	cases := []struct{ name, xml, why string }{
		{"malformed", `<manifest><organizations>`, "not well-formed XML"},
		{"not a manifest", `<html></html>`, "<manifest>"},
		{"unknown version", `<manifest identifier="m"><organizations/><resources/></manifest>`, "neither SCORM 1.2 nor SCORM 2004"},
		{"launch file missing", head + org + `<resources><resource identifier="r" href="missing.html"/></resources></manifest>`, "launch file missing.html of item \"i\" is not in the package"},
		{"launch escapes", head + org + `<resources><resource identifier="r" href="../a.html"/></resources></manifest>`, "is not in the package"},
		{"absolute launch URL", head + org + `<resources><resource identifier="r" href="http://example.org/a.html"/></resources></manifest>`, "is not in the package"},
		{"missing resource", head + org + `<resources/></manifest>`, "does not define"},
		{"duplicate item", head + `<organizations><organization identifier="o"><item identifier="i" identifierref="r"/><item identifier="i" identifierref="r"/></organization></organizations><resources><resource identifier="r" href="a.html"/></resources></manifest>`, "used twice"},
		{"bad mastery", head + `<organizations><organization identifier="o"><item identifier="i" identifierref="r" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"><adlcp:masteryscore>high</adlcp:masteryscore></item></organization></organizations><resources><resource identifier="r" href="a.html"/></resources></manifest>`, "mastery score"},
		{"nothing launchable", head + `<organizations><organization identifier="o"><item identifier="i"/></organization></organizations><resources/></manifest>`, "no launchable item"},
		{"unknown IDRef", `<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:imsss="http://www.imsglobal.org/xsd/imsss"><organizations><organization identifier="o"><item identifier="i" identifierref="r"><imsss:sequencing IDRef="nope"/></item></organization></organizations><resources><resource identifier="r" href="a.html"/></resources></manifest>`, "sequencingCollection does not define"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := cam.ParseManifest([]byte(c.xml), func(n string) bool { return n == "a.html" })
			if err == nil {
				t.Fatal("accepted")
			}
			if !cam.IsRefusal(err) || !strings.Contains(err.Error(), c.why) {
				t.Fatalf("error %q does not say %q", err, c.why)
			}
		})
	}
}

func TestManifestEncodings(t *testing.T) {
	// A Latin-1 manifest with a BOM-less declaration, and a UTF-8 one with a BOM.
	latin := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><manifest identifier=\"m\" xmlns=\"http://www.imsproject.org/xsd/imscp_rootv1p1p2\"><organizations><organization identifier=\"o\"><title>S\xe9curit\xe9</title><item identifier=\"i\" identifierref=\"r\"/></organization></organizations><resources><resource identifier=\"r\" href=\"a.html\"/></resources></manifest>"
	m, err := cam.ParseManifest([]byte(latin), func(string) bool { return true })
	if err != nil || m.Title != "Sécurité" {
		t.Fatalf("latin-1: %v %+v", err, m)
	}
	bom := "\xef\xbb\xbf<manifest identifier=\"m\" xmlns=\"http://www.imsproject.org/xsd/imscp_rootv1p1p2\"><organizations><organization identifier=\"o\"><title>T</title><item identifier=\"i\" identifierref=\"r\"/></organization></organizations><resources><resource identifier=\"r\" href=\"my%20page.html\"/></resources></manifest>"
	m, err = cam.ParseManifest([]byte(bom), func(n string) bool { return n == "my page.html" })
	if err != nil || m.Find("i").Href != "my%20page.html" {
		t.Fatalf("bom / percent-encoded href: %v", err)
	}
}

func TestApplyParametersTable(t *testing.T) {
	cases := []struct{ href, params, want string }{
		{"a.html", "?x=1", "a.html?x=1"},
		{"a.html", "&x=1", "a.html?x=1"},
		{"a.html?y=2", "x=1", "a.html?y=2&x=1"},
		{"a.html", "#frag", "a.html#frag"},
		{"a.html#f", "#frag", "a.html#f"},
		{"a.html#f", "x=1", "a.html?x=1#f"},
	}
	for _, c := range cases {
		x := `<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"><organizations><organization identifier="o"><item identifier="i" identifierref="r" parameters="` +
			strings.ReplaceAll(c.params, "&", "&amp;") + `"/></organization></organizations><resources><resource identifier="r" href="` + c.href + `"/></resources></manifest>`
		m, err := cam.ParseManifest([]byte(x), func(n string) bool { return n == "a.html" })
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if got := m.Find("i").Href; got != c.want {
			t.Errorf("%s + %s = %s, want %s", c.href, c.params, got, c.want)
		}
	}
}
