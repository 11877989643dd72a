package e2e_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"glc/internal/e2e"
)

// TestAdminManagesCoursesTopicsAndMandatoryCourses: an admin finds a draft among all courses,
// adds a topic, and makes a course mandatory for a country in the browser; the Kenyan learner
// then finds it on My learning with its due date. Screenshots in English and Arabic; axe-core
// on every page.
func TestAdminManagesCoursesTopicsAndMandatoryCourses(t *testing.T) {
	srv := e2e.Start(t, "GLC_SEED_DEMO=false")
	const pw = "a long enough passphrase 42"
	srv.Glc(t, pw+"\n", "user", "create", "--email", "admin@example.org", "--name", "Amina Diallo", "--role", "admin", "--country", "SN")
	srv.Glc(t, pw+"\n", "user", "create", "--email", "teacher@example.org", "--name", "Grace Mwangi", "--role", "instructor", "--country", "KE")
	srv.Glc(t, pw+"\n", "user", "create", "--email", "learner@example.org", "--name", "Peter Otieno", "--role", "learner", "--country", "KE")
	teacher := apiLogin(t, srv, "teacher@example.org", pw)
	course := teacher.id("POST", "/api/v1/courses", map[string]any{"title": "Information security awareness", "summary": "Before access to police databases.", "language": "en"})
	sec := teacher.id("POST", fmt.Sprintf("/api/v1/courses/%d/sections", course), map[string]any{"title": "Basics"})
	teacher.id("POST", fmt.Sprintf("/api/v1/sections/%d/lessons", sec), map[string]any{"title": "Passwords and phishing", "kind": "text", "body": "Use long passphrases."})
	teacher.do("POST", fmt.Sprintf("/api/v1/courses/%d/publish", course), nil, http.StatusOK, nil)
	teacher.id("POST", "/api/v1/courses", map[string]any{"title": "Drone evidence handling", "summary": "A draft.", "language": "en"})

	b := srv.Browser(t)
	b.Login("admin@example.org", pw)
	for _, lang := range []string{"en", "ar"} {
		b.Navigate("/admin/courses?lang=" + lang)
		b.Screenshot("admin-courses-" + lang)
		b.Axe()
	}
	b.Navigate("/admin/courses?lang=en")
	b.Fill("#admin-q", "drone")
	b.Submit("#admin-courses-search")
	if txt := b.Text("#admin-courses"); !strings.Contains(txt, "Drone evidence handling") || strings.Contains(txt, "Information security") {
		t.Errorf("search among all courses: %q", txt)
	}

	b.Navigate("/admin/topics")
	b.Fill("#topic-new-slug", "port-security")
	b.Fill("#topic-new-en", "Port security")
	b.Fill("#topic-new-fr", "Sûreté portuaire")
	b.Fill("#topic-new-es", "Seguridad portuaria")
	b.Fill("#topic-new-ar", "أمن الموانئ")
	b.Submit("#topic-new")
	if txt := b.Text("main"); !strings.Contains(txt, "Port security") {
		t.Errorf("the new topic is not listed: %q", txt)
	}
	for _, lang := range []string{"en", "ar"} {
		b.Navigate("/admin/topics?lang=" + lang)
		b.Screenshot("admin-topics-" + lang)
		b.Axe()
	}

	b.Navigate("/assignments?lang=en")
	b.SetValue("#assign-course", fmt.Sprint(course))
	b.Click("#scope-country")
	b.SetValue("#assign-country", "KE")
	b.SetValue("#assign-due", "2030-01-31")
	b.Submit("#assign-form")
	if txt := b.Text("#assignments"); !strings.Contains(txt, "Information security awareness") || !strings.Contains(txt, "Kenya") {
		t.Errorf("assignment list: %q", txt)
	}
	for _, lang := range []string{"en", "ar"} {
		b.Navigate("/assignments?lang=" + lang)
		b.Screenshot("admin-assignments-" + lang)
		b.Axe()
	}

	l := srv.Browser(t)
	l.Login("learner@example.org", pw)
	l.Navigate("/my")
	if txt := l.Text("main"); !strings.Contains(txt, "Information security awareness") {
		t.Errorf("the mandatory course is not on My learning: %q", txt)
	}
}
