package xapi

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/httpx"
)

// The record store lives at /xapi/ exactly as the xAPI specification says; it is not part of
// /api/v1 and is described by the specification rather than by the OpenAPI document.

const versionHeader = "X-Experience-API-Version"

var reReqVersion = regexp.MustCompile(`^(1|2)\.0(\.\d+)?$`)

// ParseVersion reads the X-Experience-API-Version header.
func ParseVersion(h string) (Version, error) {
	g := reReqVersion.FindStringSubmatch(strings.TrimSpace(h))
	if g == nil {
		if h == "" {
			return 0, badRequest("the X-Experience-API-Version header is required")
		}
		return 0, badRequestf("version %q is not supported (1.0.x and 2.0.x are)", h)
	}
	if g[1] == "2" {
		return V200, nil
	}
	return V103, nil
}

type lrsHandler struct {
	s *Service
	// lastVersion remembers the version each client last spoke, to answer a request that
	// forgot the version header in the version that client most likely expects.
	lastVersion sync.Map
}

func identityKey(id *Identity) string {
	return fmt.Sprintf("%d/%d/%s", id.CredentialID, id.UserID, id.AuthorityIFI)
}

// guessVersion is the version to announce on a request without a valid version header: the
// one its (valid) credentials last used, else the newest.
func (h *lrsHandler) guessVersion(c *gin.Context) Version {
	if id, err := h.s.authenticate(c.Request); err == nil {
		if v, ok := h.lastVersion.Load(identityKey(id)); ok {
			return v.(Version)
		}
	}
	return V200
}

func setCORS(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "HEAD, GET, POST, PUT, DELETE, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Content-Type, Content-Length, Authorization, If-Match, If-None-Match, X-Experience-API-Version, X-Experience-API-Consistent-Through, X-Requested-With, Accept-Language")
	h.Set("Access-Control-Expose-Headers", "ETag, Last-Modified, Cache-Control, Content-Type, Content-Length, WWW-Authenticate, X-Experience-API-Version, X-Experience-API-Consistent-Through")
	h.Set("Cache-Control", "no-cache")
}

func fail(c *gin.Context, err error) {
	if errors.Is(err, apperr.ErrUnauthenticated) {
		c.Header("WWW-Authenticate", `Basic realm="GLC Learning Record Store"`)
	}
	if c.Request.Method == http.MethodHead {
		status, _ := httpx.Classify(err)
		c.AbortWithStatus(status)
		return
	}
	httpx.Fail(c, err)
}

func (h *lrsHandler) serve(c *gin.Context) {
	setCORS(c)
	if c.Request.Method == http.MethodOptions {
		c.Status(http.StatusOK)
		return
	}
	// An endpoint given with a trailing slash ("/xapi/") and joined with "/statements" makes
	// a double slash: it names the same resource.
	path := "/" + strings.Trim(c.Param("path"), "/")
	if strings.HasPrefix(path, cmi5FetchPath) {
		h.s.serveFetch(c, strings.TrimPrefix(path, cmi5FetchPath))
		return
	}
	if c.Request.URL.Query().Has("method") {
		if err := h.alternate(c); err != nil {
			c.Header(versionHeader, V200.String())
			fail(c, err)
			return
		}
	}
	if path == "/about" {
		h.about(c)
		return
	}
	v, err := ParseVersion(c.GetHeader(versionHeader))
	if err != nil {
		c.Header(versionHeader, h.guessVersion(c).String())
		fail(c, err)
		return
	}
	c.Header(versionHeader, v.String())
	id, err := h.s.authenticate(c.Request)
	if err != nil {
		fail(c, err)
		return
	}
	h.lastVersion.Store(identityKey(id), v)
	if c.Request.ContentLength > h.s.maxBody {
		fail(c, apperr.ErrTooLarge)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, h.s.maxBody)
	m := c.Request.Method
	if m == http.MethodHead {
		m = http.MethodGet
	}
	switch path {
	case "/statements":
		switch m {
		case http.MethodGet:
			h.getStatements(c, id, v)
		case http.MethodPut, http.MethodPost:
			h.postStatements(c, id, v, m == http.MethodPut)
		default:
			fail(c, methodNotAllowed(m))
		}
	case "/activities/state":
		h.document(c, id, v, KindState, m)
	case "/activities/profile":
		h.document(c, id, v, KindActivityProfile, m)
	case "/agents/profile":
		h.document(c, id, v, KindAgentProfile, m)
	case "/activities":
		h.activity(c, id, v, m)
	case "/agents":
		h.agents(c, id, v, m)
	default:
		fail(c, fmt.Errorf("no such record-store resource: %w", apperr.ErrNotFound))
	}
}

