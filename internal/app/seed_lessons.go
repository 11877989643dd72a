package app

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"time"

	"glc/modules/course"
	"glc/modules/quiz"
	"glc/modules/scorm"
)

// The demo course's package and quiz lessons: the kinds that the quiz and SCORM modules
// implement. modules() puts them in App.DemoLessons when it wires those modules, so the demo
// course ends with an interactive module and a check of understanding.

// demoQuizSettings: 60 % to pass, as many attempts as wanted, the answers and their feedback
// shown as soon as an attempt is submitted.
const demoQuizSettings = `{"pass_percent": 60, "shuffle_options": true, "review": {"when": "immediately", "score": true, "answers": true, "feedback": true}}`

// demoQuestions are the quiz's five questions, one of each of five kinds, on what the course's
// earlier lessons teach.
func demoQuestions() []quiz.QuestionInput {
	no := false
	return []quiz.QuestionInput{
		{Kind: quiz.KindSingle, Title: "Choosing a notice",
			Prompt: "A national central bureau asks partner countries to locate a fugitive and arrest them provisionally, pending extradition. Which notice does it request?",
			Spec: quiz.Spec{Options: []quiz.Option{
				{Text: "Red notice", Correct: true},
				{Text: "Yellow notice", Feedback: "A yellow notice helps to find a missing person."},
				{Text: "Blue notice", Feedback: "A blue notice collects information about a person; it does not ask for an arrest."},
				{Text: "Green notice", Feedback: "A green notice warns about a person's criminal activities."},
			}},
			GeneralFeedback: "A red notice asks to locate and provisionally arrest a wanted person, pending extradition."},
		{Kind: quiz.KindTrueFalse, Title: "Who receives a diffusion",
			Prompt:          "A diffusion reaches every member country, just like a notice.",
			Spec:            quiz.Spec{Answer: &no, FalseFeedback: "Right: the bureau that sends a diffusion chooses the countries it goes to.", TrueFeedback: "No: a diffusion goes only to the countries the sending bureau chooses."},
			GeneralFeedback: "A notice is published to every member country; a diffusion is sent directly to the countries the bureau chooses, which makes it quicker but narrower."},
		{Kind: quiz.KindMultiple, Title: "Before a request leaves your bureau",
			Prompt: "Which of these must be in a request for cooperation before it leaves your bureau? Choose every one that applies.",
			Spec: quiz.Spec{Scoring: quiz.ScoreProportional, Options: []quiz.Option{
				{Text: "The legal basis: a valid arrest warrant or court decision, with its date", Correct: true},
				{Text: "What you ask the receiving country to do", Correct: true},
				{Text: "An officer in charge and a telephone number answered day and night", Correct: true},
				{Text: "Your own opinion of the person's character"},
				{Text: "The list of every country that has refused a request from you"},
			}},
			GeneralFeedback: "The checklist in the second section lists identity, facts, legal basis, purpose, the rules and a contact."},
		{Kind: quiz.KindMatching, Title: "Notices and what they ask for",
			Prompt: "Match each notice with what it asks for.",
			Spec: quiz.Spec{Pairs: []quiz.Pair{
				{Text: "Yellow", Answer: "Help to find a missing person"},
				{Text: "Black", Answer: "Information about an unidentified body"},
				{Text: "Blue", Answer: "More information about a person's identity, location or activities"},
				{Text: "Orange", Answer: "A warning about an imminent threat"},
			}, Distractors: []string{"The methods and devices used by criminals"}},
			GeneralFeedback: "The methods and devices used by criminals are the subject of a purple notice."},
		{Kind: quiz.KindOrdering, Title: "Handling an incoming diffusion",
			Prompt: "A diffusion from a partner bureau arrives during your shift. Put the steps in the order you take them.",
			Spec: quiz.Spec{Items: []quiz.OrderItem{
				{Text: "Record the request and the time it arrived"},
				{Text: "Check that it is complete and that the rules allow you to act on it"},
				{Text: "Search the national databases for the person"},
				{Text: "Tell the requesting bureau what you found"},
			}},
			GeneralFeedback: "Record first, so that nothing is lost; check before you act; search; then answer the bureau that asked."},
	}
}

