package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"

	"glc/internal/auth"
	"glc/modules/account"
	"glc/modules/library"
	"glc/modules/portal"
	"glc/modules/programme"
)

// demoDomain is the e-mail domain of the demo users (a reserved example domain).
const demoDomain = "demo.glc.example"

// ErrAlreadySeeded means the demo content is already there.
var ErrAlreadySeeded = errors.New("the demo content is already loaded")

// SeedIfEmpty loads the demo content when the database has no users yet (the embedded
// default's first start); it reports whether it did.
func (a *App) SeedIfEmpty(ctx context.Context, out io.Writer) (bool, error) {
	var n int64
	if err := a.DB.WithContext(ctx).Table("users").Count(&n).Error; err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	return true, a.SeedDemo(ctx, out)
}

// SeedDemo loads believable demo content written for GLC: a user for each role (passwords
// printed once, here), a published course with a lesson of every wired kind (its instructor
// is the demo instructor), training programmes with sessions, a journal with five issues whose
// PDFs are generated, training websites, news and an upcoming symposium.
func (a *App) SeedDemo(ctx context.Context, out io.Writer) error {
	var n int64
	if err := a.DB.WithContext(ctx).Table("users").Where("email_key = ?", "admin@"+demoDomain).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return ErrAlreadySeeded
	}
	users := map[string]*account.User{}
	fmt.Fprintln(out, "Demo users (these passwords are shown only once):")
	for _, u := range []struct{ role, name, country string }{
		{"learner", "Amina Wanjiru", "KE"}, {"instructor", "Lucía Fernández", "ES"},
		{"coordinator", "Joseph Otieno", "KE"}, {"admin", "Claire Dubois", "FR"},
	} {
		pw, err := randomPassword()
		if err != nil {
			return err
		}
		in := account.NewUser{Email: u.role + "@" + demoDomain, Password: pw, Name: u.name, Country: u.country}
		if u.role != "learner" {
			in.Roles = []string{u.role}
		}
		usr, err := a.Accounts.Create(ctx, in)
		if err != nil {
			return fmt.Errorf("demo user %s: %w", u.role, err)
		}
		users[u.role] = usr
		fmt.Fprintf(out, "  %-12s %-28s %s\n", u.role, in.Email, pw)
	}
	admin := auth.WithPrincipal(ctx, account.Principal(users["admin"]))
	courseID, err := a.seedCourse(auth.WithPrincipal(ctx, account.Principal(users["instructor"])))
	if err != nil {
		return fmt.Errorf("demo course: %w", err)
	}
	courseIDs := []int64{courseID}
	if err := seedProgrammes(admin, a.Programmes, courseIDs); err != nil {
		return err
	}
	if err := seedLibrary(admin, a.Library); err != nil {
		return err
	}
	if err := seedPortal(admin, a.Portal); err != nil {
		return err
	}
	fmt.Fprintln(out, "Demo content loaded: a course with a lesson of every kind (text, video, document, link, SCORM package, quiz), programmes, a journal with five issues, training websites, news and a symposium.")
	return nil
}

