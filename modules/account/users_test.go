package account_test

import (
	"fmt"
	"strings"
	"testing"

	"glc/internal/app/apptest"
)

func path(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func createOrg(t *testing.T, s *apptest.Server, admin apptest.TestUser, name, typ, country string) int64 {
	t.Helper()
	r := s.Do("POST", "/api/v1/organisations", admin.Token, map[string]string{"name": name, "type": typ, "country": country})
	if r.Status != 201 {
		t.Fatalf("create organisation: %d %s", r.Status, r.Body)
	}
	return int64(r.Map(t)["id"].(float64))
}

func TestLearnerRefusedOnAdminAndCoordinatorRoutes(t *testing.T) {
	s := newServer(t)
	learner, instructor, other := s.Learner(t), s.Instructor(t), s.Learner(t)
	for _, u := range []apptest.TestUser{learner, instructor} {
		cases := []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/users", nil},
			{"POST", "/api/v1/users", map[string]any{"email": "n@example.org", "password": goodPassword, "name": "N"}},
			{"GET", path("/api/v1/users/%d", other.ID), nil},
			{"PATCH", path("/api/v1/users/%d", other.ID), map[string]any{"roles": []string{"admin"}}},
			{"PATCH", path("/api/v1/users/%d", u.ID), map[string]any{"roles": []string{"admin"}}},
			{"POST", path("/api/v1/users/%d/approve", other.ID), nil},
			{"POST", path("/api/v1/users/%d/activation", other.ID), nil},
			{"POST", "/api/v1/users/import", "email,name,country\na@example.org,A,FR\n"},
			{"GET", "/api/v1/users/imports/00000000-0000-0000-0000-000000000000", nil},
			{"POST", "/api/v1/organisations", map[string]string{"name": "X", "type": "police", "country": "FR"}},
		}
		for _, c := range cases {
			r := s.Do(c.method, c.path, u.Token, c.body)
			if r.Status != 403 {
				t.Errorf("%v %s %s: %d %s", u.User.Roles, c.method, c.path, r.Status, r.Body)
			}
		}
		// Pages too.
		req := s.Do("GET", "/admin/users", u.Token, nil)
		if req.Status != 403 {
			t.Errorf("admin page: %d", req.Status)
		}
		if r := s.Do("GET", "/approvals", u.Token, nil); r.Status != 403 {
			t.Errorf("approvals page: %d", r.Status)
		}
	}
	if getUser(t, s, learner.ID).Roles != "" {
		t.Error("a learner changed its own roles")
	}
	// Anonymous: 401 on the API, a redirect to the login page on pages.
	if r := s.Do("GET", "/api/v1/users", "", nil); r.Status != 401 || r.ErrorCode() != "unauthenticated" {
		t.Errorf("anonymous users: %d", r.Status)
	}
	if r := s.Do("GET", "/admin/users", "", nil); r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/login?next=") {
		t.Errorf("anonymous admin page: %d %s", r.Status, r.Header.Get("Location"))
	}
}

