package web_test

import (
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/web"
)

func init() { gin.SetMode(gin.TestMode) }

func locales(en, fr, es, ar string) fstest.MapFS {
	return fstest.MapFS{
		"locales/en.toml": {Data: []byte(en)},
		"locales/fr.toml": {Data: []byte(fr)},
		"locales/es.toml": {Data: []byte(es)},
		"locales/ar.toml": {Data: []byte(ar)},
	}
}

func TestCatalogue(t *testing.T) {
	mod := locales(`
"x.hello" = "Hello {{.Name}}"
"x.only_en" = "Only English"
[x.items]
one = "{{.Count}} item"
other = "{{.Count}} items"
`, `"x.hello" = "Bonjour {{.Name}}"
[x.items]
one = "{{.Count}} élément"
other = "{{.Count}} éléments"
`, `"x.hello" = "Hola {{.Name}}"
[x.items]
one = "{{.Count}} elemento"
other = "{{.Count}} elementos"
`, `"x.hello" = "مرحبا {{.Name}}"
[x.items]
zero = "لا عناصر"
one = "عنصر واحد"
two = "عنصران"
few = "{{.Count}} عناصر"
many = "{{.Count}} عنصرًا"
other = "{{.Count}} عنصر"
`)
	cat, err := web.NewCatalogue(web.Assets(), mod)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ar: x.only_en", "es: x.only_en", "fr: x.only_en"}
	if got := cat.Missing(); !slices.Equal(got, want) {
		t.Errorf("missing: %v, want %v", got, want)
	}
	cases := []struct {
		lang, id string
		args     []any
		want     string
	}{
		{"en", "x.hello", []any{"Name", "Ana"}, "Hello Ana"},
		{"fr", "x.hello", []any{"Name", "Ana"}, "Bonjour Ana"},
		{"en", "x.items", []any{"Count", 1}, "1 item"},
		{"en", "x.items", []any{"Count", 3}, "3 items"},
		{"fr", "x.items", []any{"Count", 1}, "1 élément"},
		{"ar", "x.items", []any{"Count", 2}, "عنصران"},
		{"ar", "x.items", []any{"Count", 5}, "5 عناصر"},
		{"xx", "x.hello", []any{"Name", "Ana"}, "Hello Ana"}, // unknown language: English
		{"en", "x.nothing", nil, "[x.nothing]"},              // unknown ID shows
		{"ar", "site.name", nil, "مركز التعلم العالمي"},
	}
	for _, c := range cases {
		if got := cat.T(c.lang, c.id, c.args...); got != c.want {
			t.Errorf("T(%s, %s, %v) = %q, want %q", c.lang, c.id, c.args, got, c.want)
		}
	}
	// The same ID twice in one language is refused.
	dup := locales(`"site.name" = "Other"`, "", "", "")
	if _, err := web.NewCatalogue(web.Assets(), dup); err == nil || !strings.Contains(err.Error(), "site.name") {
		t.Errorf("duplicate ID accepted: %v", err)
	}
}

func TestLiteralTextFinder(t *testing.T) {
	cases := []struct {
		tpl  string
		want []string
	}{
		{`<h1>{{.T "a"}}</h1>`, nil},
		{`<h1>Welcome back</h1>`, []string{"Welcome back"}},
		{`<p>{{.T "a"}} and more</p>`, []string{"and more"}},
		{`<img alt="A photo" src="x">`, []string{`alt="A photo"`}},
		{`<input placeholder="{{.T "p"}}" aria-label="{{.T "l"}}">`, nil},
		{`<button title="Close">×</button>`, []string{`title="Close"`}},
		{`{{if .X}}<span>Draft</span>{{else}}<span>{{.T "p"}}</span>{{end}}`, []string{"Draft"}},
		{`<p>{{.Count}} · {{.Total}} | 12</p>`, nil},
		{`<!-- a comment --><script src="/x.js"></script>`, nil},
		{`<p>&nbsp;&mdash;</p>`, nil},
		{`<input type="radio" name="scope" value="country"><input type="hidden" value="token">`, nil},
		{`<input type="submit" value="Send now"><input value="Typed text">`, []string{`value="Send now"`, `value="Typed text"`}},
	}
	for _, c := range cases {
		tpl := template.Must(template.New("x").Parse(c.tpl))
		if got := web.LiteralText(tpl); !slices.Equal(got, c.want) {
			t.Errorf("%s: found %q, want %q", c.tpl, got, c.want)
		}
	}
}

