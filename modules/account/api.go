package account

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/httpx"
	"glc/internal/web"
)

// UnmarshalJSON records that the field was sent (and whether it was null).
func (o *Opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// OrgRef is an organisation inside a user.
type OrgRef struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Type    string `json:"type"`
	Country string `json:"country"`
}

// UserJSON is a user as the API shows it.
type UserJSON struct {
	ID                  int64      `json:"id"`
	Email               string     `json:"email"`
	Name                string     `json:"name"`
	Roles               []string   `json:"roles"`
	Status              string     `json:"status"`
	Country             string     `json:"country"`
	Organisation        *OrgRef    `json:"organisation"`
	Language            string     `json:"language"`
	ScopeCountry        string     `json:"scope_country,omitempty"`
	ScopeOrganisationID *int64     `json:"scope_organisation_id,omitempty"`
	CreatedAt           time.Time  `json:"created_at"`
	LastLoginAt         *time.Time `json:"last_login_at"`
}

type api struct{ s *Service }

func (a api) usersJSON(c *gin.Context, users []User) ([]UserJSON, error) {
	var ids []int64
	for _, u := range users {
		if u.OrgID != nil {
			ids = append(ids, *u.OrgID)
		}
	}
	orgs, err := a.s.orgsByID(c.Request.Context(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]UserJSON, len(users))
	for i, u := range users {
		out[i] = UserJSON{ID: u.ID, Email: u.Email, Name: u.Name, Roles: u.RoleList(), Status: u.Status, Country: u.Country,
			Language: u.Language, ScopeCountry: u.ScopeCountry, ScopeOrganisationID: u.ScopeOrgID, CreatedAt: u.CreatedAt,
			LastLoginAt: u.LastLoginAt}
		if u.OrgID != nil {
			if o, ok := orgs[*u.OrgID]; ok {
				out[i].Organisation = &OrgRef{ID: o.ID, Name: o.Name, Type: o.Type, Country: o.Country}
			}
		}
	}
	return out, nil
}

func (a api) user(c *gin.Context, status int, u *User, err error) {
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	out, err := a.usersJSON(c, []User{*u})
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(status, out[0])
}

func (a api) register(c *gin.Context) {
	var in struct {
		Email          string `json:"email"`
		Password       string `json:"password"`
		Name           string `json:"name"`
		Country        string `json:"country"`
		OrganisationID *int64 `json:"organisation_id"`
		Language       string `json:"language"`
	}
	if !httpx.BindJSON(c, &in) {
		return
	}
	if in.Language == "" {
		in.Language = web.Lang(c)
	}
	u, err := a.s.Register(c.Request.Context(), RegisterInput{Email: in.Email, Password: in.Password, Name: in.Name,
		Country: in.Country, OrgID: in.OrganisationID, Language: in.Language})
	a.user(c, http.StatusCreated, u, err)
}

func (a api) login(c *gin.Context) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if !httpx.BindJSON(c, &in) {
		return
	}
	pair, _, err := a.s.Login(c.Request.Context(), in.Email, in.Password, c.ClientIP())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pair)
}

type refreshBody struct {
	RefreshToken string `json:"refresh_token"`
}

func (a api) refresh(c *gin.Context) {
	var in refreshBody
	if !httpx.BindJSON(c, &in) {
		return
	}
	pair, _, err := a.s.Refresh(c.Request.Context(), in.RefreshToken)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pair)
}

func (a api) logout(c *gin.Context) {
	var in refreshBody
	if !httpx.BindJSON(c, &in) {
		return
	}
	if in.RefreshToken == "" {
		httpx.Fail(c, apperr.Invalid("refresh_token", "is required"))
		return
	}
	if err := a.s.Logout(c.Request.Context(), in.RefreshToken); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a api) logoutAll(c *gin.Context) {
	if err := a.s.LogoutAll(c.Request.Context()); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a api) activate(c *gin.Context) {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if !httpx.BindJSON(c, &in) {
		return
	}
	if _, err := a.s.Activate(c.Request.Context(), in.Token, in.Password); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a api) me(c *gin.Context) {
	p, err := auth.Require(c.Request.Context())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	u, err := a.s.Get(c.Request.Context(), p.UserID)
	a.user(c, http.StatusOK, u, err)
}