func randomPassword() (string, error) {
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func day(offset int) string { return time.Now().UTC().AddDate(0, 0, offset).Format("2006-01-02") }

func seedProgrammes(ctx context.Context, s *programme.Service, courses []int64) error {
	type session struct {
		start, days int
		place, lang string
		seats       int
		status      string
	}
	list := []struct {
		in       programme.ProgrammeInput
		sessions []session
	}{
		{programme.ProgrammeInput{Title: "National Central Bureau staff programme", Region: "Global", Focus: "International police cooperation", DurationDays: 14, Languages: []string{"en", "fr", "es", "ar"},
			Summary:     "Two weeks for new staff of national central bureaus: notices, diffusions, secure communications and the daily work of cross-border cooperation.",
			Description: "Participants follow a case from the first request for assistance to its closure. They practise drafting notices and diffusions, checking databases and answering partner bureaus within agreed deadlines.\n\nThe programme begins with online pre-course modules so that the two weeks in class go to exercises, visits and exchanges between bureaus.",
			CourseIDs:   courses}, []session{{30, 13, "Lyon, France", "en", 24, programme.SessionOpen}, {120, 13, "Buenos Aires, Argentina", "es", 20, programme.SessionPlanned}}},
		{programme.ProgrammeInput{Title: "Mobile training programme", Region: "Africa and the Middle East", Focus: "Frontline policing and border checks", DurationDays: 21, Languages: []string{"fr", "ar", "en"},
			Summary:     "A three-week programme delivered on site by a travelling team of trainers, adapted to the host country's equipment and procedures.",
			Description: "The trainers spend one week with instructors of the host academy, then co-deliver two weeks to frontline officers, so that the host academy can run the course again on its own."},
			[]session{{75, 20, "Dakar, Senegal", "fr", 30, programme.SessionOpen}}},
		{programme.ProgrammeInput{Title: "Combating organized crime in the Americas", Region: "Americas", Focus: "Organized crime, illicit markets, asset recovery", DurationDays: 10, Languages: []string{"es", "en"},
			Summary:     "Regional capacity building for investigators and prosecutors working on criminal networks that operate across borders.",
			Description: "Modules cover network analysis, financial investigations, controlled deliveries and joint investigation teams. Each participant brings an anonymised case from their own service."},
			[]session{{45, 9, "San José, Costa Rica", "es", 25, programme.SessionOpen}}},
		{programme.ProgrammeInput{Title: "Counter-terrorism capacity building: Horn of Africa, Sahel and Asia", Region: "Horn of Africa, Sahel, Asia", Focus: "Counter-terrorism, border security, information sharing", DurationDays: 12, Languages: []string{"en", "fr", "ar"},
			Summary:     "Regional sessions on preventing and investigating terrorist offences, with a focus on information sharing between border, police and intelligence services.",
			Description: "Sessions alternate between the three regions. They cover travel document checks, the use of biometric data under national law, crisis coordination and the protection of victims and witnesses."},
			[]session{{60, 11, "Nairobi, Kenya", "en", 28, programme.SessionOpen}, {150, 11, "Niamey, Niger", "fr", 28, programme.SessionPlanned}, {210, 11, "Jakarta, Indonesia", "en", 28, programme.SessionPlanned}}},
		{programme.ProgrammeInput{Title: "Preventing migrant smuggling in South East Asia", Region: "South East Asia", Focus: "Migrant smuggling and trafficking in persons", DurationDays: 5, Languages: []string{"en"},
			Summary:     "A week on identifying smuggling routes, protecting vulnerable migrants and building cases that hold in court.",
			Description: "Officers from immigration, coast guard and police services work together on realistic scenarios at sea, at airports and at land crossings."},
			[]session{{90, 4, "Bangkok, Thailand", "en", 30, programme.SessionOpen}}},
		{programme.ProgrammeInput{Title: "Threat assessment and criminal intelligence analysis workshop", Region: "Global", Focus: "Strategic and operational analysis", DurationDays: 5, Languages: []string{"en", "fr"},
			Summary:     "A hands-on workshop on turning information into assessments that decision makers can act on.",
			Description: "Participants practise source evaluation, structured analytic techniques and the writing of short threat assessments, then present them to a panel of senior officers."},
			[]session{{40, 4, "Singapore", "en", 18, programme.SessionOpen}}},
		{programme.ProgrammeInput{Title: "Seminar on UN Security Council sanctions", Region: "Global", Focus: "Sanctions lists, travel bans and asset freezes", DurationDays: 3, Languages: []string{"en", "fr", "es"},
			Summary:     "How police services apply Security Council sanctions: checking lists, enforcing travel bans and asset freezes, and sharing information with partners.",
			Description: "The seminar brings together police, customs and financial intelligence units to compare practice and agree on contact points."},
			[]session{{100, 2, "Vienna, Austria", "en", 40, programme.SessionPlanned}}},
	}
	for _, p := range list {
		p.in.Published = true
		d, err := s.Create(ctx, p.in)
		if err != nil {
			return fmt.Errorf("demo programme %q: %w", p.in.Title, err)
		}
		for _, ss := range p.sessions {
			_, err := s.AddSession(ctx, d.ID, programme.SessionInput{StartsOn: day(ss.start), EndsOn: day(ss.start + ss.days), Place: ss.place,
				Language: ss.lang, Seats: ss.seats, Status: ss.status})
			if err != nil {
				return fmt.Errorf("demo session: %w", err)
			}
		}
	}
	return nil
}

func str(s string) *string { return &s }

func seedLibrary(ctx context.Context, s *library.Service) error {
	sr, err := s.CreateSeries(ctx, library.SeriesInput{Title: "Police Training Review", Language: "en", Topic: "training-skills",
		Description: "A twice-yearly journal by and for police trainers: teaching methods, curriculum design and lessons from programmes around the world."})
	if err != nil {
		return err
	}
	issues := []struct {
		title, summary, date string
		contents             []string
	}{
		{"Designing scenario-based exercises", "How to write training scenarios that stay realistic without exposing real cases, with a checklist for exercise designers.", "-900",
			[]string{"Editorial: practice before theory", "Writing a scenario in five steps", "Role players and how to brief them", "Checklist for exercise designers"}},
		{"Blended learning for frontline officers", "What works when e-learning prepares officers for classroom days, and what does not: results from three academies.", "-720",
			[]string{"Editorial: the classroom is not dead", "Pre-course modules that officers finish", "Measuring what was learned", "Interview: an academy director"}},
		{"Interviewing vulnerable witnesses", "Training investigators to interview children, victims of trafficking and traumatised witnesses with care.", "-540",
			[]string{"Editorial: the first contact matters", "A trauma-informed interview model", "Working with interpreters", "Exercises for the classroom"}},
		{"Digital evidence for every officer", "Basic handling of phones and computers at the scene, taught to patrol officers in a single day.", "-360",
			[]string{"Editorial: every case is a digital case", "Seize, isolate, document", "A one-day course outline", "Common mistakes and how to avoid them"}},
		{"Training across borders", "Joint courses for officers of neighbouring countries: language, law and trust.", "-180",
			[]string{"Editorial: learning together", "Running a course in two languages", "Comparing legal frameworks in class", "Follow-up networks after the course"}},
	}
	for i, is := range issues {
		n := i + 1
		paras := append([]string{fmt.Sprintf("Police Training Review, issue %d.", n), is.summary, "Contents:"}, is.contents...)
		paras = append(paras, "This issue is demonstration content written for the Global Learning Centre.")
		pdf := library.MakePDF(fmt.Sprintf("Police Training Review %d: %s", n, is.title), paras)
		f, err := s.StoreFile(ctx, bytes.NewReader(pdf), fmt.Sprintf("police-training-review-%d.pdf", n))
		if err != nil {
			return err
		}
		sid, num, date := sr.ID, n, dayOffset(is.date)
		contents := ""
		for _, c := range is.contents {
			contents += c + "\n"
		}
		_, err = s.Create(ctx, library.ResourceInput{Kind: str(library.KindPublication), Title: str(fmt.Sprintf("Police Training Review %d: %s", n, is.title)),
			Summary: str(is.summary), Authors: str("GLC editorial team"), Language: str("en"), Topic: str("training-skills"), Region: str("Global"),
			PublishedOn: &date, Tags: str("journal, training"), Licence: str("CC BY 4.0"), SeriesID: &sid, IssueNumber: &num, Contents: &contents}, f, nil)
		if err != nil {
			s.Discard(ctx, f)
			return err
		}
	}
	others := []struct {
		kind, title, summary, lang, topic, date, access string
		body                                            []string
	}{
		{library.KindGuide, "Handbook for first responders at a crime scene", "Protecting the scene, recording what was found and handing over to investigators.", "en", "forensics", "-400", library.AccessPublic,
			[]string{"Arrive, assess, protect.", "Record what you see before anything is moved.", "Hand over with a written log."}},
		{library.KindReport, "Rapport sur la formation des formateurs 2024", "Bilan des sessions de formation de formateurs et recommandations pour l'année suivante.", "fr", "training-skills", "-200", library.AccessMembers,
			[]string{"Résumé des sessions.", "Recommandations."}},
		{library.KindGuide, "Guía de cooperación policial internacional", "Cómo preparar una solicitud de cooperación y qué canales usar.", "es", "police-tools-databases", "-300", library.AccessPublic,
			[]string{"Preparar la solicitud.", "Elegir el canal adecuado."}},
	}
	for _, o := range others {
		pdf := library.MakePDF(o.title, append([]string{o.summary}, o.body...))
		f, err := s.StoreFile(ctx, bytes.NewReader(pdf), "document.pdf")
		if err != nil {
			return err
		}
		date := dayOffset(o.date)
		if _, err := s.Create(ctx, library.ResourceInput{Kind: str(o.kind), Title: str(o.title), Summary: str(o.summary), Language: str(o.lang),
			Topic: str(o.topic), PublishedOn: &date, Access: str(o.access), Licence: str("CC BY 4.0")}, f, nil); err != nil {
			s.Discard(ctx, f)
			return err
		}
	}
	// Training websites: clearly fictional entries on reserved example domains (the server
	// never fetches them unless GLC_LINK_CHECK is on).
	for _, w := range []struct{ title, url, country, lang, summary string }{
		{"National Police Academy (example)", "https://academy.example.org/", "KE", "en", "Courses and admissions of a national police academy."},
		{"École nationale de police (exemple)", "https://ecole-police.example.net/", "SN", "fr", "Formations initiales et continues des officiers de police."},
		{"Instituto de Formación Policial (ejemplo)", "https://formacion-policial.example.com/", "CR", "es", "Cursos presenciales y en línea para policías."},
		{"Regional Training Centre for Border Security (example)", "https://border-training.example.org/", "TH", "en", "Regional courses on border management and document checks."},
		{"أكاديمية الشرطة (مثال)", "https://police-academy-ar.example.net/", "JO", "ar", "برامج تدريبية لضباط الشرطة."},
	} {
		if _, err := s.Create(ctx, library.ResourceInput{Kind: str(library.KindLink), Title: str(w.title), URL: str(w.url), Country: str(w.country),
			Language: str(w.lang), Summary: str(w.summary), Topic: str("training-skills")}, nil, nil); err != nil {
			return err
		}
	}
	return nil
}

func dayOffset(off string) string {
	var n int
	fmt.Sscanf(off, "%d", &n)
	return day(n)
}

func seedPortal(ctx context.Context, s *portal.Service) error {
	now := time.Now().UTC()
	for _, n := range []portal.NewsInput{
		{Title: "New e-learning modules on digital evidence", Topic: "cybercrime", Language: "en", PublishedAt: now.AddDate(0, 0, -2).Format(time.RFC3339),
			Summary: "Three short modules teach patrol officers how to seize and preserve phones and computers.",
			Body:    "Three new modules are available in the catalogue:\n\n- **Seize**: what to do in the first minutes\n- **Isolate**: keeping devices from changing\n- **Document**: notes and photographs that hold up in court\n\nEach module takes about twenty minutes."},
		{Title: "Applications open for the NCB staff programme", Topic: "programmes", Language: "en", PublishedAt: now.AddDate(0, 0, -6).Format(time.RFC3339),
			Summary: "Staff of national central bureaus can apply for the next two-week session; coordinators endorse applications.",
			Body:    "The next session of the *National Central Bureau staff programme* opens for applications. Apply from the programme page; the coordinator of your country will be asked to endorse your application."},
		{Title: "Police Training Review: issue 5 is out", Topic: "publications", Language: "en", PublishedAt: now.AddDate(0, 0, -12).Format(time.RFC3339),
			Summary: "The new issue looks at joint courses for officers of neighbouring countries.",
			Body:    "Issue 5 of the *Police Training Review* is in the library. It covers courses run in two languages, comparing legal frameworks in class, and the networks that participants keep after the course."},
		{Title: "Nouveau programme de formation mobile", Topic: "programmes", Language: "fr", PublishedAt: now.AddDate(0, 0, -20).Format(time.RFC3339),
			Summary: "Une équipe de formateurs se déplace pendant trois semaines auprès des académies partenaires.",
			Body:    "Le programme de formation mobile associe une semaine avec les formateurs de l'académie d'accueil et deux semaines de formation conjointe des agents de terrain."},
	} {
		if _, err := s.CreateNews(ctx, n); err != nil {
			return fmt.Errorf("demo news: %w", err)
		}
	}
	start := time.Date(now.Year(), now.Month(), now.Day(), 9, 0, 0, 0, time.UTC).AddDate(0, 0, 60)
	_, err := s.CreateEvent(ctx, portal.EventInput{Title: "Global Police Training Symposium", Place: "Lyon, France", Language: "en", Capacity: 150, RegistrationOpen: true,
		StartsAt: start.Format(time.RFC3339), EndsAt: start.Add(56 * time.Hour).Format(time.RFC3339),
		Summary:   "Three days for heads of police academies and trainers to share what works in police education.",
		Programme: "**Day 1**: opening, keynote on blended learning, regional panels\n\n**Day 2**: workshops on scenario design, digital evidence and interviewing\n\n**Day 3**: academy partnerships and closing session"})
	return err
}
