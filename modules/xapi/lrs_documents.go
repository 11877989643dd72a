package xapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
)

// MaxDocument is the largest state or profile document (they are kept in the database).
const MaxDocument = 16 << 20

// docParams says which parameters a document resource takes.
var docParams = map[string]map[string]bool{
	KindState:           {"activityId": true, "agent": true, "registration": true, "stateId": true, "since": true},
	KindActivityProfile: {"activityId": true, "profileId": true, "since": true},
	KindAgentProfile:    {"agent": true, "profileId": true, "since": true},
}

// docKey reads and validates a document resource's parameters.
func docKey(kind string, q url.Values, v Version) (DocKey, *time.Time, error) {
	k := DocKey{Kind: kind}
	for p := range q {
		if !docParams[kind][p] {
			return k, nil, badRequestf("unknown parameter %q", p)
		}
	}
	if kind != KindAgentProfile {
		k.ActivityID = q.Get("activityId")
		if k.ActivityID == "" {
			return k, nil, badRequest("activityId is required")
		}
		if !isIRI(k.ActivityID) {
			return k, nil, badRequest("activityId must be an IRI")
		}
	}
	if kind != KindActivityProfile {
		a := q.Get("agent")
		if a == "" {
			return k, nil, badRequest("agent is required")
		}
		m, err := parseAgentParam(a, v)
		if err != nil {
			return k, nil, err
		}
		k.AgentIFI = IFI(m)
	}
	if kind == KindState {
		if r := q.Get("registration"); r != "" {
			if !IsUUID(r) {
				return k, nil, badRequest("registration must be a UUID")
			}
			k.Registration = strings.ToLower(r)
		}
		k.DocID = q.Get("stateId")
	} else {
		k.DocID = q.Get("profileId")
	}
	if len(k.ActivityID) > maxIndexed || len(k.AgentIFI) > maxIndexed || len(k.DocID) > maxIndexed {
		return k, nil, badRequestf("identifiers longer than %d characters are not supported", maxIndexed)
	}
	var since *time.Time
	if s := q.Get("since"); s != "" {
		t, err := validator{v: v}.parseTimestamp(s)
		if err != nil {
			return k, nil, badRequestf("since: %v", err)
		}
		since = &t
	}
	return k, since, nil
}

func (h *lrsHandler) document(c *gin.Context, id *Identity, v Version, kind, method string) {
	ctx := c.Request.Context()
	if id.cmi5 != nil {
		if err := h.s.cmi5Documents(c, id, kind, method); err != nil {
			fail(c, err)
			return
		}
	}
	k, since, err := docKey(kind, c.Request.URL.Query(), v)
	if err != nil {
		fail(c, err)
		return
	}
	pre := Preconditions{IfMatch: c.GetHeader("If-Match"), IfNoneMatch: c.GetHeader("If-None-Match")}
	switch method {
	case http.MethodGet:
		if k.DocID == "" {
			ids, last, err := h.s.ListDocuments(ctx, id, k, since)
			if err != nil {
				fail(c, err)
				return
			}
			lastModified(c, last)
			c.JSON(http.StatusOK, ids)
			return
		}
		if since != nil {
			fail(c, badRequest("since applies only to lists of documents"))
			return
		}
		d, err := h.s.GetDocument(ctx, id, k)
		if err != nil {
			fail(c, err)
			return
		}
		c.Header("ETag", d.ETag)
		lastModified(c, d.Updated)
		c.Data(http.StatusOK, d.ContentType, d.Content)
	case http.MethodPut, http.MethodPost:
		if k.DocID == "" {
			fail(c, badRequest("the document id parameter is required"))
			return
		}
		if since != nil {
			fail(c, badRequest("since applies only to lists of documents"))
			return
		}
		body, err := io.ReadAll(io.LimitReader(c.Request.Body, MaxDocument+1))
		if err != nil {
			fail(c, err)
			return
		}
		if len(body) > MaxDocument {
			fail(c, fmt.Errorf("documents are limited to %d MiB: %w", MaxDocument>>20, apperr.ErrTooLarge))
			return
		}
		ct := c.GetHeader("Content-Type")
		if method == http.MethodPut && isJSONType(ct) && !json.Valid(body) {
			fail(c, badRequest("the document is sent as application/json but is not valid JSON"))
			return
		}
		etag, err := h.s.PutDocument(ctx, id, v, k, ct, body, pre, method == http.MethodPost)
		if err != nil {
			fail(c, err)
			return
		}
		c.Header("ETag", etag)
		c.Status(http.StatusNoContent)
	case http.MethodDelete:
		if k.DocID == "" && kind != KindState {
			fail(c, badRequest("profileId is required"))
			return
		}
		if err := h.s.DeleteDocument(ctx, id, k, pre); err != nil {
			fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	default:
		fail(c, methodNotAllowed(method))
	}
}

func (h *lrsHandler) activity(c *gin.Context, id *Identity, v Version, method string) {
	if method != http.MethodGet {
		fail(c, methodNotAllowed(method))
		return
	}
	q := c.Request.URL.Query()
	for p := range q {
		if p != "activityId" {
			fail(c, badRequestf("unknown parameter %q", p))
			return
		}
	}
	aid := q.Get("activityId")
	if aid == "" || !isIRI(aid) {
		fail(c, badRequest("activityId is required and must be an IRI"))
		return
	}
	a, err := h.s.Activity(c.Request.Context(), id, aid)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (h *lrsHandler) agents(c *gin.Context, id *Identity, v Version, method string) {
	if method != http.MethodGet {
		fail(c, methodNotAllowed(method))
		return
	}
	q := c.Request.URL.Query()
	for p := range q {
		if p != "agent" {
			fail(c, badRequestf("unknown parameter %q", p))
			return
		}
	}
	if q.Get("agent") == "" {
		fail(c, badRequest("agent is required"))
		return
	}
	m, err := parseAgentParam(q.Get("agent"), v)
	if err != nil {
		fail(c, err)
		return
	}
	p, err := h.s.Person(c.Request.Context(), id, m)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}
