package web

import (
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/gin-gonic/gin"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Languages are the portal's languages, in the order the switcher shows them.
var Languages = []Language{
	{Code: "en", Name: "English", Dir: "ltr"},
	{Code: "fr", Name: "Français", Dir: "ltr"},
	{Code: "es", Name: "Español", Dir: "ltr"},
	{Code: "ar", Name: "العربية", Dir: "rtl"},
}

// Language is one supported language.
type Language struct {
	Code string
	Name string
	Dir  string
}

// LanguageName is how a language is named to readers: a portal language by its own name
// ("Français"), any other language by its code. Mark the name up with lang="code".
func LanguageName(code string) string {
	for _, l := range Languages {
		if l.Code == code {
			return l.Name
		}
	}
	return code
}

// LangCookie remembers the chosen language.
const LangCookie = "glc_lang"

// Catalogue holds the messages of every language.
type Catalogue struct {
	bundle  *i18n.Bundle
	ids     map[string]map[string]bool // lang -> message IDs
	matcher language.Matcher
	loc     map[string]*i18n.Localizer
}

// NewCatalogue loads every locales/<lang>.toml found in each of the given file systems.
// Modules ship their own catalogues beside their templates.
func NewCatalogue(sources ...fs.FS) (*Catalogue, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalogue{bundle: b, ids: map[string]map[string]bool{}, loc: map[string]*i18n.Localizer{}}
	tags := make([]language.Tag, 0, len(Languages))
	for _, l := range Languages {
		c.ids[l.Code] = map[string]bool{}
		tags = append(tags, language.MustParse(l.Code))
	}
	c.matcher = language.NewMatcher(tags)
	for _, src := range sources {
		for _, l := range Languages {
			name := path.Join("locales", l.Code+".toml")
			data, err := fs.ReadFile(src, name)
			if err != nil {
				continue
			}
			mf, err := b.ParseMessageFileBytes(data, name)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			for _, m := range mf.Messages {
				if c.ids[l.Code][m.ID] {
					return nil, fmt.Errorf("%s: message %q is defined twice", name, m.ID)
				}
				c.ids[l.Code][m.ID] = true
			}
		}
	}
	for _, l := range Languages {
		c.loc[l.Code] = i18n.NewLocalizer(b, l.Code)
	}
	return c, nil
}

// Missing lists "lang: id" for every message that one language has and another lacks.
func (c *Catalogue) Missing() []string {
	all := map[string]bool{}
	for _, ids := range c.ids {
		for id := range ids {
			all[id] = true
		}
	}
	var out []string
	for id := range all {
		for _, l := range Languages {
			if !c.ids[l.Code][id] {
				out = append(out, l.Code+": "+id)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Has reports whether id exists in English.
func (c *Catalogue) Has(id string) bool { return c.ids["en"][id] }

// T translates id into lang. data may be nil, a map, or alternating key/value pairs; a
// "Count" key selects the plural form. An unknown id is returned as "[id]" so it shows.
func (c *Catalogue) T(lang, id string, args ...any) string {
	loc := c.loc[lang]
	if loc == nil {
		loc = c.loc["en"]
	}
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(args) == 1 {
		cfg.TemplateData = args[0]
	} else if len(args) > 1 {
		m := map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			m[fmt.Sprint(args[i])] = args[i+1]
		}
		cfg.TemplateData = m
		if n, ok := m["Count"]; ok {
			cfg.PluralCount = n
		}
	}
	s, err := loc.Localize(cfg)
	if err != nil {
		return "[" + id + "]"
	}
	return s
}

// Supported reports whether code is one of the portal's languages.
func Supported(code string) bool {
	for _, l := range Languages {
		if l.Code == code {
			return true
		}
	}
	return false
}

// Dir returns "rtl" or "ltr" for a language code.
func Dir(code string) string {
	for _, l := range Languages {
		if l.Code == code {
			return l.Dir
		}
	}
	return "ltr"
}

const langCtxKey = "glc.lang"

// LanguageMiddleware picks the language: ?lang= (remembered in a cookie), then the cookie,
// then Accept-Language, then English.
func (c *Catalogue) LanguageMiddleware(secure bool) gin.HandlerFunc {
	return func(g *gin.Context) {
		lang := ""
		if q := strings.ToLower(g.Query("lang")); Supported(q) {
			lang = q
			g.SetSameSite(http.SameSiteLaxMode)
			g.SetCookie(LangCookie, q, 365*24*3600, "/", "", secure, true)
		} else if ck, err := g.Cookie(LangCookie); err == nil && Supported(ck) {
			lang = ck
		} else if al := g.GetHeader("Accept-Language"); al != "" {
			tags, _, _ := language.ParseAcceptLanguage(al)
			if len(tags) > 0 {
				_, idx, conf := c.matcher.Match(tags...)
				if conf != language.No {
					lang = Languages[idx].Code
				}
			}
		}
		if lang == "" {
			lang = "en"
		}
		g.Set(langCtxKey, lang)
		g.Next()
	}
}

// Lang returns the request's language.
func Lang(g *gin.Context) string {
	if s := g.GetString(langCtxKey); s != "" {
		return s
	}
	return "en"
}
