package library_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"glc/internal/app/apptest"
	"glc/internal/auth"
	"glc/internal/testkit"
	"glc/modules/library"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestUploadDownloadAndCount(t *testing.T) {
	s := apptest.New(t)
	t.Logf("backend: %s", testkit.Backend())
	ed := s.Instructor(t)
	pdf := library.MakePDF("Forensic handbook", []string{"Chain of custody for quokkaline samples."})
	id := createResource(t, s, ed.Token, []kv{{"title", "Forensic handbook"}, {"kind", "guide"}, {"summary", "How to keep evidence."},
		{"language", "en"}, {"topic", "forensics"}, {"published_on", "2024-05-02"}, {"authors", "A. Author; B. Author"}}, "hand book.pdf", pdf)
	r := s.Do("GET", "/api/v1/resources/"+itoa(id), "", nil)
	m := r.Map(t)
	file := m["file"].(map[string]any)
	if r.Status != 200 || m["year"].(float64) != 2024 || file["content_type"] != "application/pdf" || file["filename"] != "hand book.pdf" || file["version"].(float64) != 1 {
		t.Fatalf("get: %d %s", r.Status, r.Body)
	}
	status, body := download(t, s, id, "")
	if !bytes.Equal(body, pdf) {
		t.Fatalf("downloaded %d bytes (status %d), want the %d uploaded", len(body), status, len(pdf))
	}
	if s.Store.Kind() == "s3" {
		if status != http.StatusFound {
			t.Fatalf("S3 download status %d, want 302", status)
		}
		loc := s.Do("GET", "/api/v1/resources/"+itoa(id)+"/download", "", nil).Header.Get("Location")
		u, _ := url.Parse(loc)
		if ttl, _ := strconv.Atoi(u.Query().Get("X-Amz-Expires")); ttl < 60 {
			t.Errorf("signed URL lives %ds, want >= 60", ttl)
		}
	} else {
		if status != 200 {
			t.Fatalf("local download status %d", status)
		}
		req, _ := http.NewRequest("GET", s.URL+"/api/v1/resources/"+itoa(id)+"/download", nil)
		req.Header.Set("Range", "bytes=10-19")
		rr := s.Send(req)
		if rr.Status != http.StatusPartialContent || !bytes.Equal(rr.Body, pdf[10:20]) {
			t.Fatalf("range: %d %q", rr.Status, rr.Body)
		}
		if cd := rr.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
			t.Errorf("Content-Disposition %q", cd)
		}
		download(t, s, id, "")
	}
	// Two whole downloads so far (the range request does not count).
	if n := s.Do("GET", "/api/v1/resources/"+itoa(id), "", nil).Map(t)["downloads"].(float64); n != 2 {
		t.Errorf("downloads = %v, want 2", n)
	}
	st := s.Do("GET", "/api/v1/resources/"+itoa(id)+"/stats", ed.Token, nil).Map(t)
	days := st["days"].([]any)
	if len(days) != 1 || days[0].(map[string]any)["count"].(float64) != 2 {
		t.Errorf("stats = %v", st)
	}
	// The PDF's own text is searchable.
	res := s.Do("GET", "/api/v1/resources?q=quokkaline", "", nil).Map(t)
	if res["total"].(float64) != 1 {
		t.Errorf("search by the PDF's text: %v", res)
	}
}