func methodNotAllowed(m string) error {
	return apperr.New(http.StatusMethodNotAllowed, "method_not_allowed", "%s is not allowed on this resource.", m)
}

// alternate turns a 1.0.x alternate-syntax request (POST ?method=X with the headers, the
// parameters and the content in a form) into the request it stands for. 2.0.0 removed it.
func (h *lrsHandler) alternate(c *gin.Context) error {
	r := c.Request
	method := strings.ToUpper(r.URL.Query().Get("method"))
	if r.Method != http.MethodPost {
		return badRequest("the alternate request syntax must be sent as POST")
	}
	if len(r.URL.Query()) != 1 {
		return badRequest("the alternate request syntax takes only the method parameter in the URL")
	}
	switch method {
	case http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodHead:
	default:
		return badRequestf("method %q is not allowed", method)
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return badRequest("the alternate request syntax needs a form (application/x-www-form-urlencoded)")
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, h.s.maxBody))
	if err != nil {
		return badRequest("the form cannot be read")
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		return badRequest("the form cannot be read")
	}
	hdr := r.Header.Clone()
	hdr.Del("Content-Type")
	q := url.Values{}
	var content string
	for k, vals := range form {
		switch k {
		case "Authorization", "X-Experience-API-Version", "Content-Type", "Content-Length", "If-Match", "If-None-Match":
			hdr.Set(k, vals[0])
		case "content":
			content = vals[0]
		default:
			q[k] = vals
		}
	}
	if hdr.Get("Authorization") == "" {
		// A browser form could forge a session request: the alternate syntax needs credentials.
		return fmt.Errorf("the alternate request syntax needs credentials: %w", apperr.ErrUnauthenticated)
	}
	if v, err := ParseVersion(hdr.Get(versionHeader)); err == nil && v == V200 {
		return badRequest("xAPI 2.0 has no alternate request syntax")
	}
	if content != "" && hdr.Get("Content-Type") == "" {
		hdr.Set("Content-Type", "application/json")
	}
	nr := r.Clone(r.Context())
	nr.Method = method
	nr.Header = hdr
	nr.URL.RawQuery = q.Encode()
	nr.Body = io.NopCloser(strings.NewReader(content))
	nr.ContentLength = int64(len(content))
	c.Request = nr
	return nil
}

func (h *lrsHandler) about(c *gin.Context) {
	v, err := ParseVersion(c.GetHeader(versionHeader))
	if err != nil {
		v = V200
	}
	c.Header(versionHeader, v.String())
	if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
		fail(c, methodNotAllowed(c.Request.Method))
		return
	}
	c.JSON(http.StatusOK, gin.H{"version": []string{"1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0"}, "extensions": gin.H{}})
}

func (h *lrsHandler) consistent(c *gin.Context) {
	c.Header("X-Experience-API-Consistent-Through", formatTime(h.s.now()))
}

func lastModified(c *gin.Context, t time.Time) {
	if !t.IsZero() {
		c.Header("Last-Modified", t.UTC().Format(http.TimeFormat))
	}
}

