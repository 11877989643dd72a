// Package web renders the server-side HTML pages: layout, partials, message catalogues and
// static assets.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"glc/internal/auth"
	"glc/internal/httpx"
)

//go:embed layout templates locales static
var assets embed.FS

// Assets returns the embedded layout, catalogue and static files of this package.
func Assets() fs.FS { return assets }

// Source is a set of page templates: every templates/*.html in FS becomes page
// "<Name>/<file without .html>"; files whose name starts with "_" are partials shared by the
// source's pages.
type Source struct {
	Name string
	FS   fs.FS
}

// Renderer renders pages inside the common layout.
type Renderer struct {
	Cat     *Catalogue
	pages   map[string]*template.Template
	version map[string]string
	Nav     []NavItem
}

// NavItem is an entry of the main navigation.
type NavItem struct {
	Path    string
	LabelID string
	Role    string // shown only to users with this role (or one of several, space-separated); "" for everyone, "user" for signed-in users
}

// NewRenderer parses the layout and every source's pages.
func NewRenderer(cat *Catalogue, sources ...Source) (*Renderer, error) {
	r := &Renderer{Cat: cat, pages: map[string]*template.Template{}, version: map[string]string{}}
	if err := r.hashStatic(); err != nil {
		return nil, err
	}
	base, err := template.New("layout").Funcs(Funcs()).ParseFS(assets, "layout/*.html")
	if err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	for _, src := range sources {
		files, err := fs.Glob(src.FS, "templates/*.html")
		if err != nil {
			return nil, err
		}
		var partials, pages []string
		for _, f := range files {
			if strings.HasPrefix(path.Base(f), "_") {
				partials = append(partials, f)
			} else {
				pages = append(pages, f)
			}
		}
		for _, p := range pages {
			t, err := base.Clone()
			if err != nil {
				return nil, err
			}
			if _, err := t.ParseFS(src.FS, append(partials, p)...); err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			r.pages[src.Name+"/"+strings.TrimSuffix(path.Base(p), ".html")] = t
		}
	}
	return r, nil
}

// Pages lists the page names, for tests.
func (r *Renderer) Pages() []string {
	out := make([]string, 0, len(r.pages))
	for k := range r.pages {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (r *Renderer) hashStatic() error {
	return fs.WalkDir(assets, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		r.version[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
}

// Funcs are the template functions shared by every page.
func Funcs() template.FuncMap {
	return template.FuncMap{
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2006-01-02")
		},
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2006-01-02 15:04 UTC")
		},
		// timedate is the <time> element of a date (time.Time or *time.Time; nothing for nil
		// or zero): <time datetime="2026-03-01">2026-03-01</time>.
		"timedate": func(v any) (template.HTML, error) {
			t, ok, err := timeArg(v)
			if !ok {
				return "", err
			}
			return template.HTML(TimeElement(t)), nil
		},
		// timeat is the <time> element of a moment, shown to the minute in UTC:
		// <time datetime="2026-03-01T17:05:00Z">2026-03-01 17:05 UTC</time>.
		"timeat": func(v any) (template.HTML, error) {
			t, ok, err := timeArg(v)
			if !ok {
				return "", err
			}
			return TimeAt(t, "2006-01-02 15:04 UTC"), nil
		},
		// isotime is a moment for a <time datetime> attribute.
		"isotime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format(time.RFC3339)
		},
		// langdir is the writing direction of a language code ("rtl" or "ltr"), for the dir
		// attribute of content written in that language.
		"langdir": LangDir,
		// langname names a language code for readers (LanguageName).
		"langname": LanguageName,
		"add":      func(a, b int) int { return a + b },
		"seq": func(n int) []int {
			s := make([]int, n)
			for i := range s {
				s[i] = i + 1
			}
			return s
		},
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"query": func(v url.Values, key, val string) string {
			q := url.Values{}
			for k, vs := range v {
				q[k] = append([]string(nil), vs...)
			}
			q.Set(key, val)
			return "?" + q.Encode()
		},
	}
}

// View is what every page template receives as dot.
type View struct {
	Lang      string
	Dir       string
	Languages []Language
	Title     string
	User      *auth.Principal
	CSRF      string
	Path      string
	Query     url.Values
	Nav       []NavItem
	Flash     string
	Data      any
	r         *Renderer
}

// T translates a message ID in the page's language.
func (v *View) T(id string, args ...any) string { return v.r.Cat.T(v.Lang, id, args...) }

// TTime translates a message ID like T, showing its date arguments (time.Time or *time.Time
// values) as <time datetime="YYYY-MM-DD"> elements, so that "from {{.Start}} to {{.End}}"
// marks up both dates of a range in every language. Arguments that are already HTML (the
// timeat and timedate functions' elements) go in as they are; the rest of the message is
// escaped.
func (v *View) TTime(id string, args ...any) template.HTML {
	var elems []string
	out := make([]any, len(args))
	copy(out, args)
	for i := 1; i < len(out); i += 2 {
		var el string
		if h, ok := out[i].(template.HTML); ok {
			el = string(h)
		} else if t, ok := timeOf(out[i]); ok {
			el = TimeElement(t)
		} else {
			continue
		}
		out[i] = fmt.Sprintf("\uE000%d\uE001", len(elems))
		elems = append(elems, el)
	}
	msg := template.HTMLEscapeString(v.T(id, out...))
	for i, el := range elems {
		msg = strings.ReplaceAll(msg, fmt.Sprintf("\uE000%d\uE001", i), el)
	}
	return template.HTML(msg)
}

// timeOf reads a time.Time or a non-nil *time.Time that is not zero.
func timeOf(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t != nil && !t.IsZero() {
			return *t, true
		}
	}
	return time.Time{}, false
}