func TestAccessLevels(t *testing.T) {
	s := apptest.New(t)
	ed := s.Admin(t)
	content := []byte("confidential,data\n1,2\n")
	members := createResource(t, s, ed.Token, []kv{{"title", "Members report"}, {"kind", "report"}, {"access", "members"}}, "r.csv", content)
	restricted := createResource(t, s, ed.Token, []kv{{"title", "Restricted dataset"}, {"kind", "dataset"}, {"access", "restricted"},
		{"access_countries", "KE,UG"}, {"access_roles", "coordinator"}}, "d.csv", content)
	public := createResource(t, s, ed.Token, []kv{{"title", "Public guide"}, {"kind", "guide"}}, "g.csv", content)
	kenyan := s.Learner(t, apptest.Country("KE"))
	french := s.Learner(t, apptest.Country("FR"))
	coord := s.NewUser(t, []string{"coordinator"}, apptest.Country("BR"))
	cases := []struct {
		name   string
		id     int64
		token  string
		status int
	}{
		{"members anonymous", members, "", 401},
		{"members learner", members, french.Token, 0},
		{"restricted anonymous", restricted, "", 401},
		{"restricted outside scope", restricted, french.Token, 403},
		{"restricted by country", restricted, kenyan.Token, 0},
		{"restricted by role", restricted, coord.Token, 0},
		{"public anonymous", public, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.Do("GET", "/api/v1/resources/"+itoa(c.id)+"/download", c.token, nil)
			if c.status != 0 {
				if r.Status != c.status {
					t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
				}
				return
			}
			if r.Status != 200 && r.Status != 302 {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
		})
	}
	// Lists hide restricted resources from people outside their scope.
	totals := map[string]float64{"": 2, french.Token: 2, kenyan.Token: 3, ed.Token: 3}
	for tok, want := range totals {
		if got := s.Do("GET", "/api/v1/resources", tok, nil).Map(t)["total"].(float64); got != want {
			t.Errorf("list total = %v, want %v", got, want)
		}
	}
	if r := s.Do("GET", "/api/v1/resources/"+itoa(restricted), french.Token, nil); r.Status != 403 {
		t.Errorf("metadata of restricted outside scope: %d", r.Status)
	}
	// Refused downloads are not counted.
	if n := s.Do("GET", "/api/v1/resources/"+itoa(members), ed.Token, nil).Map(t)["downloads"].(float64); n != 1 {
		t.Errorf("members downloads = %v, want 1", n)
	}
}

func TestSignedURLExpires(t *testing.T) {
	s := apptest.New(t)
	if s.Store.Kind() != "s3" {
		t.Skip("signed URLs exist on the S3 backend only")
	}
	ed := s.Admin(t)
	id := createResource(t, s, ed.Token, []kv{{"title", "Short-lived"}, {"kind", "report"}}, "x.txt", []byte("hello signed world"))
	u, err := s.App.Library.SignedURL(context.Background(), id, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if st, b := get(t, u); st != 200 || string(b) != "hello signed world" {
		t.Fatalf("fresh URL: %d %q", st, b)
	}
	time.Sleep(2500 * time.Millisecond)
	if st, _ := get(t, u); st != http.StatusForbidden {
		t.Fatalf("expired URL answered %d, want 403", st)
	}
	// The access check comes first: a members-only file has no URL for anonymous callers.
	mid := createResource(t, s, ed.Token, []kv{{"title", "Members"}, {"kind", "report"}, {"access", "members"}}, "m.txt", []byte("m"))
	if _, err := s.App.Library.SignedURL(context.Background(), mid, time.Minute); err == nil {
		t.Fatal("signed URL issued to an anonymous caller for a members-only file")
	}
	p := &auth.Principal{UserID: ed.ID, Roles: []string{"learner"}}
	if _, err := s.App.Library.SignedURL(auth.WithPrincipal(context.Background(), p), mid, time.Minute); err != nil {
		t.Fatalf("member: %v", err)
	}
}

func TestSearchAndFacets(t *testing.T) {
	s := apptest.New(t)
	ed := s.Instructor(t)
	mk := func(title, kind, summary, lang, topic, date string) int64 {
		return createResource(t, s, ed.Token, []kv{{"title", title}, {"kind", kind}, {"summary", summary}, {"language", lang},
			{"topic", topic}, {"published_on", date}}, "f.txt", []byte(title))
	}
	journal := mk("Police Training Journal 4", "publication", "Interview techniques for trafficking victims", "en", "migrant-smuggling", "2024-03-01")
	mk("Rapport annuel", "report", "Bilan des formations", "fr", "training-skills", "2024-06-01")
	mk("Cybercrime guide", "guide", "Seizing volatile evidence", "en", "cybercrime", "2023-02-01")
	mk("Trafficking indicators", "guide", "Indicators for frontline officers", "en", "migrant-smuggling", "2023-09-01")
	createResource(t, s, ed.Token, []kv{{"title", "Academy website"}, {"kind", "link"}, {"url", "https://academy.example.org/"},
		{"country", "ke"}, {"language", "en"}, {"topic", "training-skills"}}, "", nil)

	var res struct {
		Items []struct {
			ID    int64  `json:"id"`
			Title string `json:"title"`
		} `json:"items"`
		Total  int64          `json:"total"`
		Facets library.Facets `json:"facets"`
	}
	s.Do("GET", "/api/v1/resources?q=trafficking+victims", "", nil).JSON(t, &res)
	if res.Total != 1 || res.Items[0].ID != journal {
		t.Fatalf("search by summary words: %+v", res)
	}
	s.Do("GET", "/api/v1/resources?q=interv", "", nil).JSON(t, &res) // prefix
	if res.Total != 1 || res.Items[0].ID != journal {
		t.Fatalf("prefix search: %+v", res)
	}
	s.Do("GET", "/api/v1/resources?language=en", "", nil).JSON(t, &res)
	want := map[string]map[string]int64{
		// Each facet counts over the other filters: the language facet ignores language=en.
		"kind":     {"publication": 1, "guide": 2, "link": 1},
		"language": {"en": 4, "fr": 1},
		"topic":    {"migrant-smuggling": 2, "cybercrime": 1, "training-skills": 1},
		"year":     {"2024": 1, "2023": 2},
	}
	got := map[string][]library.Facet{"kind": res.Facets.Kind, "language": res.Facets.Language, "topic": res.Facets.Topic, "year": res.Facets.Year}
	for name, w := range want {
		g := map[string]int64{}
		for _, f := range got[name] {
			g[f.Value] = f.Count
		}
		if fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("facet %s = %v, want %v", name, g, w)
		}
	}
	if res.Total != 4 {
		t.Errorf("language=en total %d", res.Total)
	}
	s.Do("GET", "/api/v1/resources?topic=migrant-smuggling&year=2023", "", nil).JSON(t, &res)
	if res.Total != 1 || res.Items[0].Title != "Trafficking indicators" {
		t.Errorf("topic+year: %+v", res)
	}
	s.Do("GET", "/api/v1/resources?kind=link", "", nil).JSON(t, &res)
	if res.Total != 1 {
		t.Errorf("kind=link: %+v", res)
	}
	for _, bad := range []string{"kind=poster", "year=abc", "per_page=500"} {
		if r := s.Do("GET", "/api/v1/resources?"+bad, "", nil); r.Status != 422 {
			t.Errorf("%s: %d", bad, r.Status)
		}
	}
	// Search syntax in the query is only words.
	if r := s.Do("GET", "/api/v1/resources?q="+url.QueryEscape(`"NEAR( ') OR 1=1 --`), "", nil); r.Status != 200 {
		t.Errorf("odd query: %d %s", r.Status, r.Body)
	}
}

