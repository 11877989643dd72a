package scorm_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"glc/internal/app/apptest"
)

type launchOut struct {
	AttemptID   int64          `json:"attempt_id"`
	Item        string         `json:"item"`
	Standard    string         `json:"standard"`
	Session     int            `json:"session"`
	URL         string         `json:"url"`
	CMI         map[string]any `json:"cmi"`
	CommitURL   string         `json:"commit_url"`
	CommitToken string         `json:"commit_token"`
	Sequencing  map[string]any `json:"sequencing"`
}

// attemptOf starts (or returns) the learner's attempt at a lesson.
func (e *env) attemptOf(t *testing.T, lesson int64, u apptest.TestUser) int64 {
	t.Helper()
	r := e.s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), u.Token, nil)
	if r.Status != 200 {
		t.Fatalf("attempts: %d %s", r.Status, r.Body)
	}
	items := r.Map(t)["items"].([]any)
	if len(items) > 0 {
		return int64(items[len(items)-1].(map[string]any)["id"].(float64))
	}
	r = e.s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), u.Token, nil)
	if r.Status != 201 {
		t.Fatalf("new attempt: %d %s", r.Status, r.Body)
	}
	return int64(r.Map(t)["id"].(float64))
}

func (e *env) launch(t *testing.T, attempt int64, u apptest.TestUser, item string) (launchOut, *apptest.Response) {
	t.Helper()
	r := e.s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/launch", attempt), u.Token, map[string]string{"item": item})
	var out launchOut
	if r.Status == 200 {
		r.JSON(t, &out)
	}
	return out, r
}

func (e *env) commit(t *testing.T, attempt int64, u apptest.TestUser, body map[string]any) *apptest.Response {
	t.Helper()
	return e.s.Do("POST", fmt.Sprintf("/api/v1/scorm/attempts/%d/commit", attempt), u.Token, body)
}

func cmi12(status, location, session, raw string) map[string]any {
	core := map[string]any{"lesson_status": status, "lesson_location": location, "session_time": session, "exit": "suspend",
		"score": map[string]any{"raw": raw, "min": "0", "max": "100"}}
	return map[string]any{"cmi": map[string]any{"core": core, "suspend_data": "page=" + location}}
}

