package xapi

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strings"
	"time"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/database"
)

// DocKey names one document (or, with DocID empty, a set of documents).
type DocKey struct {
	Kind         string
	ActivityID   string
	AgentIFI     string
	Registration string
	DocID        string
}

// Preconditions are the request's If-Match and If-None-Match headers.
type Preconditions struct {
	IfMatch     string
	IfNoneMatch string
}

func (p Preconditions) any() bool { return p.IfMatch != "" || p.IfNoneMatch != "" }

// etagOf is the quoted SHA-1 of the content.
func etagOf(b []byte) string {
	sum := sha1.Sum(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// etagMatches reports whether an If-Match / If-None-Match list names etag.
func etagMatches(list, etag string) bool {
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimPrefix(strings.TrimSpace(e), "W/")
		if e == "*" || e == etag || `"`+strings.Trim(e, `"`)+`"` == etag {
			return true
		}
	}
	return false
}

// check applies the preconditions to the current document (nil when there is none).
func (p Preconditions) check(cur *Document) error {
	if p.IfMatch != "" && (cur == nil || !etagMatches(p.IfMatch, cur.ETag)) {
		return errPrecondition
	}
	if p.IfNoneMatch != "" && cur != nil && etagMatches(p.IfNoneMatch, cur.ETag) {
		return errPrecondition
	}
	return nil
}

func (s *Service) canDocs(id *Identity, k DocKey, write bool) error {
	scope := ScopeProfile
	if k.Kind == KindState {
		scope = ScopeState
	}
	ok := id.Can(scope) || (!write && id.Can(ScopeAllRead))
	if !ok {
		return fmt.Errorf("these credentials cannot use this document resource: %w", apperr.ErrForbidden)
	}
	if id.AgentIFI != "" && k.Kind != KindActivityProfile && k.AgentIFI != id.AgentIFI {
		return fmt.Errorf("a learner session may only use the learner's own documents: %w", apperr.ErrForbidden)
	}
	if id.AgentIFI != "" && k.Kind == KindActivityProfile && write {
		return fmt.Errorf("a learner session cannot change activity profiles: %w", apperr.ErrForbidden)
	}
	return nil
}

func (s *Service) findDoc(tx *gorm.DB, k DocKey) (*Document, error) {
	var d Document
	err := tx.Where("kind = ? AND activity_id = ? AND agent_ifi = ? AND registration = ? AND doc_id = ?",
		k.Kind, k.ActivityID, k.AgentIFI, k.Registration, k.DocID).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	return &d, err
}

// GetDocument returns one document.
func (s *Service) GetDocument(ctx context.Context, id *Identity, k DocKey) (*Document, error) {
	if err := s.canDocs(id, k, false); err != nil {
		return nil, err
	}
	d, err := s.findDoc(s.db.WithContext(ctx), k)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, fmt.Errorf("document %q: %w", k.DocID, apperr.ErrNotFound)
	}
	return d, nil
}

// ListDocuments returns the ids of the documents under k (changed after since, when set) and
// the newest change.
func (s *Service) ListDocuments(ctx context.Context, id *Identity, k DocKey, since *time.Time) ([]string, time.Time, error) {
	if err := s.canDocs(id, k, false); err != nil {
		return nil, time.Time{}, err
	}
	tx := s.db.WithContext(ctx).Model(&Document{}).Where("kind = ? AND activity_id = ? AND agent_ifi = ?", k.Kind, k.ActivityID, k.AgentIFI)
	if k.Kind == KindState {
		tx = tx.Where("registration = ?", k.Registration)
	}
	if since != nil {
		tx = tx.Where("updated > ?", *since)
	}
	var docs []Document
	if err := tx.Select("doc_id", "updated").Order("doc_id").Find(&docs).Error; err != nil {
		return nil, time.Time{}, err
	}
	ids := make([]string, len(docs))
	var last time.Time
	for i, d := range docs {
		ids[i] = d.DocID
		if d.Updated.After(last) {
			last = d.Updated
		}
	}
	return ids, last, nil
}

func isJSONType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

// lockDocs serialises document writers on PostgreSQL so that precondition checks and writes
// of concurrent requests do not interleave.
func lockDocs(tx *gorm.DB, d database.Dialect) error {
	if d == database.Postgres {
		return tx.Exec("SELECT pg_advisory_xact_lock(70070002)").Error
	}
	return nil
}

