package xapi

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/config"
	"glc/internal/jobs"
	"glc/modules/scorm"
)

// cmi5 design notes.
//
// Import. A cmi5 package reaches GLC through the SCORM module's package endpoint: the SCORM
// module validates the zip (or wraps a cmi5.xml uploaded alone) and hands it to ImportCMI5,
// which checks the course structure (cmi5_structure.go), unpacks the files into object storage
// under cmi5/{uuid}/, and creates the lesson through the course module (scorm.Lessons). A
// refusal or failure leaves nothing behind.
//
// Launch. POST /api/v1/lessons/{id}/launches finds (or creates) the actor's registration for the
// course, abandons the registration's sessions still open, writes LMS.LaunchData into the
// state resource, records the "launched" statement and answers the AU's URL with the cmi5
// launch parameters. The fetch URL (/xapi/cmi5/fetch/{token}) is one-time: its first POST
// answers an auth-token (HTTP Basic "cmi5-{session}:{secret}", stored hashed) that
// authenticates the AU's xAPI requests for the length of the session, as the actor and only
// within the registration. Once the session is terminated or abandoned the token is refused.
//
// Rules. Statements the AU sends with its token are checked against the cmi5 statement rules:
// the stateless ones before storing (cmi5_rules.go), the ones that depend on the session
// (initialized first, nothing after terminated, no verb twice, completed and passed once per
// registration) in the storing transaction, which also moves the session and the AU's state
// on and, when an AU's moveOn criterion is met, records the "satisfied" statements of the
// blocks and course it completes. Refusals are 403 (what the cmi5 LMS test suite expects).
// After the commit the lesson's result goes to Progress (scorm.Lessons.RecordResult).
//
// Content. Package files are served at /cmi5/content/{uuid}/{capability}/{file} with the same
// care as SCORM content: a signed, expiring capability instead of cookies, only on the content
// origin when GLC_CONTENT_ORIGIN is set, and a Content-Security-Policy whose connect-src
// allows the package itself and the record store (the AU must reach /xapi/). When content
// shares the portal's origin, the AU could also reach /xapi/ with the learner's session
// cookie (as the learner, never as anyone else): set GLC_CONTENT_ORIGIN to keep it to its
// token.

const (
	cmi5FetchPath   = "/cmi5/fetch/"
	cmi5UserPrefix  = "cmi5-"
	cmi5ContentTTL  = 12 * time.Hour
	cmi5LaunchState = "LMS.LaunchData"
	cmi5Prefs       = "cmi5LearnerPreferences"
	// SessionTimeout is how long a session may stay silent before GLC abandons it.
	SessionTimeout = 3 * time.Hour
)

// cmi5 vocabulary.
const (
	catCMI5   = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
	catMoveOn = "https://w3id.org/xapi/cmi5/context/categories/moveon"

	extSessionID    = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
	extMasteryScore = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
	extLaunchMode   = "https://w3id.org/xapi/cmi5/context/extensions/launchmode"
	extLaunchURL    = "https://w3id.org/xapi/cmi5/context/extensions/launchurl"
	extMoveOn       = "https://w3id.org/xapi/cmi5/context/extensions/moveon"
	extLaunchParams = "https://w3id.org/xapi/cmi5/context/extensions/launchparameters"
	extReason       = "https://w3id.org/xapi/cmi5/result/extensions/reason"

	typeBlock  = "https://w3id.org/xapi/cmi5/activitytype/block"
	typeCourse = "https://w3id.org/xapi/cmi5/activitytype/course"

	verbLaunched    = "http://adlnet.gov/expapi/verbs/launched"
	verbInitialized = "http://adlnet.gov/expapi/verbs/initialized"
	verbCompleted   = "http://adlnet.gov/expapi/verbs/completed"
	verbPassed      = "http://adlnet.gov/expapi/verbs/passed"
	verbFailed      = "http://adlnet.gov/expapi/verbs/failed"
	verbTerminated  = "http://adlnet.gov/expapi/verbs/terminated"
	verbAbandoned   = "https://w3id.org/xapi/adl/verbs/abandoned"
	verbWaived      = "https://w3id.org/xapi/adl/verbs/waived"
	verbSatisfied   = "https://w3id.org/xapi/adl/verbs/satisfied"
)

// LearnerChecker may be implemented by the Lessons value: whether a user takes (is enrolled
// in) a lesson. Waiving an AU for a learner who has no registration yet needs it.
type LearnerChecker interface {
	TakesLesson(ctx context.Context, lessonID, userID int64) (bool, error)
}

// cmi5Service holds what cmi5 needs besides the record store.
type cmi5Service struct {
	lessons scorm.Lessons
	cfg     config.Config
	key     []byte
	limits  scorm.Limits
	// structures caches parsed course structures by course row id (they never change).
	structures sync.Map
	log        *slog.Logger
}

var errNoLessons = errors.New("cmi5: the course module is not wired (Deps.Lessons is nil)")