func TestCommit12ResumeTimeAndResults(t *testing.T) {
	e := newEnv(t)
	lesson := e.importOK(t, package12Multi(t))
	att := e.attemptOf(t, lesson, e.learner)

	ld, r := e.launch(t, att, e.learner, "sco1")
	if r.Status != 200 {
		t.Fatalf("launch: %d %s", r.Status, r.Body)
	}
	core := ld.CMI["core"].(map[string]any)
	if ld.Standard != "scorm12" || ld.Session != 1 || core["entry"] != "ab-initio" || core["student_id"] != fmt.Sprint(e.learner.ID) ||
		ld.CMI["launch_data"] != "level=1" || ld.CMI["student_data"].(map[string]any)["max_time_allowed"] != "00:30:00" {
		t.Fatalf("launch data: %+v", ld)
	}
	if !strings.Contains(ld.URL, "/content/") || !strings.HasSuffix(ld.URL, "/content/intro/index.html?start=intro&lang=en") {
		t.Errorf("launch URL with parameters: %s", ld.URL)
	}
	// First session: two commits (cumulative session time), then a replay of the first.
	c1 := map[string]any{"item": "sco1", "session": 1, "seq": 1, "cmi": cmi12("incomplete", "3", "00:01:00", "")}
	if r := e.commit(t, att, e.learner, c1); r.Status != 200 || r.Map(t)["applied"] != true {
		t.Fatalf("commit 1: %d %s", r.Status, r.Body)
	}
	c2 := map[string]any{"item": "sco1", "session": 1, "seq": 2, "cmi": cmi12("completed", "5", "00:02:30.5", "")}
	if r := e.commit(t, att, e.learner, c2); r.Status != 200 {
		t.Fatalf("commit 2: %d %s", r.Status, r.Body)
	}
	r = e.commit(t, att, e.learner, c1) // a replay changes nothing
	if r.Status != 200 || r.Map(t)["applied"] != false {
		t.Fatalf("replay: %d %s", r.Status, r.Body)
	}
	// Second session resumes at the bookmark; its time adds to the first.
	ld, _ = e.launch(t, att, e.learner, "sco1")
	core = ld.CMI["core"].(map[string]any)
	if ld.Session != 2 || core["entry"] != "resume" || core["lesson_location"] != "5" || ld.CMI["suspend_data"] != "page=5" ||
		core["total_time"] != "0000:02:30.50" || core["lesson_status"] != "completed" {
		t.Fatalf("resume: %+v", core)
	}
	c3 := map[string]any{"item": "sco1", "session": 2, "seq": 1, "cmi": cmi12("incomplete", "6", "00:00:10", "")}
	if r := e.commit(t, att, e.learner, c3); r.Status != 200 {
		t.Fatalf("commit 3: %d %s", r.Status, r.Body)
	}
	// A stale commit from session 1 is refused.
	c4 := map[string]any{"item": "sco1", "session": 1, "seq": 9, "cmi": cmi12("incomplete", "1", "00:00:01", "")}
	if r := e.commit(t, att, e.learner, c4); r.Status != 409 {
		t.Fatalf("stale session: %d %s", r.Status, r.Body)
	}
	r = e.s.Do("GET", fmt.Sprintf("/api/v1/scorm/attempts/%d", att), e.learner.Token, nil)
	var det AttemptDetailJSON
	r.JSON(t, &det)
	if det.TotalSeconds != 160.5 || det.Items[0].TotalTime != "0000:02:40.50" || det.Items[0].CompletionStatus != "completed" || det.Items[0].Location != "6" {
		t.Fatalf("time/status after two sessions: %s", r.Body)
	}
	// Prerequisites: sco3 needs sco1 and sco2.
	if _, r := e.launch(t, att, e.learner, "sco3"); r.Status != 409 || r.ErrorCode() != "prerequisites_not_met" {
		t.Fatalf("prerequisites: %d %s", r.Status, r.Body)
	}
	if _, r := e.launch(t, att, e.learner, "sco2"); r.Status != 200 {
		t.Fatalf("sco2 after sco1: %d %s", r.Status, r.Body)
	}
	c5 := map[string]any{"item": "sco2", "session": 1, "seq": 1, "cmi": cmi12("completed", "", "00:01:00", "")}
	e.commit(t, att, e.learner, c5)
	ld, r = e.launch(t, att, e.learner, "sco3")
	if r.Status != 200 || ld.CMI["student_data"].(map[string]any)["mastery_score"] != "80" {
		t.Fatalf("sco3 with mastery score: %d %s", r.Status, r.Body)
	}
	// A score under the mastery score fails, whatever the content says; interactions are kept.
	quiz := cmi12("passed", "", "00:03:00", "70")
	quiz["cmi"].(map[string]any)["interactions"] = map[string]any{
		"0": map[string]any{"id": "q1", "type": "choice", "student_response": "b", "result": "wrong", "correct_responses": map[string]any{"0": map[string]any{"pattern": "a"}}},
		"1": map[string]any{"id": "q2", "type": "true-false", "student_response": "t", "result": "correct"},
	}
	if r := e.commit(t, att, e.learner, map[string]any{"item": "sco3", "session": 1, "seq": 1, "cmi": quiz}); r.Status != 200 {
		t.Fatalf("quiz commit: %d %s", r.Status, r.Body)
	}
	r = e.s.Do("GET", fmt.Sprintf("/api/v1/scorm/attempts/%d", att), e.instructor.Token, nil)
	det = AttemptDetailJSON{}
	r.JSON(t, &det)
	if det.SuccessStatus != "failed" || det.Score == nil || *det.Score.Raw != 70 || det.Score.ReportedBy != "content" {
		t.Fatalf("mastery: %s", r.Body)
	}
	if len(det.Interactions) != 2 || det.Interactions[0].ID != "q1" || det.Interactions[0].CorrectResponse != "a" || det.Interactions[0].LearnerResponse != "b" {
		t.Fatalf("interactions: %+v", det.Interactions)
	}
	if res := e.fake.Results(); !res[len(res)-1].R.Completed || res[len(res)-1].R.Status != "failed" || *res[len(res)-1].R.Passed {
		t.Fatalf("after the failed quiz: %+v", res[len(res)-1].R)
	}
	// Second quiz session passes: 90 >= 80. All three SCOs are done: the attempt is complete
	// (the glossary is an asset, which cannot report, and does not count).
	e.launch(t, att, e.learner, "sco3")
	e.commit(t, att, e.learner, map[string]any{"item": "sco3", "session": 2, "seq": 1, "cmi": cmi12("completed", "", "00:01:00", "90")})
	res := e.fake.Results()
	last := res[len(res)-1]
	if last.User != e.learner.ID || last.Lesson != lesson || last.R.Status != "passed" || *last.R.Passed != true || last.R.Source != "content" ||
		!last.R.Completed || last.R.TimeSpent.Seconds() != 160.5+60+180+60 || *last.R.ScoreRaw != 90 {
		t.Fatalf("last result: %+v", last.R)
	}
}