func (a api) patchMe(c *gin.Context) {
	var in struct {
		Name            *string `json:"name"`
		Language        *string `json:"language"`
		Password        *string `json:"password"`
		CurrentPassword *string `json:"current_password"`
	}
	if !httpx.BindJSON(c, &in) {
		return
	}
	ctx := c.Request.Context()
	u, err := a.s.UpdateMe(ctx, MePatch{Name: in.Name, Language: in.Language, Password: in.Password, CurrentPassword: in.CurrentPassword}, sessionFrom(ctx))
	a.user(c, http.StatusOK, u, err)
}

func (a api) listUsers(c *gin.Context) {
	pg, err := httpx.Paging(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	f := UserFilter{Role: c.Query("role"), Status: c.Query("status"), Country: c.Query("country"), Q: c.Query("q")}
	if v := c.Query("organisation_id"); v != "" {
		if f.OrgID, err = strconv.ParseInt(v, 10, 64); err != nil || f.OrgID < 1 {
			httpx.Fail(c, apperr.Invalid("organisation_id", "must be a positive whole number"))
			return
		}
	}
	users, total, err := a.s.ListUsers(c.Request.Context(), f, pg)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	items, err := a.usersJSON(c, users)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, httpx.List[UserJSON]{Items: items, Total: total})
}

func (a api) createUser(c *gin.Context) {
	var in struct {
		Email               string   `json:"email"`
		Password            string   `json:"password"`
		Name                string   `json:"name"`
		Roles               []string `json:"roles"`
		Country             string   `json:"country"`
		OrganisationID      *int64   `json:"organisation_id"`
		Language            string   `json:"language"`
		ScopeCountry        string   `json:"scope_country"`
		ScopeOrganisationID *int64   `json:"scope_organisation_id"`
	}
	if !httpx.BindJSON(c, &in) {
		return
	}
	if _, err := auth.RequireRole(c.Request.Context(), auth.RoleAdmin); err != nil {
		httpx.Fail(c, err)
		return
	}
	if in.Password == "" {
		httpx.Fail(c, apperr.Invalid("password", "is required"))
		return
	}
	u, err := a.s.CreateByAdmin(c.Request.Context(), NewUser{Email: in.Email, Password: in.Password, Name: in.Name,
		Roles: in.Roles, Country: in.Country, OrgID: in.OrganisationID, Language: in.Language,
		ScopeCountry: in.ScopeCountry, ScopeOrgID: in.ScopeOrganisationID})
	a.user(c, http.StatusCreated, u, err)
}

func (a api) getUser(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	u, err := a.s.GetUser(c.Request.Context(), id)
	a.user(c, http.StatusOK, u, err)
}

func (a api) patchUser(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	var in struct {
		Name                *string    `json:"name"`
		Country             *string    `json:"country"`
		Language            *string    `json:"language"`
		Roles               *[]string  `json:"roles"`
		Status              *string    `json:"status"`
		OrganisationID      Opt[int64] `json:"organisation_id"`
		ScopeCountry        *string    `json:"scope_country"`
		ScopeOrganisationID Opt[int64] `json:"scope_organisation_id"`
	}
	if !httpx.BindJSON(c, &in) {
		return
	}
	u, err := a.s.PatchUser(c.Request.Context(), id, UserPatch{Name: in.Name, Country: in.Country, Language: in.Language,
		Roles: in.Roles, Status: in.Status, OrgID: in.OrganisationID, ScopeCountry: in.ScopeCountry, ScopeOrgID: in.ScopeOrganisationID})
	a.user(c, http.StatusOK, u, err)
}

