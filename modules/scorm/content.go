package scorm

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/database"
	"glc/internal/httpx"
	"glc/storage"
)

// Package content is untrusted HTML and JavaScript written by whoever made the package. The
// threat: a package that uses the learner's session to call the API as the learner (read their
// data, enrol, change their profile), acts on the portal's pages, or writes another learner's
// results.
//
// Design. Three frames: the player page (portal origin) frames the "API frame", which frames the
// SCO. Content is served under /content/{package uuid}/{capability}/{file}: the capability is an
// HMAC token letting one user read one package for 12 hours, so relative links work and no
// cookie is needed. The API frame (/scorm/frame) is served from the content's origin and holds
// the scorm-again runtime as window.API / window.API_1484_11, where the SCO's API finder (which
// walks window.parent) finds it. It gets its launch data from the player page by postMessage
// (checked origins both ways) and commits to /api/v1/scorm/attempts/{id}/commit on its own
// origin with the session's commit capability (X-SCORM-Commit-Token: one attempt, one item,
// one session, one user), so the final commit can go out with fetch keepalive as the page
// closes. A commit capability lets content do no more than SetValue already lets it do.
//
//   - GLC_CONTENT_ORIGIN set (recommended; best on another registrable domain): the API frame
//     and the content are served only on that origin (404 on the portal's host). The portal's
//     cookies are host-only and are never sent there; the same-origin policy keeps the content
//     out of the player page; cross-origin requests to the portal carry no session (and state
//     changes would still need the CSRF token). The content cannot act as the learner.
//     TestBrowserContentOriginIsolation checks this in Chromium.
//   - GLC_CONTENT_ORIGIN unset: content shares the portal's origin. Each content response carries
//     a CSP whose connect-src and form-action allow only the package's own path (the content's
//     own fetch/XHR/form posts cannot reach /api/ or the pages), frame-ancestors 'self' and
//     object-src 'none'. A sandboxed frame (no allow-same-origin) would break the API finder, so
//     this mode cannot stop a hostile package from scripting its same-origin parent frames:
//     packages are then trusted as far as the instructors who upload them, and the start-up log
//     says so. TestBrowser2004FlowSameOrigin records exactly this (API blocked, parent open).

// contentTTL is how long a content capability lasts (a long lesson in one sitting).
const contentTTL = 12 * time.Hour

// tokenSigner makes and checks content capabilities.
type tokenSigner struct {
	key []byte
	now func() time.Time
}

// newTokenSigner loads the instance's content key (generated once, kept in app settings so all
// replicas share it).
func newTokenSigner(ctx context.Context, db *database.DB) (*tokenSigner, error) {
	hexKey, err := db.SettingOrCreate(ctx, "scorm_content_key", func() (string, error) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		return hex.EncodeToString(b), nil
	})
	if err != nil {
		return nil, fmt.Errorf("scorm content key: %w", err)
	}
	key, err := hex.DecodeString(hexKey)
	if err != nil || len(key) < 32 {
		return nil, errors.New("scorm content key: stored key is invalid; delete app setting scorm_content_key")
	}
	return &tokenSigner{key: key, now: func() time.Time { return time.Now().UTC() }}, nil
}

func (t *tokenSigner) mac(pkg string, user, exp int64) string {
	h := hmac.New(sha256.New, t.key)
	fmt.Fprintf(h, "scorm-content\x00%s\x00%d\x00%d", pkg, user, exp)
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}

// Issue returns a capability for user to read package content pkg (its content UUID).
func (t *tokenSigner) Issue(pkg string, user int64) string {
	exp := t.now().Add(contentTTL).Unix()
	return strconv.FormatInt(user, 36) + "." + strconv.FormatInt(exp, 36) + "." + t.mac(pkg, user, exp)
}

// Check verifies a capability for pkg and returns its user.
func (t *tokenSigner) Check(pkg, tok string) (int64, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return 0, errBadToken
	}
	user, err1 := strconv.ParseInt(parts[0], 36, 64)
	exp, err2 := strconv.ParseInt(parts[1], 36, 64)
	if err1 != nil || err2 != nil {
		return 0, errBadToken
	}
	if !hmac.Equal([]byte(parts[2]), []byte(t.mac(pkg, user, exp))) {
		return 0, errBadToken
	}
	if t.now().Unix() > exp {
		return 0, fmt.Errorf("the link to this content has expired; reopen the lesson: %w", apperr.ErrForbidden)
	}
	return user, nil
}

var errBadToken = fmt.Errorf("the link to this content is not valid: %w", apperr.ErrForbidden)

// contentBase is the origin that serves content ("" for the portal's own).
func (s *Service) contentBase() string { return s.cfg.ContentOrigin }

// ContentURL is where a file of the package is served for user. The address names the
// package's content (shared by the copies of a package), and the capability grants that content.
func (s *Service) ContentURL(pkg *Package, user int64, file string) string {
	c := pkg.Content()
	return s.contentBase() + "/content/" + c + "/" + s.tokens.Issue(c, user) + "/" + escapePath(file)
}

// escapePath escapes a launch href's path (keeping its query and fragment as written).
func escapePath(href string) string {
	p, rest := href, ""
	if i := strings.IndexAny(href, "?#"); i >= 0 {
		p, rest = href[:i], href[i:]
	}
	if dec, err := url.PathUnescape(p); err == nil {
		p = dec
	}
	u := url.URL{Path: p}
	return strings.TrimPrefix(u.EscapedPath(), "/") + rest
}

