package account

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/httpx"
	"glc/internal/web"
)

type pages struct {
	s *Service
	r *web.Renderer
}

func registerPages(r *web.Router, s *Service) {
	p := pages{s: s, r: r.Render}
	g := r.Pages
	g.GET("/login", p.loginForm)
	g.POST("/login", p.login)
	g.POST("/logout", p.logout)
	g.GET("/register", p.registerForm)
	g.POST("/register", p.register)
	g.GET("/activate", p.activateForm)
	g.POST("/activate", p.activate)
	g.GET("/profile", p.profile)
	g.POST("/profile", p.saveProfile)
	g.POST("/profile/password", p.changePassword)
	g.GET("/approvals", p.approvals)
	g.POST("/approvals/:id/approve", p.approveFromList("/approvals"))
	g.GET("/admin/users", p.users)
	g.GET("/admin/users/import", p.importForm)
	g.POST("/admin/users/import", p.importUpload)
	g.GET("/admin/users/imports/:id", p.importStatus)
	g.GET("/admin/users/:id", p.userForm)
	g.POST("/admin/users/:id", p.saveUser)
	g.POST("/admin/users/:id/approve", p.approveFromList("/admin/users"))
	g.POST("/admin/users/:id/status", p.setStatus)
	g.GET("/admin/organisations", p.orgs)
	g.POST("/admin/organisations", p.createOrg)
	g.GET("/admin/organisations/:id", p.orgForm)
	g.POST("/admin/organisations/:id", p.saveOrg)
	g.POST("/admin/organisations/:id/delete", p.deleteOrg)
}

// Form is the state of a submitted form shown again: values, translated field errors and a
// translated message.
type Form struct {
	Values  map[string]string
	Errors  map[string]string
	Message string
}

// V returns a submitted value.
func (f Form) V(k string) string { return f.Values[k] }

func newForm(c *gin.Context, fields ...string) Form {
	f := Form{Values: map[string]string{}, Errors: map[string]string{}}
	for _, k := range fields {
		f.Values[k] = strings.TrimSpace(c.PostForm(k))
	}
	return f
}

// fieldMessages maps the services' field messages to catalogue IDs.
var fieldMessages = map[string]string{
	"must be a valid e-mail address":                                     "account.err.email",
	"is required (at most 200 characters)":                               "account.err.name",
	"must be at least 12 characters long":                                "account.err.pw_short",
	"must be at most 256 characters long":                                "account.err.pw_long",
	"must not contain the name part of your e-mail address":              "account.err.pw_email",
	"is too common; choose another":                                      "account.err.pw_common",
	"is required":                                                        "account.err.required",
	"must be an ISO 3166-1 alpha-2 country code":                         "account.err.country",
	"must name an existing organisation":                                 "account.err.org",
	"must be one of en, fr, es, ar":                                      "account.err.language",
	"is already registered":                                              "account.err.email_taken",
	"is wrong":                                                           "account.err.current_wrong",
	"is required to change the password":                                 "account.err.current_required",
	"you cannot remove your own admin role":                              "account.err.self_admin",
	"you cannot suspend your own account":                                "account.err.self_suspend",
	"must be among learner, instructor, coordinator, admin":              "account.err.roles",
	"must be pending, active or suspended":                               "account.err.status",
	"a coordinator needs a scope: a country or an organisation":          "account.err.scope",
	"a coordinator's scope is one country or one organisation, not both": "account.err.scope",
}

// codeMessages maps error codes to catalogue IDs.
var codeMessages = map[string]string{
	"invalid_credentials": "account.login.failed",
	"account_pending":     "account.login.pending",
	"account_suspended":   "account.login.suspended",
	"rate_limited":        "account.login.throttled",
	"registration_closed": "account.register.closed",
	"activation_invalid":  "account.activate.invalid",
	"conflict":            "account.err.conflict",
}

