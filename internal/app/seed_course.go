package app

import (
	"bytes"
	"context"
	"fmt"

	"glc/internal/samplemedia"
	"glc/modules/course"
	"glc/modules/library"
)

// DemoLesson adds one lesson to a section of the demo course. ctx carries the demo instructor
// (the course's owner), so the builder may call the course service and other modules as them.
type DemoLesson struct {
	// Name says what the lesson is, for error messages ("video lesson").
	Name string
	// Add creates the lesson in the section.
	Add func(ctx context.Context, a *App, courseID, sectionID int64) error
}

// demoSection is a section of the demo course and its lessons, in order.
type demoSection struct {
	title   string
	lessons []DemoLesson
}

// DemoCourseTitle is the title of the demo course.
const DemoCourseTitle = "Introduction to international notices and diffusions"

// demoCourse is the demo course: a lesson of every kind that is wired. The lesson kinds that
// other modules implement (package, quiz: seed_lessons.go) are added to App.DemoLessons when
// modules() wires them; those lessons go at the end of the last section, so that the course
// ends with an interactive case and a check of understanding.
func demoCourse() []demoSection {
	return []demoSection{
		{"Notices and diffusions: the basics", []DemoLesson{demoTextLesson, demoVideoLesson}},
		{"Working with requests", []DemoLesson{demoDocumentLesson, demoLinkLesson}},
	}
}

// seedCourse creates the demo course as the instructor in ctx, publishes it (open to
// self-enrolment, in the catalogue) and returns its id.
func (a *App) seedCourse(ctx context.Context) (int64, error) {
	s := a.Courses
	title, lang := DemoCourseTitle, "en"
	summary := "How police services ask each other for help across borders: what notices and diffusions are, when to use which, and how to check a request before you send it."
	desc := "This introductory course is for new staff of national central bureaus and for investigators who send or receive international requests.\n\n" +
		"You will learn to:\n\n" +
		"- tell the kinds of notices apart and choose between a notice and a diffusion;\n" +
		"- read a request from a partner bureau and decide what to do with it;\n" +
		"- check a request against a short list before you send it.\n\n" +
		"The course takes about an hour and a half. It is demonstration content written for the Global Learning Centre."
	c, err := s.Create(ctx, course.CourseInput{Title: &title, Summary: &summary, Language: &lang})
	if err != nil {
		return 0, err
	}
	topic, region, level, hours, self := "police-tools-databases", "global", "introductory", 1.5, true
	tags := []string{"notices", "diffusions", "international cooperation", "ncb"}
	if _, err := s.Update(ctx, c.ID, course.CourseInput{Description: &desc, Topic: &topic, Region: &region, Level: &level,
		EstimatedHours: &hours, SelfEnrolment: &self, Tags: &tags}); err != nil {
		return 0, err
	}
	sections := demoCourse()
	for i, sec := range sections {
		t := sec.title
		sv, err := s.AddSection(ctx, c.ID, course.SectionInput{Title: &t})
		if err != nil {
			return 0, fmt.Errorf("section %q: %w", sec.title, err)
		}
		lessons := sec.lessons
		if i == len(sections)-1 {
			lessons = append(lessons, a.DemoLessons...)
		}
		for _, l := range lessons {
			if err := l.Add(ctx, a, c.ID, sv.ID); err != nil {
				return 0, fmt.Errorf("%s: %w", l.Name, err)
			}
		}
	}
	if _, err := s.SetStatus(ctx, c.ID, course.StatusPublished); err != nil {
		return 0, err
	}
	return c.ID, nil
}

func addLesson(ctx context.Context, a *App, sectionID int64, kind, title, body, url string) (*course.LessonView, error) {
	in := course.LessonInput{Title: &title, Kind: &kind}
	if body != "" {
		in.Body = &body
	}
	if url != "" {
		in.URL = &url
	}
	return a.Courses.AddLesson(ctx, sectionID, in)
}

var demoTextLesson = DemoLesson{Name: "text lesson", Add: func(ctx context.Context, a *App, _, sec int64) error {
	_, err := addLesson(ctx, a, sec, course.KindText, "What notices and diffusions are", `A **notice** is an international request for cooperation or an alert, published by the general secretariat at the request of a member country's national central bureau (NCB) and sent to every member country. A **diffusion** is a request that an NCB sends directly to the countries it chooses; it is quicker, but it reaches only those countries.

## The kinds of notices

Notices are named by colour. Each colour answers one question:

| Notice | What it asks for |
| --- | --- |
| Red | to locate and provisionally arrest a wanted person, pending extradition |
| Yellow | to help find a missing person, often a child |
| Blue | more information about a person's identity, location or activities |
| Black | information about an unidentified body |
| Green | a warning about a person's criminal activities |
| Orange | a warning about an event, a person or an object that is an imminent threat |
| Purple | information about the methods and devices used by criminals |

## Notice or diffusion?

Choose a **notice** when the person or the threat may be anywhere in the world, and when the request must be checked against the rules before it goes out. Choose a **diffusion** when you know which countries are concerned and time matters.

> Every request is checked against the rules on data protection and neutrality: no request may concern an offence of a political, military, religious or racial character.

In the next lesson, you watch how an NCB officer handles a request from a partner bureau.`, "")
	return err
}}

var demoVideoLesson = DemoLesson{Name: "video lesson", Add: func(ctx context.Context, a *App, _, sec int64) error {
	l, err := addLesson(ctx, a, sec, course.KindVideo, "A request from a partner bureau", `Watch how the duty officer of a national central bureau receives a diffusion from a partner bureau, checks it, and decides what to do within the hour.

While you watch, note the three checks the officer makes before acting on the request.

*In the demo, the video is a short grey placeholder made by GLC; replace it with your own recording in the lesson editor.*`, "")
	if err != nil {
		return err
	}
	_, err = a.Courses.UploadMedia(ctx, l.ID, "", "partner-bureau-request.webm", bytes.NewReader(samplemedia.WebM(160, 90, 10, 2)))
	return err
}}

var demoDocumentLesson = DemoLesson{Name: "document lesson", Add: func(ctx context.Context, a *App, _, sec int64) error {
	l, err := addLesson(ctx, a, sec, course.KindDocument, "Checklist: before you send a request", "Print this checklist or keep it open beside you when you prepare a request.", "")
	if err != nil {
		return err
	}
	pdf := library.MakePDF("Checklist: before you send a request", []string{
		"Use this checklist before a request for cooperation leaves your bureau.",
		"1. Identity: the person's full name, date of birth, nationality and, where you have them, photographs and fingerprints.",
		"2. Facts: a short summary of the case, the offence under your national law and the date and place it was committed.",
		"3. Legal basis: a valid arrest warrant or court decision, with its date and the authority that issued it.",
		"4. Purpose: say what you ask the receiving country to do, and what you will do if the person is found.",
		"5. Rules: check that the request concerns no offence of a political, military, religious or racial character, and that the data may be shared.",
		"6. Contact: the officer in charge, a telephone number answered day and night, and the languages you can work in.",
		"Demonstration content written for the Global Learning Centre.",
	})
	_, err = a.Courses.UploadMedia(ctx, l.ID, "", "request-checklist.pdf", bytes.NewReader(pdf))
	return err
}}

var demoLinkLesson = DemoLesson{Name: "link lesson", Add: func(ctx context.Context, a *App, _, sec int64) error {
	// A reserved example domain: the demo names no real site.
	_, err := addLesson(ctx, a, sec, course.KindLink, "Further reading: sharing personal data in police cooperation", "", "https://training.example.org/data-protection-in-police-cooperation")
	return err
}}
