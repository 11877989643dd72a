package account

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/database"
	"glc/internal/httpx"
)

// NewUser is what creating a user takes.
type NewUser struct {
	Email    string
	Password string // empty: no usable password until activation
	Name     string
	Country  string
	OrgID    *int64
	Roles    []string
	Language string
	Status   string
	// Coordinator scope; when a coordinator has neither, the scope is their own country.
	ScopeCountry string
	ScopeOrgID   *int64
}

// validate normalises in and returns the field errors.
func (s *Service) validateNew(ctx context.Context, in *NewUser) apperr.Fields {
	f := apperr.Fields{}
	in.Email = strings.TrimSpace(in.Email)
	checkEmail(f, "email", in.Email)
	in.Name = strings.TrimSpace(in.Name)
	checkName(f, in.Name)
	if in.Password != "" {
		if msg := PasswordProblem(in.Password, in.Email); msg != "" {
			f.Add("password", msg)
		}
	}
	checkRoles(f, in.Roles)
	in.Roles = normRoles(in.Roles)
	if in.Language == "" {
		in.Language = "en"
	}
	checkLanguage(f, in.Language)
	if in.Status == "" {
		in.Status = StatusActive
	}
	f.Check(!slices.Contains(Statuses, in.Status), "status", "must be pending, active or suspended")
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	s.checkCountry(ctx, f, "country", in.Country, false)
	s.checkOrg(ctx, f, "organisation_id", in.OrgID)
	in.ScopeCountry = strings.ToUpper(strings.TrimSpace(in.ScopeCountry))
	s.checkScope(ctx, f, in.Roles, in.Country, &in.ScopeCountry, &in.ScopeOrgID)
	return f
}

// checkScope validates a coordinator's scope: one country or one organisation. A coordinator
// without either gets their own country; other roles carry no scope.
func (s *Service) checkScope(ctx context.Context, f apperr.Fields, roles []string, country string, scopeCountry *string, scopeOrg **int64) {
	if !slices.Contains(roles, auth.RoleCoordinator) {
		*scopeCountry, *scopeOrg = "", nil
		return
	}
	if *scopeCountry != "" && *scopeOrg != nil {
		f.Add("scope_country", "a coordinator's scope is one country or one organisation, not both")
		return
	}
	if *scopeCountry == "" && *scopeOrg == nil {
		*scopeCountry = country
	}
	if *scopeOrg != nil {
		s.checkOrg(ctx, f, "scope_organisation_id", *scopeOrg)
		return
	}
	if *scopeCountry == "" {
		f.Add("scope_country", "a coordinator needs a scope: a country or an organisation")
		return
	}
	s.checkCountry(ctx, f, "scope_country", *scopeCountry, true)
}

// Create validates and stores a user (no permission check: callers check).
func (s *Service) Create(ctx context.Context, in NewUser) (*User, error) {
	if err := s.validateNew(ctx, &in).Err(); err != nil {
		return nil, err
	}
	u := &User{Email: in.Email, EmailKey: normEmail(in.Email), Name: in.Name, Language: in.Language,
		Country: in.Country, OrgID: in.OrgID, Roles: strings.Join(in.Roles, " "), Status: in.Status,
		ScopeCountry: in.ScopeCountry, ScopeOrgID: in.ScopeOrgID}
	if in.Password != "" {
		h, err := auth.HashPassword(in.Password)
		if err != nil {
			return nil, err
		}
		u.PasswordHash = h
	}
	if err := s.db.WithContext(ctx).Create(u).Error; err != nil {
		if database.IsUniqueViolation(err) {
			return nil, apperr.Invalid("email", "is already registered")
		}
		return nil, err
	}
	return u, nil
}

// CreateByAdmin creates an active user; admins only.
func (s *Service) CreateByAdmin(ctx context.Context, in NewUser) (*User, error) {
	if _, err := auth.RequireRole(ctx, auth.RoleAdmin); err != nil {
		return nil, err
	}
	in.Status = StatusActive
	return s.Create(ctx, in)
}

// RegisterInput is a self-registration.
type RegisterInput struct {
	Email    string
	Password string
	Name     string
	Country  string
	OrgID    *int64
	Language string
}

// ErrRegistrationClosed refuses registrations when GLC_REGISTRATION=closed.
var ErrRegistrationClosed = apperr.New(http.StatusForbidden, "registration_closed", "Registration is closed; ask an administrator for an account.")