// fail fills f from err and returns the status to answer; ok is false when err is not one a
// form can show (then an error page was rendered).
func (p pages) fail(c *gin.Context, f *Form, err error) (int, bool) {
	lang := web.Lang(c)
	status, d := httpx.Classify(err)
	var v *apperr.Validation
	if errors.As(err, &v) {
		for k, msg := range v.Fields {
			id, ok := fieldMessages[msg]
			if strings.HasPrefix(msg, "must be one of ") && k == "type" {
				id, ok = "account.err.org_type", true
			}
			if !ok {
				id = "account.err.invalid"
			}
			f.Errors[k] = p.r.Cat.T(lang, id)
		}
		f.Message = p.r.Cat.T(lang, "account.err.form")
		return status, true
	}
	if id, ok := codeMessages[d.Code]; ok {
		var rl *apperr.RateLimited
		if errors.As(err, &rl) {
			c.Header("Retry-After", strconv.Itoa(int(rl.RetryAfter.Seconds()+0.999)))
			f.Message = p.r.Cat.T(lang, id, "Minutes", int(rl.RetryAfter.Minutes())+1)
		} else {
			f.Message = p.r.Cat.T(lang, id)
		}
		return status, true
	}
	p.r.Error(c, err)
	return status, false
}

// need returns the signed-in principal holding one of roles (any role when none given); it
// redirects anonymous visitors to the login page and renders 403 for others.
func (p pages) need(c *gin.Context, roles ...string) (*auth.Principal, bool) {
	pr := auth.Current(c)
	if pr == nil {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return nil, false
	}
	if len(roles) == 0 {
		return pr, true
	}
	for _, r := range roles {
		if pr.Has(r) {
			return pr, true
		}
	}
	p.r.Error(c, apperr.ErrForbidden)
	return nil, false
}

// localNext keeps only local paths ("/x", not "//host" or "http://...").
func localNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

// Option is a choice in a select box.
type Option struct {
	Value string
	Label string
}

// countryOptions lists the countries by name in lang.
func (p pages) countryOptions(c *gin.Context) []Option {
	lang := web.Lang(c)
	list, _ := p.s.Countries(c.Request.Context())
	out := make([]Option, len(list))
	for i, k := range list {
		out[i] = Option{Value: k.Code, Label: k.Name(lang)}
	}
	col := collate.New(language.Make(lang))
	sort.SliceStable(out, func(i, j int) bool { return col.CompareString(out[i].Label, out[j].Label) < 0 })
	return out
}

func (p pages) orgOptions(c *gin.Context) []Option {
	list, _ := p.s.AllOrgs(c.Request.Context())
	out := make([]Option, len(list))
	for i, o := range list {
		out[i] = Option{Value: strconv.FormatInt(o.ID, 10), Label: fmt.Sprintf("%s (%s)", o.Name, o.Country)}
	}
	return out
}

func optInt(v string) *int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return nil
	}
	return &n
}

// LoginData is the login page.
type LoginData struct {
	Form
	Next string
}

func (p pages) loginForm(c *gin.Context) {
	if auth.Current(c) != nil {
		c.Redirect(http.StatusSeeOther, localNext(c.Query("next")))
		return
	}
	p.r.HTML(c, http.StatusOK, "account/login", "account.login.title", LoginData{Form: Form{Values: map[string]string{}}, Next: localNext(c.Query("next"))})
}

func (p pages) login(c *gin.Context) {
	f := newForm(c, "email")
	next := localNext(c.PostForm("next"))
	pair, u, err := p.s.Login(c.Request.Context(), f.V("email"), c.PostForm("password"), c.ClientIP())
	if err != nil {
		if status, ok := p.fail(c, &f, err); ok {
			p.r.HTML(c, status, "account/login", "account.login.title", LoginData{Form: f, Next: next})
		}
		return
	}
	p.s.SetSessionCookies(c, pair)
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie(web.LangCookie, u.Language, 365*24*3600, "/", "", p.s.secureCookies(), true)
	c.Redirect(http.StatusSeeOther, next)
}

func (p pages) logout(c *gin.Context) {
	if rt, err := c.Cookie(RefreshCookie); err == nil {
		if err := p.s.Logout(c.Request.Context(), rt); err != nil {
			p.r.Error(c, err)
			return
		}
	}
	p.s.ClearSessionCookies(c)
	web.SetFlash(c, "account.flash.logged_out")
	c.Redirect(http.StatusSeeOther, "/")
}

// RegisterData is the registration page.
type RegisterData struct {
	Form
	Closed    bool
	Countries []Option
	Orgs      []Option
	Languages []web.Language
}

