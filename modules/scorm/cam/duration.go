package cam

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Times are kept in centiseconds (the precision both SCORM versions report).

var (
	// SCORM 1.2 CMITimespan: HHHH:MM:SS.SS (hours 2 to 4 digits, optional 1-2 decimals).
	re12 = regexp.MustCompile(`^(\d{2,4}):([0-5]?\d):([0-5]?\d)(?:\.(\d{1,2}))?$`)
	// SCORM 2004 timeinterval (ISO 8601 duration): P[nY][nM][nD][T[nH][nM][n[.n]S]].
	re2004 = regexp.MustCompile(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)
)

// ParseTimespan12 parses a SCORM 1.2 CMITimespan into centiseconds.
func ParseTimespan12(s string) (int64, error) {
	m := re12.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("%q is not a SCORM 1.2 time span (HHHH:MM:SS.SS)", s)
	}
	h, _ := strconv.ParseInt(m[1], 10, 64)
	mi, _ := strconv.ParseInt(m[2], 10, 64)
	sec, _ := strconv.ParseInt(m[3], 10, 64)
	var cs int64
	if m[4] != "" {
		frac := m[4]
		if len(frac) == 1 {
			frac += "0"
		}
		cs, _ = strconv.ParseInt(frac, 10, 64)
	}
	return ((h*60+mi)*60+sec)*100 + cs, nil
}

// FormatTimespan12 formats centiseconds as HHHH:MM:SS.SS.
func FormatTimespan12(cs int64) string {
	if cs < 0 {
		cs = 0
	}
	h := cs / 360000
	if h > 9999 {
		h, cs = 9999, 9999*360000+359999
	}
	m := cs / 6000 % 60
	sec := cs / 100 % 60
	return fmt.Sprintf("%04d:%02d:%02d.%02d", h, m, sec, cs%100)
}

// ParseDuration2004 parses a SCORM 2004 timeinterval (ISO 8601 duration) into centiseconds.
// Years and months count as 365 and 30 days, as conformance test suites do.
func ParseDuration2004(s string) (int64, error) {
	s = strings.TrimSpace(s)
	m := re2004.FindStringSubmatch(s)
	if m == nil || s == "P" || strings.HasSuffix(s, "T") {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration", s)
	}
	n := func(i int) int64 {
		v, _ := strconv.ParseInt(m[i], 10, 64)
		return v
	}
	days := n(1)*365 + n(2)*30 + n(3)
	cs := ((days*24+n(4))*60 + n(5)) * 60 * 100
	if m[6] != "" {
		f, err := strconv.ParseFloat(m[6], 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not an ISO 8601 duration", s)
		}
		cs += int64(f*100 + 0.5)
	}
	if cs < 0 {
		return 0, fmt.Errorf("%q is too long", s)
	}
	return cs, nil
}

// FormatDuration2004 formats centiseconds as an ISO 8601 duration (PT#H#M#.##S).
func FormatDuration2004(cs int64) string {
	if cs <= 0 {
		return "PT0S"
	}
	h := cs / 360000
	m := cs / 6000 % 60
	sec := cs % 6000
	var b strings.Builder
	b.WriteString("PT")
	if h > 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if sec > 0 || (h == 0 && m == 0) {
		switch {
		case sec%100 == 0:
			fmt.Fprintf(&b, "%dS", sec/100)
		case sec%10 == 0:
			fmt.Fprintf(&b, "%d.%dS", sec/100, sec%100/10)
		default:
			fmt.Fprintf(&b, "%d.%02dS", sec/100, sec%100)
		}
	}
	return b.String()
}

// ParseSessionTime parses a session time in the notation of the package's standard.
func ParseSessionTime(standard, s string) (int64, error) {
	if standard == StandardSCORM12 {
		return ParseTimespan12(s)
	}
	return ParseDuration2004(s)
}

// FormatTotalTime formats a total time in the notation of the package's standard.
func FormatTotalTime(standard string, cs int64) string {
	if standard == StandardSCORM12 {
		return FormatTimespan12(cs)
	}
	return FormatDuration2004(cs)
}
