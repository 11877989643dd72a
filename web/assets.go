// Package webassets embeds the third-party front-end files that `npm run build --prefix web`
// copies into web/dist (installed from npm, pinned in web/package-lock.json; nothing
// third-party is committed) and serves them under /static/vendor/. On a fresh clone, before
// npm has run, dist holds only .gitkeep: the package still compiles and Has reports false.
package webassets

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
	"sync"
)

//go:embed all:dist
var dist embed.FS

// Prefix is the URL path the files are served under.
const Prefix = "/static/vendor/"

var (
	once    sync.Once
	version map[string]string
)

// FS returns the built files (dist/ as the root).
func FS() fs.FS {
	sub, _ := fs.Sub(dist, "dist")
	return sub
}

func versions() map[string]string {
	once.Do(func() {
		version = map[string]string{}
		_ = fs.WalkDir(FS(), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(FS(), p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			version[p] = hex.EncodeToString(sum[:6])
			return nil
		})
	})
	return version
}

// Has reports whether name (e.g. "scorm-again/scorm12.min.js") was built.
func Has(name string) bool {
	_, ok := versions()[name]
	return ok
}

// URL returns the versioned URL of a built file.
func URL(name string) string { return Prefix + name + "?v=" + versions()[name] }

// Handler serves /static/vendor/ from the built files and hands every other request to next.
// Versioned URLs are cached for a year.
func Handler(next http.Handler) http.Handler {
	files := http.StripPrefix(strings.TrimSuffix(Prefix, "/"), http.FileServer(http.FS(FS())))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, Prefix) {
			next.ServeHTTP(w, r)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/") || strings.Contains(r.URL.Path, "/.") {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		files.ServeHTTP(w, r)
	})
}