func TestSeriesIssuesNewestFirst(t *testing.T) {
	s := apptest.New(t)
	ed := s.Instructor(t)
	r := s.Do("POST", "/api/v1/series", ed.Token, map[string]any{"title": "Police Training Journal", "language": "en", "topic": "training-skills"})
	if r.Status != 201 {
		t.Fatalf("series: %d %s", r.Status, r.Body)
	}
	sid := itoa(int64(r.Map(t)["id"].(float64)))
	for _, n := range []string{"2", "1", "3"} {
		createResource(t, s, ed.Token, []kv{{"title", "Issue " + n}, {"kind", "publication"}, {"series_id", sid}, {"issue_number", n},
			{"published_on", "2024-0" + n + "-01"}}, "i.pdf", library.MakePDF("Issue "+n, nil))
	}
	// The same number twice is refused.
	if r := postForm(t, s, "POST", "/api/v1/resources", ed.Token, []kv{{"title", "Dup"}, {"kind", "publication"}, {"series_id", sid}, {"issue_number", "2"}}, "i.pdf", []byte("%PDF-1.4")); r.Status != 422 {
		t.Errorf("duplicate issue number: %d", r.Status)
	}
	var page struct {
		Series struct{ Title string } `json:"series"`
		Issues []struct {
			IssueNumber int `json:"issue_number"`
		} `json:"issues"`
	}
	s.Do("GET", "/api/v1/series/"+sid, "", nil).JSON(t, &page)
	if page.Series.Title != "Police Training Journal" || len(page.Issues) != 3 || page.Issues[0].IssueNumber != 3 || page.Issues[2].IssueNumber != 1 {
		t.Fatalf("series page: %+v", page)
	}
	if r := s.Do("GET", "/api/v1/series/999", "", nil); r.Status != 404 {
		t.Errorf("missing series: %d", r.Status)
	}
	if r := s.Do("POST", "/api/v1/series", s.Learner(t).Token, map[string]any{"title": "X"}); r.Status != 403 {
		t.Errorf("learner creates series: %d", r.Status)
	}
}

