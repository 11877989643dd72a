package progress

import (
	"bytes"
	"fmt"

	"github.com/tdewolff/canvas"
	"github.com/tdewolff/canvas/renderers/pdf"
)

// TranscriptPDF renders a transcript as A4 portrait pages: the learner, then a table of the
// completed courses and of those in progress. Right-to-left languages mirror the columns.
func (s *Service) TranscriptPDF(tr *Transcript, lang string) ([]byte, error) {
	f, err := loadFonts()
	if err != nil {
		return nil, err
	}
	const w, h, margin = 210.0, 297.0, 18.0
	t := func(id string) string { return s.t(lang, "progress.transcript."+id) }
	rtl := lang == "ar"
	x := func(v float64) float64 {
		if rtl {
			return w - v
		}
		return v
	}
	start := canvas.Left
	if rtl {
		start = canvas.Right
	}
	var buf bytes.Buffer
	r := pdf.New(&buf, w, h, nil)
	r.SetInfo(t("title")+" - "+tr.Name, t("title"), "", s.t(lang, "site.name"), "GLC")
	cols := []struct {
		id    string
		at    float64
		width float64
	}{{"course", margin, 78}, {"status", margin + 80, 26}, {"hours", margin + 108, 14}, {"completed", margin + 124, 24}, {"certificate", margin + 150, 24}}
	page := func() (*canvas.Canvas, *canvas.Context) {
		c := canvas.New(w, h)
		ctx := canvas.NewContext(c)
		ctx.SetFillColor(navy)
		ctx.DrawPath(0, h-8, canvas.Rectangle(w, 8))
		return c, ctx
	}
	c, ctx := page()
	y := h - 26.0
	newLine(f.face(s.t(lang, "site.name"), 11, navy, canvas.FontBold), s.t(lang, "site.name")).draw(ctx, x(margin), y, start)
	y -= 12
	newLine(f.face(t("title"), 22, navy, canvas.FontBold), t("title")).draw(ctx, x(margin), y, start)
	y -= 10
	newLine(f.face(tr.Name, 14, ink, canvas.FontBold), tr.Name).draw(ctx, x(margin), y, start)
	y -= 6
	gen := fmt.Sprintf("%s: %s · %s: %s · %s: %d", t("generated"), formatDate(tr.GeneratedAt, s.months(lang)), t("total_hours"), formatHours(tr.TotalHours), t("certificates"), tr.Certificates)
	newLine(f.face(gen, 9, muted, canvas.FontRegular), gen).draw(ctx, x(margin), y, start)
	y -= 6
	section := func(title string, items []LearningItem) {
		y -= 8
		newLine(f.face(title, 12, navy, canvas.FontBold), title).draw(ctx, x(margin), y, start)
		y -= 7
		for _, col := range cols {
			label := t("col." + col.id)
			newLine(f.face(label, 8, muted, canvas.FontBold), label).draw(ctx, x(col.at), y, start)
		}
		ctx.SetFillColor(canvas.Transparent)
		ctx.SetStrokeColor(gold)
		ctx.SetStrokeWidth(0.3)
		ctx.DrawPath(margin, y-2, canvas.Line(w-2*margin, 0))
		y -= 7
		if len(items) == 0 {
			newLine(f.face(t("none"), 9, muted, canvas.FontItalic), t("none")).draw(ctx, x(margin), y, start)
			y -= 6
		}
		for _, it := range items {
			if y < 20 {
				c.RenderTo(r)
				r.NewPage(w, h)
				c, ctx = page()
				y = h - 24
			}
			completed, code := "", ""
			if it.CompletedAt != nil {
				completed = formatDate(*it.CompletedAt, s.months(lang))
			}
			if it.CertificateCode != "" {
				code = it.CertificateCode[:8]
			}
			cells := []string{truncate(it.Title, 52), s.t(lang, "progress.status."+it.Status), formatHours(it.Hours), completed, code}
			for i, col := range cols {
				face := f.face(cells[i], 9, ink, canvas.FontRegular)
				if i == 0 {
					face = f.fitFace(cells[i], 9, 6.5, col.width, ink, canvas.FontRegular)
				}
				newLine(face, cells[i]).draw(ctx, x(col.at), y, start)
			}
			y -= 6.5
		}
	}
	section(t("completed"), tr.Completed)
	section(t("in_progress"), tr.InProgress)
	c.RenderTo(r)
	if err := r.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
