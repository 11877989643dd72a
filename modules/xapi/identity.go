package xapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"glc/internal/apperr"
	"glc/internal/auth"
)

// Identity is who a record-store request acts for.
type Identity struct {
	// CredentialID is set for admin-created credentials.
	CredentialID int64
	// UserID is set when a GLC learner acts through their own session (or a launch token).
	UserID int64
	Scopes []string
	// Authority is the Agent (or Group) written as the authority of stored statements.
	Authority    map[string]any
	AuthorityIFI string
	// Agent, when set, restricts the identity to statements and documents about this agent
	// (a learner's own session, a cmi5 launch).
	Agent    map[string]any
	AgentIFI string
	// Registration, when set, restricts statements to this registration (cmi5 launches).
	Registration string
	// cmi5 is set for an AU's launch session (its fetch-URL auth token).
	cmi5 *cmi5Grant
}

// Can reports whether the identity holds one of the scopes (or "all").
func (id *Identity) Can(scopes ...string) bool {
	if slices.Contains(id.Scopes, ScopeAll) {
		return true
	}
	for _, s := range scopes {
		if slices.Contains(id.Scopes, s) {
			return true
		}
	}
	return false
}

// mayWrite checks the identity's restrictions on a statement it sends: a learner (or a
// launched AU) only about its own agent, a launch only within its registration.
func (id *Identity) mayWrite(m map[string]any) error {
	if id.AgentIFI != "" {
		actor, _ := m["actor"].(map[string]any)
		if IFI(actor) != id.AgentIFI {
			return fmt.Errorf("a learner session may only send statements about the learner: %w", apperr.ErrForbidden)
		}
	}
	if id.Registration != "" {
		ctx, _ := m["context"].(map[string]any)
		reg, _ := ctx["registration"].(string)
		if !strings.EqualFold(reg, id.Registration) {
			return fmt.Errorf("these credentials may only send statements in registration %s: %w", id.Registration, apperr.ErrForbidden)
		}
	}
	return nil
}

// Authenticator maps a request to an identity. It returns (nil, nil) when the request does
// not carry its kind of credentials, so that the next authenticator can try. cmi5 adds one
// for the auth tokens its fetch URL hands out.
type Authenticator func(r *http.Request) (*Identity, error)

// AddAuthenticator registers an authenticator tried before the built-in ones.
func (s *Service) AddAuthenticator(a Authenticator) { s.authenticators = append(s.authenticators, a) }

// authenticate finds the request's identity: registered authenticators, then HTTP Basic
// credentials, then the learner's GLC session.
func (s *Service) authenticate(r *http.Request) (*Identity, error) {
	for _, a := range s.authenticators {
		id, err := a(r)
		if err != nil || id != nil {
			return id, err
		}
	}
	if h := r.Header.Get("Authorization"); strings.HasPrefix(strings.ToLower(h), "basic ") {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h[6:]))
		if err != nil {
			return nil, apperr.ErrUnauthenticated
		}
		user, pass, ok := strings.Cut(string(raw), ":")
		if !ok {
			return nil, apperr.ErrUnauthenticated
		}
		c, err := s.checkBasic(r.Context(), user, pass)
		if err != nil {
			return nil, err
		}
		var a map[string]any
		if err := json.Unmarshal([]byte(c.Authority), &a); err != nil {
			return nil, err
		}
		return &Identity{CredentialID: c.ID, Scopes: strings.Fields(c.Scopes), Authority: a, AuthorityIFI: IFI(a)}, nil
	}
	if p := auth.FromContext(r.Context()); p != nil {
		return s.LearnerIdentity(r.Context(), p)
	}
	return nil, apperr.ErrUnauthenticated
}

// LearnerAgent returns the xAPI Agent that stands for a GLC user: an account on this portal
// whose name is an opaque UUID created on first use.
func (s *Service) LearnerAgent(ctx context.Context, userID int64, name string) (map[string]any, error) {
	var row learnerRow
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		row = learnerRow{UserID: userID, AgentName: uuid.NewString(), CreatedAt: s.now()}
		if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return nil, err
		}
		err = s.db.WithContext(ctx).Where("user_id = ?", userID).Take(&row).Error
	}
	if err != nil {
		return nil, err
	}
	a := map[string]any{"objectType": "Agent", "account": map[string]any{"homePage": s.baseURL, "name": row.AgentName}}
	if name != "" {
		a["name"] = name
	}
	return a, nil
}

// LearnerIdentity is a learner's own session: it may write statements whose actor is the
// learner, read statements about the learner, and keep the learner's documents.
func (s *Service) LearnerIdentity(ctx context.Context, p *auth.Principal) (*Identity, error) {
	a, err := s.LearnerAgent(ctx, p.UserID, p.Name)
	if err != nil {
		return nil, err
	}
	ifi := IFI(a)
	return &Identity{UserID: p.UserID, Scopes: []string{ScopeStatementsWrite, ScopeStatementsReadMine, ScopeState, ScopeProfile},
		Authority: a, AuthorityIFI: ifi, Agent: a, AgentIFI: ifi}, nil
}
