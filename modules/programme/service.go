package programme

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/database"
)

// Enroller enrols users in a course. The course module provides it; until it is wired the
// enrolment action answers 503.
type Enroller interface {
	EnrolUsers(ctx context.Context, courseID int64, userIDs []int64) error
}

// CourseLink is a linked course as the programme page shows it.
type CourseLink struct {
	ID       int64
	Title    string
	Summary  string
	URL      string
	Language string // of the title and summary
	Draft    bool   // not published (shown to its editors only)
}

// Courses names the linked courses. The course module provides it; until it is wired the page
// shows the courses by number.
type Courses interface {
	// CourseLinks returns the courses among ids that the caller may open, in that order, in
	// the variant that suits lang; the others are left out.
	CourseLinks(ctx context.Context, ids []int64, lang string) ([]CourseLink, error)
}

// Service holds the programme rules. Admins manage programmes and sessions and decide on
// applications; coordinators endorse the applications of their country or organisation.
type Service struct {
	db       *database.DB
	log      *slog.Logger
	enroller Enroller
	courses  Courses
	now      func() time.Time
}

// NewService builds the service; enroller may be nil.
func NewService(db *database.DB, log *slog.Logger, enroller Enroller) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: db, log: log, enroller: enroller, now: func() time.Time { return time.Now().UTC() }}
}

var langRe = regexp.MustCompile(`^[a-z]{2}$`)

func requireAdmin(ctx context.Context) (*auth.Principal, error) {
	return auth.RequireRole(ctx, auth.RoleAdmin)
}

func notFound(what string, id any, err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("%s %v: %w", what, id, apperr.ErrNotFound)
	}
	return err
}

// ProgrammeInput creates or edits a programme.
type ProgrammeInput struct {
	Title        string   `json:"title"`
	Summary      string   `json:"summary"`
	Description  string   `json:"description"`
	Region       string   `json:"region"`
	Focus        string   `json:"focus"`
	DurationDays int      `json:"duration_days"`
	Languages    []string `json:"languages"`
	Published    bool     `json:"published"`
	CourseIDs    []int64  `json:"course_ids"`
}

func (in *ProgrammeInput) validate() error {
	in.Title = strings.TrimSpace(in.Title)
	f := apperr.Fields{}
	f.Check(in.Title == "" || len(in.Title) > 300, "title", "is required (at most 300 characters)")
	f.Check(len(in.Summary) > 2000, "summary", "must be at most 2000 characters")
	f.Check(len(in.Description) > 20000, "description", "must be at most 20000 characters")
	f.Check(len(in.Region) > 100, "region", "must be at most 100 characters")
	f.Check(len(in.Focus) > 200, "focus", "must be at most 200 characters")
	f.Check(in.DurationDays < 0 || in.DurationDays > 365, "duration_days", "must be from 0 to 365")
	for _, l := range in.Languages {
		f.Check(!langRe.MatchString(l), "languages", "must be two-letter language codes")
	}
	for _, c := range in.CourseIDs {
		f.Check(c < 1, "course_ids", "must be course ids")
	}
	return f.Err()
}

// Detail is a programme with its sessions and linked courses.
type Detail struct {
	Programme
	LanguageCodes []string  `json:"languages"`
	CourseIDs     []int64   `json:"course_ids"`
	Sessions      []Session `json:"sessions"`
}

// Create adds a programme.
func (s *Service) Create(ctx context.Context, in ProgrammeInput) (*Detail, error) {
	p, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	pr := &Programme{CreatedBy: p.UserID}
	fill(pr, in)
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(pr).Error; err != nil {
			return err
		}
		return setCourses(tx, pr.ID, in.CourseIDs)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, pr.ID)
}

func fill(pr *Programme, in ProgrammeInput) {
	pr.Title, pr.Summary, pr.Description = in.Title, strings.TrimSpace(in.Summary), in.Description
	pr.Region, pr.Focus, pr.DurationDays = strings.TrimSpace(in.Region), strings.TrimSpace(in.Focus), in.DurationDays
	pr.Languages, pr.Published = strings.Join(in.Languages, " "), in.Published
}