// Register creates a learner account: active at once when registration is open, pending until
// an admin or coordinator approves it in approval mode.
func (s *Service) Register(ctx context.Context, in RegisterInput) (*User, error) {
	if s.cfg.Registration == "closed" {
		return nil, ErrRegistrationClosed
	}
	status := StatusPending
	if s.cfg.Registration == "open" {
		status = StatusActive
	}
	f := apperr.Fields{}
	f.Check(in.Password == "", "password", "is required")
	f.Check(strings.TrimSpace(in.Country) == "", "country", "is required")
	nu := NewUser{Email: in.Email, Password: in.Password, Name: in.Name, Country: in.Country, OrgID: in.OrgID,
		Language: in.Language, Status: status}
	for k, v := range s.validateNew(ctx, &nu) {
		f.Add(k, v)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s.Create(ctx, nu)
}

// UserFilter narrows a user list.
type UserFilter struct {
	Role    string
	Status  string
	Country string
	OrgID   int64
	Q       string
}

// scopeQuery limits q to what p may see: everything for admins, the scope for coordinators;
// others may see nothing (403).
func scopeQuery(q *gorm.DB, p *auth.Principal) (*gorm.DB, error) {
	switch {
	case p.IsAdmin():
		return q, nil
	case p.Has(auth.RoleCoordinator):
		if p.ScopeOrgID != 0 {
			return q.Where("org_id = ?", p.ScopeOrgID), nil
		}
		if p.ScopeCountry != "" {
			return q.Where("country = ?", p.ScopeCountry), nil
		}
		return q.Where("1 = 0"), nil
	}
	return nil, apperr.ErrForbidden
}

// inScope reports whether coordinator or admin p may manage u.
func inScope(p *auth.Principal, u *User) bool {
	var org int64
	if u.OrgID != nil {
		org = *u.OrgID
	}
	return p.Covers(u.Country, org)
}

func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(strings.TrimSpace(q))) + "%"
}