func (p pages) registerData(c *gin.Context, f Form) RegisterData {
	return RegisterData{Form: f, Closed: p.s.cfg.Registration == "closed", Countries: p.countryOptions(c),
		Orgs: p.orgOptions(c), Languages: web.Languages}
}

func (p pages) registerForm(c *gin.Context) {
	f := Form{Values: map[string]string{"language": web.Lang(c)}, Errors: map[string]string{}}
	p.r.HTML(c, http.StatusOK, "account/register", "account.register.title", p.registerData(c, f))
}

func (p pages) register(c *gin.Context) {
	f := newForm(c, "email", "name", "country", "organisation_id", "language")
	u, err := p.s.Register(c.Request.Context(), RegisterInput{Email: f.V("email"), Password: c.PostForm("password"),
		Name: f.V("name"), Country: f.V("country"), OrgID: optInt(f.V("organisation_id")), Language: f.V("language")})
	if err != nil {
		if status, ok := p.fail(c, &f, err); ok {
			p.r.HTML(c, status, "account/register", "account.register.title", p.registerData(c, f))
		}
		return
	}
	if u.Status == StatusPending {
		web.SetFlash(c, "account.flash.registered_pending")
	} else {
		web.SetFlash(c, "account.flash.registered")
	}
	c.Redirect(http.StatusSeeOther, "/login")
}

// ActivateData is the page that sets a password from an activation link.
type ActivateData struct {
	Form
	Token string
	Email string
}

func (p pages) activateForm(c *gin.Context) {
	tok := c.Query("token")
	u, err := p.s.CheckActivation(c.Request.Context(), tok)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	p.r.HTML(c, http.StatusOK, "account/activate", "account.activate.title", ActivateData{Form: Form{Values: map[string]string{}}, Token: tok, Email: u.Email})
}

func (p pages) activate(c *gin.Context) {
	tok := c.PostForm("token")
	f := newForm(c)
	u, err := p.s.Activate(c.Request.Context(), tok, c.PostForm("password"))
	if err != nil {
		var v *apperr.Validation
		if errors.As(err, &v) {
			if status, ok := p.fail(c, &f, err); ok {
				email := ""
				if u, err := p.s.CheckActivation(c.Request.Context(), tok); err == nil {
					email = u.Email
				}
				p.r.HTML(c, status, "account/activate", "account.activate.title", ActivateData{Form: f, Token: tok, Email: email})
			}
			return
		}
		p.r.Error(c, err)
		return
	}
	_ = u
	web.SetFlash(c, "account.flash.activated")
	c.Redirect(http.StatusSeeOther, "/login")
}

// ProfileData is the profile page.
type ProfileData struct {
	Form
	Password    Form
	User        UserJSON
	CountryName string
	Languages   []web.Language
}

func (p pages) profileData(c *gin.Context, pr *auth.Principal, f, pw Form) (ProfileData, error) {
	u, err := p.s.Get(c.Request.Context(), pr.UserID)
	if err != nil {
		return ProfileData{}, err
	}
	js, err := api{s: p.s}.usersJSON(c, []User{*u})
	if err != nil {
		return ProfileData{}, err
	}
	if f.Values == nil {
		f = Form{Values: map[string]string{"name": u.Name, "language": u.Language}, Errors: map[string]string{}}
	}
	if pw.Values == nil {
		pw = Form{Values: map[string]string{}, Errors: map[string]string{}}
	}
	return ProfileData{Form: f, Password: pw, User: js[0], CountryName: p.s.CountryName(c.Request.Context(), u.Country, web.Lang(c)),
		Languages: web.Languages}, nil
}

func (p pages) renderProfile(c *gin.Context, status int, pr *auth.Principal, f, pw Form) {
	d, err := p.profileData(c, pr, f, pw)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	p.r.HTML(c, status, "account/profile", "account.profile.title", d)
}

func (p pages) profile(c *gin.Context) {
	pr, ok := p.need(c)
	if !ok {
		return
	}
	p.renderProfile(c, http.StatusOK, pr, Form{}, Form{})
}