// enableCMI5 sets cmi5 up on the record store: its authenticator, its statement checks and
// (with a job queue) the sweep that abandons silent sessions.
func (s *Service) enableCMI5(ctx context.Context, cfg config.Config, lessons scorm.Lessons, q *jobs.Queue) error {
	hexKey, err := s.db.SettingOrCreate(ctx, "cmi5_content_key", func() (string, error) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		return hex.EncodeToString(b), nil
	})
	if err != nil {
		return fmt.Errorf("cmi5 content key: %w", err)
	}
	key, err := hex.DecodeString(hexKey)
	if err != nil || len(key) < 32 {
		return errors.New("cmi5 content key: stored key is invalid; delete app setting cmi5_content_key")
	}
	log := s.log
	if log == nil {
		log = slog.Default()
	}
	s.c5 = &cmi5Service{lessons: lessons, cfg: cfg, key: key, log: log,
		limits: scorm.Limits{MaxFiles: cfg.MaxPackageFiles, MaxBytes: cfg.MaxPackageMB << 20}}
	s.AddAuthenticator(s.cmi5Authenticate)
	s.OnCheck(s.cmi5Check)
	s.OnStored(s.cmi5Stored)
	if q != nil {
		jobs.Handle(q, func(ctx context.Context, _ abandonArgs) error {
			_, err := s.AbandonIdle(ctx, SessionTimeout)
			return err
		})
		jobs.Periodic(q, 5*time.Minute, abandonArgs{})
	}
	return nil
}

// abandonArgs is the periodic sweep of silent sessions.
type abandonArgs struct{}

// Kind implements jobs.Args.
func (abandonArgs) Kind() string { return "xapi.cmi5_abandon" }

// cmi5Grant is what an AU's auth token allows: one session of one AU in one registration.
type cmi5Grant struct {
	sessionRow   int64
	sessionID    string
	registration *cmi5Registration
	course       *cmi5Course
	st           *Structure
	au           *Node
	launchMode   string
	masteryScore *float64
}

// tokens

func (s *Service) secret() string { return randomToken(32) }

func (s *cmi5Service) mac(parts ...string) string {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(strings.Join(parts, "\x00")))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}

// contentCap is a capability to read a course's files until it expires.
func (s *Service) contentCap(courseUUID string) string {
	exp := s.now().Add(cmi5ContentTTL).Unix()
	e := fmt.Sprintf("%x", exp)
	return e + "." + s.c5.mac("cmi5-content", courseUUID, e)
}

func (s *Service) checkContentCap(courseUUID, tok string) bool {
	e, m, ok := strings.Cut(tok, ".")
	if !ok {
		return false
	}
	var exp int64
	if _, err := fmt.Sscanf(e, "%x", &exp); err != nil || s.now().Unix() > exp {
		return false
	}
	return hmac.Equal([]byte(m), []byte(s.c5.mac("cmi5-content", courseUUID, e)))
}

// cmi5Authenticate maps an AU's auth token (HTTP Basic "cmi5-{session}:{secret}") to its
// identity. Other credentials are left to the next authenticator.
func (s *Service) cmi5Authenticate(r *http.Request) (*Identity, error) {
	h := r.Header.Get("Authorization")
	if !strings.HasPrefix(strings.ToLower(h), "basic ") {
		return nil, nil
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h[6:]))
	if err != nil {
		return nil, nil
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok || !strings.HasPrefix(user, cmi5UserPrefix) {
		return nil, nil
	}
	sid := strings.TrimPrefix(user, cmi5UserPrefix)
	bad := fmt.Errorf("the cmi5 session is over or the token is not valid: %w", apperr.ErrUnauthenticated)
	if !IsUUID(sid) {
		return nil, bad
	}
	ctx := r.Context()
	var sess cmi5Session
	if err := s.db.WithContext(ctx).Where("session_id = ?", sid).Take(&sess).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			hashSecret(pass)
			return nil, bad
		}
		return nil, err
	}
	if sess.AuthHash == "" || subtle.ConstantTimeCompare([]byte(hashSecret(pass)), []byte(sess.AuthHash)) != 1 {
		return nil, bad
	}
	if !sess.active() || s.now().Sub(sess.LastAt) > SessionTimeout {
		return nil, bad
	}
	g, err := s.grant(ctx, s.db.WithContext(ctx), &sess)
	if err != nil {
		return nil, err
	}
	actor := g.registration.actor()
	ifi := IFI(actor)
	return &Identity{UserID: g.registration.UserID, Scopes: []string{ScopeStatementsWrite, ScopeStatementsReadMine, ScopeState, ScopeProfile},
		Authority: actor, AuthorityIFI: ifi, Agent: actor, AgentIFI: ifi, Registration: g.registration.UUID, cmi5: g}, nil
}