func newRenderer(t *testing.T) *web.Renderer {
	t.Helper()
	mod := locales(`"m.title" = "Module page"`, `"m.title" = "Page du module"`, `"m.title" = "Página del módulo"`, `"m.title" = "صفحة الوحدة"`)
	mod["templates/page.html"] = &fstest.MapFile{Data: []byte(`{{define "content"}}<h1>{{.T "m.title"}}</h1>{{template "_part" .}}{{end}}`)}
	mod["templates/_part.html"] = &fstest.MapFile{Data: []byte(`{{define "_part"}}<p id="user">{{with .User}}{{.Name}}{{end}}</p>{{end}}`)}
	cat, err := web.NewCatalogue(web.Assets(), mod)
	if err != nil {
		t.Fatal(err)
	}
	r, err := web.NewRenderer(cat, web.Source{Name: "core", FS: web.Assets()}, web.Source{Name: "m", FS: mod})
	if err != nil {
		t.Fatal(err)
	}
	r.Nav = []web.NavItem{{Path: "/", LabelID: "nav.home"}, {Path: "/admin", LabelID: "nav.home", Role: auth.RoleAdmin}, {Path: "/me", LabelID: "nav.home", Role: "user"}}
	return r
}

func TestRenderer(t *testing.T) {
	r := newRenderer(t)
	if got := r.Pages(); !slices.Equal(got, []string{"core/error", "m/page"}) {
		t.Fatalf("pages: %v (partials must not be pages)", got)
	}
	if lits := r.CheckPages(); len(lits) > 0 {
		t.Errorf("literals in the core pages: %v", lits)
	}
	cat := r.Cat
	e := gin.New()
	e.Use(cat.LanguageMiddleware(false))
	e.GET("/page", func(c *gin.Context) {
		if c.Query("admin") != "" {
			auth.SetPrincipal(c, &auth.Principal{UserID: 1, Name: "Amal <Admin>", Roles: []string{auth.RoleAdmin}})
		}
		r.HTML(c, http.StatusOK, "m/page", "m.title", nil)
	})
	e.GET("/fail", func(c *gin.Context) { r.Error(c, fmt.Errorf("course 3: %w", apperr.ErrForbidden)) })
	e.GET("/missing", func(c *gin.Context) { r.HTML(c, 200, "m/nope", "", nil) })
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w
	}
	w := get("/page?lang=ar&tab=2")
	body := w.Body.String()
	for _, want := range []string{`<html lang="ar" dir="rtl">`, "<h1>صفحة الوحدة</h1>", "<title>صفحة الوحدة · مركز التعلم العالمي</title>",
		`href="/page?lang=fr&amp;tab=2"`, `/static/css/app.css?v=`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(body, `href="/admin"`) || strings.Contains(body, `href="/me"`) {
		t.Error("anonymous visitor sees role-restricted navigation")
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("cache-control %q", w.Header().Get("Cache-Control"))
	}
	body = get("/page?admin=1").Body.String()
	if !strings.Contains(body, `href="/admin"`) || !strings.Contains(body, `href="/me"`) || !strings.Contains(body, "Amal &lt;Admin&gt;") {
		t.Error("admin navigation or escaped user name missing")
	}
	w = get("/fail?lang=fr")
	if w.Code != 403 || !strings.Contains(w.Body.String(), "Vous n&#39;avez pas accès à cette page") {
		t.Errorf("error page: %d %s", w.Code, w.Body.String())
	}
	if w := get("/missing"); w.Code != 500 {
		t.Errorf("unknown page template: %d", w.Code)
	}
}

