package progress

import (
	"fmt"
	"image/color"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"github.com/go-fonts/dejavu/dejavuserif"
	"github.com/go-fonts/dejavu/dejavuserifbold"
	"github.com/go-fonts/dejavu/dejavuserifitalic"
	"github.com/skip2/go-qrcode"
	"github.com/tdewolff/canvas"
	"github.com/tdewolff/canvas/renderers/pdf"
	"github.com/tdewolff/canvas/text"
)

// CertificateDoc is everything printed on a certificate.
type CertificateDoc struct {
	Name        string // the learner's name, in its own script
	CourseTitle string
	Date        time.Time
	Hours       float64
	Code        string
	VerifyURL   string // the QR code's target: the verification page of this certificate
	VerifyPage  string // printed: the page where anyone can type the code
	Lang        string
	// Labels are the fixed texts in the certificate's language.
	Labels CertificateLabels
}

// CertificateLabels are the translated fixed texts of a certificate.
type CertificateLabels struct {
	Org, Title, Certifies, Completed, Date, Hours, Code, Verify string
	Months                                                      [12]string
}

// A4 landscape, in millimetres.
const (
	pageW = 297.0
	pageH = 210.0
)

var (
	navy  = color.RGBA{0x0b, 0x2a, 0x5c, 0xff}
	gold  = color.RGBA{0xa6, 0x7c, 0x1b, 0xff}
	ink   = color.RGBA{0x1a, 0x1f, 0x2b, 0xff}
	muted = color.RGBA{0x4a, 0x52, 0x63, 0xff}
	paper = color.RGBA{0xfd, 0xfb, 0xf5, 0xff}
)

// certFonts are loaded once from the go-fonts/dejavu module. DejaVu Serif has no Arabic
// glyphs, so text with Arabic script is set in DejaVu Sans, which has them.
type certFonts struct {
	serif, sans *canvas.FontFamily
}

var (
	fontsOnce sync.Once
	fonts     certFonts
	fontsErr  error
)

func loadFonts() (certFonts, error) {
	fontsOnce.Do(func() {
		serif := canvas.NewFontFamily("DejaVu Serif")
		sans := canvas.NewFontFamily("DejaVu Sans")
		for _, f := range []struct {
			fam   *canvas.FontFamily
			ttf   []byte
			style canvas.FontStyle
		}{
			{serif, dejavuserif.TTF, canvas.FontRegular},
			{serif, dejavuserifbold.TTF, canvas.FontBold},
			{serif, dejavuserifitalic.TTF, canvas.FontRegular | canvas.FontItalic},
			{sans, dejavusans.TTF, canvas.FontRegular},
			{sans, dejavusansbold.TTF, canvas.FontBold},
		} {
			if err := f.fam.LoadFont(f.ttf, 0, f.style); err != nil {
				fontsErr = fmt.Errorf("load certificate font: %w", err)
				return
			}
		}
		fonts = certFonts{serif: serif, sans: sans}
	})
	return fonts, fontsErr
}

// needsSans reports whether s holds letters that DejaVu Serif lacks (Arabic and other
// scripts beyond Latin, Greek and Cyrillic).
func needsSans(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) && !unicode.In(r, unicode.Latin, unicode.Greek, unicode.Cyrillic) {
			return true
		}
	}
	return false
}

func (f certFonts) face(s string, size float64, col color.Color, style canvas.FontStyle) *canvas.FontFace {
	fam := f.serif
	if needsSans(s) {
		fam = f.sans
		style &^= canvas.FontItalic // DejaVu Sans italic is not loaded; Arabic has no italic
	}
	return fam.Face(size, col, style, canvas.FontNormal)
}

// fitFace shrinks the font size until s fits in width (mm) on one line, down to minSize.
func (f certFonts) fitFace(s string, size, minSize, width float64, col color.Color, style canvas.FontStyle) *canvas.FontFace {
	for {
		face := f.face(s, size, col, style)
		if size <= minSize || face.TextWidth(s) <= width {
			return face
		}
		size -= 1
	}
}

// fitSans is fitFace in DejaVu Sans whatever the script (for codes and addresses).
func (f certFonts) fitSans(s string, size, minSize, width float64, col color.Color) *canvas.FontFace {
	for {
		face := f.sans.Face(size, col, canvas.FontRegular, canvas.FontNormal)
		if size <= minSize || face.TextWidth(s) <= width {
			return face
		}
		size -= 0.5
	}
}