var demoQuizLesson = DemoLesson{Name: "quiz lesson", Add: func(ctx context.Context, a *App, _, sec int64) error {
	title, kind := "Check your understanding", course.KindQuiz
	body := "Five questions on notices, diffusions and the checklist. You need 60 % to pass, and you may try again as often as you like; after each attempt you see the right answers and why."
	l, err := a.Courses.AddLesson(ctx, sec, course.LessonInput{Title: &title, Kind: &kind, Body: &body, Quiz: []byte(demoQuizSettings)})
	if err != nil {
		return err
	}
	for i, q := range demoQuestions() {
		if _, _, err := a.Quizzes.AddQuestion(ctx, l.ID, q); err != nil {
			return fmt.Errorf("question %d: %w", i+1, err)
		}
	}
	return nil
}}

var demoPackageLesson = DemoLesson{Name: "package lesson", Add: func(ctx context.Context, a *App, _, sec int64) error {
	zipped, err := DemoPackage()
	if err != nil {
		return err
	}
	_, err = a.Packages.Import(ctx, scorm.ImportRequest{SectionID: sec, Zip: bytes.NewReader(zipped), Size: int64(len(zipped))})
	return err
}}

// DemoPackageTitle is the title of the demo SCORM package (and of its lesson).
const DemoPackageTitle = "Reading a diffusion: an interactive case"

// DemoPackage builds the demo course's SCORM 1.2 package: one SCO of two screens (a case, then
// three questions about it) that reports its bookmark, a score out of 100 and "passed" (two
// right answers or more) or "failed" through the SCORM API. The content is GLC's own.
func DemoPackage() ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	modified := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range []struct{ name, body string }{
		{"imsmanifest.xml", demoManifest}, {"index.html", demoSCOPage}, {"sco.js", demoSCOScript}, {"sco.css", demoSCOStyle},
	} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(f.body)); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

const demoManifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="glc.demo.reading-a-diffusion" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="glc-demo">
    <organization identifier="glc-demo">
      <title>` + DemoPackageTitle + `</title>
      <item identifier="case" identifierref="case-sco"><title>A diffusion from a partner bureau</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="case-sco" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
      <file href="sco.js"/>
      <file href="sco.css"/>
    </resource>
  </resources>
</manifest>
`

const demoSCOPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reading a diffusion</title>
<link rel="stylesheet" href="sco.css">
<script src="sco.js" defer></script>
</head>
<body>
<main>
<section id="screen-1" aria-labelledby="h1">
  <p class="step">Screen 1 of 2</p>
  <h1 id="h1" tabindex="-1">A diffusion from a partner bureau</h1>
  <p>It is early morning at your national central bureau. A diffusion arrives from a partner bureau. It asks each bureau that received it to locate a man suspected of fraud against several banks, and to arrest him if he is found.</p>
  <p>The diffusion gives his name, date of birth and nationality, two photographs, a summary of the facts and the number of an arrest warrant issued by an investigating judge last month. The officer in charge can be reached day and night.</p>
  <p>A search in your national databases finds that the man entered your country by air three days ago.</p>
  <p><button type="button" id="to-check">Go to the questions</button></p>
</section>
<section id="screen-2" aria-labelledby="h2" hidden>
  <p class="step">Screen 2 of 2</p>
  <h1 id="h2" tabindex="-1">What do you do?</h1>
  <form id="check">
    <fieldset>
      <legend>1. Before you act on the request to arrest him, what must you be sure of?</legend>
      <label><input type="radio" name="q1" value="a"> That the arrest warrant is valid and the rules allow you to act on the diffusion</label>
      <label><input type="radio" name="q1" value="b"> That the photographs are recent</label>
      <label><input type="radio" name="q1" value="c"> That every member country received the same diffusion</label>
    </fieldset>
    <fieldset>
      <legend>2. The man is found. Whom do you tell first?</legend>
      <label><input type="radio" name="q2" value="a"> The press office of your police service</label>
      <label><input type="radio" name="q2" value="b"> The bureau that sent the diffusion</label>
      <label><input type="radio" name="q2" value="c"> Every bureau in the region</label>
    </fieldset>
    <fieldset>
      <legend>3. The summary of the facts turns out to describe an offence of a purely political character. What do you do?</legend>
      <label><input type="radio" name="q3" value="a"> Arrest him as for any other offence</label>
      <label><input type="radio" name="q3" value="b"> Send the diffusion on to every member country</label>
      <label><input type="radio" name="q3" value="c"> Do not act on it, and tell the requesting bureau why</label>
    </fieldset>
    <p><button type="submit" id="submit-answers">Check my answers</button></p>
  </form>
  <div id="result" role="status" aria-live="polite"></div>
  <p><button type="button" id="back">Read the case again</button></p>
</section>
<p class="credit">Demonstration content written for the Global Learning Centre.</p>
</main>
</body>
</html>
`

