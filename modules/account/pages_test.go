package account_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"glc/internal/app/apptest"
)

// browser is a cookie-keeping client that reads the CSRF token from the last page.
type browser struct {
	t    *testing.T
	s    *apptest.Server
	c    *http.Client
	csrf string
}

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func newBrowser(t *testing.T, s *apptest.Server) *browser {
	return &browser{t: t, s: s, c: s.Browser()}
}

type page struct {
	Status int
	Header http.Header
	Body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if m := csrfRe.FindSubmatch(raw); m != nil {
		b.csrf = string(m[1])
	}
	return page{Status: resp.StatusCode, Header: resp.Header, Body: string(raw)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.s.URL+path, nil)
	return b.do(req)
}

// post submits a form with the CSRF token of the last page (unless noCSRF).
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf_token") == "" && b.csrf != "" {
		form.Set("csrf_token", b.csrf)
	}
	req, _ := http.NewRequest("POST", b.s.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.s.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func setCookie(p page, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (b *browser) login(email, password string) page {
	b.t.Helper()
	b.get("/login")
	p := b.post("/login", url.Values{"email": {email}, "password": {password}, "next": {"/profile"}})
	if p.Status != 303 || p.Header.Get("Location") != "/profile" {
		b.t.Fatalf("login form: %d %s %s", p.Status, p.Header.Get("Location"), p.Body)
	}
	return p
}

func TestRegisterApproveLoginPages(t *testing.T) {
	s := newServer(t, apptest.Env("GLC_REGISTRATION", "approval"))
	// Register through the form.
	visitor := newBrowser(t, s)
	p := visitor.get("/register?lang=fr")
	if p.Status != 200 || !strings.Contains(p.Body, `id="register-form"`) || !strings.Contains(p.Body, `<option value="SN">Sénégal</option>`) {
		t.Fatalf("register page: %d", p.Status)
	}
	form := url.Values{"name": {"Moussa Traoré"}, "email": {"moussa@example.org"}, "password": {"short"}, "country": {"ML"}, "language": {"fr"}}
	p = visitor.post("/register", form)
	if p.Status != 422 || !strings.Contains(p.Body, "au moins 12 caractères") || !strings.Contains(p.Body, `value="Moussa Traoré"`) {
		t.Fatalf("weak password on the form: %d", p.Status)
	}
	form.Set("password", goodPassword)
	p = visitor.post("/register", form)
	if p.Status != 303 || p.Header.Get("Location") != "/login" {
		t.Fatalf("register form: %d %s", p.Status, p.Body)
	}
	p = visitor.get("/login")
	if !strings.Contains(p.Body, "attend une validation") {
		t.Fatalf("pending message missing on the next page: %s", p.Body)
	}
	// A pending account cannot log in through the form either.
	p = visitor.post("/login", url.Values{"email": {"moussa@example.org"}, "password": {goodPassword}})
	if p.Status != 403 || !strings.Contains(p.Body, "attend la validation") {
		t.Fatalf("pending login form: %d", p.Status)
	}
	if setCookie(p, "glc_access") != nil {
		t.Error("pending user got a session cookie")
	}

	// The admin approves through the users page.
	admin := s.Admin(t)
	ab := newBrowser(t, s)
	ab.login(admin.Email, admin.Password)
	p = ab.get("/admin/users?status=pending")
	if p.Status != 200 || !strings.Contains(p.Body, "moussa@example.org") {
		t.Fatalf("admin users page: %d", p.Status)
	}
	id := regexp.MustCompile(`id="approve-(\d+)"`).FindStringSubmatch(p.Body)
	if id == nil {
		t.Fatal("no approve button")
	}
	p = ab.post("/admin/users/"+id[1]+"/approve", nil)
	if p.Status != 303 {
		t.Fatalf("approve form: %d %s", p.Status, p.Body)
	}
	uid, _ := strconv.ParseInt(id[1], 10, 64)
	if getUser(t, s, uid).Status != "active" {
		t.Fatal("not approved")
	}

	// Now the login form works and sets the cookies.
	p = visitor.login("moussa@example.org", goodPassword)
	for _, name := range []string{"glc_access", "glc_refresh"} {
		c := setCookie(p, name)
		if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" || c.MaxAge <= 0 {
			t.Errorf("cookie %s: %+v", name, c)
		}
	}
	if c := setCookie(p, "glc_lang"); c == nil || c.Value != "fr" {
		t.Errorf("language cookie after login: %+v", c)
	}
	p = visitor.get("/profile")
	if p.Status != 200 || !strings.Contains(p.Body, "moussa@example.org") || !strings.Contains(p.Body, `lang="fr"`) {
		t.Fatalf("profile: %d", p.Status)
	}
	// Switch to Arabic on the profile: the page and the cookie follow.
	p = visitor.post("/profile", url.Values{"name": {"Moussa Traoré"}, "language": {"ar"}})
	if p.Status != 303 || setCookie(p, "glc_lang") == nil || setCookie(p, "glc_lang").Value != "ar" {
		t.Fatalf("profile language: %d %v", p.Status, p.Header.Values("Set-Cookie"))
	}
	p = visitor.get("/profile")
	if !strings.Contains(p.Body, `<html lang="ar" dir="rtl">`) || !strings.Contains(p.Body, "تم حفظ ملفك الشخصي") {
		t.Fatalf("profile in Arabic: %s", p.Body[:200])
	}
	if getUser(t, s, uid).Language != "ar" {
		t.Error("language not saved")
	}
	// Log out: the cookies are cleared and the session is over.
	refresh := visitor.cookie("glc_refresh").Value
	p = visitor.post("/logout", nil)
	if p.Status != 303 {
		t.Fatalf("logout: %d", p.Status)
	}
	for _, name := range []string{"glc_access", "glc_refresh"} {
		if c := setCookie(p, name); c == nil || c.MaxAge >= 0 || c.Value != "" {
			t.Errorf("cookie %s not cleared: %+v", name, c)
		}
	}
	if visitor.cookie("glc_access") != nil || visitor.cookie("glc_refresh") != nil {
		t.Error("cookies still in the jar")
	}
	if p := visitor.get("/profile"); p.Status != 303 {
		t.Errorf("profile after logout: %d", p.Status)
	}
	if r := s.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh}); r.Status != 401 {
		t.Errorf("refresh token after logout: %d", r.Status)
	}
}