func TestCoordinatorScope(t *testing.T) {
	s := newServer(t, apptest.Env("GLC_REGISTRATION", "approval"))
	admin := s.Admin(t)
	orgKE := createOrg(t, s, admin, "Kenya Police Service", "police", "KE")
	orgUG := createOrg(t, s, admin, "Uganda Police Force", "police", "UG")
	register := func(email, country string, org int64) int64 {
		body := map[string]any{"email": email, "password": goodPassword, "name": email, "country": country}
		if org != 0 {
			body["organisation_id"] = org
		}
		r := s.Do("POST", "/api/v1/auth/register", "", body)
		if r.Status != 201 {
			t.Fatalf("register %s: %d %s", email, r.Status, r.Body)
		}
		return int64(r.Map(t)["id"].(float64))
	}
	ke1 := register("ke1@example.org", "KE", orgKE)
	ke2 := register("ke2@example.org", "KE", 0)
	ug1 := register("ug1@example.org", "UG", orgUG)
	ug2 := register("ug2@example.org", "UG", orgUG)

	coordKE := s.NewUser(t, []string{"coordinator"}, apptest.Country("KE"))
	coordOrg := s.NewUser(t, []string{"coordinator"}, apptest.Country("KE"), apptest.ScopeOrg(orgUG))

	list := func(tok, query string) []int64 {
		r := s.Do("GET", "/api/v1/users?"+query, tok, nil)
		if r.Status != 200 {
			t.Fatalf("list: %d %s", r.Status, r.Body)
		}
		var out struct {
			Items []struct{ ID int64 } `json:"items"`
			Total int64                `json:"total"`
		}
		r.JSON(t, &out)
		ids := []int64{}
		for _, it := range out.Items {
			ids = append(ids, it.ID)
		}
		if int64(len(ids)) != out.Total && !strings.Contains(query, "per_page") {
			t.Fatalf("total %d for %d items", out.Total, len(ids))
		}
		return ids
	}
	same := func(got []int64, want ...int64) bool {
		if len(got) != len(want) {
			return false
		}
		for i := range got {
			if got[i] != want[i] {
				return false
			}
		}
		return true
	}
	// The country coordinator sees Kenya (incl. themself), the organisation coordinator sees the Ugandan police.
	if got := list(coordKE.Token, "status=pending"); !same(got, ke1, ke2) {
		t.Errorf("KE coordinator sees %v, want %v", got, []int64{ke1, ke2})
	}
	if got := list(coordOrg.Token, ""); !same(got, ug1, ug2) {
		t.Errorf("org coordinator sees %v", got)
	}
	if got := list(coordKE.Token, "country=UG"); len(got) != 0 {
		t.Errorf("KE coordinator filtering UG sees %v", got)
	}
	// Approvals: inside the scope 200, outside 404 (and nothing changes).
	if r := s.Do("POST", path("/api/v1/users/%d/approve", ke1), coordKE.Token, nil); r.Status != 200 {
		t.Fatalf("approve in scope: %d %s", r.Status, r.Body)
	}
	if r := s.Do("POST", path("/api/v1/users/%d/approve", ug1), coordKE.Token, nil); r.Status != 404 {
		t.Errorf("approve outside scope: %d", r.Status)
	}
	if r := s.Do("GET", path("/api/v1/users/%d", ug1), coordKE.Token, nil); r.Status != 404 {
		t.Errorf("get outside scope: %d", r.Status)
	}
	if getUser(t, s, ug1).Status != "pending" {
		t.Error("a user outside the scope was approved")
	}
	if r := s.Do("POST", path("/api/v1/users/%d/approve", ug1), coordOrg.Token, nil); r.Status != 200 {
		t.Errorf("org coordinator approves own org: %d", r.Status)
	}
	if r := s.Do("POST", path("/api/v1/users/%d/approve", ke2), coordOrg.Token, nil); r.Status != 404 {
		t.Errorf("org coordinator approves another country: %d", r.Status)
	}
	// Coordinators cannot edit users, create them or read imports.
	if r := s.Do("PATCH", path("/api/v1/users/%d", ke2), coordKE.Token, map[string]any{"status": "active"}); r.Status != 403 {
		t.Errorf("coordinator patch: %d", r.Status)
	}
	// The admin sees everyone and filters.
	if got := list(admin.Token, "country=UG&status=pending"); !same(got, ug2) {
		t.Errorf("admin filter: %v", got)
	}
	if got := list(admin.Token, "role=coordinator"); !same(got, coordKE.ID, coordOrg.ID) {
		t.Errorf("role filter: %v", got)
	}
	if got := list(admin.Token, path("organisation_id=%d", orgUG)); !same(got, ug1, ug2) {
		t.Errorf("organisation filter: %v", got)
	}
	if got := list(admin.Token, "q=KE1@EXAMPLE"); !same(got, ke1) {
		t.Errorf("search: %v", got)
	}
	if got := list(admin.Token, "q=%25"); len(got) != 0 {
		t.Errorf("a %% search matched %v", got)
	}
	if got := list(admin.Token, "per_page=2&page=2"); len(got) != 2 {
		t.Errorf("page 2: %v", got)
	}
}