// AttemptDetailJSON mirrors the attempt detail response.
type AttemptDetailJSON struct {
	ID               int64   `json:"id"`
	CompletionStatus string  `json:"completion_status"`
	SuccessStatus    string  `json:"success_status"`
	TotalSeconds     float64 `json:"total_seconds"`
	Score            *struct {
		Raw        *float64 `json:"raw"`
		ReportedBy string   `json:"reported_by"`
	} `json:"score"`
	Items []struct {
		Identifier       string         `json:"identifier"`
		CompletionStatus string         `json:"completion_status"`
		TotalTime        string         `json:"total_time"`
		Location         string         `json:"location"`
		CMI              map[string]any `json:"cmi"`
	} `json:"items"`
	Interactions []struct {
		ID              string `json:"id"`
		LearnerResponse string `json:"learner_response"`
		CorrectResponse string `json:"correct_response"`
		Result          string `json:"result"`
	} `json:"interactions"`
}

func TestCommitOnlyOwnAttempt(t *testing.T) {
	e := newEnv(t)
	lesson := e.importOK(t, package12Multi(t))
	att := e.attemptOf(t, lesson, e.learner)
	ld, _ := e.launch(t, att, e.learner, "sco1")
	body := map[string]any{"item": "sco1", "session": 1, "seq": 1, "cmi": cmi12("completed", "1", "00:00:05", "")}
	admin := e.s.Admin(t)
	cases := []struct {
		name   string
		token  string
		cap    string
		status int
	}{
		{"another learner", e.learner2.Token, "", 403},
		{"another learner with the owner's commit token", e.learner2.Token, ld.CommitToken, 403},
		{"the instructor", e.instructor.Token, "", 403},
		{"an admin", admin.Token, "", 403},
		{"anonymous without token", "", "", 401},
		{"anonymous with a forged token", "", "zzzz.abc", 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := jsonReq(t, e.s.URL+fmt.Sprintf("/api/v1/scorm/attempts/%d/commit", att), body)
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			if c.cap != "" {
				req.Header.Set("X-SCORM-Commit-Token", c.cap)
			}
			if r := e.s.Send(req); r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
		})
	}
	// Nothing was applied.
	var n int64
	e.s.DB.Table("scorm_item_states").Where("last_seq > 0").Count(&n)
	if n != 0 {
		t.Fatalf("a refused commit was applied")
	}
	// Another learner cannot launch or read it either.
	if _, r := e.launch(t, att, e.learner2, "sco1"); r.Status != 403 {
		t.Errorf("launch another's attempt: %d", r.Status)
	}
	if r := e.s.Do("GET", fmt.Sprintf("/api/v1/scorm/attempts/%d", att), e.learner2.Token, nil); r.Status != 403 {
		t.Errorf("read another's attempt: %d", r.Status)
	}
	if r := e.s.Do("GET", fmt.Sprintf("/api/v1/scorm/attempts/%d", att), e.other.Token, nil); r.Status != 403 {
		t.Errorf("another instructor reads it: %d", r.Status)
	}
	// The owner's session commit token works without cookies or bearer (the content origin).
	req := jsonReq(t, e.s.URL+fmt.Sprintf("/api/v1/scorm/attempts/%d/commit", att), body)
	req.Header.Set("X-SCORM-Commit-Token", ld.CommitToken)
	if r := e.s.Send(req); r.Status != 200 {
		t.Fatalf("commit with the session token: %d %s", r.Status, r.Body)
	}
	// The token is bound to its item and session.
	other := map[string]any{"item": "sco2", "session": 1, "seq": 1, "cmi": cmi12("completed", "1", "00:00:05", "")}
	req = jsonReq(t, e.s.URL+fmt.Sprintf("/api/v1/scorm/attempts/%d/commit", att), other)
	req.Header.Set("X-SCORM-Commit-Token", ld.CommitToken)
	if r := e.s.Send(req); r.Status != 403 {
		t.Fatalf("token used for another item: %d", r.Status)
	}
	// The learner list shows only the learner's own attempts; the instructor sees all.
	e.attemptOf(t, lesson, e.learner2)
	if r := e.s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), e.learner.Token, nil); r.Map(t)["total"] != 1.0 {
		t.Errorf("learner sees %s", r.Body)
	}
	if r := e.s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), e.instructor.Token, nil); r.Map(t)["total"] != 2.0 {
		t.Errorf("instructor sees %s", r.Body)
	}
}

