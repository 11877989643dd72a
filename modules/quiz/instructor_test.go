package quiz_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"glc/internal/openapi"
	"glc/internal/testkit"
	"glc/modules/quiz"
)

// finishWith has a new learner answer the quiz's questions (by prompt) and submit.
func (e *env) finishWith(t *testing.T, f fixture, answers map[string]map[string]any) (user, attemptJSON) {
	t.Helper()
	u := e.learner(f)
	a := e.start(f, u)
	for _, q := range a.Questions {
		if r, ok := answers[q.Prompt]; ok {
			want(t, e.answer(a.ID, q.ID, u, r, 0), 200, "answer "+q.Prompt)
		}
	}
	want(t, e.do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", a.ID), u.Token, map[string]any{}), 200, "submit")
	return u, e.attempt(a.ID, u)
}

func TestResultsStatisticsAndCSV(t *testing.T) {
	e := newEnv(t)
	f := e.quizFixture(`{"pass_percent": 60}`)
	e.addQuestion(f, map[string]any{"kind": "true_false", "prompt": "Q1", "answer": true})
	e.addQuestion(f, map[string]any{"kind": "true_false", "prompt": "Q2", "answer": true})
	e.addQuestion(f, map[string]any{"kind": "short", "prompt": "Q3", "answers": []map[string]any{{"text": "x"}}})
	T := map[string]any{"option_ids": []string{"true"}}
	F := map[string]any{"option_ids": []string{"false"}}
	x := map[string]any{"text": "x"}
	// Four learners: scores per question (Q1, Q2, Q3) of 1,1,1 / 1,1,0 / 1,0,0 / 0,0,0.
	sets := []map[string]map[string]any{
		{"Q1": T, "Q2": T, "Q3": x},
		{"Q1": T, "Q2": T},
		{"Q1": T, "Q2": F},
		{"Q1": F, "Q2": F},
	}
	var learners []user
	for _, s := range sets {
		u, _ := e.finishWith(t, f, s)
		learners = append(learners, u)
	}
	// A learner cannot read the instructors' views.
	for _, p := range []string{"results", "results.csv", "statistics", "grading", "audit"} {
		want(t, e.do("GET", fmt.Sprintf("/api/v1/quizzes/%d/%s", f.Lesson, p), learners[0].Token, nil), 403, "learner reads "+p)
		want(t, e.do("GET", fmt.Sprintf("/api/v1/quizzes/%d/%s", f.Lesson, p), e.user("instructor").Token, nil), 403, "other instructor reads "+p)
	}
	r := e.do("GET", fmt.Sprintf("/api/v1/quizzes/%d/results?per_page=2", f.Lesson), f.Teacher.Token, nil)
	want(t, r, 200, "results")
	var page struct {
		Items []quiz.AttemptRow `json:"items"`
		Total int64             `json:"total"`
	}
	r.JSON(t, &page)
	if page.Total != 4 || len(page.Items) != 2 || page.Items[0].Score == nil || page.Items[0].UserName == "" {
		t.Fatalf("results page %+v", page)
	}
	r = e.do("GET", fmt.Sprintf("/api/v1/quizzes/%d/statistics", f.Lesson), f.Teacher.Token, nil)
	want(t, r, 200, "statistics")
	var st quiz.QuizStats
	r.JSON(t, &st)
	if st.Attempts != 4 || len(st.Questions) != 3 || st.PassRate == nil || *st.PassRate != 50 {
		t.Fatalf("stats %+v", st)
	}
	// Expected values computed by hand: totals 3,2,1,0.
	//   Q1 scores 1,1,1,0: F = 75; rest 2,1,0,0: sxy .75, sxx .75, syy 2.75 -> r = .5222
	//   Q2 scores 1,1,0,0: F = 50; rest 2,1,1,0: sxy 1, sxx 1, syy 2 -> r = .7071
	//   Q3 scores 1,0,0,0: F = 25; rest 2,2,1,0: sxy .75, sxx .75, syy 2.75 -> r = .5222
	wantStats := map[string][2]float64{"Q1": {75, 52.2233}, "Q2": {50, 70.7107}, "Q3": {25, 52.2233}}
	for _, q := range st.Questions {
		w := wantStats[q.Prompt]
		if q.Facility == nil || math.Abs(*q.Facility-w[0]) > 1e-3 || q.Discrimination == nil || math.Abs(*q.Discrimination-w[1]) > 1e-3 {
			t.Errorf("%s: facility %v discrimination %v, want %v", q.Prompt, deref(q.Facility), deref(q.Discrimination), w)
		}
	}
	r = e.do("GET", fmt.Sprintf("/api/v1/quizzes/%d/results.csv", f.Lesson), f.Teacher.Token, nil)
	want(t, r, 200, "csv")
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv type %s", r.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil || len(rows) != 5 || rows[0][0] != "attempt_id" || rows[0][10] != "score" {
		t.Fatalf("csv %v %v", rows, err)
	}
	scores := []string{}
	for _, row := range rows[1:] {
		scores = append(scores, row[10])
	}
	slices.Sort(scores)
	if strings.Join(scores, ",") != "0,1,2,3" {
		t.Fatalf("csv scores %v", scores)
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func TestRegradeAndOverride(t *testing.T) {
	e := newEnv(t)
	f := e.quizFixture(`{"pass_percent": 100}`)
	qid := e.addQuestion(f, map[string]any{"kind": "single", "prompt": "Capital?", "options": []map[string]any{
		{"text": "Lyon", "correct": true}, {"text": "Paris"}}})
	e.addQuestion(f, map[string]any{"kind": "true_false", "prompt": "TF", "answer": true})
	// The learner picks Paris, which the author first marked wrong.
	u := e.learner(f)
	a := e.start(f, u)
	for _, q := range a.Questions {
		resp := map[string]any{"option_ids": []string{"true"}}
		if q.Kind == "single" {
			for _, o := range q.Options {
				if o.Text == "Paris" {
					resp = map[string]any{"option_ids": []string{o.ID}}
				}
			}
		}
		want(t, e.answer(a.ID, q.ID, u, resp, 0), 200, "answer")
	}
	want(t, e.do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", a.ID), u.Token, nil), 200, "submit")
	if got := e.attempt(a.ID, u); *got.Score != 1 || *got.Passed {
		t.Fatalf("before the fix %+v", got)
	}
	// The instructor fixes the question (both capitals accepted), keeping option ids.
	r := e.do("GET", fmt.Sprintf("/api/v1/questions/%d", qid), f.Teacher.Token, nil)
	want(t, r, 200, "get question")
	var q quiz.QuestionDetail
	r.JSON(t, &q)
	for i := range q.Options {
		q.Options[i].Correct, q.Options[i].Fraction = true, nil
	}
	in := map[string]any{"kind": q.Kind, "prompt": q.Prompt, "points": 2, "options": q.Options}
	want(t, e.do("PUT", fmt.Sprintf("/api/v1/questions/%d", qid), u.Token, in), 403, "learner edits")
	want(t, e.do("PUT", fmt.Sprintf("/api/v1/questions/%d", qid), f.Teacher.Token, map[string]any{"kind": "essay", "prompt": "x"}), 422, "kind change")
	want(t, e.do("PUT", fmt.Sprintf("/api/v1/questions/%d", qid), f.Teacher.Token, in), 200, "fix question")
	want(t, e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/regrade", f.Lesson), u.Token, map[string]any{}), 403, "learner regrades")
	r = e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/regrade", f.Lesson), f.Teacher.Token, map[string]any{"question_id": qid})
	want(t, r, 200, "regrade")
	var rg quiz.Regraded
	r.JSON(t, &rg)
	if rg.Attempts != 1 || rg.Changed != 1 {
		t.Fatalf("regrade %+v", rg)
	}
	got := e.attempt(a.ID, u)
	if *got.Score != 3 || *got.MaxScore != 3 || !*got.Passed {
		t.Fatalf("after regrade %+v", got)
	}
	if p := e.Courses.progress(t, u.ID, f.Lesson); p.Status != "passed" || p.Score != 3 {
		t.Fatalf("progress after regrade %+v", p)
	}
	// A second regrade changes nothing.
	r = e.do("POST", fmt.Sprintf("/api/v1/quizzes/%d/regrade", f.Lesson), f.Teacher.Token, map[string]any{})
	r.JSON(t, &rg)
	if rg.Changed != 0 {
		t.Fatalf("second regrade changed %d", rg.Changed)
	}
	// Override with a reason; without one it is refused.
	path := fmt.Sprintf("/api/v1/attempts/%d/override", a.ID)
	want(t, e.do("POST", path, f.Teacher.Token, map[string]any{"score": 1}), 422, "override without reason")
	want(t, e.do("POST", path, f.Teacher.Token, map[string]any{"score": 4, "reason": "x"}), 422, "override above max")
	want(t, e.do("POST", path, u.Token, map[string]any{"score": 3, "reason": "please"}), 403, "learner overrides")
	want(t, e.do("POST", path, f.Teacher.Token, map[string]any{"score": 1.5, "reason": "Copied from a neighbour"}), 200, "override")
	got = e.attempt(a.ID, u)
	if *got.Score != 1.5 || *got.Percent != 50 || *got.Passed {
		t.Fatalf("after override %+v", got)
	}
	if p := e.Courses.progress(t, u.ID, f.Lesson); p.Status != "failed" || p.Score != 1.5 {
		t.Fatalf("progress after override %+v", p)
	}
	want(t, e.do("POST", path, f.Teacher.Token, map[string]any{"score": nil, "reason": "Cleared after appeal"}), 200, "clear override")
	if got = e.attempt(a.ID, u); *got.Score != 3 {
		t.Fatalf("after clearing %+v", got)
	}
	r = e.do("GET", fmt.Sprintf("/api/v1/quizzes/%d/audit", f.Lesson), f.Teacher.Token, nil)
	want(t, r, 200, "audit")
	var audit struct {
		Items []quiz.Audit `json:"items"`
	}
	r.JSON(t, &audit)
	var actions []string
	for _, a := range audit.Items {
		actions = append(actions, a.Action+":"+a.Reason)
		if a.ActorID != f.Teacher.ID {
			t.Errorf("audit actor %d", a.ActorID)
		}
	}
	if strings.Join(actions, ",") != "override:Cleared after appeal,override:Copied from a neighbour,regrade:" {
		t.Fatalf("audit %v", actions)
	}
	if !strings.Contains(audit.Items[1].Detail, `"new":1.5`) || !strings.Contains(audit.Items[2].Detail, `"old":1`) {
		t.Fatalf("audit details %s | %s", audit.Items[1].Detail, audit.Items[2].Detail)
	}
}

func TestGradingMethods(t *testing.T) {
	cases := []struct {
		method  string
		percent float64
	}{{"highest", 100}, {"first", 50}, {"last", 0}, {"average", 50}}
	e := newEnv(t)
	for _, c := range cases {
		t.Run(c.method, func(t *testing.T) {
			f := e.quizFixture(fmt.Sprintf(`{"grading_method": %q, "pass_percent": 50}`, c.method))
			e.addQuestion(f, map[string]any{"kind": "true_false", "prompt": "A", "answer": true})
			e.addQuestion(f, map[string]any{"kind": "true_false", "prompt": "B", "answer": true})
			u := e.learner(f)
			for _, set := range [][2]string{{"true", "false"}, {"true", "true"}, {"false", "false"}} {
				a := e.start(f, u)
				for _, q := range a.Questions {
					ans := set[0]
					if q.Prompt == "B" {
						ans = set[1]
					}
					want(t, e.answer(a.ID, q.ID, u, map[string]any{"option_ids": []string{ans}}, 0), 200, "answer")
				}
				want(t, e.do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", a.ID), u.Token, nil), 200, "submit")
			}
			p := e.Courses.progress(t, u.ID, f.Lesson)
			if p == nil || p.Percent != c.percent || p.Attempts != 3 {
				t.Fatalf("progress %+v, want %v%%", p, c.percent)
			}
			r := e.do("GET", fmt.Sprintf("/api/v1/quizzes/%d", f.Lesson), u.Token, nil)
			want(t, r, 200, "quiz view")
			var v quiz.QuizView
			r.JSON(t, &v)
			if v.Result == nil || v.Result.Percent != c.percent || len(v.Attempts) != 3 || v.AttemptsLeft != nil {
				t.Fatalf("quiz view %+v", v)
			}
		})
	}
}

const bankGIFT = `$CATEGORY: Cybercrime

::Phishing::Phishing is a social engineering attack.{T}

::Port::Which port does HTTPS use by default? {=443 ~80 ~21}

::Hash::Name a hash function. {=SHA-256 =%50%MD5#Broken}

$CATEGORY: Cybercrime/Forensics

::Order::Write-blocking comes before imaging a disk.{TRUE}

::Essay::Describe chain of custody. {}
`

func TestBankImportExport(t *testing.T) {
	e := newEnv(t)
	f := e.quizFixture(`{}`)
	path := fmt.Sprintf("/api/v1/courses/%d/question-bank", f.Course)
	want(t, e.do("POST", path+"/import?format=gift", e.user("instructor").Token, bankGIFT), 403, "other instructor imports")
	want(t, e.do("POST", path+"/import?format=gift", f.Teacher.Token, "Broken {=a ~b\n\nAlso bad {maybe}"), 422, "bad GIFT")
	if n := e.count("quiz_questions", "course_id = ?", f.Course); n != 0 {
		t.Fatalf("a refused import stored %d questions", n)
	}
	r := e.do("POST", path+"/import?format=gift", f.Teacher.Token, bankGIFT)
	want(t, r, 201, "import GIFT")
	var res quiz.ImportResult
	r.JSON(t, &res)
	if res.Questions != 5 || res.Categories != 2 {
		t.Fatalf("import %+v", res)
	}
	r = e.do("GET", path+"/categories", f.Teacher.Token, nil)
	want(t, r, 200, "categories")
	if !strings.Contains(string(r.Body), `"Cybercrime/Forensics"`) {
		t.Fatalf("categories %s", r.Body)
	}
	r = e.do("GET", path+"/export?format=gift", f.Teacher.Token, nil)
	want(t, r, 200, "export GIFT")
	qs, errs := quiz.ParseGIFT(string(r.Body))
	if len(errs) > 0 || len(qs) != 5 || qs[4].Category != "Cybercrime/Forensics" {
		t.Fatalf("exported GIFT: %v %d\n%s", errs, len(qs), r.Body)
	}
	r = e.do("GET", path+"/export?format=json", f.Teacher.Token, nil)
	want(t, r, 200, "export JSON")
	// The JSON file imports into another course whole.
	other := e.Courses.addCourse(true, f.Teacher.ID)
	r = e.do("POST", fmt.Sprintf("/api/v1/courses/%d/question-bank/import", other), f.Teacher.Token, r.Body)
	want(t, r, 201, "import JSON")
	r.JSON(t, &res)
	if res.Questions != 5 {
		t.Fatalf("json import %+v", res)
	}
	r = e.do("GET", fmt.Sprintf("/api/v1/courses/%d/question-bank/questions?kind=true_false", other), f.Teacher.Token, nil)
	want(t, r, 200, "list")
	var list struct {
		Items []quiz.QuestionDetail `json:"items"`
		Total int64                 `json:"total"`
	}
	r.JSON(t, &list)
	if list.Total != 2 || list.Items[0].Answer == nil {
		t.Fatalf("list %+v", list)
	}
	want(t, e.do("POST", fmt.Sprintf("/api/v1/courses/%d/question-bank/import", other), f.Teacher.Token,
		`{"format": "glc-question-bank", "version": 1, "questions": [{"kind": "single", "prompt": "p", "options": [{"text": "a"}]}]}`), 422, "invalid JSON question")
	want(t, e.do("GET", "/api/v1/courses/99999/question-bank/questions", f.Teacher.Token, nil), 404, "missing course")
}

func pngBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func (e *env) upload(path, token, name string, data []byte) *http.Response {
	e.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = w.Close()
	req, _ := http.NewRequest("POST", e.URL()+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestQuestionMedia(t *testing.T) {
	e := newEnv(t)
	f := e.quizFixture(`{}`)
	qid := e.addQuestion(f, everyKind()[2])
	if r := e.upload(fmt.Sprintf("/api/v1/questions/%d/media", qid), f.Teacher.Token, "x.png", []byte("<svg onload=alert(1)>")); r.StatusCode != 415 {
		t.Fatalf("svg disguised as png: %d", r.StatusCode)
	}
	img := pngBytes(t)
	if r := e.upload(fmt.Sprintf("/api/v1/questions/%d/media", qid), f.Teacher.Token, "pic.bin", img); r.StatusCode != 200 {
		t.Fatalf("upload %d", r.StatusCode)
	}
	u := e.learner(f)
	a := e.start(f, u)
	r := e.do("GET", fmt.Sprintf("/api/v1/attempts/%d", a.ID), u.Token, nil)
	if !strings.Contains(string(r.Body), fmt.Sprintf(`"media_url":"/api/v1/questions/%d/media"`, qid)) {
		t.Fatalf("no media url: %s", r.Body)
	}
	media := fmt.Sprintf("/api/v1/questions/%d/media", qid)
	want(t, e.do("GET", media, e.learner(f).Token, nil), 403, "learner without an attempt")
	r = e.do("GET", media, u.Token, nil)
	if testkit.S3() {
		want(t, r, 302, "signed URL redirect")
		if !strings.Contains(r.Header.Get("Location"), "X-Amz-Signature") {
			t.Fatalf("redirect %s", r.Header.Get("Location"))
		}
		return
	}
	want(t, r, 200, "media")
	if !bytes.Equal(r.Body, img) || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("media %d bytes, %s", len(r.Body), r.Header.Get("Content-Type"))
	}
}

// TestOpenAPIInStep checks that every /api/v1 route of the module is described and every
// described operation is served, and that $refs resolve (with the core fragment).
func TestOpenAPIInStep(t *testing.T) {
	e := newEnv(t)
	core, err := os.ReadFile(filepath.Join("..", "..", "internal", "app", "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi.Build("test", core, e.Mod.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	var served []string
	for _, rt := range e.Engine.Routes() {
		if p, ok := strings.CutPrefix(rt.Path, "/api/v1"); ok {
			served = append(served, rt.Method+" "+openapi.GinPath(p))
		}
	}
	described := doc.Operations()
	for _, op := range served {
		if !slices.Contains(described, op) {
			t.Errorf("route %s is not in openapi.json", op)
		}
	}
	for _, op := range described {
		if op != "GET /openapi.json" && !slices.Contains(served, op) {
			t.Errorf("openapi.json describes %s but no route serves it", op)
		}
	}
	if missing := doc.Refs(); len(missing) > 0 {
		t.Errorf("dangling $refs: %v", missing)
	}
	var frag map[string]any
	if err := json.Unmarshal(e.Mod.OpenAPI(), &frag); err != nil {
		t.Fatal(err)
	}
	for name := range frag["components"].(map[string]any)["schemas"].(map[string]any) {
		if !strings.HasPrefix(name, "Quiz") {
			t.Errorf("component %s is not prefixed with Quiz", name)
		}
	}
}

// TestCatalogueAndTemplates checks the module's messages exist in the four languages and its
// pages hold no literal text.
func TestCatalogueAndTemplates(t *testing.T) {
	e := newEnv(t)
	if missing := e.Render.Cat.Missing(); len(missing) > 0 {
		t.Errorf("messages missing:\n%s", strings.Join(missing, "\n"))
	}
	if lits := e.Render.CheckPages(); len(lits) > 0 {
		t.Errorf("literal strings in templates:\n%s", strings.Join(lits, "\n"))
	}
	var quizPages int
	for _, p := range e.Render.Pages() {
		if strings.HasPrefix(p, "quiz/") {
			quizPages++
		}
	}
	if quizPages < 5 {
		t.Fatalf("quiz pages: %v", e.Render.Pages())
	}
}
