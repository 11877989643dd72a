package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"glc/internal/e2e"
	"glc/internal/samplemedia"
	"glc/modules/library"
)

// pageChecks runs the checks every page of these flows must pass: a screenshot, axe-core
// (WCAG 2.1 AA), page weight under 200 KB (media excluded) and no request to another origin.
func pageChecks(t *testing.T, b *e2e.Session, name string) {
	t.Helper()
	b.Screenshot(name)
	b.Axe()
	const limit = 200 << 10
	if w := b.Weight(); w <= 0 || w > limit {
		t.Errorf("%s: page weight %d bytes, want 1..%d (requests: %v)", name, w, limit, b.Requests())
	} else {
		t.Logf("%s: page weight %d bytes over %d requests", name, w, len(b.Requests()))
	}
	if x := b.CrossOrigin(); len(x) > 0 {
		t.Errorf("%s: requests to other origins: %v", name, x)
	}
}

// setValue sets a form control's value (a select, a checkbox's checked state is done by click).
func setValue(b *e2e.Session, sel, value string) {
	b.Do(chromedp.SetValue(chromedp.CSS(sel), value))
}

// fetchInPage fetches a URL from the page with the browser's cookies and returns
// "status content-type content-disposition content-range first-5-bytes".
func fetchInPage(b *e2e.Session, url, rangeHeader string) string {
	return e2e.Eval[string](b, fmt.Sprintf(`(async () => {
		const r = await fetch(%q, {credentials: "same-origin", headers: %s});
		const head = new Uint8Array(await r.arrayBuffer()).slice(0, 5);
		return [r.status, r.headers.get("Content-Type"), r.headers.get("Content-Disposition"), r.headers.get("Content-Range"),
			Array.from(head, c => String.fromCharCode(c)).join("")].join(" ");
	})()`, url, map[bool]string{true: `{"Range": "` + rangeHeader + `"}`, false: "{}"}[rangeHeader != ""]))
}

var idInPath = regexp.MustCompile(`/(\d+)(\?|$)`)

func pathID(t *testing.T, loc string) string {
	t.Helper()
	m := idInPath.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("no id in %s", loc)
	}
	return m[1]
}