// ListUsers lists users visible to the caller (admins: all; coordinators: their scope).
func (s *Service) ListUsers(ctx context.Context, f UserFilter, pg httpx.Page) ([]User, int64, error) {
	p, err := auth.RequireRole(ctx, auth.RoleAdmin, auth.RoleCoordinator)
	if err != nil {
		return nil, 0, err
	}
	fe := apperr.Fields{}
	fe.Check(f.Role != "" && !slices.Contains(AllRoles, f.Role), "role", "must be learner, instructor, coordinator or admin")
	fe.Check(f.Status != "" && !slices.Contains(Statuses, f.Status), "status", "must be pending, active or suspended")
	f.Country = strings.ToUpper(f.Country)
	if f.Country != "" {
		s.checkCountry(ctx, fe, "country", f.Country, false)
	}
	fe.Check(len(f.Q) > 200, "q", "must be at most 200 characters")
	if err := fe.Err(); err != nil {
		return nil, 0, err
	}
	q, err := scopeQuery(s.db.WithContext(ctx).Model(&User{}), p)
	if err != nil {
		return nil, 0, err
	}
	if f.Role != "" && f.Role != auth.RoleLearner {
		q = q.Where("(' ' || roles || ' ') LIKE ?", "% "+f.Role+" %")
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Country != "" {
		q = q.Where("country = ?", f.Country)
	}
	if f.OrgID != 0 {
		q = q.Where("org_id = ?", f.OrgID)
	}
	if strings.TrimSpace(f.Q) != "" {
		pat := likePattern(f.Q)
		q = q.Where(`(email_key LIKE ? ESCAPE '\' OR LOWER(name) LIKE ? ESCAPE '\')`, pat, pat)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var users []User
	err = q.Order("id").Offset(pg.Offset()).Limit(pg.PerPage).Find(&users).Error
	return users, total, err
}

// GetUser returns a user the caller may manage (404 outside a coordinator's scope).
func (s *Service) GetUser(ctx context.Context, id int64) (*User, error) {
	p, err := auth.RequireRole(ctx, auth.RoleAdmin, auth.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	u, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !inScope(p, u) {
		return nil, fmt.Errorf("user %d: %w", id, apperr.ErrNotFound)
	}
	return u, nil
}

// Approve activates a pending user; admins, or the coordinator whose scope holds the user.
func (s *Service) Approve(ctx context.Context, id int64) (*User, error) {
	u, err := s.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Status != StatusPending {
		return nil, fmt.Errorf("the account is %s, not pending: %w", u.Status, apperr.ErrConflict)
	}
	res := s.db.WithContext(ctx).Model(&User{}).Where("id = ? AND status = ?", id, StatusPending).
		Updates(map[string]any{"status": StatusActive, "updated_at": s.now()})
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("the account is no longer pending: %w", apperr.ErrConflict)
	}
	u.Status = StatusActive
	s.mail(ctx, u, "account.mail.approved.subject", "account.mail.approved.body", "Name", u.Name, "URL", s.cfg.BaseURL+"/login")
	return u, nil
}

// Opt is an optional, nullable JSON value: Set says whether the field was sent, Null whether it
// was null.
type Opt[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// Ptr returns nil for null, else a pointer to the value.
func (o Opt[T]) Ptr() *T {
	if o.Null {
		return nil
	}
	v := o.Value
	return &v
}

// UserPatch changes a user (admins). Nil fields are kept.
type UserPatch struct {
	Name         *string
	Country      *string
	Language     *string
	Roles        *[]string
	Status       *string
	OrgID        Opt[int64]
	ScopeCountry *string
	ScopeOrgID   Opt[int64]
}

// PatchUser changes roles, status, organisation (and name, country, language, scope) of a user.
// Admins only; an admin cannot suspend or demote themselves. Suspending ends the user's sessions.
func (s *Service) PatchUser(ctx context.Context, id int64, in UserPatch) (*User, error) {
	p, err := auth.RequireRole(ctx, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	u, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	if in.Name != nil {
		u.Name = strings.TrimSpace(*in.Name)
		checkName(f, u.Name)
	}
	if in.Country != nil {
		u.Country = strings.ToUpper(strings.TrimSpace(*in.Country))
		s.checkCountry(ctx, f, "country", u.Country, false)
	}
	if in.Language != nil {
		u.Language = *in.Language
		checkLanguage(f, u.Language)
	}
	roles := u.RoleList()[1:]
	if in.Roles != nil {
		checkRoles(f, *in.Roles)
		roles = normRoles(*in.Roles)
		f.Check(id == p.UserID && !slices.Contains(roles, auth.RoleAdmin), "roles", "you cannot remove your own admin role")
		u.Roles = strings.Join(roles, " ")
	}
	if in.Status != nil {
		f.Check(!slices.Contains(Statuses, *in.Status), "status", "must be pending, active or suspended")
		f.Check(id == p.UserID && *in.Status != StatusActive, "status", "you cannot suspend your own account")
		u.Status = *in.Status
	}
	if in.OrgID.Set {
		u.OrgID = in.OrgID.Ptr()
		s.checkOrg(ctx, f, "organisation_id", u.OrgID)
	}
	if in.ScopeCountry != nil {
		u.ScopeCountry = strings.ToUpper(strings.TrimSpace(*in.ScopeCountry))
		if u.ScopeCountry != "" && !in.ScopeOrgID.Set {
			u.ScopeOrgID = nil
		}
	}
	if in.ScopeOrgID.Set {
		u.ScopeOrgID = in.ScopeOrgID.Ptr()
		if u.ScopeOrgID != nil && in.ScopeCountry == nil {
			u.ScopeCountry = ""
		}
	}
	s.checkScope(ctx, f, roles, u.Country, &u.ScopeCountry, &u.ScopeOrgID)
	if err := f.Err(); err != nil {
		return nil, err
	}
	u.UpdatedAt = s.now()
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Select("name", "country", "language", "roles", "status", "org_id", "scope_country", "scope_org_id", "updated_at").
			Save(u).Error; err != nil {
			return err
		}
		if u.Status != StatusActive {
			return s.revokeSessions(tx, u.ID, "")
		}
		return nil
	})
	return u, err
}

// MePatch changes the current user's own profile. A password change needs the current
// password and ends the user's other sessions.
type MePatch struct {
	Name            *string
	Language        *string
	Password        *string
	CurrentPassword *string
}

// UpdateMe applies a profile change for the current user; keepSession is the session the
// request belongs to ("" when unknown: then every session ends on a password change).
func (s *Service) UpdateMe(ctx context.Context, in MePatch, keepSession string) (*User, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.Get(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	if in.Name != nil {
		u.Name = strings.TrimSpace(*in.Name)
		checkName(f, u.Name)
	}
	if in.Language != nil {
		u.Language = *in.Language
		checkLanguage(f, u.Language)
	}
	changePW := in.Password != nil
	if changePW {
		if msg := PasswordProblem(*in.Password, u.Email); msg != "" {
			f.Add("password", msg)
		}
		if in.CurrentPassword == nil || *in.CurrentPassword == "" {
			f.Add("current_password", "is required to change the password")
		} else if len(f) == 0 {
			akey := accountKey(u.Email)
			if err := s.throttled(ctx, akey); err != nil {
				return nil, err
			}
			if !auth.CheckPassword(u.PasswordHash, *in.CurrentPassword) {
				if err := s.recordFailure(ctx, akey, accountLimit); err != nil {
					return nil, err
				}
				f.Add("current_password", "is wrong")
			}
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if changePW {
		h, err := auth.HashPassword(*in.Password)
		if err != nil {
			return nil, err
		}
		u.PasswordHash = h
	}
	u.UpdatedAt = s.now()
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Select("name", "language", "password_hash", "updated_at").Save(u).Error; err != nil {
			return err
		}
		if changePW {
			return s.revokeSessions(tx, u.ID, keepSession)
		}
		return nil
	})
	return u, err
}

// Activation is a one-time link for a user to set a password.
type Activation struct {
	UserID    int64     `json:"user_id"`
	Email     string    `json:"email"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// newActivation builds (but does not store) an activation token for u.
func (s *Service) newActivation(u *User) (ActivationToken, Activation) {
	tok, hash := auth.NewOpaque()
	exp := s.now().Add(s.cfg.ActivationTTL)
	return ActivationToken{UserID: u.ID, Hash: hash, ExpiresAt: exp, CreatedAt: s.now()},
		Activation{UserID: u.ID, Email: u.Email, URL: s.cfg.BaseURL + "/activate?token=" + url.QueryEscape(tok), ExpiresAt: exp}
}

// IssueActivation creates a new activation link for a user; admins only. Earlier unused links
// of the user stop working.
func (s *Service) IssueActivation(ctx context.Context, id int64) (*Activation, error) {
	if _, err := auth.RequireRole(ctx, auth.RoleAdmin); err != nil {
		return nil, err
	}
	u, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	row, act := s.newActivation(u)
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&ActivationToken{}).Where("user_id = ? AND used_at IS NULL", u.ID).Update("used_at", s.now()).Error; err != nil {
			return err
		}
		return tx.Create(&row).Error
	})
	if err != nil {
		return nil, err
	}
	s.mail(ctx, u, "account.mail.activation.subject", "account.mail.activation.body", "Name", u.Name, "URL", act.URL)
	return &act, nil
}

// ErrBadActivation refuses unknown, used and expired activation links.
var ErrBadActivation = apperr.New(http.StatusGone, "activation_invalid", "This activation link is not valid any more; ask an administrator for a new one.")

// activationFor returns the user of a valid activation token.
func (s *Service) activationFor(ctx context.Context, token string) (*ActivationToken, *User, error) {
	if token == "" {
		return nil, nil, ErrBadActivation
	}
	var at ActivationToken
	err := s.db.WithContext(ctx).Where("hash = ?", auth.HashOpaque(token)).Take(&at).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && (at.UsedAt != nil || !s.now().Before(at.ExpiresAt))) {
		return nil, nil, ErrBadActivation
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := s.Get(ctx, at.UserID)
	if err != nil {
		return nil, nil, ErrBadActivation
	}
	return &at, u, nil
}

// CheckActivation reports whether token is a valid activation link and for whom.
func (s *Service) CheckActivation(ctx context.Context, token string) (*User, error) {
	_, u, err := s.activationFor(ctx, token)
	return u, err
}

// Activate sets the password of the user of a one-time activation link.
func (s *Service) Activate(ctx context.Context, token, password string) (*User, error) {
	at, u, err := s.activationFor(ctx, token)
	if err != nil {
		return nil, err
	}
	if msg := PasswordProblem(password, u.Email); msg != "" {
		return nil, apperr.Invalid("password", msg)
	}
	h, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&ActivationToken{}).Where("id = ? AND used_at IS NULL", at.ID).Update("used_at", s.now())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrBadActivation
		}
		return tx.Model(u).Updates(map[string]any{"password_hash": h, "updated_at": s.now()}).Error
	})
	return u, err
}

// BootstrapAdmin creates the first admin from GLC_ADMIN_EMAIL and GLC_ADMIN_PASSWORD when no
// admin exists. An existing account with that e-mail is left alone (and logged).
func (s *Service) BootstrapAdmin(ctx context.Context) error {
	if s.cfg.AdminEmail == "" {
		return nil
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&User{}).Where("(' ' || roles || ' ') LIKE ?", "% admin %").Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if u, err := s.byEmail(ctx, s.cfg.AdminEmail); err != nil || u != nil {
		if u != nil {
			s.log.Warn("GLC_ADMIN_EMAIL belongs to an existing account that is not an admin; not changed; use `glc user create` with another e-mail", "user", u.ID)
		}
		return err
	}
	name := strings.SplitN(s.cfg.AdminEmail, "@", 2)[0]
	u, err := s.Create(ctx, NewUser{Email: s.cfg.AdminEmail, Password: s.cfg.AdminPassword, Name: name, Roles: []string{auth.RoleAdmin}})
	var v *apperr.Validation
	if errors.As(err, &v) && v.Fields["email"] == "is already registered" {
		return nil // another replica was faster
	}
	if err != nil {
		return fmt.Errorf("bootstrap admin from GLC_ADMIN_EMAIL: %w", err)
	}
	s.log.Info("created the first admin", "user", u.ID, "email", u.Email)
	return nil
}