func (h *lrsHandler) getStatements(c *gin.Context, id *Identity, v Version) {
	ctx := c.Request.Context()
	params := c.Request.URL.Query()
	h.consistent(c)
	q, err := ParseQuery(params, v)
	if err != nil {
		fail(c, err)
		return
	}
	langs := acceptLanguages(c.GetHeader("Accept-Language"))
	sid, vid := params.Get("statementId"), params.Get("voidedStatementId")
	if sid != "" || vid != "" {
		for k := range params {
			if k != "statementId" && k != "voidedStatementId" && k != "format" && k != "attachments" {
				fail(c, badRequestf("%s cannot be combined with statementId or voidedStatementId", k))
				return
			}
		}
		if sid != "" && vid != "" {
			fail(c, badRequest("send statementId or voidedStatementId, not both"))
			return
		}
		one := sid
		if one == "" {
			one = vid
		}
		if !IsUUID(one) {
			fail(c, badRequest("the statement id must be a UUID"))
			return
		}
		raw, stored, err := h.s.GetStatement(ctx, id, one, vid != "")
		if err != nil {
			fail(c, err)
			return
		}
		defs, err := h.canonicalDefs(c, q.Format, []json.RawMessage{raw})
		if err != nil {
			fail(c, err)
			return
		}
		out, err := formatStatement(raw, q.Format, langs, defs)
		if err != nil {
			fail(c, err)
			return
		}
		lastModified(c, stored)
		h.respond(c, out, q.Attachments, []json.RawMessage{raw})
		return
	}
	if tok := params.Get("more"); tok != "" {
		if len(params) != 1 {
			fail(c, badRequest("more cannot be combined with other parameters"))
			return
		}
		if q, err = decodeMore(tok); err != nil {
			fail(c, err)
			return
		}
	}
	res, err := h.s.Query(ctx, id, q)
	if err != nil {
		fail(c, err)
		return
	}
	raws := res.Statements
	defs, err := h.canonicalDefs(c, q.Format, raws)
	if err != nil {
		fail(c, err)
		return
	}
	formatted := make([]json.RawMessage, len(raws))
	for i, r := range raws {
		if formatted[i], err = formatStatement(r, q.Format, langs, defs); err != nil {
			fail(c, err)
			return
		}
	}
	body, err := json.Marshal(StatementResult{Statements: formatted, More: res.More})
	if err != nil {
		fail(c, err)
		return
	}
	lastModified(c, res.Last)
	h.respond(c, body, q.Attachments, raws)
}

// canonicalDefs loads the canonical activity definitions when the format asks for them.
func (h *lrsHandler) canonicalDefs(c *gin.Context, format string, raws []json.RawMessage) (map[string]map[string]any, error) {
	if format != "canonical" {
		return nil, nil
	}
	return h.s.Definitions(c.Request.Context(), raws)
}

// respond writes a statement result as JSON, or as multipart/mixed with its attachments.
func (h *lrsHandler) respond(c *gin.Context, body []byte, attachments bool, raws []json.RawMessage) {
	if !attachments {
		c.Data(http.StatusOK, "application/json", body)
		return
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	boundary := "xapi-" + hex.EncodeToString(b)
	// Attachments stream from the object store; once the body has started an error can only
	// cut the response short (and is logged).
	c.Header("Content-Type", "multipart/mixed; boundary="+boundary)
	c.Status(http.StatusOK)
	if err := h.s.writeMultipart(c.Request.Context(), c.Writer, boundary, body, attachmentSHAs(raws)); err != nil {
		httpx.Logger(c).ErrorContext(c.Request.Context(), "xapi multipart response cut short", "err", err)
	}
}

func (h *lrsHandler) postStatements(c *gin.Context, id *Identity, v Version, put bool) {
	ctx := c.Request.Context()
	params := c.Request.URL.Query()
	putID := ""
	if put {
		for k := range params {
			if k != "statementId" {
				fail(c, badRequestf("unknown parameter %q", k))
				return
			}
		}
		putID = params.Get("statementId")
		if putID == "" {
			fail(c, badRequest("PUT needs the statementId parameter"))
			return
		}
		if !IsUUID(putID) {
			fail(c, badRequest("statementId must be a UUID"))
			return
		}
	} else if len(params) > 0 {
		for k := range params {
			fail(c, badRequestf("unknown parameter %q", k))
			return
		}
	}
	ct := c.GetHeader("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	var body []byte
	var parts []Part
	var err error
	switch mt {
	case "application/json":
		body, err = io.ReadAll(c.Request.Body)
		if err != nil {
			fail(c, err)
			return
		}
	case "multipart/mixed":
		body, parts, err = ParseMultipart(c.Request.Body, ct)
		if err != nil {
			fail(c, err)
			return
		}
		defer RemoveParts(parts)
	default:
		fail(c, badRequest("send statements as application/json or multipart/mixed"))
		return
	}
	stmts, err := ParseStatements(body)
	if err != nil {
		fail(c, err)
		return
	}
	if put && (len(stmts) != 1 || bytes.HasPrefix(bytes.TrimSpace(body), []byte("["))) {
		fail(c, badRequest("PUT takes exactly one statement object"))
		return
	}
	ids, err := h.s.StoreStatements(ctx, id, v, stmts, parts, putID)
	if err != nil {
		fail(c, err)
		return
	}
	h.consistent(c)
	if put {
		c.Status(http.StatusNoContent)
		return
	}
	c.JSON(http.StatusOK, ids)
}