// PutDocument stores a document (PUT replaces it; POST merges JSON objects into it).
func (s *Service) PutDocument(ctx context.Context, id *Identity, v Version, k DocKey, contentType string, body []byte, pre Preconditions, merge bool) (string, error) {
	if err := s.canDocs(id, k, true); err != nil {
		return "", err
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	var newJSON map[string]any
	if merge && isJSONType(contentType) {
		if err := decodeJSON(body, &newJSON); err != nil {
			return "", badRequest("a POSTed JSON document must be a JSON object")
		}
	}
	var etag string
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := lockDocs(tx, s.db.Dialect); err != nil {
			return err
		}
		cur, err := s.findDoc(tx, k)
		if err != nil {
			return err
		}
		if err := pre.check(cur); err != nil {
			return err
		}
		if !merge && !pre.any() && (k.Kind != KindState || v == V200) {
			if cur != nil {
				return errNoPrecondition
			}
			if v == V103 && k.Kind != KindState {
				// 1.0.3 asks for If-None-Match: * when creating a profile with PUT.
				return badRequest("PUT of a profile needs If-Match or If-None-Match")
			}
		}
		content := body
		if merge && cur != nil {
			if !isJSONType(contentType) || !isJSONType(cur.ContentType) || newJSON == nil {
				return badRequest("POST merges only a JSON object into a JSON object document")
			}
			var old map[string]any
			if err := decodeJSON(cur.Content, &old); err != nil {
				return badRequest("the stored document is not a JSON object, so it cannot be merged")
			}
			for key, val := range newJSON {
				old[key] = val
			}
			if content, err = json.Marshal(old); err != nil {
				return err
			}
			contentType = "application/json"
		}
		etag = etagOf(content)
		now := s.storedTime()
		if cur == nil {
			d := &Document{Kind: k.Kind, ActivityID: k.ActivityID, AgentIFI: k.AgentIFI, Registration: k.Registration, DocID: k.DocID,
				ContentType: contentType, Content: content, ETag: etag, Updated: now}
			if err := tx.Create(d).Error; err != nil {
				if database.IsUniqueViolation(err) {
					return fmt.Errorf("the document was created meanwhile: %w", apperr.ErrConflict)
				}
				return err
			}
			return nil
		}
		return tx.Model(&Document{}).Where("id = ?", cur.ID).Updates(map[string]any{
			"content_type": contentType, "content": content, "etag": etag, "updated": now}).Error
	})
	return etag, err
}

// DeleteDocument deletes one document, or (state, without a stateId) every state document of
// an activity and agent (and registration).
func (s *Service) DeleteDocument(ctx context.Context, id *Identity, k DocKey, pre Preconditions) error {
	if err := s.canDocs(id, k, true); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := lockDocs(tx, s.db.Dialect); err != nil {
			return err
		}
		if k.DocID == "" {
			q := tx.Where("kind = ? AND activity_id = ? AND agent_ifi = ?", k.Kind, k.ActivityID, k.AgentIFI)
			if k.Registration != "" {
				q = q.Where("registration = ?", k.Registration)
			}
			return q.Delete(&Document{}).Error
		}
		cur, err := s.findDoc(tx, k)
		if err != nil {
			return err
		}
		if err := pre.check(cur); err != nil {
			return err
		}
		if cur == nil {
			return nil
		}
		return tx.Delete(&Document{}, cur.ID).Error
	})
}

// Activity returns the activity with the definition merged from the statements that used it.
func (s *Service) Activity(ctx context.Context, id *Identity, activityID string) (map[string]any, error) {
	if !id.Can(ScopeAllRead, ScopeStatementsRead, ScopeProfile, ScopeStatementsReadMine, ScopeState) {
		return nil, apperr.ErrForbidden
	}
	out := map[string]any{"objectType": "Activity", "id": activityID}
	var row activityDefRow
	err := s.db.WithContext(ctx).Where("activity_id = ?", activityID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	var d map[string]any
	if err := decodeJSON([]byte(row.Definition), &d); err == nil && len(d) > 0 {
		out["definition"] = d
	}
	return out, nil
}

// Definitions returns the canonical definitions of the activities that statements use.
func (s *Service) Definitions(ctx context.Context, stmts []json.RawMessage) (map[string]map[string]any, error) {
	seen := map[string]bool{}
	var ids []string
	for _, raw := range stmts {
		var m map[string]any
		if decodeJSON(raw, &m) != nil {
			continue
		}
		ix := newIndex()
		ix.statement(m, true)
		for id := range ix.activities {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	out := map[string]map[string]any{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []activityDefRow
	if err := s.db.WithContext(ctx).Where("activity_id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		var d map[string]any
		if decodeJSON([]byte(r.Definition), &d) == nil {
			out[r.ActivityID] = d
		}
	}
	return out, nil
}

// Person returns the Person object that the record store knows for an agent.
func (s *Service) Person(ctx context.Context, id *Identity, agent map[string]any) (map[string]any, error) {
	if !id.Can(ScopeAllRead, ScopeStatementsRead, ScopeProfile, ScopeStatementsReadMine, ScopeState) {
		return nil, apperr.ErrForbidden
	}
	p := map[string]any{"objectType": "Person"}
	if n, ok := agent["name"].(string); ok {
		p["name"] = []any{n}
	}
	for _, k := range ifiKeys {
		if v, ok := agent[k]; ok {
			p[k] = []any{v}
		}
	}
	return p, nil
}