func TestCSRFMissingGives403Page(t *testing.T) {
	s := newServer(t)
	u := s.Learner(t)
	b := newBrowser(t, s)
	b.login(u.Email, u.Password)
	for _, path := range []string{"/profile", "/logout", "/login"} {
		p := b.post(path, url.Values{"csrf_token": {"forged-token-forged-token-forged-token"}, "name": {"Evil"}, "language": {"fr"}})
		if p.Status != 403 || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") || !strings.Contains(p.Body, "error-page") {
			t.Errorf("%s without CSRF: %d %s", path, p.Status, p.Header.Get("Content-Type"))
		}
	}
	if getUser(t, s, u.ID).Name == "Evil" {
		t.Error("a forged form changed the profile")
	}
}

func TestTransparentRefreshFromCookie(t *testing.T) {
	s := newServer(t)
	u := s.Learner(t)
	b := newBrowser(t, s)
	b.login(u.Email, u.Password)
	oldRefresh := b.cookie("glc_refresh").Value
	// A browser whose access cookie has expired still has its refresh cookie.
	jar, _ := cookiejar.New(nil)
	su, _ := url.Parse(s.URL)
	jar.SetCookies(su, []*http.Cookie{{Name: "glc_refresh", Value: oldRefresh, Path: "/"}})
	b.c.Jar = jar
	p := b.get("/profile")
	if p.Status != 200 || !strings.Contains(p.Body, u.Email) {
		t.Fatalf("profile with only the refresh cookie: %d", p.Status)
	}
	if setCookie(p, "glc_access") == nil || setCookie(p, "glc_refresh") == nil || setCookie(p, "glc_refresh").Value == oldRefresh {
		t.Fatalf("cookies not renewed: %v", p.Header.Values("Set-Cookie"))
	}
	// A parallel request with the just-rotated cookie is not treated as theft.
	other := &http.Client{Jar: func() http.CookieJar {
		j, _ := cookiejar.New(nil)
		j.SetCookies(su, []*http.Cookie{{Name: "glc_refresh", Value: oldRefresh, Path: "/"}})
		return j
	}(), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := other.Get(s.URL + "/profile")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if p := b.get("/profile"); p.Status != 200 {
		t.Fatalf("session killed by a parallel page load: %d", p.Status)
	}
	// A garbage refresh cookie is cleared.
	jar2, _ := cookiejar.New(nil)
	jar2.SetCookies(su, []*http.Cookie{{Name: "glc_refresh", Value: "garbage", Path: "/"}})
	b.c.Jar = jar2
	p = b.get("/profile")
	if p.Status != 303 || setCookie(p, "glc_refresh") == nil || setCookie(p, "glc_refresh").MaxAge >= 0 {
		t.Errorf("garbage refresh cookie: %d %v", p.Status, p.Header.Values("Set-Cookie"))
	}
}

func TestLoginPageNextAndErrors(t *testing.T) {
	s := newServer(t, apptest.Env("GLC_BASE_URL", "https://glc.example.org"))
	u := s.Learner(t)
	cases := map[string]string{"/profile?x=1": "/profile?x=1", "//evil.example": "/", "https://evil.example/": "/", "/\\evil.example": "/", "": "/"}
	for next, want := range cases {
		b := newBrowser(t, s)
		b.get("/login?next=" + url.QueryEscape(next))
		p := b.post("/login", url.Values{"email": {u.Email}, "password": {u.Password}, "next": {next}})
		if p.Status != 303 || p.Header.Get("Location") != want {
			t.Errorf("next %q: %d %q", next, p.Status, p.Header.Get("Location"))
		}
		if c := setCookie(p, "glc_access"); c == nil || !c.Secure {
			t.Errorf("cookie not Secure behind https: %+v", c)
		}
	}
	b := newBrowser(t, s)
	b.get("/login")
	p := b.post("/login", url.Values{"email": {u.Email}, "password": {"wrong password!!"}})
	if p.Status != 401 || !strings.Contains(p.Body, "The e-mail address or the password is wrong.") || !strings.Contains(p.Body, `value="`+u.Email+`"`) {
		t.Errorf("wrong password page: %d", p.Status)
	}
	for i := 0; i < 5; i++ {
		p = b.post("/login", url.Values{"email": {u.Email}, "password": {"wrong password!!"}})
	}
	if p.Status != 429 || p.Header.Get("Retry-After") == "" || !strings.Contains(p.Body, "Too many failed attempts") {
		t.Errorf("throttled login page: %d %q", p.Status, p.Header.Get("Retry-After"))
	}
}

func TestCoordinatorApprovalsPage(t *testing.T) {
	s := newServer(t, apptest.Env("GLC_REGISTRATION", "approval"))
	ke := s.NewUser(t, nil, apptest.Country("KE"), apptest.Status("pending"), apptest.Name("Kenyan Applicant"))
	ug := s.NewUser(t, nil, apptest.Country("UG"), apptest.Status("pending"), apptest.Name("Ugandan Applicant"))
	coord := s.NewUser(t, []string{"coordinator"}, apptest.Country("KE"))
	b := newBrowser(t, s)
	b.login(coord.Email, coord.Password)
	p := b.get("/approvals")
	if p.Status != 200 || !strings.Contains(p.Body, "Kenyan Applicant") || strings.Contains(p.Body, "Ugandan Applicant") {
		t.Fatalf("approvals page: %d", p.Status)
	}
	if !strings.Contains(p.Body, `href="/approvals"`) || strings.Contains(p.Body, `href="/admin/users"`) {
		t.Error("navigation: coordinators see Approvals and not Users")
	}
	if p := b.post("/approvals/"+strconv.FormatInt(ug.ID, 10)+"/approve", nil); p.Status != 404 {
		t.Errorf("approve outside scope: %d", p.Status)
	}
	if p := b.post("/approvals/"+strconv.FormatInt(ke.ID, 10)+"/approve", nil); p.Status != 303 {
		t.Errorf("approve in scope: %d", p.Status)
	}
	if getUser(t, s, ke.ID).Status != "active" || getUser(t, s, ug.ID).Status != "pending" {
		t.Error("wrong approvals")
	}
	p = b.get("/approvals")
	if !strings.Contains(p.Body, `id="no-approvals"`) || !strings.Contains(p.Body, "The account is approved.") {
		t.Errorf("approvals after approving: %s", p.Body)
	}
	if p := b.get("/admin/users"); p.Status != 403 {
		t.Errorf("coordinator on admin page: %d", p.Status)
	}
}

func TestAdminPages(t *testing.T) {
	s := newServer(t)
	admin := s.Admin(t)
	target := s.Learner(t, apptest.Name("Target Person"))
	b := newBrowser(t, s)
	b.login(admin.Email, admin.Password)
	for _, lang := range []string{"en", "fr", "es", "ar"} {
		for _, path := range []string{"/admin/users", "/admin/users/" + strconv.FormatInt(target.ID, 10), "/admin/organisations", "/admin/users/import", "/approvals", "/profile"} {
			if p := b.get(path + "?lang=" + lang); p.Status != 200 || strings.Contains(p.Body, "[account.") {
				t.Errorf("%s in %s: %d", path, lang, p.Status)
			}
		}
	}
	b.get("/admin/users?lang=en")
	// Organisations: create (with a refusal first), edit, delete.
	b.get("/admin/organisations")
	if p := b.post("/admin/organisations", url.Values{"name": {""}, "type": {"police"}, "country": {"FR"}}); p.Status != 422 || !strings.Contains(p.Body, "This field is required.") && !strings.Contains(p.Body, "Enter your name") {
		t.Errorf("organisation without a name: %d", p.Status)
	}
	if p := b.post("/admin/organisations", url.Values{"name": {"Police nationale"}, "type": {"police"}, "country": {"FR"}}); p.Status != 303 {
		t.Fatalf("create organisation: %d %s", p.Status, p.Body)
	}
	p := b.get("/admin/organisations")
	m := regexp.MustCompile(`href="/admin/organisations/(\d+)">Police nationale`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("organisation not listed")
	}
	b.get("/admin/organisations/" + m[1])
	if p := b.post("/admin/organisations/"+m[1], url.Values{"name": {"Police nationale (DGPN)"}, "type": {"police"}, "country": {"FR"}}); p.Status != 303 {
		t.Errorf("edit organisation: %d", p.Status)
	}
	// The organisation filter of the users page.
	if p := b.get("/admin/users?organisation_id=" + m[1]); p.Status != 200 || !strings.Contains(p.Body, `<option value="`+m[1]+`" selected>`) || strings.Contains(p.Body, "Target Person") {
		t.Errorf("organisation filter: %d", p.Status)
	}
	// Roles and scope through the user page.
	b.get("/admin/users/" + strconv.FormatInt(target.ID, 10))
	p = b.post("/admin/users/"+strconv.FormatInt(target.ID, 10), url.Values{"roles": {"instructor", "coordinator"}, "status": {"active"},
		"organisation_id": {m[1]}, "scope_country": {""}, "scope_organisation_id": {m[1]}})
	if p.Status != 303 {
		t.Fatalf("save user: %d %s", p.Status, p.Body)
	}
	u := getUser(t, s, target.ID)
	if u.Roles != "coordinator instructor" || u.OrgID == nil || u.ScopeOrgID == nil || strconv.FormatInt(*u.ScopeOrgID, 10) != m[1] {
		t.Errorf("user after the form: %+v", u)
	}
	// Suspend from the list.
	b.get("/admin/users")
	if p := b.post("/admin/users/"+strconv.FormatInt(target.ID, 10)+"/status", url.Values{"status": {"suspended"}}); p.Status != 303 {
		t.Errorf("suspend: %d", p.Status)
	}
	if getUser(t, s, target.ID).Status != "suspended" {
		t.Error("not suspended")
	}
	// The organisation in use cannot be deleted; the page says so.
	b.get("/admin/organisations/" + m[1])
	if p := b.post("/admin/organisations/"+m[1]+"/delete", nil); p.Status != 409 {
		t.Errorf("delete used organisation: %d", p.Status)
	}
	// Import through the page.
	b.get("/admin/users/import")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf_token", b.csrf)
	fw, _ := mw.CreateFormFile("file", "people.csv")
	fw.Write([]byte("email,name,country\nimported@example.org,Imported Person,FR\nbad,Bad,FR\n"))
	mw.Close()
	req, _ := http.NewRequest("POST", s.URL+"/admin/users/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	p = b.do(req)
	if p.Status != 303 || !strings.HasPrefix(p.Header.Get("Location"), "/admin/users/imports/") {
		t.Fatalf("import form: %d %s", p.Status, p.Body)
	}
	p = b.get(p.Header.Get("Location"))
	if p.Status != 200 || !strings.Contains(p.Body, "imported@example.org") || !strings.Contains(p.Body, "/activate?token=") || !strings.Contains(p.Body, "<td>3</td>") {
		t.Errorf("import result page: %d %s", p.Status, p.Body)
	}
}

func TestActivationPage(t *testing.T) {
	s := newServer(t)
	admin := s.Admin(t)
	r := importCSV(t, s, admin.Token, "email,name,country\nfatima@example.org,Fatima,MA\n")
	link := regexp.MustCompile(`/activate\?token=[^"]+`).FindString(string(r.Body))
	if link == "" {
		t.Fatalf("no link in %s", r.Body)
	}
	b := newBrowser(t, s)
	p := b.get(link + "&lang=ar")
	if p.Status != 200 || !strings.Contains(p.Body, "fatima@example.org") || !strings.Contains(p.Body, `dir="rtl"`) {
		t.Fatalf("activation page: %d", p.Status)
	}
	tok := strings.TrimPrefix(link, "/activate?token=")
	if p := b.post("/activate", url.Values{"token": {tok}, "password": {"qwertyuiop123"}}); p.Status != 422 {
		t.Errorf("weak password: %d", p.Status)
	}
	if p := b.post("/activate", url.Values{"token": {tok}, "password": {goodPassword}}); p.Status != 303 {
		t.Fatalf("activate: %d %s", p.Status, p.Body)
	}
	if p := b.get(link); p.Status != 410 {
		t.Errorf("used link: %d", p.Status)
	}
	b.login("fatima@example.org", goodPassword)
}