func TestReplaceKeepsOldVersions(t *testing.T) {
	s := apptest.New(t)
	ed := s.Instructor(t)
	id := createResource(t, s, ed.Token, []kv{{"title", "Guide"}, {"kind", "guide"}}, "v1.txt", []byte("version one"))
	r := postForm(t, s, "POST", "/api/v1/resources/"+itoa(id)+"/files", ed.Token, nil, "v2.txt", []byte("version two"))
	if r.Status != 201 || r.Map(t)["version"].(float64) != 2 {
		t.Fatalf("replace: %d %s", r.Status, r.Body)
	}
	if _, b := download(t, s, id, ""); string(b) != "version two" {
		t.Errorf("newest download = %q", b)
	}
	rr := s.Do("GET", "/api/v1/resources/"+itoa(id)+"/download?version=1", "", nil)
	b := rr.Body
	if rr.Status == 302 {
		_, b = get(t, rr.Header.Get("Location"))
	}
	if string(b) != "version one" {
		t.Errorf("version 1 = %q", b)
	}
	var files struct {
		Items []struct{ Version int } `json:"items"`
	}
	s.Do("GET", "/api/v1/resources/"+itoa(id)+"/files", "", nil).JSON(t, &files)
	if len(files.Items) != 2 || files.Items[0].Version != 2 {
		t.Errorf("files = %+v", files)
	}
	// Another user may not replace; a link has no file.
	if r := postForm(t, s, "POST", "/api/v1/resources/"+itoa(id)+"/files", s.Learner(t).Token, nil, "v3.txt", []byte("x")); r.Status != 403 {
		t.Errorf("learner replace: %d", r.Status)
	}
	// Delete removes the resource and every version's object.
	if r := s.Do("DELETE", "/api/v1/resources/"+itoa(id), ed.Token, nil); r.Status != 204 {
		t.Fatalf("delete: %d", r.Status)
	}
	if r := s.Do("GET", "/api/v1/resources/"+itoa(id), "", nil); r.Status != 404 {
		t.Errorf("after delete: %d", r.Status)
	}
	if keys := objectKeys(t, s.Store, "library/"); len(keys) != 0 {
		t.Errorf("objects left after delete: %v", keys)
	}
}

