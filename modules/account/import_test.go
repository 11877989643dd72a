package account_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"glc/internal/app/apptest"
	"glc/modules/account"
)

func importCSV(t *testing.T, s *apptest.Server, token, csv string) *apptest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "users.csv")
	fw.Write([]byte(csv))
	mw.Close()
	req, _ := http.NewRequest("POST", s.URL+"/api/v1/users/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return s.Send(req)
}

func TestImportSmallFileReportsBadLines(t *testing.T) {
	s := newServer(t)
	admin := s.Admin(t)
	existing := s.Learner(t)
	org := createOrg(t, s, admin, "NCB Nairobi", "ncb", "KE")
	csv := strings.Join([]string{
		"email,name,country,organisation_id,roles,language",
		fmt.Sprintf("wanjiru@example.org,Wanjiru Kamau,KE,%d,,en", org), // 2 ok
		"bad-email,No Mail,KE,,,",                                       // 3 email
		"omar@example.org,Omar,XX,,,",                                   // 4 country
		"omar2@example.org,,KE,,,",                                      // 5 name
		"WANJIRU@example.org,Duplicate,KE,,,",                           // 6 duplicate in file
		existing.Email + ",Exists,FR,,,",                                // 7 already registered
		"lea@example.org,Léa Martin,fr,,instructor,fr",                  // 8 ok
		"x@example.org,X,KE,99999,,",                                    // 9 organisation
		"y@example.org,Y,KE,,wizard,",                                   // 10 role
		"z@example.org,Z,KE,,,de",                                       // 11 language
		"too@example.org,Too,KE,,,en,extra",                             // 12 field count
		`"quoted, name"@example.org,Q,KE,,,`,                            // 13 email
		"",                                                              // blank line
		"coord@example.org,Coord,UG,,coordinator;instructor,ar",         // 15 ok
	}, "\n") + "\n"
	before := countUsers(t, s)
	r := importCSV(t, s, admin.Token, csv)
	if r.Status != 200 {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	var st struct {
		ID     string               `json:"id"`
		Status string               `json:"status"`
		Result account.ImportResult `json:"result"`
	}
	r.JSON(t, &st)
	res := st.Result
	if st.Status != "done" || res.Total != 13 || res.Created != 3 || res.Failed != 10 || len(res.Activations) != 3 {
		t.Fatalf("result: %s", r.Body)
	}
	want := map[int]string{3: "email", 4: "country", 5: "name", 6: "email", 7: "email", 9: "organisation_id", 10: "roles", 11: "language", 12: "line", 13: "line"}
	for _, e := range res.Errors {
		if f, ok := want[e.Line]; !ok || e.Fields[f] == "" {
			t.Errorf("line %d reported as %v", e.Line, e.Fields)
		}
		delete(want, e.Line)
	}
	if len(want) > 0 {
		t.Errorf("lines not reported: %v", want)
	}
	if got := countUsers(t, s); got != before+3 {
		t.Errorf("users %d -> %d, want +3", before, got)
	}
	var u account.User
	s.DB.Where("email_key = ?", "coord@example.org").Take(&u)
	if u.Roles != "coordinator instructor" || u.ScopeCountry != "UG" || u.Language != "ar" || u.PasswordHash != "" || u.Status != "active" {
		t.Errorf("imported coordinator: %+v", u)
	}
	// An imported user cannot log in until activation; the link sets the password once.
	if r := s.Do("POST", "/api/v1/auth/login", "", map[string]string{"email": "wanjiru@example.org", "password": ""}); r.Status != 401 {
		t.Errorf("imported user without password logged in: %d", r.Status)
	}
	link := res.Activations[0]
	if link.Email != "wanjiru@example.org" || !strings.HasPrefix(link.URL, s.Cfg.BaseURL+"/activate?token=") || !link.ExpiresAt.After(time.Now().Add(6*24*time.Hour)) {
		t.Fatalf("activation: %+v", link)
	}
	page := s.Do("GET", strings.TrimPrefix(link.URL, s.Cfg.BaseURL), "", nil)
	if page.Status != 200 || !strings.Contains(string(page.Body), "wanjiru@example.org") {
		t.Fatalf("activation page: %d", page.Status)
	}
	tok := link.URL[strings.Index(link.URL, "token=")+6:]
	if r := s.Do("POST", "/api/v1/auth/activate", "", map[string]string{"token": tok, "password": goodPassword}); r.Status != 204 {
		t.Fatalf("activate: %d %s", r.Status, r.Body)
	}
	login(t, s, "wanjiru@example.org", goodPassword)
	// The import record keeps the result.
	r = s.Do("GET", "/api/v1/users/imports/"+st.ID, admin.Token, nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"created":3`) {
		t.Errorf("import record: %d %s", r.Status, r.Body)
	}
	// Expired links are refused.
	s.App.Accounts.SetClock(func() time.Time { return time.Now().Add(8 * 24 * time.Hour) })
	defer s.App.Accounts.SetClock(time.Now)
	tok2 := res.Activations[1].URL[strings.Index(res.Activations[1].URL, "token=")+6:]
	if r := s.Do("POST", "/api/v1/auth/activate", "", map[string]string{"token": tok2, "password": goodPassword}); r.Status != 410 {
		t.Errorf("expired activation: %d", r.Status)
	}
}

func TestImportRefusesBadFiles(t *testing.T) {
	s := newServer(t)
	admin := s.Admin(t)
	for name, csv := range map[string]string{
		"unknown column":  "email,name,country,password\n",
		"missing country": "email,name\n",
		"binary":          "\x00\x01\x02\x03PK\x03\x04",
	} {
		if r := importCSV(t, s, admin.Token, csv); r.Status != 422 {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	// A text/csv body works too; other content types are refused.
	req, _ := http.NewRequest("POST", s.URL+"/api/v1/users/import", strings.NewReader("email,name,country\nk@example.org,K,KE\n"))
	req.Header.Set("Authorization", "Bearer "+admin.Token)
	req.Header.Set("Content-Type", "text/csv")
	if r := s.Send(req); r.Status != 200 || !strings.Contains(string(r.Body), `"created":1`) {
		t.Errorf("text/csv body: %d %s", r.Status, r.Body)
	}
	req, _ = http.NewRequest("POST", s.URL+"/api/v1/users/import", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+admin.Token)
	req.Header.Set("Content-Type", "application/json")
	if r := s.Send(req); r.Status != 415 {
		t.Errorf("json body: %d", r.Status)
	}
}

// TestImportTenThousandUsers imports 10,000 lines (plus 3 bad ones) through the background
// path and polls the progress until it is done.
func TestImportTenThousandUsers(t *testing.T) {
	if testing.Short() {
		t.Skip("large import")
	}
	s := newServer(t)
	admin := s.Admin(t)
	var b strings.Builder
	b.WriteString("email,name,country,roles,language\n")
	countries := []string{"FR", "KE", "SN", "BR", "JO", "ID"}
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&b, "person%05d@example.org,Person %d,%s,,%s\n", i, i, countries[i%len(countries)], []string{"en", "fr", "es", "ar"}[i%4])
		if i == 5000 {
			b.WriteString("broken-line,No Email,FR,,\n")
		}
	}
	b.WriteString("person00042@example.org,Dup,FR,,\nlast@example.org,Last,NOPE,,\n")
	start := time.Now()
	r := importCSV(t, s, admin.Token, b.String())
	if r.Status != 202 {
		t.Fatalf("large import: %d %s", r.Status, r.Body)
	}
	var st struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	r.JSON(t, &st)
	if st.Status != "running" || r.Header.Get("Location") != "/api/v1/users/imports/"+st.ID {
		t.Fatalf("accepted: %s %v", r.Body, r.Header)
	}
	var final struct {
		Status string               `json:"status"`
		Done   int                  `json:"done"`
		Total  int                  `json:"total"`
		Result account.ImportResult `json:"result"`
	}
	sawProgress := false
	deadline := time.Now().Add(5 * time.Minute)
	for {
		r := s.Do("GET", "/api/v1/users/imports/"+st.ID, admin.Token, nil)
		if r.Status != 200 {
			t.Fatalf("poll: %d %s", r.Status, r.Body)
		}
		if err := json.Unmarshal(r.Body, &final); err != nil {
			t.Fatal(err)
		}
		if final.Status == "running" && final.Done > 0 && final.Done < final.Total {
			sawProgress = true
		}
		if final.Status != "running" || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	elapsed := time.Since(start)
	t.Logf("imported 10,000 users in %v (progress seen while running: %v)", elapsed, sawProgress)
	res := final.Result
	if final.Status != "done" || res.Total != 10003 || res.Created != 10000 || res.Failed != 3 || len(res.Activations) != 10000 {
		t.Fatalf("final: status %s total %d created %d failed %d errors %v", final.Status, res.Total, res.Created, res.Failed, res.Errors)
	}
	lines := []int{}
	for _, e := range res.Errors {
		lines = append(lines, e.Line)
	}
	if fmt.Sprint(lines) != "[5003 10003 10004]" {
		t.Errorf("bad lines reported as %v", lines)
	}
	var n int64
	s.DB.Model(&account.User{}).Where("email_key LIKE ?", "person%").Count(&n)
	if n != 10000 {
		t.Errorf("%d imported users in the database", n)
	}
	var tokens int64
	s.DB.Model(&account.ActivationToken{}).Count(&tokens)
	if tokens != 10000 {
		t.Errorf("%d activation tokens", tokens)
	}
}