func setCourses(tx *gorm.DB, id int64, courses []int64) error {
	if err := tx.Where("programme_id = ?", id).Delete(&programmeCourse{}).Error; err != nil {
		return err
	}
	seen := map[int64]bool{}
	for i, c := range courses {
		if seen[c] {
			continue
		}
		seen[c] = true
		if err := tx.Create(&programmeCourse{ProgrammeID: id, CourseID: c, Position: i}).Error; err != nil {
			return err
		}
	}
	return nil
}

// Update edits a programme (all fields).
func (s *Service) Update(ctx context.Context, id int64, in ProgrammeInput) (*Detail, error) {
	if _, err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	pr, err := s.programme(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	fill(pr, in)
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Save(pr).Error; err != nil {
			return err
		}
		return setCourses(tx, id, in.CourseIDs)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

func (s *Service) programme(ctx context.Context, id int64) (*Programme, error) {
	var pr Programme
	if err := s.db.WithContext(ctx).Take(&pr, id).Error; err != nil {
		return nil, notFound("programme", id, err)
	}
	return &pr, nil
}

// visibleProgramme loads a programme the caller may see (drafts: admins only).
func (s *Service) visibleProgramme(ctx context.Context, id int64) (*Programme, error) {
	pr, err := s.programme(ctx, id)
	if err != nil {
		return nil, err
	}
	if !pr.Published && !auth.FromContext(ctx).IsAdmin() {
		return nil, fmt.Errorf("programme %d: %w", id, apperr.ErrNotFound)
	}
	return pr, nil
}

// Get returns a programme with its sessions (by start date) and course ids.
func (s *Service) Get(ctx context.Context, id int64) (*Detail, error) {
	pr, err := s.visibleProgramme(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &Detail{Programme: *pr, LanguageCodes: pr.LanguageList(), CourseIDs: []int64{}, Sessions: []Session{}}
	if d.LanguageCodes == nil {
		d.LanguageCodes = []string{}
	}
	q := s.db.WithContext(ctx)
	if err := q.Model(&programmeCourse{}).Where("programme_id = ?", id).Order("position").Pluck("course_id", &d.CourseIDs).Error; err != nil {
		return nil, err
	}
	if err := q.Where("programme_id = ?", id).Order("starts_on").Find(&d.Sessions).Error; err != nil {
		return nil, err
	}
	return d, nil
}

// LinkedCourses returns the programme's linked courses that the caller may open, named in
// lang; without the course module, each by its number.
func (s *Service) LinkedCourses(ctx context.Context, d *Detail, lang string) ([]CourseLink, error) {
	if s.courses == nil {
		out := make([]CourseLink, len(d.CourseIDs))
		for i, id := range d.CourseIDs {
			out[i] = CourseLink{ID: id, URL: fmt.Sprintf("/courses/%d", id)}
		}
		return out, nil
	}
	if len(d.CourseIDs) == 0 {
		return nil, nil
	}
	return s.courses.CourseLinks(ctx, d.CourseIDs, lang)
}

// List returns published programmes (all for admins) by title.
func (s *Service) List(ctx context.Context, page, perPage int) ([]Programme, int64, error) {
	q := s.db.WithContext(ctx).Model(&Programme{})
	if !auth.FromContext(ctx).IsAdmin() {
		q = q.Where("published = ?", true)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	out := []Programme{}
	err := q.Order("title").Limit(perPage).Offset((page - 1) * perPage).Find(&out).Error
	return out, total, err
}

// SessionInput creates or edits a session. Dates are YYYY-MM-DD.
type SessionInput struct {
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on"`
	Place    string `json:"place"`
	Language string `json:"language"`
	Seats    int    `json:"seats"`
	Status   string `json:"status"`
}

func (in *SessionInput) parse() (time.Time, time.Time, error) {
	f := apperr.Fields{}
	start, err1 := time.Parse("2006-01-02", strings.TrimSpace(in.StartsOn))
	end, err2 := time.Parse("2006-01-02", strings.TrimSpace(in.EndsOn))
	f.Check(err1 != nil, "starts_on", "must be a date such as 2026-03-02")
	f.Check(err2 != nil, "ends_on", "must be a date such as 2026-03-13")
	f.Check(err1 == nil && err2 == nil && end.Before(start), "ends_on", "must not be before starts_on")
	in.Place = strings.TrimSpace(in.Place)
	f.Check(in.Place == "" || len(in.Place) > 200, "place", "is required (at most 200 characters)")
	f.Check(!langRe.MatchString(in.Language), "language", "must be a two-letter language code")
	f.Check(in.Seats < 1 || in.Seats > 10000, "seats", "must be from 1 to 10000")
	if in.Status == "" {
		in.Status = SessionPlanned
	}
	f.Check(!slices.Contains(SessionStates, in.Status), "status", "must be one of "+strings.Join(SessionStates, ", "))
	return start, end, f.Err()
}

// AddSession adds a session to a programme.
func (s *Service) AddSession(ctx context.Context, programmeID int64, in SessionInput) (*Session, error) {
	if _, err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if _, err := s.programme(ctx, programmeID); err != nil {
		return nil, err
	}
	start, end, err := in.parse()
	if err != nil {
		return nil, err
	}
	ss := &Session{ProgrammeID: programmeID, StartsOn: start, EndsOn: end, Place: in.Place, Language: in.Language, Seats: in.Seats, Status: in.Status}
	return ss, s.db.WithContext(ctx).Create(ss).Error
}

// UpdateSession edits a session.
func (s *Service) UpdateSession(ctx context.Context, programmeID, id int64, in SessionInput) (*Session, error) {
	if _, err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	ss, err := s.session(ctx, programmeID, id)
	if err != nil {
		return nil, err
	}
	start, end, err := in.parse()
	if err != nil {
		return nil, err
	}
	ss.StartsOn, ss.EndsOn, ss.Place, ss.Language, ss.Seats, ss.Status = start, end, in.Place, in.Language, in.Seats, in.Status
	return ss, s.db.WithContext(ctx).Save(ss).Error
}

// session loads a session of a programme the caller may see.
func (s *Service) session(ctx context.Context, programmeID, id int64) (*Session, error) {
	if _, err := s.visibleProgramme(ctx, programmeID); err != nil {
		return nil, err
	}
	var ss Session
	if err := s.db.WithContext(ctx).Where("programme_id = ?", programmeID).Take(&ss, id).Error; err != nil {
		return nil, notFound("session", id, err)
	}
	return &ss, nil
}

// ApplyInput is a member's application.
type ApplyInput struct {
	Motivation string `json:"motivation"`
}

// Apply records the caller's application to an open session.
func (s *Service) Apply(ctx context.Context, programmeID, sessionID int64, in ApplyInput) (*Application, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	ss, err := s.session(ctx, programmeID, sessionID)
	if err != nil {
		return nil, err
	}
	in.Motivation = strings.TrimSpace(in.Motivation)
	if in.Motivation == "" || len(in.Motivation) > 5000 {
		return nil, apperr.Invalid("motivation", "is required (at most 5000 characters)")
	}
	if ss.Status != SessionOpen {
		return nil, fmt.Errorf("session %d is not open for applications: %w", sessionID, apperr.ErrConflict)
	}
	a := &Application{SessionID: sessionID, UserID: p.UserID, UserName: p.Name, Country: p.Country, OrgID: p.OrgID,
		Motivation: in.Motivation, Status: AppSubmitted}
	if err := s.db.WithContext(ctx).Create(a).Error; err != nil {
		if database.IsUniqueViolation(err) {
			return nil, fmt.Errorf("you have already applied to this session: %w", apperr.ErrConflict)
		}
		return nil, err
	}
	return a, nil
}

// coordinates reports whether coordinator p covers the applicant: p's scope country or
// organisation (or, without a set scope, p's own country or organisation).
func coordinates(p *auth.Principal, a *Application) bool {
	if !p.Has(auth.RoleCoordinator) {
		return false
	}
	country, org := p.ScopeCountry, p.ScopeOrgID
	if country == "" && org == 0 {
		country, org = p.Country, p.OrgID
	}
	return (country != "" && country == a.Country) || (org != 0 && org == a.OrgID)
}

// Applications lists a session's applications: all for admins, those in scope for
// coordinators.
func (s *Service) Applications(ctx context.Context, programmeID, sessionID int64) ([]Application, error) {
	p, err := auth.RequireRole(ctx, auth.RoleAdmin, auth.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	if _, err := s.session(ctx, programmeID, sessionID); err != nil {
		return nil, err
	}
	var all []Application
	if err := s.db.WithContext(ctx).Where("session_id = ?", sessionID).Order("created_at").Find(&all).Error; err != nil {
		return nil, err
	}
	out := []Application{}
	for _, a := range all {
		if p.IsAdmin() || coordinates(p, &a) {
			out = append(out, a)
		}
	}
	return out, nil
}

// MyApplications returns the caller's applications to the sessions of a programme.
func (s *Service) MyApplications(ctx context.Context, programmeID int64) (map[int64]Application, error) {
	p := auth.FromContext(ctx)
	out := map[int64]Application{}
	if p == nil {
		return out, nil
	}
	var list []Application
	err := s.db.WithContext(ctx).Where("user_id = ? AND session_id IN (?)", p.UserID,
		s.db.Model(&Session{}).Select("id").Where("programme_id = ?", programmeID)).Find(&list).Error
	for _, a := range list {
		out[a.SessionID] = a
	}
	return out, err
}

func (s *Service) application(ctx context.Context, tx *gorm.DB, sessionID, id int64) (*Application, error) {
	var a Application
	q := tx.WithContext(ctx)
	if s.db.Dialect == database.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Where("session_id = ?", sessionID).Take(&a, id).Error; err != nil {
		return nil, notFound("application", id, err)
	}
	return &a, nil
}

// Endorse records a coordinator's endorsement of an application in their scope.
func (s *Service) Endorse(ctx context.Context, programmeID, sessionID, id int64) (*Application, error) {
	p, err := auth.RequireRole(ctx, auth.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	if _, err := s.session(ctx, programmeID, sessionID); err != nil {
		return nil, err
	}
	var out *Application
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		a, err := s.application(ctx, tx, sessionID, id)
		if err != nil {
			return err
		}
		if !coordinates(p, a) {
			return fmt.Errorf("this applicant is outside your country or organisation: %w", apperr.ErrForbidden)
		}
		if a.UserID == p.UserID {
			return fmt.Errorf("you cannot endorse your own application: %w", apperr.ErrForbidden)
		}
		if a.Status != AppSubmitted {
			return fmt.Errorf("application %d is %s, not awaiting endorsement: %w", id, a.Status, apperr.ErrConflict)
		}
		now := s.now()
		a.Status, a.EndorsedBy, a.EndorsedAt = AppEndorsed, &p.UserID, &now
		out = a
		return tx.Save(a).Error
	})
	return out, err
}

// DecideInput is an admin's decision.
type DecideInput struct {
	Decision string `json:"decision"` // accept or reject
}

// Decide accepts (endorsed applications only, within the seats) or rejects an application.
func (s *Service) Decide(ctx context.Context, programmeID, sessionID, id int64, in DecideInput) (*Application, error) {
	p, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if in.Decision != "accept" && in.Decision != "reject" {
		return nil, apperr.Invalid("decision", "must be accept or reject")
	}
	ss, err := s.session(ctx, programmeID, sessionID)
	if err != nil {
		return nil, err
	}
	var out *Application
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if s.db.Dialect == database.Postgres { // serialise decisions on one session
			if err := tx.Exec("SELECT id FROM programme_sessions WHERE id = ? FOR UPDATE", sessionID).Error; err != nil {
				return err
			}
		}
		a, err := s.application(ctx, tx, sessionID, id)
		if err != nil {
			return err
		}
		now := s.now()
		if in.Decision == "reject" {
			if a.Status == AppRejected || a.Status == AppWithdrawn {
				return fmt.Errorf("application %d is already %s: %w", id, a.Status, apperr.ErrConflict)
			}
			a.Status = AppRejected
		} else {
			if a.Status != AppEndorsed {
				return fmt.Errorf("only an endorsed application can be accepted (this one is %s): %w", a.Status, apperr.ErrConflict)
			}
			var taken int64
			if err := tx.Model(&Application{}).Where("session_id = ? AND status = ?", sessionID, AppAccepted).Count(&taken).Error; err != nil {
				return err
			}
			if taken >= int64(ss.Seats) {
				return fmt.Errorf("all %d seats are taken: %w", ss.Seats, apperr.ErrConflict)
			}
			a.Status = AppAccepted
		}
		a.DecidedBy, a.DecidedAt = &p.UserID, &now
		out = a
		return tx.Save(a).Error
	})
	return out, err
}

// Participants lists a session's cohort: its accepted applications.
func (s *Service) Participants(ctx context.Context, programmeID, sessionID int64) ([]Application, error) {
	if _, err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if _, err := s.session(ctx, programmeID, sessionID); err != nil {
		return nil, err
	}
	out := []Application{}
	err := s.db.WithContext(ctx).Where("session_id = ? AND status = ?", sessionID, AppAccepted).Order("user_name").Find(&out).Error
	return out, err
}

// EnrolResult says what the enrolment action did.
type EnrolResult struct {
	Courses      []int64 `json:"courses"`
	Participants int     `json:"participants"`
}

// EnrolParticipants enrols every participant of a session in each of the programme's linked
// courses, in one action.
func (s *Service) EnrolParticipants(ctx context.Context, programmeID, sessionID int64) (*EnrolResult, error) {
	if _, err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	d, err := s.Get(ctx, programmeID)
	if err != nil {
		return nil, err
	}
	people, err := s.Participants(ctx, programmeID, sessionID)
	if err != nil {
		return nil, err
	}
	if s.enroller == nil {
		return nil, apperr.New(http.StatusServiceUnavailable, "enrolment_unavailable", "Course enrolment is not available on this server yet.")
	}
	if len(d.CourseIDs) == 0 {
		return nil, fmt.Errorf("the programme has no linked course: %w", apperr.ErrConflict)
	}
	if len(people) == 0 {
		return nil, fmt.Errorf("the session has no participants yet: %w", apperr.ErrConflict)
	}
	ids := make([]int64, len(people))
	for i, a := range people {
		ids[i] = a.UserID
	}
	for _, c := range d.CourseIDs {
		if err := s.enroller.EnrolUsers(ctx, c, ids); err != nil {
			return nil, fmt.Errorf("enrol in course %d: %w", c, err)
		}
	}
	return &EnrolResult{Courses: d.CourseIDs, Participants: len(ids)}, nil
}

// SessionCard is an upcoming session for the home page.
type SessionCard struct {
	ProgrammeID    int64
	ProgrammeTitle string
	SessionID      int64
	StartsOn       time.Time
	EndsOn         time.Time
	Place          string
	Language       string
	Status         string
}

// Upcoming returns the next sessions of published programmes.
func (s *Service) Upcoming(ctx context.Context, n int) ([]SessionCard, error) {
	var out []SessionCard
	today := s.now().Truncate(24 * time.Hour)
	err := s.db.WithContext(ctx).Table("programme_sessions AS s").
		Select("p.id AS programme_id, p.title AS programme_title, s.id AS session_id, s.starts_on, s.ends_on, s.place, s.language, s.status").
		Joins("JOIN programmes p ON p.id = s.programme_id").
		Where("p.published = ? AND s.starts_on >= ? AND s.status <> ?", true, today, SessionCancelled).
		Order("s.starts_on").Limit(n).Scan(&out).Error
	return out, err
}