// wrap sets s centred on at most maxLines lines of the given width, shrinking the font from
// size towards minSize until it fits. Words are split in logical order and each line is
// shaped on its own, so right-to-left text keeps its word order and spaces.
func (f certFonts) wrap(s string, size, minSize, width float64, maxLines int, col color.Color) []line {
	words := strings.Fields(s)
	for ; ; size-- {
		face := f.face(s, size, col, canvas.FontBold)
		var lines []string
		cur := ""
		for _, w := range words {
			try := w
			if cur != "" {
				try = cur + " " + w
			}
			if cur != "" && face.TextWidth(try) > width {
				lines = append(lines, cur)
				cur = w
			} else {
				cur = try
			}
		}
		lines = append(lines, cur)
		fits := len(lines) <= maxLines
		for _, l := range lines {
			fits = fits && face.TextWidth(l) <= width
		}
		if fits || size <= minSize {
			if len(lines) > maxLines {
				lines = append(lines[:maxLines-1], strings.Join(lines[maxLines-1:], " "))
			}
			out := make([]line, len(lines))
			for i, l := range lines {
				out[i] = newLine(face, l)
			}
			return out
		}
	}
}

// line is one line of text laid out in visual order: canvas.NewTextLine places the runs of
// a mixed-direction line (an Arabic date with Western digits, an Arabic label followed by a
// code) on top of each other when aligned, so each bidi run is shaped on its own and the runs
// are ordered here by rule L2 of the Unicode bidi algorithm.
type line struct {
	runs  []*canvas.Text
	width float64
}

func newLine(face *canvas.FontFace, s string) line {
	runes := []rune(s)
	if len(runes) == 0 {
		return line{}
	}
	items := text.ScriptItemizer(runes, text.EmbeddingLevels(runes))
	levels := make([]int, len(items))
	runs := make([]*canvas.Text, len(items))
	maxLevel, minOdd := 0, 1<<30
	for i, it := range items {
		levels[i] = it.Level
		runs[i] = canvas.NewTextLine(face, it.Text, canvas.Left)
		maxLevel = max(maxLevel, it.Level)
		if it.Level%2 == 1 {
			minOdd = min(minOdd, it.Level)
		}
	}
	for lvl := maxLevel; lvl >= minOdd && lvl > 0; lvl-- {
		for i := 0; i < len(runs); {
			if levels[i] < lvl {
				i++
				continue
			}
			j := i
			for j < len(runs) && levels[j] >= lvl {
				j++
			}
			for a, b := i, j-1; a < b; a, b = a+1, b-1 {
				runs[a], runs[b] = runs[b], runs[a]
				levels[a], levels[b] = levels[b], levels[a]
			}
			i = j
		}
	}
	l := line{runs: runs}
	for _, r := range runs {
		l.width += r.Width
	}
	return l
}

// draw draws the line with its baseline at y, aligned on x.
func (l line) draw(ctx *canvas.Context, x, y float64, align canvas.TextAlign) {
	switch align {
	case canvas.Center:
		x -= l.width / 2
	case canvas.Right:
		x -= l.width
	}
	for _, r := range l.runs {
		ctx.DrawText(x, y, r)
		x += r.Width
	}
}

// formatDate writes a date as "2 March 2026" with translated month names.
func formatDate(t time.Time, months [12]string) string {
	t = t.UTC()
	return fmt.Sprintf("%d %s %d", t.Day(), months[t.Month()-1], t.Year())
}

// formatHours prints hours without a needless ".0".
func formatHours(h float64) string {
	s := fmt.Sprintf("%.1f", h)
	return strings.TrimSuffix(s, ".0")
}