// timeArg is timeOf for template functions: anything but a time is an error (a template
// that passes the wrong field fails instead of showing nothing).
func timeArg(v any) (time.Time, bool, error) {
	switch v.(type) {
	case time.Time, *time.Time:
		t, ok := timeOf(v)
		return t, ok, nil
	}
	return time.Time{}, false, fmt.Errorf("not a time: %T", v)
}

// DurationElement is the <time> element of a duration: an ISO 8601 duration for machines
// (PT1H2M3.5S), h:mm:ss for people; negative durations count as zero.
func DurationElement(d time.Duration) template.HTML {
	d = max(d, 0).Round(10 * time.Millisecond)
	h, m := int64(d/time.Hour), int64(d/time.Minute)%60
	cs := int64(d%time.Minute) / int64(10*time.Millisecond) // centiseconds within the minute
	var b strings.Builder
	b.WriteString("PT")
	if h > 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if cs > 0 || (h == 0 && m == 0) {
		fmt.Fprintf(&b, "%d", cs/100)
		if f := cs % 100; f > 0 {
			fmt.Fprintf(&b, ".%s", strings.TrimRight(fmt.Sprintf("%02d", f), "0"))
		}
		b.WriteString("S")
	}
	return template.HTML(fmt.Sprintf(`<time datetime="%s">%d:%02d:%02d</time>`, b.String(), h, m, cs/100))
}

// TimeAt is the <time> element of a moment: its datetime in UTC (RFC 3339), its text the
// moment in UTC in layout (e.g. "15:04:05 UTC").
func TimeAt(t time.Time, layout string) template.HTML {
	t = t.UTC()
	return template.HTML(`<time datetime="` + t.Format(time.RFC3339) + `">` + template.HTMLEscapeString(t.Format(layout)) + `</time>`)
}

// rtlLanguages are the right-to-left languages content may be written in.
var rtlLanguages = map[string]bool{"ar": true, "he": true, "fa": true, "ur": true, "ps": true, "yi": true, "dv": true, "ckb": true, "sd": true, "ug": true}

// LangDir is the writing direction of a language code: "rtl" or "ltr".
func LangDir(code string) string {
	base, _, _ := strings.Cut(strings.ToLower(code), "-")
	if rtlLanguages[base] {
		return "rtl"
	}
	return "ltr"
}