// onContentHost reports whether the request may be served as content: with a content origin,
// only requests to that origin's host are.
func (s *Service) onContentHost(r *http.Request) bool {
	if s.cfg.ContentOrigin == "" {
		return true
	}
	u, err := url.Parse(s.cfg.ContentOrigin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// onMainHost reports whether the request is for the portal (not the content origin).
func (s *Service) onMainHost(r *http.Request) bool {
	if s.cfg.ContentOrigin == "" {
		return true
	}
	return !s.onContentHost(r)
}

// requestOrigin is scheme://host of the request as the browser sees it.
func (s *Service) requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.HasPrefix(s.cfg.BaseURL, "https://") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// mainOrigin is the portal's origin (the player page's).
func (s *Service) mainOrigin(r *http.Request) string {
	if s.cfg.ContentOrigin == "" {
		return s.requestOrigin(r)
	}
	u, err := url.Parse(s.cfg.BaseURL)
	if err != nil {
		return s.cfg.BaseURL
	}
	return u.Scheme + "://" + u.Host
}

// ContentCSP is the policy of package content. Content needs its own scripts and styles,
// inline ones and eval included (authoring tools emit them); it may load media from its own
// origin, data: and blob:. Its connections and form posts may go only to its own package
// (under a shared origin, that keeps the API out of its reach; see the note at the top).
func (s *Service) ContentCSP(r *http.Request, pkgUUID string) string {
	own := "'self'"
	if s.cfg.ContentOrigin == "" {
		own = s.requestOrigin(r) + "/content/" + pkgUUID + "/"
	}
	ancestors := "'self'"
	if s.cfg.ContentOrigin != "" {
		ancestors = "'self' " + s.mainOrigin(r)
	}
	return "default-src 'self' data: blob:; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; " +
		"style-src 'self' 'unsafe-inline' data:; img-src 'self' data: blob:; media-src 'self' data: blob:; " +
		"font-src 'self' data:; connect-src " + own + "; form-action " + own + "; worker-src 'self' blob:; " +
		"object-src 'none'; base-uri 'self'; frame-src 'self' blob: data:; frame-ancestors " + ancestors
}

// serveContent streams a package file from object storage through the app (local disk and S3
// alike, with the content policy below): GET /content/{content uuid}/{token}/{file...}.
func (s *Service) serveContent(c *gin.Context) {
	if !s.onContentHost(c.Request) {
		httpx.Fail(c, apperr.ErrNotFound)
		return
	}
	pkgUUID, tok := c.Param("uuid"), c.Param("token")
	if _, err := s.tokens.Check(pkgUUID, tok); err != nil {
		ContentError(c, http.StatusForbidden)
		return
	}
	ServeStoredFile(c, s.store, "scorm/"+pkgUUID+"/", s.ContentCSP(c.Request, pkgUUID))
}

// ServeStoredFile streams the file named by the route's {file...} parameter from object
// storage under prefix, as package content: relative paths only (no "..", ".", empty or
// backslash elements: 404), the content policy csp instead of X-Frame-Options, a content type
// from storage or else from the extension, private caching, Range. The cmi5 module serves its
// assignable units with it too.
func ServeStoredFile(c *gin.Context, store storage.Store, prefix, csp string) {
	file := strings.TrimPrefix(c.Param("file"), "/")
	if file == "" || strings.Contains(file, "\\") {
		ContentError(c, http.StatusNotFound)
		return
	}
	for _, el := range strings.Split(file, "/") {
		if el == ".." || el == "." || el == "" {
			ContentError(c, http.StatusNotFound)
			return
		}
	}
	obj, err := store.Get(c.Request.Context(), prefix+file)
	if err != nil {
		if errors.Is(err, storage.ErrNotExist) || errors.Is(err, storage.ErrInvalidKey) {
			ContentError(c, http.StatusNotFound)
			return
		}
		httpx.Fail(c, err)
		return
	}
	defer obj.Close()
	info := obj.Info()
	h := c.Writer.Header()
	h.Del("X-Frame-Options") // frame-ancestors in csp says who may frame content
	h.Set("Content-Security-Policy", csp)
	ct := info.ContentType
	if ct == "" || ct == "application/octet-stream" {
		if t := TypeByExtension(file); t != "" {
			ct = t
		}
	}
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	http.ServeContent(c.Writer, c.Request, path.Base(file), info.ModTime, obj)
}

// ContentError answers a content request with a bare status page under a policy that allows
// nothing.
func ContentError(c *gin.Context, status int) {
	c.Writer.Header().Set("Content-Security-Policy", "default-src 'none'")
	c.Data(status, "text/plain; charset=utf-8", []byte(http.StatusText(status)))
	c.Abort()
}

// commitCap is a capability to commit one session of one item of an attempt: the API frame
// sends it with its commits, so that commits work without the portal's cookies (from the
// content origin) and the final commit can go out with fetch keepalive as the page closes.
func (t *tokenSigner) commitCap(attemptID, user int64, item string, session int) string {
	exp := t.now().Add(contentTTL).Unix()
	return strconv.FormatInt(exp, 36) + "." + t.capMAC(attemptID, user, item, session, exp)
}

func (t *tokenSigner) capMAC(attemptID, user int64, item string, session int, exp int64) string {
	h := hmac.New(sha256.New, t.key)
	fmt.Fprintf(h, "scorm-commit\x00%d\x00%d\x00%s\x00%d\x00%d", attemptID, user, item, session, exp)
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}

// checkCommitCap verifies a commit capability.
func (t *tokenSigner) checkCommitCap(tok string, attemptID, user int64, item string, session int) bool {
	exp36, mac, ok := strings.Cut(tok, ".")
	if !ok {
		return false
	}
	exp, err := strconv.ParseInt(exp36, 36, 64)
	if err != nil || t.now().Unix() > exp {
		return false
	}
	return hmac.Equal([]byte(mac), []byte(t.capMAC(attemptID, user, item, session, exp)))
}