func (a api) approve(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	u, err := a.s.Approve(c.Request.Context(), id)
	a.user(c, http.StatusOK, u, err)
}

func (a api) issueActivation(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	act, err := a.s.IssueActivation(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, act)
}

// maxImportBytes bounds an uploaded CSV file (10,000 users are about 600 KB).
const maxImportBytes = 32 << 20

// readImport returns the CSV bytes of a multipart "file" part or a text/csv body.
func readImport(c *gin.Context) ([]byte, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxImportBytes)
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var r io.Reader
	switch mt {
	case "multipart/form-data":
		fh, err := c.FormFile("file")
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, err
			}
			return nil, apperr.Invalid("file", "is required (a multipart part named file)")
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	case "text/csv", "text/plain":
		r = c.Request.Body
	default:
		return nil, apperr.ErrUnsupported
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if ct := http.DetectContentType(data); len(data) > 0 && !strings.HasPrefix(ct, "text/plain") {
		return nil, apperr.Invalid("file", "must be a text (CSV) file")
	}
	return data, nil
}

func (a api) importUsers(c *gin.Context) {
	if _, err := auth.RequireRole(c.Request.Context(), auth.RoleAdmin); err != nil {
		httpx.Fail(c, err)
		return
	}
	data, err := readImport(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	st, err := a.s.StartImport(c.Request.Context(), data)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if st.Status == ImportRunning {
		c.Header("Location", "/api/v1/users/imports/"+st.ID)
		c.JSON(http.StatusAccepted, st)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (a api) getImport(c *gin.Context) {
	st, err := a.s.GetImport(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

// CountryJSON is a country in the API.
type CountryJSON struct {
	Code  string            `json:"code"`
	Name  string            `json:"name"`
	Names map[string]string `json:"names"`
}

func (a api) countries(c *gin.Context) {
	list, err := a.s.Countries(c.Request.Context())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	lang := web.Lang(c)
	out := make([]CountryJSON, len(list))
	for i, k := range list {
		out[i] = CountryJSON{Code: k.Code, Name: k.Name(lang), Names: map[string]string{"en": k.NameEn, "fr": k.NameFr, "es": k.NameEs, "ar": k.NameAr}}
	}
	c.JSON(http.StatusOK, httpx.List[CountryJSON]{Items: out, Total: int64(len(out))})
}

func (a api) listOrgs(c *gin.Context) {
	pg, err := httpx.Paging(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	list, total, err := a.s.ListOrgs(c.Request.Context(), OrgFilter{Country: c.Query("country"), Type: c.Query("type"), Q: c.Query("q")}, pg)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, httpx.List[Organisation]{Items: list, Total: total})
}

type orgBody struct {
	Name    *string `json:"name"`
	Type    *string `json:"type"`
	Country *string `json:"country"`
}

func (a api) org(c *gin.Context, status int, o *Organisation, err error) {
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(status, o)
}

func (a api) getOrg(c *gin.Context) {
	if id, ok := httpx.ParamID(c, "id"); ok {
		o, err := a.s.GetOrg(c.Request.Context(), id)
		a.org(c, http.StatusOK, o, err)
	}
}

func (a api) createOrg(c *gin.Context) {
	var in orgBody
	if !httpx.BindJSON(c, &in) {
		return
	}
	o, err := a.s.CreateOrg(c.Request.Context(), OrgInput(in))
	a.org(c, http.StatusCreated, o, err)
}

func (a api) patchOrg(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	var in orgBody
	if !httpx.BindJSON(c, &in) {
		return
	}
	o, err := a.s.UpdateOrg(c.Request.Context(), id, OrgInput(in))
	a.org(c, http.StatusOK, o, err)
}

func (a api) deleteOrg(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	if err := a.s.DeleteOrg(c.Request.Context(), id); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