// RenderCertificate writes the certificate as a one-page A4 landscape PDF.
func RenderCertificate(w io.Writer, d CertificateDoc) error {
	f, err := loadFonts()
	if err != nil {
		return err
	}
	c := canvas.New(pageW, pageH)
	ctx := canvas.NewContext(c)
	drawFrame(ctx)
	cx := pageW / 2
	l := d.Labels

	// Header: the organisation, a small emblem and the title.
	drawEmblem(ctx, cx, 178, 9)
	newLine(f.face(l.Org, 13, navy, canvas.FontBold), strings.ToUpper(l.Org)).draw(ctx, cx, 162, canvas.Center)
	newLine(f.fitFace(l.Title, 34, 20, 230, navy, canvas.FontBold), l.Title).draw(ctx, cx, 145, canvas.Center)
	drawRule(ctx, cx, 139, 70)

	// The learner and the course.
	newLine(f.face(l.Certifies, 13, muted, canvas.FontItalic), l.Certifies).draw(ctx, cx, 128, canvas.Center)
	newLine(f.fitFace(d.Name, 32, 16, 235, ink, canvas.FontBold), d.Name).draw(ctx, cx, 111, canvas.Center)
	drawRule(ctx, cx, 104, 100)
	newLine(f.face(l.Completed, 13, muted, canvas.FontItalic), l.Completed).draw(ctx, cx, 95, canvas.Center)
	titleLines := f.wrap(d.CourseTitle, 22, 16, 230, 2, navy)
	y := 82.0
	if len(titleLines) > 1 {
		y = 84
	}
	for _, tl := range titleLines {
		tl.draw(ctx, cx, y, canvas.Center)
		y -= 9.5
	}

	// Footer: date and hours at the start side, the seal, then the verification code and QR
	// code at the end side (mirrored for right-to-left languages).
	rtl := d.Lang == "ar"
	side := func(x float64) float64 {
		if rtl {
			return pageW - x
		}
		return x
	}
	start, end := canvas.Left, canvas.Right
	if rtl {
		start, end = canvas.Right, canvas.Left
	}
	date := formatDate(d.Date, l.Months)
	drawFooterItem(ctx, f, side(40), 46, l.Date, date, start, rtl)
	drawFooterItem(ctx, f, side(40), 30, l.Hours, formatHours(d.Hours), start, rtl)
	drawSeal(ctx, f, side(126), 38)

	qrSize := 30.0
	qx := side(pageW - 40 - qrSize)
	if rtl {
		qx -= qrSize
	}
	if err := drawQR(ctx, d.VerifyURL, qx, 22, qrSize); err != nil {
		return err
	}
	textX := side(pageW - 40 - qrSize - 5)
	newLine(f.face(l.Code, 9, muted, canvas.FontRegular), l.Code).draw(ctx, textX, 52, end)
	newLine(f.sans.Face(8.5, ink, canvas.FontBold, canvas.FontNormal), d.Code).draw(ctx, textX, 46, end)
	newLine(f.face(l.Verify, 9, muted, canvas.FontRegular), l.Verify).draw(ctx, textX, 36, end)
	page := strings.TrimPrefix(strings.TrimPrefix(d.VerifyPage, "https://"), "http://")
	newLine(f.fitSans(page, 9, 6, 75, navy), page).draw(ctx, textX, 30, end)

	r := pdf.New(w, pageW, pageH, &pdf.Options{Compress: true, SubsetFonts: true, ImageEncoding: canvas.Lossless})
	r.SetInfo(l.Title+" - "+d.Name, d.CourseTitle, d.Code, l.Org, "GLC")
	c.RenderTo(r)
	return r.Close()
}

func drawFrame(ctx *canvas.Context) {
	ctx.SetFillColor(paper)
	ctx.SetStrokeColor(canvas.Transparent)
	ctx.DrawPath(0, 0, canvas.Rectangle(pageW, pageH))
	ctx.SetFillColor(canvas.Transparent)
	ctx.SetStrokeColor(navy)
	ctx.SetStrokeWidth(2.2)
	ctx.DrawPath(8, 8, canvas.Rectangle(pageW-16, pageH-16))
	ctx.SetStrokeColor(gold)
	ctx.SetStrokeWidth(0.6)
	ctx.DrawPath(12, 12, canvas.Rectangle(pageW-24, pageH-24))
	ctx.SetStrokeWidth(0.3)
	ctx.DrawPath(13.5, 13.5, canvas.Rectangle(pageW-27, pageH-27))
	// Corner ornaments: small diamonds on the inner frame's corners.
	ctx.SetFillColor(gold)
	ctx.SetStrokeColor(canvas.Transparent)
	for _, p := range [][2]float64{{12, 12}, {pageW - 12, 12}, {12, pageH - 12}, {pageW - 12, pageH - 12}} {
		ctx.DrawPath(p[0], p[1], canvas.RegularPolygon(4, 3, true))
	}
}

