package progress

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Charts are drawn on the server as SVG (laid out left to right in the SVG's own coordinates,
// mirrored by the code for right-to-left pages): readable without JavaScript, with a <title> and a
// <desc> for screen readers, every bar labelled with its text and value. Colours meet WCAG AA
// contrast against white.
const (
	barColour   = "#0b3d91"
	barColour2  = "#0d6b34"
	axisColour  = "#4a5263"
	textColour  = "#1a1f2b"
	chartFont   = `font-family="system-ui, sans-serif"`
	chartWidth  = 720
	labelWidth  = 220
	valueWidth  = 70
	barHeight   = 18
	barGap      = 10
	chartMargin = 8
)

// Bar is one bar of a chart.
type Bar struct {
	Label   string
	Value   float64
	Display string // the value as shown (e.g. "42" or "87 %")
}

// Chart is a chart ready for a page.
type Chart struct {
	ID    string
	Title string
	Desc  string
	Bars  []Bar
	RTL   bool
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// HBar draws horizontal bars, one per row (by course, country, organisation).
func (c Chart) HBar() template.HTML {
	n := len(c.Bars)
	h := chartMargin*2 + n*(barHeight+barGap)
	maxV := 0.0
	for _, b := range c.Bars {
		maxV = math.Max(maxV, b.Value)
	}
	plot := float64(chartWidth - labelWidth - valueWidth - 2*chartMargin)
	var sb strings.Builder
	c.open(&sb, chartWidth, h)
	for i, b := range c.Bars {
		y := chartMargin + i*(barHeight+barGap)
		w := 0.0
		if maxV > 0 {
			w = plot * b.Value / maxV
		}
		label := truncate(b.Label, 34)
		if c.RTL {
			x0 := float64(chartWidth - chartMargin - labelWidth)
			fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end" fill="%s">%s</text>`, chartWidth-chartMargin, y+barHeight-4, textColour, esc(label))
			fmt.Fprintf(&sb, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`, x0-8-w, y, w, barHeight, barColour, esc(b.Label), esc(b.Display))
			fmt.Fprintf(&sb, `<text x="%.1f" y="%d" text-anchor="end" fill="%s">%s</text>`, x0-12-w, y+barHeight-4, textColour, esc(b.Display))
			continue
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" fill="%s">%s</text>`, chartMargin, y+barHeight-4, textColour, esc(label))
		x0 := chartMargin + labelWidth
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`, x0, y, w, barHeight, barColour, esc(b.Label), esc(b.Display))
		fmt.Fprintf(&sb, `<text x="%.1f" y="%d" fill="%s">%s</text>`, float64(x0)+w+4, y+barHeight-4, textColour, esc(b.Display))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// Columns draws vertical bars over time (by month), labels under each column.
func (c Chart) Columns() template.HTML {
	n := max(len(c.Bars), 1)
	h := 260
	base := h - 40
	top := 24
	maxV := 0.0
	for _, b := range c.Bars {
		maxV = math.Max(maxV, b.Value)
	}
	step := float64(chartWidth-2*chartMargin) / float64(n)
	bw := math.Min(step*0.7, 48)
	var sb strings.Builder
	c.open(&sb, chartWidth, h)
	fmt.Fprintf(&sb, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s"/>`, chartMargin, base, chartWidth-chartMargin, base, axisColour)
	for i, b := range c.Bars {
		slot := i
		if c.RTL {
			slot = n - 1 - i
		}
		cx := float64(chartMargin) + step*(float64(slot)+0.5)
		bh := 0.0
		if maxV > 0 {
			bh = float64(base-top) * b.Value / maxV
		}
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`, cx-bw/2, float64(base)-bh, bw, bh, barColour2, esc(b.Label), esc(b.Display))
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="%s">%s</text>`, cx, float64(base)-bh-4, textColour, esc(b.Display))
		fmt.Fprintf(&sb, `<text x="%.1f" y="%d" text-anchor="middle" fill="%s" font-size="11">%s</text>`, cx, base+16, axisColour, esc(b.Label))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

func (c Chart) open(sb *strings.Builder, w, h int) {
	fmt.Fprintf(sb, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="%s" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-title %s-desc" direction="ltr" %s font-size="13">`,
		esc(c.ID), w, h, w, h, esc(c.ID), esc(c.ID), chartFont)
	fmt.Fprintf(sb, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(c.ID), esc(c.Title), esc(c.ID), esc(c.Desc))
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// CountryName is a country's name in lang (the code when unknown).
func CountryName(code, lang string) string {
	reg, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.Regions(language.Make(lang)).Name(reg); n != "" {
		return n
	}
	return code
}

// MapEntry is one country's value on the map.
type MapEntry struct {
	Code  string
	Value int64
}

// mapShades are the choropleth classes, light to dark (the darkest pass AA for white text).
var mapShades = []string{"#dbe6f7", "#a9c2ea", "#6f95d6", "#2f64b8", "#0b3d91"}

// WorldMap draws learners by country on a world map: a choropleth of the countries in the
// world-atlas shapes (Natural Earth), each with a <title> naming the country and its number.
// Countries too small for the 1:110m shapes are still in the table beside the map.
func WorldMap(id, title, desc, lang string, entries []MapEntry) template.HTML {
	maxV := int64(0)
	val := map[string]int64{}
	for _, e := range entries {
		val[e.Code] = e.Value
		maxV = max(maxV, e.Value)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" class="chart map" id="%s" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc" direction="ltr">`,
		esc(id), worldWidth, worldHeight+40, esc(id), esc(id))
	fmt.Fprintf(&sb, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
	codes := make([]string, 0, len(worldPaths))
	for c := range worldPaths {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		fill := "#eef0f4"
		v, ok := val[c]
		if ok && v > 0 {
			fill = mapShades[shade(v, maxV)]
		}
		fmt.Fprintf(&sb, `<path d="%s" fill="%s" stroke="#ffffff" stroke-width="0.5"><title>%s: %d</title></path>`, worldPaths[c], fill, esc(CountryName(c, lang)), v)
	}
	// Legend: the classes and their lower bounds (classes that no whole number reaches are left
	// out when there are few learners).
	x, prev := 20, int64(0)
	for i, col := range mapShades {
		lo := max(int64(math.Ceil(float64(maxV)*float64(i)/float64(len(mapShades)))), 1)
		if lo == prev {
			continue
		}
		prev = lo
		x += 60
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="56" height="12" fill="%s"/><text x="%d" y="%d" font-size="12" fill="%s" %s>≥ %d</text>`,
			x-60, worldHeight+8, col, x-60, worldHeight+34, textColour, chartFont, lo)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

func shade(v, maxV int64) int {
	if maxV <= 0 {
		return 0
	}
	i := int(float64(v) / float64(maxV) * float64(len(mapShades)))
	return min(max(i, 0), len(mapShades)-1)
}