func TestAdminCreatesAndPatchesUsers(t *testing.T) {
	s := newServer(t)
	admin := s.Admin(t)
	org := createOrg(t, s, admin, "Interpol Global Academy", "academy", "SG")
	r := s.Do("POST", "/api/v1/users", admin.Token, map[string]any{"email": "trainer@example.org", "password": goodPassword,
		"name": "Trainer", "roles": []string{"instructor", "instructor", "learner"}, "country": "SG", "organisation_id": org})
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	m := r.Map(t)
	id := int64(m["id"].(float64))
	if m["status"] != "active" || fmt.Sprint(m["roles"]) != "[learner instructor]" || m["organisation"].(map[string]any)["name"] != "Interpol Global Academy" {
		t.Fatalf("created: %v", m)
	}
	login(t, s, "trainer@example.org", goodPassword)

	r = s.Do("PATCH", path("/api/v1/users/%d", id), admin.Token, map[string]any{"roles": []string{"coordinator"}, "organisation_id": nil})
	if r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	m = r.Map(t)
	if fmt.Sprint(m["roles"]) != "[learner coordinator]" || m["organisation"] != nil || m["scope_country"] != "SG" {
		t.Fatalf("patched: %v", m)
	}
	r = s.Do("PATCH", path("/api/v1/users/%d", id), admin.Token, map[string]any{"scope_organisation_id": org})
	if m := r.Map(t); r.Status != 200 || m["scope_country"] != nil || m["scope_organisation_id"].(float64) != float64(org) {
		t.Fatalf("scope org: %d %v", r.Status, m)
	}
	// Deleting an organisation someone coordinates conflicts.
	if r := s.Do("DELETE", path("/api/v1/organisations/%d", org), admin.Token, nil); r.Status != 409 {
		t.Errorf("delete used organisation: %d", r.Status)
	}
	if r := s.Do("GET", path("/api/v1/users/%d", id+1000), admin.Token, nil); r.Status != 404 {
		t.Errorf("missing user: %d", r.Status)
	}
	if r := s.Do("PATCH", "/api/v1/users/abc", admin.Token, map[string]any{}); r.Status != 404 {
		t.Errorf("bad id: %d", r.Status)
	}
	// An admin cannot lock themself out.
	for _, body := range []map[string]any{{"status": "suspended"}, {"roles": []string{"instructor"}}} {
		if r := s.Do("PATCH", path("/api/v1/users/%d", admin.ID), admin.Token, body); r.Status != 422 {
			t.Errorf("self %v: %d", body, r.Status)
		}
	}
	// A fresh activation link lets the user set a new password; it works once.
	r = s.Do("POST", path("/api/v1/users/%d/activation", id), admin.Token, nil)
	if r.Status != 201 {
		t.Fatalf("activation: %d %s", r.Status, r.Body)
	}
	link := r.Map(t)["url"].(string)
	tok := link[strings.Index(link, "token=")+6:]
	if r := s.Do("POST", "/api/v1/auth/activate", "", map[string]string{"token": tok, "password": "short"}); r.Status != 422 {
		t.Errorf("weak activation password: %d", r.Status)
	}
	if r := s.Do("POST", "/api/v1/auth/activate", "", map[string]string{"token": tok, "password": "another fine passphrase 7"}); r.Status != 204 {
		t.Fatalf("activate: %d %s", r.Status, r.Body)
	}
	if r := s.Do("POST", "/api/v1/auth/activate", "", map[string]string{"token": tok, "password": "another fine passphrase 8"}); r.Status != 410 {
		t.Errorf("activation reused: %d", r.Status)
	}
	login(t, s, "trainer@example.org", "another fine passphrase 7")
}