// drawRule draws a thin gold line of width w centred on cx, with a dot in the middle.
func drawRule(ctx *canvas.Context, cx, y, w float64) {
	ctx.SetFillColor(canvas.Transparent)
	ctx.SetStrokeColor(gold)
	ctx.SetStrokeWidth(0.4)
	ctx.DrawPath(cx-w/2, y, canvas.Line(w, 0))
	ctx.SetFillColor(gold)
	ctx.SetStrokeColor(canvas.Transparent)
	ctx.DrawPath(cx, y, canvas.RegularPolygon(4, 1.2, true))
}

// drawEmblem draws the portal's globe mark.
func drawEmblem(ctx *canvas.Context, cx, cy, r float64) {
	ctx.SetFillColor(canvas.Transparent)
	ctx.SetStrokeColor(navy)
	ctx.SetStrokeWidth(0.8)
	ctx.DrawPath(cx, cy, canvas.Circle(r))
	ctx.DrawPath(cx-r, cy, canvas.Line(2*r, 0))
	ctx.DrawPath(cx, cy, canvas.Ellipse(r*0.42, r))
	ctx.SetStrokeWidth(0.5)
	ctx.DrawPath(cx-r*0.87, cy+r*0.5, canvas.Line(2*r*0.87, 0))
	ctx.DrawPath(cx-r*0.87, cy-r*0.5, canvas.Line(2*r*0.87, 0))
}

// drawSeal draws a gold rosette with a star in the middle of the footer.
func drawSeal(ctx *canvas.Context, f certFonts, cx, cy float64) {
	ctx.SetStrokeColor(canvas.Transparent)
	ctx.SetFillColor(gold)
	ctx.DrawPath(cx, cy, canvas.StarPolygon(24, 15, 13.5, true))
	ctx.SetFillColor(paper)
	ctx.DrawPath(cx, cy, canvas.Circle(11.5))
	ctx.SetFillColor(canvas.Transparent)
	ctx.SetStrokeColor(gold)
	ctx.SetStrokeWidth(0.5)
	ctx.DrawPath(cx, cy, canvas.Circle(10))
	ctx.SetStrokeColor(canvas.Transparent)
	ctx.SetFillColor(navy)
	ctx.DrawPath(cx, cy+1.5, canvas.StarPolygon(5, 5, 2, true))
	newLine(f.serif.Face(7, navy, canvas.FontBold, canvas.FontNormal), "GLC").draw(ctx, cx, cy-6.5, canvas.Center)
}

func drawFooterItem(ctx *canvas.Context, f certFonts, x, y float64, label, value string, align canvas.TextAlign, rtl bool) {
	newLine(f.face(label, 9, muted, canvas.FontRegular), label).draw(ctx, x, y+6, align)
	newLine(f.face(value, 13, ink, canvas.FontBold), value).draw(ctx, x, y, align)
	ctx.SetFillColor(canvas.Transparent)
	ctx.SetStrokeColor(gold)
	ctx.SetStrokeWidth(0.3)
	if rtl {
		x -= 60
	}
	ctx.DrawPath(x, y-2.5, canvas.Line(60, 0))
}

// drawQR draws the QR code of url as filled squares in a size×size box at (x, y).
func drawQR(ctx *canvas.Context, url string, x, y, size float64) error {
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("qr code: %w", err)
	}
	q.DisableBorder = true
	bits := q.Bitmap()
	n := float64(len(bits))
	cell := size / n
	ctx.SetFillColor(color.White)
	ctx.SetStrokeColor(canvas.Transparent)
	pad := 1.5
	ctx.DrawPath(x-pad, y-pad, canvas.Rectangle(size+2*pad, size+2*pad))
	ctx.SetFillColor(canvas.Black)
	p := &canvas.Path{}
	for row := range bits {
		for col, on := range bits[row] {
			if on {
				// Rows run top-down in the bitmap; the canvas y axis points up.
				p = p.Append(canvas.Rectangle(cell, cell).Translate(float64(col)*cell, (n-1-float64(row))*cell))
			}
		}
	}
	ctx.DrawPath(x, y, p)
	return nil
}
