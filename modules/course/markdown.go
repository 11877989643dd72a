package course

import (
	"bytes"
	"context"
	"html/template"
	"regexp"
	"strconv"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// fileRefRe matches the address of a lesson file, the only images that Markdown may show.
var fileRefRe = regexp.MustCompile(`^/api/v1/lessons/(\d+)/files/(\d+)$`)

func newMarkdown() goldmark.Markdown { return goldmark.New(goldmark.WithExtensions(extension.GFM)) }

func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("width", "height", "loading").OnElements("img")
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}

// RenderMarkdown turns Markdown into sanitized HTML, headings one level down (the page has
// its own h1). Raw HTML is escaped, then the result is
// sanitized again with bluemonday. Images must be files of this course's lessons (they get
// their width and height); any other image becomes its alternative text, so a page never
// loads images from elsewhere.
func (s *Service) RenderMarkdown(ctx context.Context, courseID int64, src string) (template.HTML, error) {
	if strings.TrimSpace(src) == "" {
		return "", nil
	}
	source := []byte(src)
	doc := s.md.Parser().Parse(text.NewReader(source))
	var imgs []*ast.Image
	var ids []int64
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			h.Level = min(h.Level+1, 6) // the page's own title is the only h1
		}
		if img, ok := n.(*ast.Image); ok && entering {
			imgs = append(imgs, img)
			if m := fileRefRe.FindStringSubmatch(string(img.Destination)); m != nil {
				id, _ := strconv.ParseInt(m[2], 10, 64)
				ids = append(ids, id)
			}
		}
		return ast.WalkContinue, nil
	})
	files := map[int64]File{}
	if len(ids) > 0 {
		var fs []File
		if err := s.db.WithContext(ctx).Where("id IN ? AND course_id = ?", ids, courseID).Find(&fs).Error; err != nil {
			return "", err
		}
		for _, f := range fs {
			files[f.ID] = f
		}
	}
	for _, img := range imgs {
		var f File
		ok := false
		if m := fileRefRe.FindStringSubmatch(string(img.Destination)); m != nil {
			id, _ := strconv.ParseInt(m[2], 10, 64)
			lid, _ := strconv.ParseInt(m[1], 10, 64)
			f, ok = files[id]
			ok = ok && f.LessonID != nil && *f.LessonID == lid && classOf(f.ContentType) == classImage
		}
		if !ok {
			alt := nodeText(img, source)
			img.Parent().ReplaceChild(img.Parent(), img, ast.NewString([]byte(alt)))
			continue
		}
		img.SetAttributeString("width", []byte(strconv.Itoa(f.Width)))
		img.SetAttributeString("height", []byte(strconv.Itoa(f.Height)))
		img.SetAttributeString("loading", []byte("lazy"))
	}
	var buf bytes.Buffer
	if err := s.md.Renderer().Render(&buf, source, doc); err != nil {
		return "", err
	}
	return template.HTML(s.policy.SanitizeBytes(buf.Bytes())), nil // #nosec: sanitized by bluemonday
}

// nodeText collects the text under n.
func nodeText(n ast.Node, source []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(source))
		case *ast.String:
			b.Write(t.Value)
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}