func TestStatic(t *testing.T) {
	h := web.Static()
	for _, c := range []struct {
		path, cache string
		status      int
	}{
		{"/static/css/app.css?v=abc", "public, max-age=31536000, immutable", 200},
		{"/static/css/app.css", "public, max-age=3600", 200},
		{"/static/css/", "", 404},
		{"/static/nothing.css", "", 404},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", c.path, nil))
		if w.Code != c.status || (c.cache != "" && w.Header().Get("Cache-Control") != c.cache) {
			t.Errorf("%s: %d %q", c.path, w.Code, w.Header().Get("Cache-Control"))
		}
	}
}

func TestFlash(t *testing.T) {
	r := newRenderer(t)
	e := gin.New()
	e.Use(r.Cat.LanguageMiddleware(false))
	e.POST("/save", func(c *gin.Context) { web.SetFlash(c, "m.title"); c.Redirect(303, "/page") })
	e.GET("/page", func(c *gin.Context) { r.HTML(c, 200, "m/page", "m.title", nil) })
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("POST", "/save", nil))
	req := httptest.NewRequest("GET", "/page", nil)
	for _, ck := range w.Result().Cookies() {
		req.AddCookie(ck)
	}
	w = httptest.NewRecorder()
	e.ServeHTTP(w, req)
	if !strings.Contains(w.Body.String(), `<p class="flash" role="status">Module page</p>`) {
		t.Errorf("flash not shown: %s", w.Body.String())
	}
	// An ID that is not in the catalogue (a forged cookie) shows nothing.
	req = httptest.NewRequest("GET", "/page", nil)
	req.AddCookie(&http.Cookie{Name: "glc_flash", Value: "<script>"})
	w = httptest.NewRecorder()
	e.ServeHTTP(w, req)
	if strings.Contains(w.Body.String(), `class="flash"`) {
		t.Error("unknown flash ID shown")
	}
}

// TestTTime: dates in a translated message become <time datetime> elements in every
// language, and the rest of the message (and every other argument) is escaped.
func TestTTime(t *testing.T) {
	mod := locales(`"m.range" = "{{.Start}} to {{.End}} <{{.Place}}>"`, `"m.range" = "Du {{.Start}} au {{.End}}"`,
		`"m.range" = "Del {{.Start}} al {{.End}}"`, `"m.range" = "من {{.Start}} إلى {{.End}}"`)
	mod["templates/page.html"] = &fstest.MapFile{Data: []byte(`{{define "content"}}<p id="r">{{.TTime "m.range" "Start" .Data.Start "End" .Data.End "Place" "Lyon & Co"}}</p>{{end}}`)}
	cat, err := web.NewCatalogue(web.Assets(), mod)
	if err != nil {
		t.Fatal(err)
	}
	r, err := web.NewRenderer(cat, web.Source{Name: "core", FS: web.Assets()}, web.Source{Name: "m", FS: mod})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 0, 4)
	e := gin.New()
	e.Use(cat.LanguageMiddleware(false))
	e.GET("/page", func(c *gin.Context) {
		r.HTML(c, http.StatusOK, "m/page", "", struct {
			Start time.Time
			End   *time.Time
		}{start, &end})
	})
	for lang, want := range map[string]string{
		"en": `<time datetime="2026-03-01">2026-03-01</time> to <time datetime="2026-03-05">2026-03-05</time> &lt;Lyon &amp; Co&gt;`,
		"ar": `من <time datetime="2026-03-01">2026-03-01</time> إلى <time datetime="2026-03-05">2026-03-05</time>`,
	} {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest("GET", "/page?lang="+lang, nil))
		if !strings.Contains(w.Body.String(), `<p id="r">`+want+`</p>`) {
			t.Errorf("%s: %s", lang, w.Body.String())
		}
	}
}