const demoSCOScript = `(function () {
  "use strict";
  // The SCORM 1.2 API is an object named API in a parent (or opener) window.
  function find(win) {
    for (var i = 0; win && i < 10; i++) {
      if (win.API) { return win.API; }
      if (!win.parent || win.parent === win) { break; }
      win = win.parent;
    }
    return null;
  }
  var api = find(window) || (window.opener ? find(window.opener) : null);
  var started = Date.now();
  var done = false;
  function call(name, a, b) {
    if (!api) { return ""; }
    try { return String(b === undefined ? api[name](a) : api[name](a, b)); } catch (e) { return ""; }
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function sessionTime() {
    var s = Math.floor((Date.now() - started) / 1000);
    return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
  }
  function show(n) {
    document.getElementById("screen-1").hidden = n !== 1;
    document.getElementById("screen-2").hidden = n !== 2;
    document.getElementById("h" + n).focus();
    call("LMSSetValue", "cmi.core.lesson_location", "screen-" + n);
    call("LMSCommit", "");
  }
  function finish() {
    if (done) { return; }
    done = true;
    call("LMSSetValue", "cmi.core.session_time", sessionTime());
    call("LMSSetValue", "cmi.core.exit", "");
    call("LMSCommit", "");
    call("LMSFinish", "");
  }
  var right = { q1: "a", q2: "b", q3: "c" };
  call("LMSInitialize", "");
  if (call("LMSGetValue", "cmi.core.lesson_status") === "not attempted") {
    call("LMSSetValue", "cmi.core.lesson_status", "incomplete");
  }
  document.getElementById("to-check").addEventListener("click", function () { show(2); });
  document.getElementById("back").addEventListener("click", function () { show(1); });
  document.getElementById("check").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var correct = 0, answered = 0;
    Object.keys(right).forEach(function (q) {
      var c = document.querySelector("input[name=" + q + "]:checked");
      if (c) { answered++; }
      if (c && c.value === right[q]) { correct++; }
    });
    var out = document.getElementById("result");
    if (answered < 3) {
      out.textContent = "Answer the three questions first.";
      return;
    }
    var score = Math.round(correct * 100 / 3);
    var passed = correct >= 2;
    call("LMSSetValue", "cmi.core.score.min", "0");
    call("LMSSetValue", "cmi.core.score.max", "100");
    call("LMSSetValue", "cmi.core.score.raw", String(score));
    call("LMSSetValue", "cmi.core.lesson_status", passed ? "passed" : "failed");
    call("LMSSetValue", "cmi.core.session_time", sessionTime());
    call("LMSCommit", "");
    out.textContent = correct + " of 3 right. " + (passed ?
      "Well done: check the warrant and the rules first, answer the bureau that asked, and never act on a request of a political character." :
      "Read the case again and try once more: check the warrant and the rules first, answer the bureau that asked, and never act on a request of a political character.");
  });
  window.addEventListener("pagehide", finish);
  window.addEventListener("beforeunload", finish);
  var at = call("LMSGetValue", "cmi.core.lesson_location");
  if (at === "screen-2") { show(2); }
  var status = call("LMSGetValue", "cmi.core.lesson_status"), last = call("LMSGetValue", "cmi.core.score.raw");
  if ((status === "passed" || status === "failed") && last !== "") {
    document.getElementById("result").textContent = "Your last result: " + last + " out of 100. You may answer again.";
  }
})();
`

const demoSCOStyle = `body { font: 1rem/1.5 system-ui, sans-serif; color: #1b1b1b; background: #fff; margin: 0; }
main { max-width: 42rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.5rem; margin: .25rem 0 1rem; }
.step, .credit { color: #4a4a4a; font-size: .9rem; }
fieldset { border: 1px solid #c5c5c5; border-radius: .25rem; margin: 0 0 1rem; padding: .75rem 1rem; }
legend { font-weight: 600; padding: 0 .25rem; }
label { display: grid; grid-template-columns: auto 1fr; gap: .5rem; align-items: baseline; margin: .4rem 0; }
button { font: inherit; padding: .5rem 1rem; border: 1px solid #0b5394; border-radius: .25rem; background: #0b5394; color: #fff; cursor: pointer; }
button:focus-visible, input:focus-visible { outline: 3px solid #f9a825; outline-offset: 2px; }
h1:focus { outline: none; }
#back { background: #fff; color: #0b5394; }
#result { margin: 1rem 0; font-weight: 600; }
`