// TimeElement is the <time> element of a date (UTC), e.g. <time datetime="2026-03-01">2026-03-01</time>.
func TimeElement(t time.Time) string {
	d := t.UTC().Format("2006-01-02")
	return `<time datetime="` + d + `">` + d + `</time>`
}

// Asset returns the versioned URL of a static file.
func (v *View) Asset(name string) string {
	return "/static/" + name + "?v=" + v.r.version[name]
}

// LangURL is the current page in another language.
func (v *View) LangURL(code string) string {
	q := url.Values{}
	for k, vs := range v.Query {
		q[k] = vs
	}
	q.Set("lang", code)
	return v.Path + "?" + q.Encode()
}

// Active reports whether a nav path is the current section.
func (v *View) Active(p string) bool {
	if p == "/" {
		return v.Path == "/"
	}
	return v.Path == p || strings.HasPrefix(v.Path, p+"/")
}

// Visible reports whether the nav item is shown to this user.
func (v *View) Visible(n NavItem) bool {
	switch n.Role {
	case "":
		return true
	case "user":
		return v.User != nil
	default:
		// Several roles separated by spaces: any of them.
		for _, r := range strings.Fields(n.Role) {
			if v.User.Has(r) {
				return true
			}
		}
		return false
	}
}

// NewView builds the view for a request.
func (r *Renderer) NewView(c *gin.Context, titleID string, data any) *View {
	lang := Lang(c)
	v := &View{Lang: lang, Dir: Dir(lang), Languages: Languages, User: auth.Current(c), CSRF: httpx.CSRFToken(c),
		Path: c.Request.URL.Path, Query: c.Request.URL.Query(), Nav: r.Nav, Data: data, r: r}
	v.Query.Del("lang")
	if titleID != "" {
		v.Title = r.Cat.T(lang, titleID)
	}
	if f, err := c.Cookie(flashCookie); err == nil && f != "" {
		if r.Cat.Has(f) {
			v.Flash = r.Cat.T(lang, f)
		}
		c.SetCookie(flashCookie, "", -1, "/", "", false, true)
	}
	return v
}

const flashCookie = "glc_flash"

// SetFlash shows a message (a catalogue ID) on the next page.
func SetFlash(c *gin.Context, id string) {
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie(flashCookie, id, 60, "/", "", false, true)
}

// HTML renders page with the layout. The view's Title is set from titleID.
func (r *Renderer) HTML(c *gin.Context, status int, page, titleID string, data any) {
	r.Render(c, status, page, r.NewView(c, titleID, data))
}

// Render renders page with a prepared view.
func (r *Renderer) Render(c *gin.Context, status int, page string, v *View) {
	t, ok := r.pages[page]
	if !ok {
		httpx.Logger(c).Error("unknown page template", "page", page)
		c.String(http.StatusInternalServerError, "page template %q missing", page)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		httpx.Logger(c).Error("render page", "page", page, "err", err)
		c.String(http.StatusInternalServerError, "could not render the page")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// Error renders a readable error page for err (status from the same mapping as the API).
func (r *Renderer) Error(c *gin.Context, err error) {
	status, d := httpx.Classify(err)
	if status >= 500 {
		httpx.Logger(c).Error("page failed", "err", err)
	}
	v := r.NewView(c, "error.title", nil)
	v.Data = ErrorData{Status: status, Code: d.Code, Message: d.Message, Fields: d.Fields}
	r.Render(c, status, "core/error", v)
	c.Abort()
}

// ErrorData is shown on the error page.
type ErrorData struct {
	Status  int
	Code    string
	Message string
	Fields  map[string]string
}

// Static serves the embedded static files; versioned URLs are cached for a year.
func Static() http.Handler {
	sub, _ := fs.Sub(assets, "static")
	fsrv := http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.HasSuffix(req.URL.Path, "/") { // no folder listings
			http.NotFound(w, req)
			return
		}
		if req.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		fsrv.ServeHTTP(w, req)
	})
}
