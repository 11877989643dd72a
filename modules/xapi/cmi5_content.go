package xapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/httpx"
	"glc/modules/scorm"
)

// contentCSP is the policy of AU content: like SCORM content (its own scripts, inline ones and
// eval included, media from its own origin, data: and blob:), except that its connections
// may also reach the record store and the fetch URL at /xapi/ on the portal's origin.
func (s *Service) contentCSP(r *http.Request, courseUUID string) string {
	own := "'self'"
	if s.c5.cfg.ContentOrigin == "" {
		own = s.requestOrigin(r) + "/cmi5/content/" + courseUUID + "/"
	}
	lrs := s.lmsOrigin(r) + "/xapi/"
	ancestors := "'self'"
	if s.c5.cfg.ContentOrigin != "" {
		ancestors = "'self' " + s.lmsOrigin(r)
	}
	return "default-src 'self' data: blob:; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; " +
		"style-src 'self' 'unsafe-inline' data:; img-src 'self' data: blob:; media-src 'self' data: blob:; " +
		"font-src 'self' data:; connect-src " + own + " " + lrs + "; form-action " + own + "; worker-src 'self' blob:; " +
		"object-src 'none'; base-uri 'self'; frame-src 'self' blob: data:; frame-ancestors " + ancestors
}

// serveContent streams a course file: GET /cmi5/content/{uuid}/{capability}/{file...}.
func (s *Service) serveContent(c *gin.Context) {
	if !s.onContentHost(c.Request) {
		httpx.Fail(c, apperr.ErrNotFound)
		return
	}
	courseUUID, tok := c.Param("uuid"), c.Param("token")
	if !IsUUID(courseUUID) || !s.checkContentCap(courseUUID, tok) {
		contentError(c, http.StatusForbidden)
		return
	}
	scorm.ServeStoredFile(c, s.store, "cmi5/"+courseUUID+"/", s.contentCSP(c.Request, courseUUID))
}

func contentError(c *gin.Context, status int) { scorm.ContentError(c, status) }

// escapePath escapes a launch URL's path (keeping its query and fragment as written).
func escapePath(p string) string {
	if dec, err := url.PathUnescape(p); err == nil {
		p = dec
	}
	u := url.URL{Path: p}
	return strings.TrimPrefix(u.EscapedPath(), "/")
}

// cmi5Forbidden is how cmi5 refuses what an AU may not do (the cmi5 LMS test suite expects
// 401 or 403 for every refusal).
func cmi5Forbidden(format string, args ...any) error {
	return apperr.New(http.StatusForbidden, "cmi5_forbidden", "%s", fmt.Sprintf(format, args...))
}

// cmi5Documents applies cmi5's rules to an AU's document requests: LMS.LaunchData is read
// only, state documents stay within the registration, and cmi5LearnerPreferences must be the
// JSON object section 11 describes.
func (s *Service) cmi5Documents(c *gin.Context, id *Identity, kind, method string) error {
	q := c.Request.URL.Query()
	write := method != http.MethodGet
	switch kind {
	case KindState:
		if r := q.Get("registration"); r != "" && !strings.EqualFold(r, id.Registration) {
			return cmi5Forbidden("this token may only use state documents of registration %s", id.Registration)
		}
		if write && q.Get("stateId") == cmi5LaunchState {
			return cmi5Forbidden("LMS.LaunchData is written by the LMS only")
		}
		if method == http.MethodDelete && q.Get("stateId") == "" {
			return cmi5Forbidden("deleting every state document would delete LMS.LaunchData")
		}
	case KindAgentProfile:
		if q.Get("agent") == "" {
			return cmi5Forbidden("agent is required and must be the launched actor")
		}
		if write && q.Get("profileId") == cmi5Prefs {
			return s.checkPrefs(c)
		}
	}
	return nil
}

// checkPrefs checks a cmi5LearnerPreferences document an AU writes.
func (s *Service) checkPrefs(c *gin.Context) error {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "application/json" {
		return cmi5Forbidden("cmi5LearnerPreferences is a JSON document (application/json)")
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, MaxDocument+1))
	if err != nil {
		return err
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	var prefs map[string]any
	if json.Unmarshal(body, &prefs) != nil {
		return cmi5Forbidden("cmi5LearnerPreferences must be a JSON object")
	}
	lp, ok := prefs["languagePreference"].(string)
	if !ok || lp == "" {
		return cmi5Forbidden("cmi5LearnerPreferences needs languagePreference, a comma-separated list of language tags")
	}
	for _, tag := range strings.Split(lp, ",") {
		if !reLangTag.MatchString(tag) {
			return cmi5Forbidden("languagePreference %q is not a comma-separated list of language tags", lp)
		}
	}
	if ap, _ := prefs["audioPreference"].(string); ap != "on" && ap != "off" {
		return cmi5Forbidden("cmi5LearnerPreferences needs audioPreference, \"on\" or \"off\"")
	}
	return nil
}