func TestRefusalsChangeNothing(t *testing.T) {
	s := apptest.New(t, apptest.Env("GLC_MAX_UPLOAD_MB", "1"))
	ed := s.Instructor(t)
	learner := s.Learner(t)
	big := bytes.Repeat([]byte("x"), 1<<20+10)
	cases := []struct {
		name    string
		token   string
		fields  []kv
		content []byte
		status  int
		field   string
	}{
		// A cookie-less form post without a token is refused by the CSRF check first.
		{"anonymous", "", []kv{{"title", "T"}, {"kind", "report"}}, []byte("a"), 403, ""},
		{"learner", learner.Token, []kv{{"title", "T"}, {"kind", "report"}}, []byte("a"), 403, ""},
		{"no title", ed.Token, []kv{{"kind", "report"}}, []byte("a"), 422, "title"},
		{"bad kind", ed.Token, []kv{{"title", "T"}, {"kind", "poster"}}, []byte("a"), 422, "kind"},
		{"bad date", ed.Token, []kv{{"title", "T"}, {"kind", "report"}, {"published_on", "31/12/2024"}}, []byte("a"), 422, "published_on"},
		{"restricted without scope", ed.Token, []kv{{"title", "T"}, {"kind", "report"}, {"access", "restricted"}}, []byte("a"), 422, "access"},
		{"bad country", ed.Token, []kv{{"title", "T"}, {"kind", "report"}, {"access", "restricted"}, {"access_countries", "Kenya"}}, []byte("a"), 422, "access_countries"},
		{"no file", ed.Token, []kv{{"title", "T"}, {"kind", "report"}}, nil, 422, "file"},
		{"link without url", ed.Token, []kv{{"title", "T"}, {"kind", "link"}}, nil, 422, "url"},
		{"unknown field", ed.Token, []kv{{"title", "T"}, {"kind", "report"}, {"colour", "red"}}, []byte("a"), 422, "colour"},
		{"too large", ed.Token, []kv{{"title", "T"}, {"kind", "report"}}, big, 413, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := postForm(t, s, "POST", "/api/v1/resources", c.token, c.fields, "f.txt", c.content)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			if c.field != "" {
				var e struct {
					Error struct{ Fields map[string]string } `json:"error"`
				}
				r.JSON(t, &e)
				if e.Error.Fields[c.field] == "" {
					t.Errorf("no message for %s: %s", c.field, r.Body)
				}
			}
		})
	}
	if total := s.Do("GET", "/api/v1/resources", ed.Token, nil).Map(t)["total"].(float64); total != 0 {
		t.Errorf("%v resources exist after refusals", total)
	}
	if keys := objectKeys(t, s.Store, "library/"); len(keys) != 0 {
		t.Errorf("objects left after refusals: %v", keys)
	}
	// Edits: wrong user, bad input, missing resource; nothing changes.
	id := createResource(t, s, ed.Token, []kv{{"title", "Kept"}, {"kind", "report"}}, "f.txt", []byte("a"))
	for _, c := range []struct {
		method, path, token string
		body                any
		status              int
	}{
		{"PATCH", "/api/v1/resources/" + itoa(id), learner.Token, map[string]any{"title": "Changed"}, 403},
		{"PATCH", "/api/v1/resources/" + itoa(id), ed.Token, map[string]any{"title": ""}, 422},
		{"PATCH", "/api/v1/resources/" + itoa(id), ed.Token, map[string]any{"titel": "x"}, 422},
		{"PATCH", "/api/v1/resources/" + itoa(id), ed.Token, map[string]any{"kind": "link", "url": "https://x.example"}, 422},
		{"PATCH", "/api/v1/resources/99999", ed.Token, map[string]any{"title": "x"}, 404},
		{"DELETE", "/api/v1/resources/" + itoa(id), learner.Token, nil, 403},
		{"DELETE", "/api/v1/resources/99999", ed.Token, nil, 404},
		{"GET", "/api/v1/resources/abc", "", nil, 404},
	} {
		if r := s.Do(c.method, c.path, c.token, c.body); r.Status != c.status {
			t.Errorf("%s %s: %d, want %d: %s", c.method, c.path, r.Status, c.status, r.Body)
		}
	}
	if got := s.Do("GET", "/api/v1/resources/"+itoa(id), "", nil).Map(t)["title"]; got != "Kept" {
		t.Errorf("title after refused edits = %v", got)
	}
	r := s.Do("PATCH", "/api/v1/resources/"+itoa(id), ed.Token, map[string]any{"title": "Renamed", "summary": "Now with a summary"})
	if r.Status != 200 || r.Map(t)["title"] != "Renamed" {
		t.Errorf("edit: %d %s", r.Status, r.Body)
	}
	if n := s.Do("GET", "/api/v1/resources?q=summary", "", nil).Map(t)["total"].(float64); n != 1 {
		t.Errorf("edited summary not indexed: %v", n)
	}
}