// grant loads what a session's token allows.
func (s *Service) grant(ctx context.Context, tx *gorm.DB, sess *cmi5Session) (*cmi5Grant, error) {
	var reg cmi5Registration
	if err := tx.Take(&reg, sess.RegistrationID).Error; err != nil {
		return nil, err
	}
	course, st, err := s.courseByID(ctx, tx, reg.CourseID)
	if err != nil {
		return nil, err
	}
	aus := st.AUs()
	if sess.AU < 0 || sess.AU >= len(aus) {
		return nil, fmt.Errorf("cmi5 session %s names AU %d of %d", sess.SessionID, sess.AU, len(aus))
	}
	return &cmi5Grant{sessionRow: sess.ID, sessionID: sess.SessionID, registration: &reg, course: course, st: st,
		au: aus[sess.AU], launchMode: sess.LaunchMode, masteryScore: sess.MasteryScore}, nil
}

// courseByID loads a course and its (cached) structure.
func (s *Service) courseByID(ctx context.Context, tx *gorm.DB, id int64) (*cmi5Course, *Structure, error) {
	var c cmi5Course
	if err := tx.Take(&c, id).Error; err != nil {
		return nil, nil, err
	}
	st, err := s.structureOf(&c)
	return &c, st, err
}

func (s *Service) structureOf(c *cmi5Course) (*Structure, error) {
	if v, ok := s.c5.structures.Load(c.ID); ok {
		return v.(*Structure), nil
	}
	st, err := c.structure()
	if err != nil {
		return nil, fmt.Errorf("cmi5 course %d structure: %w", c.ID, err)
	}
	s.c5.structures.Store(c.ID, st)
	return st, nil
}

// fetch URL

// fetchError is the cmi5 error answer of the fetch URL (always with status 200).
func fetchError(c *gin.Context, code, text string) {
	c.JSON(http.StatusOK, gin.H{"error-code": code, "error-text": text})
}

// serveFetch answers the AU's POST to its one-time fetch URL with an auth token.
func (s *Service) serveFetch(c *gin.Context, token string) {
	c.Header("Cache-Control", "no-store")
	if s.c5 == nil {
		fail(c, fmt.Errorf("no such record-store resource: %w", apperr.ErrNotFound))
		return
	}
	if c.Request.Method != http.MethodPost {
		fail(c, methodNotAllowed(c.Request.Method))
		return
	}
	ctx := c.Request.Context()
	var sess cmi5Session
	err := s.db.WithContext(ctx).Where("fetch_hash = ?", hashSecret(token)).Take(&sess).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		fetchError(c, "2", "This fetch URL is not valid.")
		return
	}
	if err != nil {
		fetchFailed(c, s, err)
		return
	}
	if sess.FetchedAt != nil || !sess.active() || s.now().Sub(sess.LastAt) > SessionTimeout {
		fetchError(c, "1", "The authorization token has already been returned, or the session is over.")
		return
	}
	secret := s.secret()
	now := s.now()
	res := s.db.WithContext(ctx).Model(&cmi5Session{}).Where("id = ? AND fetched_at IS NULL", sess.ID).
		Updates(map[string]any{"fetched_at": now, "auth_hash": hashSecret(secret), "last_at": now})
	if res.Error != nil {
		fetchFailed(c, s, res.Error)
		return
	}
	if res.RowsAffected != 1 {
		fetchError(c, "1", "The authorization token has already been returned.")
		return
	}
	tok := base64.StdEncoding.EncodeToString([]byte(cmi5UserPrefix + sess.SessionID + ":" + secret))
	c.JSON(http.StatusOK, gin.H{"auth-token": tok})
}

// fetchFailed answers the fetch URL when GLC cannot issue a token (and logs why).
func fetchFailed(c *gin.Context, s *Service, err error) {
	s.c5.log.ErrorContext(c.Request.Context(), "cmi5 fetch", "err", err)
	fetchError(c, "3", "The token could not be issued; launch the unit again.")
}

// origins

// requestOrigin is scheme://host of the request as the browser sees it.
func (s *Service) requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.HasPrefix(s.c5.cfg.BaseURL, "https://") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// contentBase is the origin that serves AU content ("" when it is the request's own).
func (s *Service) contentBase(r *http.Request) string {
	if s.c5.cfg.ContentOrigin != "" {
		return s.c5.cfg.ContentOrigin
	}
	return s.requestOrigin(r)
}

// onContentHost reports whether the request may be served as content: with a content
// origin, only requests to that origin's host are.
func (s *Service) onContentHost(r *http.Request) bool {
	if s.c5.cfg.ContentOrigin == "" {
		return true
	}
	u, err := url.Parse(s.c5.cfg.ContentOrigin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// lmsOrigin is the portal's origin, where the record store and the fetch URL are.
func (s *Service) lmsOrigin(r *http.Request) string {
	if s.c5.cfg.ContentOrigin != "" && s.c5.cfg.BaseURL != "" {
		if u, err := url.Parse(s.c5.cfg.BaseURL); err == nil && u.Host != "" {
			return u.Scheme + "://" + u.Host
		}
	}
	return s.requestOrigin(r)
}
