package cam_test

import (
	"testing"

	"glc/modules/scorm/cam"
)

func TestTimespans(t *testing.T) {
	cases12 := []struct {
		in string
		cs int64
		ok bool
	}{
		{"00:00:00", 0, true}, {"0000:01:30.5", 9050, true}, {"01:02:03.04", 372304, true},
		{"9999:59:59.99", 9999*360000 + 59*6000 + 5999, true}, {"1:00:00", 0, false}, {"00:61:00", 0, false}, {"PT1S", 0, false}, {"", 0, false},
	}
	for _, c := range cases12 {
		cs, err := cam.ParseTimespan12(c.in)
		if (err == nil) != c.ok || (c.ok && cs != c.cs) {
			t.Errorf("1.2 %q = %d, %v", c.in, cs, err)
		}
	}
	cases2004 := []struct {
		in string
		cs int64
		ok bool
	}{
		{"PT0S", 0, true}, {"PT1M30.5S", 9050, true}, {"PT1H", 360000, true}, {"P1DT1S", 8640100, true},
		{"P1Y", 365 * 8640000, true}, {"PT0.01S", 1, true}, {"P", 0, false}, {"PT", 0, false}, {"1H", 0, false}, {"PT-1S", 0, false},
	}
	for _, c := range cases2004 {
		cs, err := cam.ParseDuration2004(c.in)
		if (err == nil) != c.ok || (c.ok && cs != c.cs) {
			t.Errorf("2004 %q = %d, %v", c.in, cs, err)
		}
	}
	// Sums of session times format back in each notation.
	a, _ := cam.ParseTimespan12("00:59:59.99")
	b, _ := cam.ParseTimespan12("00:00:00.02")
	if got := cam.FormatTimespan12(a + b); got != "0001:00:00.01" {
		t.Errorf("1.2 sum %s", got)
	}
	c, _ := cam.ParseDuration2004("PT59M59.9S")
	d, _ := cam.ParseDuration2004("PT0.2S")
	if got := cam.FormatDuration2004(c + d); got != "PT1H0.1S" {
		t.Errorf("2004 sum %s", got)
	}
	if got := cam.FormatDuration2004(0); got != "PT0S" {
		t.Errorf("zero %s", got)
	}
}

func TestPrerequisites(t *testing.T) {
	st := map[string]string{"a": "completed", "b": "passed", "c": "failed", "d": "incomplete"}
	status := func(id string) string {
		if v, ok := st[id]; ok {
			return v
		}
		return "not attempted"
	}
	cases := []struct {
		expr string
		want bool
	}{
		{"a", true}, {"c", false}, {"a & b", true}, {"a & c", false}, {"c | b", true}, {"~c", true}, {"~(a | c)", false},
		{`c = "failed"`, true}, {`c = f`, true}, {`d <> "completed"`, true}, {`a <> "completed"`, false},
		{"{a,b}", true}, {"{a,b,c}", false}, {"2*{a,b,c}", true}, {"3*{a,b,c}", false}, {"x", false},
		{"", true}, {"a &", true}, {"((a)", true}, {"a & (b | c) & ~d", true},
	}
	for _, c := range cases {
		if got := cam.EvalPrerequisites(c.expr, status); got != c.want {
			t.Errorf("%q = %v, want %v", c.expr, got, c.want)
		}
	}
}