func jsonReq(t *testing.T, url string, body any) *http.Request {
	t.Helper()
	raw := mustJSON(t, body)
	req, _ := http.NewRequest("POST", url, strings.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestCommitCSRFForCookieSessions(t *testing.T) {
	e := newEnv(t)
	lesson := e.importOK(t, package12Multi(t))
	att := e.attemptOf(t, lesson, e.learner)
	e.launch(t, att, e.learner, "sco1")
	body := map[string]any{"item": "sco1", "session": 1, "seq": 1, "cmi": cmi12("completed", "1", "00:00:05", "")}
	send := func(csrf string) int {
		req := jsonReq(t, e.s.URL+fmt.Sprintf("/api/v1/scorm/attempts/%d/commit", att), body)
		req.AddCookie(&http.Cookie{Name: "glc_access", Value: e.learner.Token})
		req.AddCookie(&http.Cookie{Name: "glc_csrf", Value: strings.Repeat("c", 48)})
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		return e.s.Send(req).Status
	}
	if st := send(""); st != 403 {
		t.Fatalf("cookie session without the CSRF header: %d", st)
	}
	if st := send(strings.Repeat("c", 48)); st != 200 {
		t.Fatalf("with the CSRF header: %d", st)
	}
}

func TestAttemptLimitAndSettings(t *testing.T) {
	e := newEnv(t)
	lesson := e.importOK(t, package12Multi(t))
	ms := 50.0
	e.fake.settings.MaxAttempts = 2
	e.fake.settings.MasteryScore = &ms
	a1 := e.attemptOf(t, lesson, e.learner)
	r := e.s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), e.learner.Token, nil)
	if r.Status != 201 || r.Map(t)["number"] != 2.0 || r.Map(t)["mastery_score"] != 50.0 {
		t.Fatalf("second attempt: %d %s", r.Status, r.Body)
	}
	if r := e.s.Do("POST", fmt.Sprintf("/api/v1/lessons/%d/scorm/attempts", lesson), e.learner.Token, nil); r.Status != 409 {
		t.Fatalf("third attempt: %d %s", r.Status, r.Body)
	}
	// The lesson's mastery score (50) overrides the manifest's (80) in new attempts.
	a2 := int64(r.Map(t)["id"].(float64))
	_ = a1
	_ = a2
}