func (p pages) saveProfile(c *gin.Context) {
	pr, ok := p.need(c)
	if !ok {
		return
	}
	f := newForm(c, "name", "language")
	name, lang := f.V("name"), f.V("language")
	u, err := p.s.UpdateMe(c.Request.Context(), MePatch{Name: &name, Language: &lang}, sessionFrom(c.Request.Context()))
	if err != nil {
		if status, ok := p.fail(c, &f, err); ok {
			p.renderProfile(c, status, pr, f, Form{})
		}
		return
	}
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie(web.LangCookie, u.Language, 365*24*3600, "/", "", p.s.secureCookies(), true)
	web.SetFlash(c, "account.flash.profile_saved")
	c.Redirect(http.StatusSeeOther, "/profile")
}

func (p pages) changePassword(c *gin.Context) {
	pr, ok := p.need(c)
	if !ok {
		return
	}
	f := newForm(c)
	cur, pw := c.PostForm("current_password"), c.PostForm("password")
	_, err := p.s.UpdateMe(c.Request.Context(), MePatch{Password: &pw, CurrentPassword: &cur}, sessionFrom(c.Request.Context()))
	if err != nil {
		if status, ok := p.fail(c, &f, err); ok {
			p.renderProfile(c, status, pr, Form{}, f)
		}
		return
	}
	web.SetFlash(c, "account.flash.password_changed")
	c.Redirect(http.StatusSeeOther, "/profile")
}

// UserRow is a user in a page list.
type UserRow struct {
	UserJSON
	CountryName string
}

// UsersData is the admin user list and the coordinator's approvals list.
type UsersData struct {
	Users     []UserRow
	Total     int64
	Page      int
	Pages     int
	Filter    UserFilter
	Roles     []string
	Statuses  []string
	Countries []Option
	Orgs      []Option
}

func (p pages) userRows(c *gin.Context, f UserFilter) (*UsersData, error) {
	pg, err := httpx.Paging(c)
	if err != nil {
		return nil, err
	}
	users, total, err := p.s.ListUsers(c.Request.Context(), f, pg)
	if err != nil {
		return nil, err
	}
	js, err := api{s: p.s}.usersJSON(c, users)
	if err != nil {
		return nil, err
	}
	d := &UsersData{Total: total, Page: pg.Page, Pages: int((total + int64(pg.PerPage) - 1) / int64(pg.PerPage)), Filter: f,
		Roles: AllRoles, Statuses: Statuses}
	for _, u := range js {
		d.Users = append(d.Users, UserRow{UserJSON: u, CountryName: p.s.CountryName(c.Request.Context(), u.Country, web.Lang(c))})
	}
	return d, nil
}

func (p pages) approvals(c *gin.Context) {
	if _, ok := p.need(c, auth.RoleCoordinator, auth.RoleAdmin); !ok {
		return
	}
	d, err := p.userRows(c, UserFilter{Status: StatusPending})
	if err != nil {
		p.r.Error(c, err)
		return
	}
	p.r.HTML(c, http.StatusOK, "account/approvals", "account.approvals.title", d)
}

func (p pages) approveFromList(back string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, ok := p.need(c, auth.RoleCoordinator, auth.RoleAdmin); !ok {
			return
		}
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			p.r.Error(c, apperr.ErrNotFound)
			return
		}
		if _, err := p.s.Approve(c.Request.Context(), id); err != nil {
			p.r.Error(c, err)
			return
		}
		web.SetFlash(c, "account.flash.approved")
		c.Redirect(http.StatusSeeOther, back)
	}
}

func (p pages) users(c *gin.Context) {
	if _, ok := p.need(c, auth.RoleAdmin); !ok {
		return
	}
	f := UserFilter{Role: c.Query("role"), Status: c.Query("status"), Country: c.Query("country"), Q: c.Query("q")}
	if id := optInt(c.Query("organisation_id")); id != nil {
		f.OrgID = *id
	}
	d, err := p.userRows(c, f)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	d.Countries, d.Orgs = p.countryOptions(c), p.orgOptions(c)
	p.r.HTML(c, http.StatusOK, "account/users", "account.users.title", d)
}

// UserFormData is the admin page of one user.
type UserFormData struct {
	Form
	User        UserJSON
	CountryName string
	Roles       map[string]bool
	AllRoles    []string
	Statuses    []string
	Countries   []Option
	Orgs        []Option
}