// TestValidationRefusals: every refusal is 422 with the field named, and writes nothing.
func TestValidationRefusals(t *testing.T) {
	s := newServer(t)
	admin := s.Admin(t)
	learner := s.Learner(t, apptest.Name("Unchanged Name"))
	org := createOrg(t, s, admin, "NCB Paris", "ncb", "FR")
	reg := func(m map[string]any) map[string]any {
		b := map[string]any{"email": "new@example.org", "password": goodPassword, "name": "New", "country": "FR"}
		for k, v := range m {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	cases := []struct {
		name, method, path, token string
		body                      any
		field                     string
	}{
		{"bad email", "POST", "/api/v1/auth/register", "", reg(map[string]any{"email": "not-an-email"}), "email"},
		{"display-name email", "POST", "/api/v1/auth/register", "", reg(map[string]any{"email": "Bob <bob@example.org>"}), "email"},
		{"short password", "POST", "/api/v1/auth/register", "", reg(map[string]any{"password": "short pw"}), "password"},
		{"common password", "POST", "/api/v1/auth/register", "", reg(map[string]any{"password": "qwertyuiop123"}), "password"},
		{"password with email name", "POST", "/api/v1/auth/register", "", reg(map[string]any{"email": "karimbenali@example.org", "password": "KarimBenAli-2024-x"}), "password"},
		{"no password", "POST", "/api/v1/auth/register", "", reg(map[string]any{"password": nil}), "password"},
		{"no name", "POST", "/api/v1/auth/register", "", reg(map[string]any{"name": "  "}), "name"},
		{"no country", "POST", "/api/v1/auth/register", "", reg(map[string]any{"country": nil}), "country"},
		{"bad country", "POST", "/api/v1/auth/register", "", reg(map[string]any{"country": "XX"}), "country"},
		{"bad organisation", "POST", "/api/v1/auth/register", "", reg(map[string]any{"organisation_id": 999999}), "organisation_id"},
		{"bad language", "POST", "/api/v1/auth/register", "", reg(map[string]any{"language": "de"}), "language"},
		{"unknown field", "POST", "/api/v1/auth/register", "", reg(map[string]any{"roles": []string{"admin"}}), "roles"},
		{"wrong type", "POST", "/api/v1/auth/register", "", reg(map[string]any{"name": 5}), "name"},
		{"admin create bad role", "POST", "/api/v1/users", admin.Token, map[string]any{"email": "r@example.org", "password": goodPassword, "name": "R", "roles": []string{"superuser"}}, "roles"},
		{"admin create no password", "POST", "/api/v1/users", admin.Token, map[string]any{"email": "r@example.org", "name": "R"}, "password"},
		{"admin create two scopes", "POST", "/api/v1/users", admin.Token, map[string]any{"email": "r@example.org", "password": goodPassword, "name": "R", "roles": []string{"coordinator"}, "scope_country": "FR", "scope_organisation_id": org}, "scope_country"},
		{"coordinator without scope", "POST", "/api/v1/users", admin.Token, map[string]any{"email": "r@example.org", "password": goodPassword, "name": "R", "roles": []string{"coordinator"}}, "scope_country"},
		{"patch bad status", "PATCH", path("/api/v1/users/%d", learner.ID), admin.Token, map[string]any{"status": "deleted", "name": "Changed"}, "status"},
		{"patch bad role", "PATCH", path("/api/v1/users/%d", learner.ID), admin.Token, map[string]any{"roles": []string{"root"}, "name": "Changed"}, "roles"},
		{"patch bad org", "PATCH", path("/api/v1/users/%d", learner.ID), admin.Token, map[string]any{"organisation_id": 424242, "name": "Changed"}, "organisation_id"},
		{"patch bad country", "PATCH", path("/api/v1/users/%d", learner.ID), admin.Token, map[string]any{"country": "ZZ", "name": "Changed"}, "country"},
		{"me empty name", "PATCH", "/api/v1/me", learner.Token, map[string]any{"name": "", "language": "fr"}, "name"},
		{"me bad language", "PATCH", "/api/v1/me", learner.Token, map[string]any{"language": "xx", "name": "Changed"}, "language"},
		{"me password without current", "PATCH", "/api/v1/me", learner.Token, map[string]any{"password": "a brand new passphrase 1"}, "current_password"},
		{"me wrong current password", "PATCH", "/api/v1/me", learner.Token, map[string]any{"password": "a brand new passphrase 1", "current_password": "not my password"}, "current_password"},
		{"me weak password", "PATCH", "/api/v1/me", learner.Token, map[string]any{"password": "password1234", "current_password": learner.Password}, "password"},
		{"org no name", "POST", "/api/v1/organisations", admin.Token, map[string]any{"type": "police", "country": "FR"}, "name"},
		{"org bad type", "POST", "/api/v1/organisations", admin.Token, map[string]any{"name": "X", "type": "army", "country": "FR"}, "type"},
		{"org bad country", "POST", "/api/v1/organisations", admin.Token, map[string]any{"name": "X", "type": "police", "country": "France"}, "country"},
		{"org patch bad type", "PATCH", path("/api/v1/organisations/%d", org), admin.Token, map[string]any{"type": "army", "name": "Changed"}, "type"},
		{"list bad status", "GET", "/api/v1/users?status=gone", admin.Token, nil, "status"},
		{"list bad per_page", "GET", "/api/v1/users?per_page=1000", admin.Token, nil, "per_page"},
		{"list bad country", "GET", "/api/v1/organisations?country=QQ", "", nil, "country"},
		{"logout without token", "POST", "/api/v1/auth/logout", "", map[string]any{}, "refresh_token"},
		{"import without header", "POST", "/api/v1/users/import", admin.Token, "", "file"},
	}
	users, orgs := countUsers(t, s), int64(0)
	s.DB.Table("organisations").Count(&orgs)
	for _, c := range cases {
		var r *apptest.Response
		if c.path == "/api/v1/users/import" {
			r = importCSV(t, s, admin.Token, c.body.(string))
		} else {
			r = s.Do(c.method, c.path, c.token, c.body)
		}
		if r.Status != 422 || r.ErrorCode() != "validation_failed" {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
			continue
		}
		var e struct {
			Error struct {
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		r.JSON(t, &e)
		if e.Error.Fields[c.field] == "" {
			t.Errorf("%s: field %s not named: %s", c.name, c.field, r.Body)
		}
	}
	var orgsAfter int64
	s.DB.Table("organisations").Count(&orgsAfter)
	if countUsers(t, s) != users || orgsAfter != orgs {
		t.Errorf("refusals wrote rows: users %d -> %d, organisations %d -> %d", users, countUsers(t, s), orgs, orgsAfter)
	}
	u := getUser(t, s, learner.ID)
	if u.Name != "Unchanged Name" || u.Language != "en" || u.Status != "active" || u.Roles != "" || u.OrgID != nil {
		t.Errorf("refused changes were applied: %+v", u)
	}
	login(t, s, learner.Email, learner.Password) // password unchanged
	var o struct{ Name, Type string }
	s.DB.Table("organisations").Where("id = ?", org).Take(&o)
	if o.Name != "NCB Paris" || o.Type != "ncb" {
		t.Errorf("refused organisation change applied: %+v", o)
	}
}

func TestMePatch(t *testing.T) {
	s := newServer(t)
	u := s.Learner(t)
	p1 := login(t, s, u.Email, u.Password)
	p2 := login(t, s, u.Email, u.Password)
	r := s.Do("PATCH", "/api/v1/me", p1.AccessToken, map[string]any{"name": "  Nadia  ", "language": "ar"})
	if m := r.Map(t); r.Status != 200 || m["name"] != "Nadia" || m["language"] != "ar" {
		t.Fatalf("patch me: %d %s", r.Status, r.Body)
	}
	// A password change keeps the current session and ends the others.
	r = s.Do("PATCH", "/api/v1/me", p1.AccessToken, map[string]any{"password": "a brand new passphrase 1", "current_password": u.Password})
	if r.Status != 200 {
		t.Fatalf("password change: %d %s", r.Status, r.Body)
	}
	if r := s.Do("GET", "/api/v1/me", p1.AccessToken, nil); r.Status != 200 {
		t.Errorf("current session after password change: %d", r.Status)
	}
	if r := s.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": p1.RefreshToken}); r.Status != 200 {
		t.Errorf("current session refresh: %d", r.Status)
	}
	if r := s.Do("GET", "/api/v1/me", p2.AccessToken, nil); r.Status != 401 {
		t.Errorf("other session after password change: %d", r.Status)
	}
	if r := s.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": p2.RefreshToken}); r.Status != 401 {
		t.Errorf("other session refresh: %d", r.Status)
	}
	if r := s.Do("POST", "/api/v1/auth/login", "", map[string]string{"email": u.Email, "password": u.Password}); r.Status != 401 {
		t.Errorf("old password: %d", r.Status)
	}
	login(t, s, u.Email, "a brand new passphrase 1")
}

func TestOrganisationsAndCountries(t *testing.T) {
	s := newServer(t)
	admin := s.Admin(t)
	r := s.Do("GET", "/api/v1/countries?lang=ar", "", nil)
	var cl struct {
		Items []struct {
			Code  string            `json:"code"`
			Name  string            `json:"name"`
			Names map[string]string `json:"names"`
		} `json:"items"`
		Total int `json:"total"`
	}
	r.JSON(t, &cl)
	if r.Status != 200 || cl.Total != 249 || len(cl.Items) != 249 {
		t.Fatalf("countries: %d total %d", r.Status, cl.Total)
	}
	found := false
	for _, c := range cl.Items {
		if c.Code == "FR" {
			found = c.Name == "فرنسا" && c.Names["fr"] == "France" && c.Names["es"] == "Francia" && c.Names["en"] == "France"
		}
		if c.Names["en"] == "" || c.Names["fr"] == "" || c.Names["es"] == "" || c.Names["ar"] == "" {
			t.Errorf("country %s lacks a name: %v", c.Code, c.Names)
		}
	}
	if !found {
		t.Error("France is missing or misnamed")
	}
	id := createOrg(t, s, admin, "Direction Générale des Douanes", "customs", "sn")
	createOrg(t, s, admin, "Académie de Police", "academy", "SN")
	createOrg(t, s, admin, "Kenya Revenue Authority", "customs", "KE")
	// Anyone can read.
	r = s.Do("GET", "/api/v1/organisations?country=SN&type=customs", "", nil)
	if m := r.Map(t); r.Status != 200 || m["total"].(float64) != 1 {
		t.Fatalf("filtered organisations: %d %s", r.Status, r.Body)
	}
	if r := s.Do("GET", "/api/v1/organisations?q=acad", "", nil); r.Map(t)["total"].(float64) != 1 {
		t.Errorf("search: %s", r.Body)
	}
	if r := s.Do("GET", path("/api/v1/organisations/%d", id), "", nil); r.Status != 200 || r.Map(t)["country"] != "SN" {
		t.Errorf("get: %d %s", r.Status, r.Body)
	}
	r = s.Do("PATCH", path("/api/v1/organisations/%d", id), admin.Token, map[string]any{"name": "DGD Sénégal"})
	if m := r.Map(t); r.Status != 200 || m["name"] != "DGD Sénégal" || m["type"] != "customs" {
		t.Errorf("patch: %d %s", r.Status, r.Body)
	}
	learner := s.Learner(t)
	for _, c := range []struct{ method, path string }{{"PATCH", path("/api/v1/organisations/%d", id)}, {"DELETE", path("/api/v1/organisations/%d", id)}} {
		if r := s.Do(c.method, c.path, learner.Token, map[string]any{"name": "Hacked"}); r.Status != 403 {
			t.Errorf("learner %s: %d", c.method, r.Status)
		}
	}
	if r := s.Do("DELETE", path("/api/v1/organisations/%d", id), admin.Token, nil); r.Status != 204 {
		t.Errorf("delete: %d", r.Status)
	}
	if r := s.Do("GET", path("/api/v1/organisations/%d", id), "", nil); r.Status != 404 {
		t.Errorf("deleted organisation: %d", r.Status)
	}
}