func TestContentServing(t *testing.T) {
	e := newEnv(t)
	lesson := e.importOK(t, package12Multi(t))
	att := e.attemptOf(t, lesson, e.learner)
	ld, _ := e.launch(t, att, e.learner, "sco1")
	get := func(url string) *http.Response {
		req, _ := http.NewRequest("GET", url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := get(e.s.URL + ld.URL)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 200 || string(body) != scoWith("../sco.js") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("content: %d %q %s", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	// Under a shared origin, connections and forms may reach only the package's own path.
	base := ld.URL[:strings.Index(ld.URL, "/content/intro")]
	pkgPath := base[:strings.LastIndex(base, "/")+1]
	if !strings.Contains(csp, "connect-src "+e.s.URL+pkgPath+";") || !strings.Contains(csp, "form-action "+e.s.URL+pkgPath+";") ||
		!strings.Contains(csp, "frame-ancestors 'self'") || !strings.Contains(csp, "object-src 'none'") || strings.Contains(csp, "connect-src 'self'") {
		t.Fatalf("content CSP: %s", csp)
	}
	if resp.Header.Get("X-Frame-Options") != "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers: %v", resp.Header)
	}
	// Relative links work: a sibling file under the same token.
	resp = get(e.s.URL + base + "/content/style.css")
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("css: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// Range requests.
	req, _ := http.NewRequest("GET", e.s.URL+base+"/content/app.js", nil)
	req.Header.Set("Range", "bytes=0-2")
	resp, _ = http.DefaultClient.Do(req)
	part, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 206 || string(part) != "var" {
		t.Errorf("range: %d %q", resp.StatusCode, part)
	}
	// A bad token, another package's uuid, a missing file, a traversal.
	tok := strings.Split(base, "/")[3]
	uuid := strings.Split(base, "/")[2]
	for _, c := range []struct {
		url    string
		status int
	}{
		{"/content/" + uuid + "/" + tok[:len(tok)-2] + "xx/content/style.css", 403},
		{"/content/00000000-0000-0000-0000-000000000000/" + tok + "/content/style.css", 403},
		{base + "/content/nothing.css", 404},
		{base + "/content/%2e%2e/%2e%2e/imsmanifest.xml", 404},
		{base + "/", 404},
	} {
		resp := get(e.s.URL + c.url)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d, want %d", c.url, resp.StatusCode, c.status)
		}
	}
}

func TestContentOrigin(t *testing.T) {
	e := newEnv(t, apptest.Env("GLC_CONTENT_ORIGIN", "http://content.example.test:9999"))
	lesson := e.importOK(t, package12Multi(t))
	att := e.attemptOf(t, lesson, e.learner)
	ld, r := e.launch(t, att, e.learner, "sco1")
	if r.Status != 200 || !strings.HasPrefix(ld.URL, "http://content.example.test:9999/content/") ||
		ld.CommitURL != fmt.Sprintf("http://content.example.test:9999/api/v1/scorm/attempts/%d/commit", att) {
		t.Fatalf("launch on the content origin: %+v", ld)
	}
	path := strings.TrimPrefix(ld.URL, "http://content.example.test:9999")
	// On the portal's host, content is not served at all.
	req, _ := http.NewRequest("GET", e.s.URL+path, nil)
	if r := e.s.Send(req); r.Status != 404 {
		t.Fatalf("content on the main host: %d", r.Status)
	}
	// On the content host it is, with a CSP that lets only the portal frame it.
	req, _ = http.NewRequest("GET", e.s.URL+path, nil)
	req.Host = "content.example.test:9999"
	r = e.s.Send(req)
	csp := r.Header.Get("Content-Security-Policy")
	if r.Status != 200 || !strings.Contains(csp, "frame-ancestors 'self' "+e.s.Cfg.BaseURL) || !strings.Contains(csp, "connect-src 'self'") {
		t.Fatalf("content host: %d %s", r.Status, csp)
	}
	// The API frame is served only on the content host, framed only by the portal.
	req, _ = http.NewRequest("GET", e.s.URL+"/scorm/frame?std=scorm12", nil)
	req.Host = "content.example.test:9999"
	r = e.s.Send(req)
	if r.Status != 200 || !strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors "+e.s.Cfg.BaseURL) ||
		!strings.Contains(string(r.Body), `data-parent-origin="`+e.s.Cfg.BaseURL+`"`) {
		t.Fatalf("frame on the content host: %d %s", r.Status, r.Body)
	}
	if r := e.s.Do("GET", "/scorm/frame?std=scorm12", "", nil); r.Status != 404 {
		t.Fatalf("frame on the main host: %d", r.Status)
	}
	_ = context.Background()
}

func TestLaunch2004Sequencing(t *testing.T) {
	e := newEnv(t)
	lesson := e.importOK(t, package2004(t))
	att := e.attemptOf(t, lesson, e.learner)
	ld, r := e.launch(t, att, e.learner, "")
	if r.Status != 200 || ld.Item != "lesson1" || ld.Standard != "scorm2004" {
		t.Fatalf("launch: %d %s", r.Status, r.Body)
	}
	if ld.CMI["entry"] != "ab-initio" || ld.CMI["completion_threshold"] != "0.75" || ld.CMI["scaled_passing_score"] != "0.6" {
		t.Fatalf("cmi: %+v", ld.CMI)
	}
	tree := ld.Sequencing["activityTree"].(map[string]any)
	ctl := tree["sequencingControls"].(map[string]any)
	kids := tree["children"].([]any)
	if ctl["choice"] != false || ctl["flow"] != true || len(kids) != 2 || kids[1].(map[string]any)["attemptLimit"] != 2.0 {
		t.Fatalf("activity tree: %+v", tree)
	}
	// Progress measure over the threshold completes; scaled score over the passing score passes.
	cmi := map[string]any{"cmi": map[string]any{"completion_status": "incomplete", "progress_measure": "0.8", "success_status": "unknown",
		"score": map[string]any{"scaled": "0.65"}, "session_time": "PT1M30.5S", "location": "p7", "exit": "suspend", "suspend_data": "s"}}
	r = e.commit(t, att, e.learner, map[string]any{"item": "lesson1", "session": 1, "seq": 1, "cmi": cmi})
	item := r.Map(t)["item"].(map[string]any)
	if r.Status != 200 || item["completion_status"] != "completed" || item["success_status"] != "passed" {
		t.Fatalf("2004 commit: %d %s", r.Status, r.Body)
	}
	ld, _ = e.launch(t, att, e.learner, "lesson1")
	if ld.CMI["entry"] != "resume" || ld.CMI["location"] != "p7" || ld.CMI["total_time"] != "PT1M30.5S" || ld.CMI["suspend_data"] != "s" {
		t.Fatalf("2004 resume: %+v", ld.CMI)
	}
}

func TestPlayerPage(t *testing.T) {
	e := newEnv(t)
	lesson := e.importOK(t, package12Multi(t))
	c := e.s.Browser()
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/lessons/%d/play?lang=fr", e.s.URL, lesson), nil)
	req.AddCookie(&http.Cookie{Name: "glc_access", Value: e.learner.Token})
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if resp.StatusCode != 200 || !strings.Contains(page, "Sommaire") || !strings.Contains(page, `data-item="sco1"`) ||
		!strings.Contains(page, "Verrouillé") || !strings.Contains(page, "js/scorm-player.js") {
		t.Fatalf("player page: %d\n%s", resp.StatusCode, page)
	}
	if strings.Contains(page, `data-item="glossary"`) {
		t.Error("an invisible item is in the outline")
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-src 'self'") {
		t.Errorf("player CSP: %s", resp.Header.Get("Content-Security-Policy"))
	}
	// Another learner, not enrolled: 403 page.
	req, _ = http.NewRequest("GET", fmt.Sprintf("%s/lessons/%d/play", e.s.URL, lesson), nil)
	req.AddCookie(&http.Cookie{Name: "glc_access", Value: e.other.Token})
	resp, _ = c.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("not enrolled: %d", resp.StatusCode)
	}
	// The frame page (same origin here) and the vendor script.
	r := e.s.Do("GET", "/scorm/frame?std=scorm2004", "", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), "/static/vendor/scorm-again/scorm2004.min.js") {
		t.Fatalf("frame: %d %s", r.Status, r.Body)
	}
}