func TestChunkedUpload(t *testing.T) {
	s := apptest.New(t, apptest.Env("GLC_MAX_UPLOAD_MB", "2"))
	ed := s.Instructor(t)
	r := s.Do("POST", "/api/v1/uploads", ed.Token, map[string]any{"filename": "big.bin"})
	if r.Status != 201 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	up := r.Map(t)["id"].(string)
	part := func(n int, data []byte, token string) *apptest.Response {
		req, _ := http.NewRequest("PUT", s.URL+"/api/v1/uploads/"+up+"/parts/"+strconv.Itoa(n), bytes.NewReader(data))
		req.Header.Set("Authorization", "Bearer "+token)
		return s.Send(req)
	}
	p1, p2 := bytes.Repeat([]byte("A"), 700<<10), bytes.Repeat([]byte("B"), 500<<10)
	if r := part(2, p2, ed.Token); r.Status != 200 {
		t.Fatalf("part 2: %d %s", r.Status, r.Body)
	}
	if r := s.Do("POST", "/api/v1/uploads/"+up+"/complete", ed.Token, nil); r.Status != 422 {
		t.Errorf("complete with part 1 missing: %d", r.Status)
	}
	part(1, []byte("first try, replaced"), ed.Token)
	if r := part(1, p1, ed.Token); r.Status != 200 || r.Map(t)["received"].(float64) != float64(len(p1)+len(p2)) {
		t.Fatalf("part 1 again: %d %s", r.Status, r.Body)
	}
	if r := part(3, bytes.Repeat([]byte("C"), 900<<10), ed.Token); r.Status != 413 {
		t.Errorf("part past the limit: %d", r.Status)
	}
	other := s.Instructor(t)
	if r := part(3, []byte("x"), other.Token); r.Status != 403 {
		t.Errorf("another user's part: %d", r.Status)
	}
	if r := s.Do("GET", "/api/v1/uploads/"+up, ed.Token, nil); r.Status != 200 || len(r.Map(t)["parts"].([]any)) != 2 {
		t.Fatalf("status: %d %s", r.Status, r.Body)
	}
	if r := s.Do("POST", "/api/v1/uploads/"+up+"/complete", ed.Token, nil); r.Status != 200 || r.Map(t)["size"].(float64) != float64(len(p1)+len(p2)) {
		t.Fatalf("complete: %d %s", r.Status, r.Body)
	}
	if r := s.Do("POST", "/api/v1/resources", other.Token, nil); r.Status == 201 {
		t.Fatal("json create accepted")
	}
	if r := postForm(t, s, "POST", "/api/v1/resources", other.Token, []kv{{"title", "Stolen"}, {"kind", "dataset"}, {"upload_id", up}}, "", nil); r.Status != 422 {
		t.Errorf("another user's upload_id: %d %s", r.Status, r.Body)
	}
	id := createResource(t, s, ed.Token, []kv{{"title", "Big data"}, {"kind", "dataset"}, {"upload_id", up}}, "", nil)
	if _, b := download(t, s, id, ""); !bytes.Equal(b, append(append([]byte{}, p1...), p2...)) {
		t.Errorf("assembled download differs (%d bytes)", len(b))
	}
	if r := postForm(t, s, "POST", "/api/v1/resources", ed.Token, []kv{{"title", "Again"}, {"kind", "dataset"}, {"upload_id", up}}, "", nil); r.Status != 422 {
		t.Errorf("upload used twice: %d", r.Status)
	}
	if keys := objectKeys(t, s.Store, "library/uploads/"); len(keys) != 0 {
		t.Errorf("parts left: %v", keys)
	}
}

func TestLinkChecker(t *testing.T) {
	srv := newLinkServer(t)
	s := apptest.New(t, apptest.Env("GLC_LINK_CHECK", "true"))
	ed := s.Admin(t)
	ok := createResource(t, s, ed.Token, []kv{{"title", "Live academy"}, {"kind", "link"}, {"url", srv.URL + "/ok"}, {"country", "FR"}}, "", nil)
	gone := createResource(t, s, ed.Token, []kv{{"title", "Gone academy"}, {"kind", "link"}, {"url", srv.URL + "/gone"}}, "", nil)
	headless := createResource(t, s, ed.Token, []kv{{"title", "GET only"}, {"kind", "link"}, {"url", srv.URL + "/get-only"}}, "", nil)
	if r := s.Do("POST", "/api/v1/library/link-check", s.Learner(t).Token, nil); r.Status != 403 {
		t.Errorf("learner runs the checker: %d", r.Status)
	}
	r := s.Do("POST", "/api/v1/library/link-check", ed.Token, nil)
	if r.Status != 200 || r.Map(t)["broken"].(float64) != 1 {
		t.Fatalf("check: %d %s", r.Status, r.Body)
	}
	for id, want := range map[int64]string{ok: "ok", gone: "broken", headless: "ok"} {
		if got := s.Do("GET", "/api/v1/resources/"+itoa(id), "", nil).Map(t)["link_status"]; got != want {
			t.Errorf("resource %d: %v, want %s", id, got, want)
		}
	}
	off := apptest.New(t)
	if r := off.Do("POST", "/api/v1/library/link-check", off.Admin(t).Token, nil); r.Status != 409 {
		t.Errorf("checker while off: %d", r.Status)
	}
}