func (p pages) renderUser(c *gin.Context, status int, u *User, f Form) {
	js, err := api{s: p.s}.usersJSON(c, []User{*u})
	if err != nil {
		p.r.Error(c, err)
		return
	}
	d := UserFormData{Form: f, User: js[0], CountryName: p.s.CountryName(c.Request.Context(), u.Country, web.Lang(c)),
		Roles: map[string]bool{}, AllRoles: AllRoles[1:], Statuses: Statuses,
		Countries: p.countryOptions(c), Orgs: p.orgOptions(c)}
	for _, r := range u.RoleList() {
		d.Roles[r] = true
	}
	if d.Values == nil {
		d.Form = Form{Values: map[string]string{"status": u.Status, "scope_country": u.ScopeCountry}, Errors: map[string]string{}}
		if u.OrgID != nil {
			d.Values["organisation_id"] = strconv.FormatInt(*u.OrgID, 10)
		}
		if u.ScopeOrgID != nil {
			d.Values["scope_organisation_id"] = strconv.FormatInt(*u.ScopeOrgID, 10)
		}
	}
	p.r.HTML(c, status, "account/user", "account.user.title", d)
}

func (p pages) userForm(c *gin.Context) {
	if _, ok := p.need(c, auth.RoleAdmin); !ok {
		return
	}
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	u, err := p.s.GetUser(c.Request.Context(), id)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	p.renderUser(c, http.StatusOK, u, Form{})
}

func optForm(v string) Opt[int64] {
	if id := optInt(v); id != nil {
		return Opt[int64]{Set: true, Value: *id}
	}
	return Opt[int64]{Set: true, Null: true}
}

func (p pages) saveUser(c *gin.Context) {
	if _, ok := p.need(c, auth.RoleAdmin); !ok {
		return
	}
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	f := newForm(c, "status", "organisation_id", "scope_country", "scope_organisation_id")
	roles := c.PostFormArray("roles")
	status, scope := f.V("status"), f.V("scope_country")
	in := UserPatch{Roles: &roles, Status: &status, OrgID: optForm(f.V("organisation_id")), ScopeCountry: &scope,
		ScopeOrgID: optForm(f.V("scope_organisation_id"))}
	if scope != "" && in.ScopeOrgID.Null {
		in.ScopeOrgID = Opt[int64]{}
	}
	u, err := p.s.PatchUser(c.Request.Context(), id, in)
	if err != nil {
		if st, ok := p.fail(c, &f, err); ok {
			if cur, gerr := p.s.GetUser(c.Request.Context(), id); gerr == nil {
				p.renderUser(c, st, cur, f)
			} else {
				p.r.Error(c, gerr)
			}
		}
		return
	}
	web.SetFlash(c, "account.flash.user_saved")
	c.Redirect(http.StatusSeeOther, "/admin/users/"+strconv.FormatInt(u.ID, 10))
}

func (p pages) setStatus(c *gin.Context) {
	if _, ok := p.need(c, auth.RoleAdmin); !ok {
		return
	}
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	status := c.PostForm("status")
	if _, err := p.s.PatchUser(c.Request.Context(), id, UserPatch{Status: &status}); err != nil {
		p.r.Error(c, err)
		return
	}
	web.SetFlash(c, "account.flash.user_saved")
	c.Redirect(http.StatusSeeOther, "/admin/users")
}

func (p pages) importForm(c *gin.Context) {
	if _, ok := p.need(c, auth.RoleAdmin); !ok {
		return
	}
	p.r.HTML(c, http.StatusOK, "account/import", "account.import.title", Form{Values: map[string]string{}, Errors: map[string]string{}})
}