// TestCourseBuiltInBrowserAndTaken (issue #4): an instructor builds a course in the browser
// through the teach pages (a Markdown text lesson, a video lesson with an uploaded WebM, a
// document lesson with an uploaded PDF) and publishes it; a learner finds it in the catalogue
// by a word of its title, enrols, goes through the lessons with next and previous, plays the
// video to the end (its position reported, the file served in ranges), opens and downloads
// the PDF and sees the course completed. Screenshots in English and Arabic of the catalogue,
// the course page, the editors and the player; every page passes axe-core, weighs under
// 200 KB and asks nothing of another origin.
//
// The video is made by samplemedia.WebM: a VP8 WebM of grey key frames written in Go, since
// no encoder can be assumed on the test machine; Chromium decodes and plays it.
func TestCourseBuiltInBrowserAndTaken(t *testing.T) {
	srv := e2e.Start(t, "GLC_SEED_DEMO=false")
	const pw = "a long enough passphrase 42"
	srv.Glc(t, pw+"\n", "user", "create", "--email", "teacher@example.org", "--name", "Lucía Fernández", "--role", "instructor", "--country", "ES")
	srv.Glc(t, pw+"\n", "user", "create", "--email", "learner@example.org", "--name", "عمر الحداد", "--role", "learner", "--country", "JO")

	dir := t.TempDir()
	videoPath, pdfPath := filepath.Join(dir, "interview-room.webm"), filepath.Join(dir, "interview-plan.pdf")
	if err := os.WriteFile(videoPath, samplemedia.WebM(160, 90, 10, 2), 0o644); err != nil {
		t.Fatal(err)
	}
	pdf := library.MakePDF("Interview plan", []string{"Who is the witness?", "What do we need to know?", "Which language, which interpreter?"})
	if err := os.WriteFile(pdfPath, pdf, 0o644); err != nil {
		t.Fatal(err)
	}

	// The instructor builds the course in the browser.
	ins := srv.Browser(t)
	ins.Login("teacher@example.org", pw)
	ins.Navigate("/teach?lang=en")
	ins.Fill("#new-title", "Interviewing witnesses through interpreters")
	ins.Fill("#new-summary", "Plan and run an interview with a witness who speaks another language, with a trained interpreter.")
	setValue(ins, "#new-language", "en")
	ins.Submit("#new-title")
	courseID := pathID(t, ins.Location())
	if got := ins.Text("#editor-title"); !strings.Contains(got, "Interviewing witnesses") {
		t.Fatalf("editor title %q", got)
	}
	if !e2e.Eval[bool](ins, `document.querySelector("#f-self").checked`) {
		ins.Click("#f-self")
	}
	ins.Fill("#f-hours", "2")
	ins.Fill("#f-tags", "interviews, interpreters, witnesses")
	setValue(ins, "#f-topic", "migrant-smuggling")
	setValue(ins, "#f-level", "intermediate")
	ins.Submit("#f-title")
	ins.Fill("#section-title", "Before the interview")
	ins.Submit("#section-title")
	sec := strings.TrimPrefix(ins.Attr(".editor-section", "id"), "editor-section-")
	if sec == "" {
		t.Fatal("no section in the editor")
	}
	addLesson := func(title, kind string) string {
		t.Helper()
		ins.Navigate("/teach/courses/" + courseID)
		ins.Fill("#lesson-title-"+sec, title)
		setValue(ins, "#lesson-kind-"+sec, kind)
		ins.Submit("#lesson-title-" + sec)
		if !strings.Contains(ins.Location(), "/teach/lessons/") {
			t.Fatalf("adding the %s lesson went to %s: %s", kind, ins.Location(), ins.Text("main"))
		}
		return pathID(t, ins.Location())
	}
	textID := addLesson("Planning the interview", "text")
	ins.Fill("#l-body", "## Three questions\n\n1. Who is the witness?\n2. What do we need to know?\n3. **Which language**, and which interpreter?\n\nBrief the interpreter *before* the interview, never in front of the witness.")
	ins.Submit("#l-body")
	if !strings.Contains(e2e.Eval[string](ins, `document.querySelector("#l-body").value`), "Three questions") {
		t.Fatal("the text lesson's body was not saved")
	}
	pageChecks(t, ins, "course-lesson-editor-en")

	upload := func(path, wantType string) {
		t.Helper()
		ins.Do(chromedp.SetUploadFiles(chromedp.CSS("#media-file"), []string{path}))
		ins.Submit("#media-file")
		if got := ins.Text("#current-media"); !strings.Contains(got, wantType) {
			t.Fatalf("after the upload: %q (page: %.500s)", got, ins.Text("main"))
		}
	}
	videoID := addLesson("The interview room", "video")
	upload(videoPath, "video/webm")
	ins.Fill("#l-body", "Watch where the interpreter sits: beside the witness, never between the witness and the officer.")
	ins.Submit("#l-body")
	pageChecks(t, ins, "course-lesson-editor-video-en")
	docID := addLesson("Interview plan template", "document")
	upload(pdfPath, "application/pdf")

	ins.Navigate("/teach/courses/" + courseID)
	ins.Submit("#editor-publish")
	if got := ins.Text("#editor-status"); got != "Published" {
		t.Fatalf("status after publishing: %q", got)
	}
	for _, lang := range []string{"en", "ar"} {
		ins.Navigate("/teach/courses/" + courseID + "?lang=" + lang)
		pageChecks(t, ins, "course-editor-"+lang)
	}
	ins.Navigate("/teach/lessons/" + videoID + "?lang=ar")
	pageChecks(t, ins, "course-lesson-editor-video-ar")
	ins.Navigate("/teach?lang=ar")
	pageChecks(t, ins, "course-teach-ar")

	// The learner finds the course, enrols and takes it.
	lb := srv.Browser(t)
	lb.Login("learner@example.org", pw)
	lb.Navigate("/courses?lang=en")
	lb.Fill("#q", "interpreters")
	lb.Submit("#q")
	if got := lb.Text("#catalogue-results"); !strings.Contains(got, "Interviewing witnesses through interpreters") {
		t.Fatalf("catalogue search for a word of the title: %q", got)
	}
	pageChecks(t, lb, "course-catalogue-en")
	lb.ClickAndWait("#catalogue-results h3 a")
	if got := lb.Text("#course-title"); got != "Interviewing witnesses through interpreters" {
		t.Fatalf("course page %q", got)
	}
	pageChecks(t, lb, "course-page-en")
	lb.Submit("#course-enrol")
	if !strings.HasSuffix(strings.SplitN(lb.Location(), "?", 2)[0], "/lessons/"+textID) {
		t.Fatalf("after enrolling: %s, want the first lesson", lb.Location())
	}
	if got := lb.Text("#lesson-text"); !strings.Contains(got, "Brief the interpreter before the interview") {
		t.Errorf("text lesson shows %q", got)
	}
	if n := e2e.Eval[int](lb, `document.querySelectorAll("#lesson-text h3, #lesson-text ol li, #lesson-text strong").length`); n != 5 {
		t.Errorf("the Markdown became %d heading/list/strong elements, want 5", n)
	}
	pageChecks(t, lb, "course-player-text-en")

	lb.ClickAndWait("#lesson-next")
	if got := lb.Text("#lesson-title"); got != "The interview room" {
		t.Fatalf("next lesson %q", got)
	}
	if got := lb.Text("#lesson-notes"); !strings.Contains(got, "beside the witness") {
		t.Errorf("the video lesson's notes: %q", got)
	}
	pageChecks(t, lb, "course-player-video-en")
	src := lb.Attr("#lesson-video", "src")
	if got := fetchInPage(lb, src, "bytes=0-99"); !strings.HasPrefix(got, "206 video/webm inline") || !strings.Contains(got, "bytes 0-99/") {
		t.Errorf("video range request: %q", got)
	}
	meta := e2e.Eval[[3]float64](lb, `new Promise((resolve, reject) => {
		const v = document.querySelector("#lesson-video");
		const done = () => resolve([v.videoWidth, v.videoHeight, v.duration]);
		if (v.readyState >= 1) { done(); return; }
		v.addEventListener("loadedmetadata", done);
		v.addEventListener("error", () => reject(new Error("video error " + (v.error && v.error.code))));
		v.load();
	})`)
	if meta[0] != 160 || meta[1] != 90 || meta[2] < 4.9 || meta[2] > 5.1 {
		t.Fatalf("video metadata %v, want 160x90, 5 s", meta)
	}
	// Play it to the end (muted: headless Chromium lets muted videos play without a gesture);
	// media-progress.js reports the position and the share watched on pause and end.
	played := e2e.Eval[float64](lb, `(async () => {
		const v = document.querySelector("#lesson-video");
		v.muted = true;
		const ended = new Promise(r => v.addEventListener("ended", r, {once: true}));
		await v.play();
		await ended;
		return v.currentTime;
	})()`)
	if played < 4.5 {
		t.Errorf("the video stopped at %.1f s", played)
	}
	var status string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		status = e2e.Eval[string](lb, `fetch("/api/v1/lessons/`+videoID+`", {credentials: "same-origin"}).then(r => r.json()).then(l => (l.progress && l.progress.status) || "")`)
		if status == "completed" {
			break
		}
	}
	if status != "completed" {
		t.Errorf("video lesson progress after watching it to the end: %q", status)
	}

	lb.ClickAndWait("#lesson-next")
	if got := lb.Text("#lesson-title"); got != "Interview plan template" {
		t.Fatalf("next lesson %q", got)
	}
	frame := lb.Attr("#lesson-document", "src")
	if got := fetchInPage(lb, frame, ""); !strings.HasPrefix(got, "200 application/pdf inline") || !strings.HasSuffix(got, "%PDF-") {
		t.Errorf("PDF shown in the page: %q", got)
	}
	if got := fetchInPage(lb, lb.Attr("#lesson-download", "href"), ""); !strings.HasPrefix(got, "200 application/pdf attachment;") || !strings.HasSuffix(got, "%PDF-") {
		t.Errorf("PDF download: %q", got)
	}
	pageChecks(t, lb, "course-player-document-en")
	lb.ClickAndWait("#lesson-prev")
	if got := lb.Text("#lesson-title"); got != "The interview room" {
		t.Errorf("previous lesson %q", got)
	}
	lb.Navigate("/lessons/" + docID)
	lb.ClickAndWait("#lesson-back")
	if got := lb.Text("#course-progress"); !strings.Contains(got, "100%") || !strings.Contains(got, "Completed on") {
		t.Errorf("course page after every lesson: %q", got)
	}
	pageChecks(t, lb, "course-page-completed-en")

	// The same pages in Arabic.
	lb.Navigate("/courses?lang=ar&q=interpreters")
	pageChecks(t, lb, "course-catalogue-ar")
	lb.Navigate("/courses/" + courseID + "?lang=ar")
	if got := lb.Text("#course-progress"); !strings.Contains(got, "اكتمل") {
		t.Errorf("Arabic course page progress: %q", got)
	}
	pageChecks(t, lb, "course-page-ar")
	for name, id := range map[string]string{"text": textID, "video": videoID, "document": docID} {
		lb.Navigate("/lessons/" + id + "?lang=ar")
		if got := e2e.Eval[string](lb, `getComputedStyle(document.body).direction`); got != "rtl" {
			t.Errorf("Arabic %s lesson: direction %q", name, got)
		}
		// The lesson is written in English: it reads left to right inside the Arabic page.
		if got := e2e.Eval[string](lb, `getComputedStyle(document.querySelector(".lesson-body")).direction`); got != "ltr" {
			t.Errorf("English %s lesson on an Arabic page: content direction %q", name, got)
		}
		pageChecks(t, lb, "course-player-"+name+"-ar")
	}
	lb.Navigate("/my?lang=ar")
	pageChecks(t, lb, "course-my-ar")
}