func TestLangDir(t *testing.T) {
	for code, want := range map[string]string{"ar": "rtl", "AR": "rtl", "fa-IR": "rtl", "he": "rtl", "en": "ltr", "fr": "ltr", "": "ltr", "arn": "ltr"} {
		if got := web.LangDir(code); got != want {
			t.Errorf("LangDir(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestLanguageName(t *testing.T) {
	for code, want := range map[string]string{"en": "English", "fr": "Français", "es": "Español", "ar": "العربية", "pt": "pt", "": ""} {
		if got := web.LanguageName(code); got != want {
			t.Errorf("LanguageName(%q) = %q, want %q", code, got, want)
		}
	}
}

// TestTimeElements: timedate and timeat mark dates and moments up as <time datetime> (nothing
// for nil or zero), and TTime takes their elements as they are while escaping the message.
func TestTimeElements(t *testing.T) {
	mod := locales(`"m.at" = "Closes at {{.Time}} <sharp>"`, `"m.at" = "Ferme le {{.Time}}"`, `"m.at" = "Cierra el {{.Time}}"`, `"m.at" = "يغلق في {{.Time}}"`)
	mod["templates/page.html"] = &fstest.MapFile{Data: []byte(`{{define "content"}}<p id="r">{{timedate .Data.D}}|{{timedate .Data.P}}|{{timeat .Data.M}}|{{timeat .Data.Nil}}|{{timedate .Data.Zero}}|{{.TTime "m.at" "Time" (timeat .Data.M)}}</p>{{end}}`)}
	cat, err := web.NewCatalogue(web.Assets(), mod)
	if err != nil {
		t.Fatal(err)
	}
	r, err := web.NewRenderer(cat, web.Source{Name: "core", FS: web.Assets()}, web.Source{Name: "m", FS: mod})
	if err != nil {
		t.Fatal(err)
	}
	paris := time.FixedZone("CET", 3600)
	m := time.Date(2026, 3, 1, 18, 5, 0, 0, paris)
	e := gin.New()
	e.Use(cat.LanguageMiddleware(false))
	e.GET("/page", func(c *gin.Context) {
		r.HTML(c, http.StatusOK, "m/page", "", struct {
			D, Zero time.Time
			P, M    *time.Time
			Nil     *time.Time
		}{D: m, P: &m, M: &m})
	})
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("GET", "/page?lang=en", nil))
	want := `<p id="r"><time datetime="2026-03-01">2026-03-01</time>|<time datetime="2026-03-01">2026-03-01</time>|` +
		`<time datetime="2026-03-01T17:05:00Z">2026-03-01 17:05 UTC</time>|||` +
		`Closes at <time datetime="2026-03-01T17:05:00Z">2026-03-01 17:05 UTC</time> &lt;sharp&gt;</p>`
	if !strings.Contains(w.Body.String(), want) {
		t.Errorf("got %s\nwant %s", w.Body.String(), want)
	}
	if got := web.TimeAt(m, "15:04:05 UTC"); got != `<time datetime="2026-03-01T17:05:00Z">17:05:00 UTC</time>` {
		t.Errorf("TimeAt: %s", got)
	}
}

func TestDurationElement(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                     `<time datetime="PT0S">0:00:00</time>`,
		-time.Second:                          `<time datetime="PT0S">0:00:00</time>`,
		90 * time.Second:                      `<time datetime="PT1M30S">0:01:30</time>`,
		time.Hour:                             `<time datetime="PT1H">1:00:00</time>`,
		26*time.Hour + 3*time.Second:          `<time datetime="PT26H3S">26:00:03</time>`,
		2*time.Minute + 1500*time.Millisecond: `<time datetime="PT2M1.5S">0:02:01</time>`,
		1234 * time.Millisecond:               `<time datetime="PT1.23S">0:00:01</time>`,
	} {
		if got := web.DurationElement(d); string(got) != want {
			t.Errorf("DurationElement(%v) = %s, want %s", d, got, want)
		}
	}
}