func (p pages) importUpload(c *gin.Context) {
	if _, ok := p.need(c, auth.RoleAdmin); !ok {
		return
	}
	f := newForm(c)
	data, err := readImport(c)
	var st *ImportStatus
	if err == nil {
		st, err = p.s.StartImport(c.Request.Context(), data)
	}
	if err != nil {
		if status, ok := p.fail(c, &f, err); ok {
			p.r.HTML(c, status, "account/import", "account.import.title", f)
		}
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users/imports/"+st.ID)
}

func (p pages) importStatus(c *gin.Context) {
	if _, ok := p.need(c, auth.RoleAdmin); !ok {
		return
	}
	st, err := p.s.GetImport(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.r.Error(c, err)
		return
	}
	p.r.HTML(c, http.StatusOK, "account/import_status", "account.import.status_title", st)
}

// OrgsData is the organisations page.
type OrgsData struct {
	Form
	Orgs      []Organisation
	Total     int64
	Page      int
	Pages     int
	Q         string
	Types     []string
	Countries []Option
}

func (p pages) renderOrgs(c *gin.Context, status int, f Form) {
	pg, err := httpx.Paging(c)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	list, total, err := p.s.ListOrgs(c.Request.Context(), OrgFilter{Q: c.Query("q")}, pg)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	if f.Values == nil {
		f = Form{Values: map[string]string{}, Errors: map[string]string{}}
	}
	p.r.HTML(c, status, "account/organisations", "account.orgs.title", OrgsData{Form: f, Orgs: list, Total: total, Page: pg.Page,
		Pages: int((total + int64(pg.PerPage) - 1) / int64(pg.PerPage)), Q: c.Query("q"), Types: OrgTypes, Countries: p.countryOptions(c)})
}

func (p pages) orgs(c *gin.Context) {
	if _, ok := p.need(c, auth.RoleAdmin); !ok {
		return
	}
	p.renderOrgs(c, http.StatusOK, Form{})
}

func orgInput(f Form) OrgInput {
	name, typ, country := f.V("name"), f.V("type"), f.V("country")
	return OrgInput{Name: &name, Type: &typ, Country: &country}
}

func (p pages) createOrg(c *gin.Context) {
	if _, ok := p.need(c, auth.RoleAdmin); !ok {
		return
	}
	f := newForm(c, "name", "type", "country")
	if _, err := p.s.CreateOrg(c.Request.Context(), orgInput(f)); err != nil {
		if status, ok := p.fail(c, &f, err); ok {
			p.renderOrgs(c, status, f)
		}
		return
	}
	web.SetFlash(c, "account.flash.org_saved")
	c.Redirect(http.StatusSeeOther, "/admin/organisations")
}

// OrgFormData is the page of one organisation.
type OrgFormData struct {
	Form
	Org       *Organisation
	Types     []string
	Countries []Option
}

func (p pages) orgForm(c *gin.Context) {
	if _, ok := p.need(c, auth.RoleAdmin); !ok {
		return
	}
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	o, err := p.s.GetOrg(c.Request.Context(), id)
	if err != nil {
		p.r.Error(c, err)
		return
	}
	f := Form{Values: map[string]string{"name": o.Name, "type": o.Type, "country": o.Country}, Errors: map[string]string{}}
	p.r.HTML(c, http.StatusOK, "account/organisation", "account.org.title", OrgFormData{Form: f, Org: o, Types: OrgTypes, Countries: p.countryOptions(c)})
}

func (p pages) saveOrg(c *gin.Context) {
	if _, ok := p.need(c, auth.RoleAdmin); !ok {
		return
	}
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	f := newForm(c, "name", "type", "country")
	o, err := p.s.UpdateOrg(c.Request.Context(), id, orgInput(f))
	if err != nil {
		if status, ok := p.fail(c, &f, err); ok {
			cur, gerr := p.s.GetOrg(c.Request.Context(), id)
			if gerr != nil {
				p.r.Error(c, gerr)
				return
			}
			p.r.HTML(c, status, "account/organisation", "account.org.title", OrgFormData{Form: f, Org: cur, Types: OrgTypes, Countries: p.countryOptions(c)})
		}
		return
	}
	web.SetFlash(c, "account.flash.org_saved")
	c.Redirect(http.StatusSeeOther, "/admin/organisations/"+strconv.FormatInt(o.ID, 10))
}

func (p pages) deleteOrg(c *gin.Context) {
	if _, ok := p.need(c, auth.RoleAdmin); !ok {
		return
	}
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	if err := p.s.DeleteOrg(c.Request.Context(), id); err != nil {
		p.r.Error(c, err)
		return
	}
	web.SetFlash(c, "account.flash.org_deleted")
	c.Redirect(http.StatusSeeOther, "/admin/organisations")
}
