package course

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"glc/internal/apperr"
	"glc/internal/auth"
)

// EnrolInput enrols the caller (empty), a list of users (by id or e-mail), or a cohort
// (instructors and admins).
type EnrolInput struct {
	UserIDs  []int64  `json:"user_ids"`
	Emails   []string `json:"emails"`
	CohortID *int64   `json:"cohort_id"`
	DueAt    *string  `json:"due_at"`
}

// restricted reports why u may not enrol in c by themselves ("" when they may).
func restricted(c *Course, u *auth.Principal) string {
	if cs := strings.Fields(c.RestrictCountries); len(cs) > 0 && !slices.Contains(cs, u.Country) {
		return "the course is open to learners from some countries only"
	}
	if ids := splitIDs(c.RestrictOrgIDs); len(ids) > 0 && !slices.Contains(ids, u.OrgID) {
		return "the course is open to some organisations only"
	}
	if rs := strings.Fields(c.RestrictRoles); len(rs) > 0 && !slices.ContainsFunc(rs, u.Has) {
		return "the course is open to some roles only"
	}
	return ""
}

// SelfEnrol enrols the caller in a published course that allows it, within its enrolment window
// and restrictions. created is false when the caller was already enrolled.
func (s *Service) SelfEnrol(ctx context.Context, courseID int64) (view *EnrolmentView, created bool, err error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, false, err
	}
	a, err := s.readCourse(ctx, courseID)
	if err != nil {
		return nil, false, err
	}
	if a.enrolment != nil && a.enrolment.Status == EnrolActive {
		return enrolmentView(a.enrolment, s.now()), false, nil
	}
	c, now := a.c, s.now()
	switch {
	case c.Status != StatusPublished:
		return nil, false, apperr.New(409, "not_published", "This course is not open for enrolment.")
	case !c.SelfEnrol:
		return nil, false, apperr.New(403, "self_enrolment_closed", "This course does not allow self-enrolment; ask its instructors.")
	case c.EnrolOpensAt != nil && now.Before(*c.EnrolOpensAt), c.EnrolClosesAt != nil && !now.Before(*c.EnrolClosesAt):
		return nil, false, apperr.New(403, "enrolment_window", "Enrolment in this course is not open at this time.")
	}
	if why := restricted(c, p); why != "" {
		return nil, false, apperr.New(403, "restricted", "%s", strings.ToUpper(why[:1])+why[1:]+".")
	}
	e, created, err := s.enrol(ctx, s.db.WithContext(ctx), c, p.UserID, SourceSelf, nil, nil, c.DueAt, p.UserID)
	if err != nil {
		return nil, false, err
	}
	return enrolmentView(e, now), created, nil
}

// enrol makes (or reactivates) one enrolment in tx. An active enrolment is left as it is.
func (s *Service) enrol(ctx context.Context, tx *gorm.DB, c *Course, userID int64, source string, cohortID, assignmentID *int64, due *time.Time, by int64) (*Enrolment, bool, error) {
	now := s.now()
	e := &Enrolment{CourseID: c.ID, UserID: userID, Status: EnrolActive, Source: source, CohortID: cohortID, AssignmentID: assignmentID,
		DueAt: due, EnrolledBy: &by, EnrolledAt: now, UpdatedAt: now}
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(e)
	if res.Error != nil {
		return nil, false, res.Error
	}
	if res.RowsAffected == 1 {
		return e, true, nil
	}
	var old Enrolment
	if err := tx.Where("course_id = ? AND user_id = ?", c.ID, userID).Take(&old).Error; err != nil {
		return nil, false, err
	}
	if old.Status == EnrolActive {
		// Already enrolled: a mandatory assignment still sets (or brings forward) the due date.
		if due != nil && (old.DueAt == nil || due.Before(*old.DueAt)) && source == SourceAssignment {
			old.DueAt, old.AssignmentID, old.UpdatedAt = due, assignmentID, now
			if err := tx.Save(&old).Error; err != nil {
				return nil, false, err
			}
		}
		return &old, false, nil
	}
	old.Status, old.Source, old.CohortID, old.AssignmentID, old.DueAt, old.EnrolledBy, old.EnrolledAt, old.UnenrolledAt, old.UpdatedAt =
		EnrolActive, source, cohortID, assignmentID, due, &by, now, nil, now
	if err := tx.Save(&old).Error; err != nil {
		return nil, false, err
	}
	return &old, true, nil
}

// EnrolUsers enrols a list of users (instructors of the course and admins).
func (s *Service) EnrolUsers(ctx context.Context, courseID int64, in EnrolInput) ([]EnrolmentView, error) {
	a, err := s.editCourse(ctx, courseID)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	due := a.c.DueAt
	if in.DueAt != nil {
		t, ok := parseTime(*in.DueAt)
		f.Check(!ok, "due_at", "must be a date (2006-01-02) or an RFC 3339 time")
		due = t
	}
	f.Check(a.c.Status == StatusArchived, "course", "an archived course takes no new enrolments")
	var ids []int64
	source := SourceManual
	if in.CohortID != nil {
		f.Check(len(in.UserIDs) > 0 || len(in.Emails) > 0, "user_ids", "give user_ids (or emails) or cohort_id, not both")
		var co Cohort
		if err := s.db.WithContext(ctx).Take(&co, *in.CohortID).Error; errors.Is(err, gorm.ErrRecordNotFound) {
			f.Add("cohort_id", "no such cohort")
		} else if err != nil {
			return nil, err
		}
		if err := s.db.WithContext(ctx).Model(&CohortMember{}).Where("cohort_id = ?", *in.CohortID).Order("user_id").Pluck("user_id", &ids).Error; err != nil {
			return nil, err
		}
		if in.DueAt == nil && co.ID > 0 {
			end := co.EndsAt
			due = &end
		}
		source = SourceCohort
	} else {
		if len(in.Emails) > 0 {
			found, err := s.UserIDsByEmail(ctx, in.Emails)
			if err != nil {
				return nil, err
			}
			in.UserIDs = append(in.UserIDs, found...)
		}
		f.Check(len(in.UserIDs) == 0, "user_ids", "is required (or send {} to enrol yourself)")
		f.Check(len(in.UserIDs) > 1000, "user_ids", "at most 1000 at a time")
		ids = uniq(in.UserIDs)
		if len(ids) > 0 && len(ids) <= 1000 {
			var found []int64
			if err := s.db.WithContext(ctx).Model(&userRow{}).Where("id IN ? AND status = ?", ids, "active").Pluck("id", &found).Error; err != nil {
				return nil, err
			}
			var missing []string
			for _, id := range ids {
				if !slices.Contains(found, id) {
					missing = append(missing, strconv.FormatInt(id, 10))
				}
			}
			f.Check(len(missing) > 0, "user_ids", "unknown or inactive users: "+strings.Join(missing, ", "))
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out []EnrolmentView
	now := s.now()
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if in.CohortID != nil {
			link := CohortLink{CourseID: courseID, CohortID: *in.CohortID, DueAt: due, CreatedBy: a.p.UserID, CreatedAt: now}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&link).Error; err != nil {
				return err
			}
		}
		for _, id := range ids {
			e, _, err := s.enrol(ctx, tx, a.c, id, source, in.CohortID, nil, due, a.p.UserID)
			if err != nil {
				return err
			}
			out = append(out, *enrolmentView(e, now))
		}
		return nil
	})
	return nonNil(out), err
}

// Unenrol ends an enrolment; the row and the learner's progress stay (status "unenrolled").
// Learners may unenrol themselves from courses they enrolled in by themselves; instructors of
// the course and admins may unenrol anyone.
func (s *Service) Unenrol(ctx context.Context, courseID, userID int64) error {
	p, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	c, err := s.loadCourse(ctx, courseID)
	if err != nil {
		return err
	}
	editor, err := s.isEditor(ctx, p, c)
	if err != nil {
		return err
	}
	e, err := s.enrolmentOf(ctx, courseID, userID)
	if err != nil {
		return err
	}
	switch {
	case editor:
	case p.UserID != userID:
		return fmt.Errorf("only the course's instructors can unenrol someone else: %w", apperr.ErrForbidden)
	case e != nil && e.Source != SourceSelf && e.Status == EnrolActive:
		return apperr.New(403, "enrolment_assigned", "This course was assigned to you; ask its instructors to unenrol you.")
	}
	if e == nil || e.Status != EnrolActive {
		return fmt.Errorf("enrolment of user %d: %w", userID, apperr.ErrNotFound)
	}
	now := s.now()
	return s.db.WithContext(ctx).Model(e).Updates(map[string]any{"status": EnrolUnenrolled, "unenrolled_at": now, "updated_at": now}).Error
}

// Enrolments lists a course's enrolments (its instructors and admins); status filters.
func (s *Service) Enrolments(ctx context.Context, courseID int64, status string, pg Page) ([]EnrolmentView, int64, error) {
	if _, err := s.editCourse(ctx, courseID); err != nil {
		return nil, 0, err
	}
	q := s.db.WithContext(ctx).Table("course_enrolments e").Joins("JOIN users u ON u.id = e.user_id").Where("e.course_id = ?", courseID)
	if status != "" {
		if status != EnrolActive && status != EnrolUnenrolled {
			return nil, 0, apperr.Invalid("status", "must be active or unenrolled")
		}
		q = q.Where("e.status = ?", status)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	type row struct {
		Enrolment
		UserName string
	}
	var rows []row
	if err := q.Select("e.*, u.name AS user_name").Order("u.name, e.id").Limit(pg.PerPage).Offset(pg.Offset()).Scan(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]EnrolmentView, len(rows))
	for i := range rows {
		out[i] = *enrolmentView(&rows[i].Enrolment, s.now())
		out[i].UserName = rows[i].UserName
	}
	return out, total, nil
}

// MyCourse is an entry of "My learning".
type MyCourse struct {
	CourseSummary
	Enrolment        EnrolmentView `json:"enrolment"`
	PercentComplete  int           `json:"percent_complete"`
	ContinueLessonID int64         `json:"continue_lesson_id,omitempty"`
}

// MyCourses lists the caller's active enrolments: overdue first, then by last access. Filter
// "overdue", "in_progress" or "completed" (or "" for all).
func (s *Service) MyCourses(ctx context.Context, filter, ui string, pg Page) ([]MyCourse, int64, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, 0, err
	}
	sqlText, args, err := s.myCoursesSQL(p.UserID, filter, s.now())
	if err != nil {
		return nil, 0, err
	}
	var total int64
	if err := s.db.WithContext(ctx).Raw("SELECT count(*) FROM ("+sqlText+") x", args...).Scan(&total).Error; err != nil {
		return nil, 0, err
	}
	var es []Enrolment
	if err := s.db.WithContext(ctx).Raw(sqlText+" ORDER BY "+myCoursesOrder+" LIMIT ? OFFSET ?", append(args, s.now(), pg.PerPage, pg.Offset())...).Scan(&es).Error; err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(es))
	for i, e := range es {
		ids[i] = e.CourseID
	}
	sums, err := s.summaries(ctx, ids, nil, prefs(ctx, "", ui), ui)
	if err != nil {
		return nil, 0, err
	}
	pct, first, err := s.percentages(ctx, p.UserID, ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]MyCourse, 0, len(es))
	for i, e := range es {
		if i >= len(sums) || sums[i].ID != e.CourseID {
			continue
		}
		m := MyCourse{CourseSummary: sums[i], Enrolment: *enrolmentView(&es[i], s.now()), PercentComplete: pct[e.CourseID], ContinueLessonID: first[e.CourseID]}
		if e.LastLessonID != nil {
			m.ContinueLessonID = *e.LastLessonID
		}
		out = append(out, m)
	}
	return out, total, nil
}

// myCoursesOrder puts overdue courses first, then the most recently used.
const myCoursesOrder = "CASE WHEN e.completed_at IS NULL AND e.due_at IS NOT NULL AND e.due_at < ? THEN 0 ELSE 1 END, COALESCE(e.last_access_at, e.enrolled_at) DESC, e.id DESC"

// myCoursesSQL selects the caller's active enrolments in visible courses (served by
// idx_course_enrolments_user_status).
func (s *Service) myCoursesSQL(userID int64, filter string, now time.Time) (string, []any, error) {
	q := `SELECT e.* FROM course_enrolments e JOIN courses c ON c.id = e.course_id
WHERE e.user_id = ? AND e.status = 'active' AND c.deleted_at IS NULL AND c.status IN ('published', 'archived')`
	args := []any{userID}
	switch filter {
	case "":
	case "completed":
		q += " AND e.completed_at IS NOT NULL"
	case "in_progress":
		q += " AND e.completed_at IS NULL"
	case "overdue":
		q += " AND e.completed_at IS NULL AND e.due_at < ?"
		args = append(args, now)
	default:
		return "", nil, apperr.Invalid("status", "must be overdue, in_progress or completed")
	}
	return q, args, nil
}

// percentages computes, in one query, the share of required lessons the user completed in each
// course, and each course's first lesson.
func (s *Service) percentages(ctx context.Context, userID int64, courseIDs []int64) (map[int64]int, map[int64]int64, error) {
	pct, first := map[int64]int{}, map[int64]int64{}
	if len(courseIDs) == 0 {
		return pct, first, nil
	}
	type row struct {
		CourseID int64
		Total    int
		Done     int
	}
	var rows []row
	err := s.db.WithContext(ctx).Raw(`SELECT l.course_id, COUNT(*) AS total,
  SUM(CASE WHEN p.status IN ('completed', 'passed') THEN 1 ELSE 0 END) AS done
FROM course_lessons l LEFT JOIN lesson_progress p ON p.lesson_id = l.id AND p.user_id = ?
WHERE l.course_id IN ? AND l.deleted_at IS NULL AND l.required = ?
GROUP BY l.course_id`, userID, courseIDs, true).Scan(&rows).Error
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		if r.Total > 0 {
			pct[r.CourseID] = r.Done * 100 / r.Total
		}
	}
	type firstRow struct {
		CourseID int64
		ID       int64
	}
	var frs []firstRow
	err = s.db.WithContext(ctx).Raw(`SELECT l.course_id, l.id FROM course_lessons l JOIN course_sections s ON s.id = l.section_id
WHERE l.course_id IN ? AND l.deleted_at IS NULL AND s.deleted_at IS NULL ORDER BY l.course_id, s.position DESC, l.position DESC`, courseIDs).Scan(&frs).Error
	for _, r := range frs {
		first[r.CourseID] = r.ID // the last row of each course is its first lesson
	}
	return pct, first, err
}

// CohortInput creates a cohort.
type CohortInput struct {
	Name     string  `json:"name"`
	StartsOn string  `json:"starts_on"`
	EndsOn   string  `json:"ends_on"`
	UserIDs  []int64 `json:"user_ids"`
}

// CohortView is a cohort with its members.
type CohortView struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	StartsOn  time.Time `json:"starts_on"`
	EndsOn    time.Time `json:"ends_on"`
	MemberIDs []int64   `json:"member_ids"`
	CourseIDs []int64   `json:"course_ids"`
}

func (s *Service) checkUsers(ctx context.Context, ids []int64, f apperr.Fields) error {
	if len(ids) == 0 {
		return nil
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&userRow{}).Where("id IN ? AND status = ?", uniq(ids), "active").Count(&n).Error; err != nil {
		return err
	}
	f.Check(int(n) != len(uniq(ids)), "user_ids", "must be ids of active users")
	return nil
}

// CreateCohort creates a cohort (instructors and admins).
func (s *Service) CreateCohort(ctx context.Context, in CohortInput) (*CohortView, error) {
	p, err := auth.RequireRole(ctx, auth.RoleInstructor, auth.RoleAdmin, auth.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	checkText(f, "name", in.Name, true, 200)
	start, ok1 := parseTime(in.StartsOn)
	end, ok2 := parseTime(in.EndsOn)
	f.Check(!ok1 || start == nil, "starts_on", "is required: a date (2006-01-02)")
	f.Check(!ok2 || end == nil, "ends_on", "is required: a date (2006-01-02)")
	if start != nil && end != nil {
		f.Check(end.Before(*start), "ends_on", "must not be before starts_on")
	}
	if err := s.checkUsers(ctx, in.UserIDs, f); err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	co := Cohort{Name: strings.TrimSpace(in.Name), StartsAt: *start, EndsAt: *end, CreatedBy: p.UserID, CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&co).Error; err != nil {
			return err
		}
		return s.addMembers(ctx, tx, &co, in.UserIDs, p.UserID)
	})
	if err != nil {
		return nil, err
	}
	return s.Cohort(ctx, co.ID)
}

// addMembers puts users in a cohort and enrols them in the cohort's courses.
func (s *Service) addMembers(ctx context.Context, tx *gorm.DB, co *Cohort, ids []int64, by int64) error {
	now := s.now()
	var links []CohortLink
	if err := tx.Where("cohort_id = ?", co.ID).Find(&links).Error; err != nil {
		return err
	}
	for _, id := range uniq(ids) {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&CohortMember{CohortID: co.ID, UserID: id, CreatedAt: now}).Error; err != nil {
			return err
		}
		for _, l := range links {
			var c Course
			if err := tx.Where("deleted_at IS NULL").Take(&c, l.CourseID).Error; err != nil {
				continue
			}
			if _, _, err := s.enrol(ctx, tx, &c, id, SourceCohort, &co.ID, nil, l.DueAt, by); err != nil {
				return err
			}
		}
	}
	return nil
}

// AddCohortMembers adds users to a cohort (its creator and admins), enrolling them in the
// cohort's courses.
func (s *Service) AddCohortMembers(ctx context.Context, id int64, userIDs []int64) (*CohortView, error) {
	co, p, err := s.editCohort(ctx, id)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	f.Check(len(userIDs) == 0, "user_ids", "is required")
	if err := s.checkUsers(ctx, userIDs, f); err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if err := s.db.Tx(ctx, func(tx *gorm.DB) error { return s.addMembers(ctx, tx, co, userIDs, p.UserID) }); err != nil {
		return nil, err
	}
	return s.Cohort(ctx, id)
}

func (s *Service) editCohort(ctx context.Context, id int64) (*Cohort, *auth.Principal, error) {
	p, err := auth.RequireRole(ctx, auth.RoleInstructor, auth.RoleAdmin, auth.RoleCoordinator)
	if err != nil {
		return nil, nil, err
	}
	var co Cohort
	if err := s.db.WithContext(ctx).Take(&co, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, fmt.Errorf("cohort %d: %w", id, apperr.ErrNotFound)
	} else if err != nil {
		return nil, nil, err
	}
	if co.CreatedBy != p.UserID && !p.IsAdmin() {
		return nil, nil, fmt.Errorf("only its creator or an admin can change cohort %d: %w", id, apperr.ErrForbidden)
	}
	return &co, p, nil
}

// Cohort returns a cohort (instructors, coordinators and admins).
func (s *Service) Cohort(ctx context.Context, id int64) (*CohortView, error) {
	if _, err := auth.RequireRole(ctx, auth.RoleInstructor, auth.RoleAdmin, auth.RoleCoordinator); err != nil {
		return nil, err
	}
	var co Cohort
	if err := s.db.WithContext(ctx).Take(&co, id).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("cohort %d: %w", id, apperr.ErrNotFound)
	} else if err != nil {
		return nil, err
	}
	v := &CohortView{ID: co.ID, Name: co.Name, StartsOn: co.StartsAt, EndsOn: co.EndsAt}
	if err := s.db.WithContext(ctx).Model(&CohortMember{}).Where("cohort_id = ?", id).Order("user_id").Pluck("user_id", &v.MemberIDs).Error; err != nil {
		return nil, err
	}
	if err := s.db.WithContext(ctx).Model(&CohortLink{}).Where("cohort_id = ?", id).Order("course_id").Pluck("course_id", &v.CourseIDs).Error; err != nil {
		return nil, err
	}
	v.MemberIDs, v.CourseIDs = nonNil(v.MemberIDs), nonNil(v.CourseIDs)
	return v, nil
}

// Cohorts lists cohorts, newest first.
func (s *Service) Cohorts(ctx context.Context, pg Page) ([]CohortView, int64, error) {
	if _, err := auth.RequireRole(ctx, auth.RoleInstructor, auth.RoleAdmin, auth.RoleCoordinator); err != nil {
		return nil, 0, err
	}
	var total int64
	if err := s.db.WithContext(ctx).Model(&Cohort{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var cos []Cohort
	if err := s.db.WithContext(ctx).Order("starts_at DESC, id DESC").Limit(pg.PerPage).Offset(pg.Offset()).Find(&cos).Error; err != nil {
		return nil, 0, err
	}
	out := make([]CohortView, len(cos))
	for i, co := range cos {
		out[i] = CohortView{ID: co.ID, Name: co.Name, StartsOn: co.StartsAt, EndsOn: co.EndsAt, MemberIDs: []int64{}, CourseIDs: []int64{}}
	}
	return out, total, nil
}

// AssignInput makes a course mandatory for a scope: everyone (admins), a country, or an
// organisation.
type AssignInput struct {
	All     bool   `json:"all"`
	Country string `json:"country"`
	OrgID   *int64 `json:"org_id"`
	DueAt   string `json:"due_at"`
}

// AssignmentView is a mandatory assignment.
type AssignmentView struct {
	ID         int64     `json:"id"`
	CourseID   int64     `json:"course_id"`
	All        bool      `json:"all"`
	Country    string    `json:"country,omitempty"`
	OrgID      *int64    `json:"org_id"`
	DueAt      time.Time `json:"due_at"`
	AssignedBy int64     `json:"assigned_by"`
	CreatedAt  time.Time `json:"created_at"`
	Enrolled   int64     `json:"enrolled"`
}

// Assign makes a published course mandatory, with a due date, for everyone in a scope. Admins
// choose any scope; coordinators only their own country or organisation (or an organisation of
// their country). Everyone in the scope now is enrolled at once; people who join it later are
// enrolled by SyncAssignments.
func (s *Service) Assign(ctx context.Context, courseID int64, in AssignInput) (*AssignmentView, error) {
	p, err := auth.RequireRole(ctx, auth.RoleAdmin, auth.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	c, err := s.loadCourse(ctx, courseID)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	due, ok := parseTime(in.DueAt)
	f.Check(!ok || due == nil, "due_at", "is required: a date (2006-01-02) or an RFC 3339 time")
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	scopes := 0
	for _, set := range []bool{in.All, in.Country != "", in.OrgID != nil} {
		if set {
			scopes++
		}
	}
	f.Check(scopes != 1, "scope", "give exactly one of all, country or org_id")
	f.Check(in.Country != "" && !countryRe.MatchString(in.Country), "country", "must be an ISO 3166 two-letter code")
	f.Check(c.Status != StatusPublished, "course", "must be published before it is assigned")
	var orgCountry string
	if in.OrgID != nil {
		err := s.db.WithContext(ctx).Table("organisations").Select("country").Where("id = ?", *in.OrgID).Take(&orgCountry).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			f.Add("org_id", "no such organisation")
		} else if err != nil {
			return nil, err
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if !p.IsAdmin() {
		inScope := (p.ScopeCountry != "" && (in.Country == p.ScopeCountry || (in.OrgID != nil && orgCountry == p.ScopeCountry))) ||
			(p.ScopeOrgID != 0 && in.OrgID != nil && *in.OrgID == p.ScopeOrgID)
		if !inScope {
			return nil, fmt.Errorf("coordinators assign courses within their own scope only: %w", apperr.ErrForbidden)
		}
	}
	as := Assignment{CourseID: courseID, ScopeAll: in.All, ScopeCountry: in.Country, ScopeOrgID: in.OrgID, DueAt: *due, AssignedBy: p.UserID, CreatedAt: s.now()}
	var n int64
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&as).Error; err != nil {
			return err
		}
		n, err = s.applyAssignment(ctx, tx, &as)
		return err
	})
	if err != nil {
		return nil, err
	}
	v := assignmentView(as)
	v.Enrolled = n
	return &v, nil
}

func assignmentView(a Assignment) AssignmentView {
	return AssignmentView{ID: a.ID, CourseID: a.CourseID, All: a.ScopeAll, Country: a.ScopeCountry, OrgID: a.ScopeOrgID, DueAt: a.DueAt, AssignedBy: a.AssignedBy, CreatedAt: a.CreatedAt}
}

// applyAssignment enrols everyone in the assignment's scope who is not enrolled yet (one
// INSERT ... SELECT), reactivates those who had left, and sets or brings forward due dates of
// those already enrolled. It returns how many enrolments it created or reactivated.
func (s *Service) applyAssignment(ctx context.Context, tx *gorm.DB, a *Assignment) (int64, error) {
	n, err := s.applyAssignmentNew(ctx, tx, a)
	if err != nil {
		return 0, err
	}
	scope, args := assignmentScope(a)
	now := s.now()
	re := tx.Exec(`UPDATE course_enrolments SET status = 'active', source = 'assignment', assignment_id = ?, due_at = ?, unenrolled_at = NULL, enrolled_at = ?, updated_at = ?
WHERE course_id = ? AND status = 'unenrolled' AND user_id IN (SELECT u.id FROM users u WHERE `+scope+`)`,
		append([]any{a.ID, a.DueAt, now, now, a.CourseID}, args...)...)
	if re.Error != nil {
		return 0, re.Error
	}
	due := tx.Exec(`UPDATE course_enrolments SET due_at = ?, assignment_id = ?, updated_at = ?
WHERE course_id = ? AND status = 'active' AND completed_at IS NULL AND (due_at IS NULL OR due_at > ?) AND user_id IN (SELECT u.id FROM users u WHERE `+scope+`)`,
		append([]any{a.DueAt, a.ID, now, a.CourseID, a.DueAt}, args...)...)
	return n + re.RowsAffected, due.Error
}

// Assignments lists a course's mandatory assignments (its instructors, coordinators and admins).
func (s *Service) Assignments(ctx context.Context, courseID int64) ([]AssignmentView, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Has(auth.RoleCoordinator) && !p.IsAdmin() {
		if _, err := s.editCourse(ctx, courseID); err != nil {
			return nil, err
		}
	} else if _, err := s.loadCourse(ctx, courseID); err != nil {
		return nil, err
	}
	var as []Assignment
	if err := s.db.WithContext(ctx).Where("course_id = ?", courseID).Order("id").Find(&as).Error; err != nil {
		return nil, err
	}
	out := make([]AssignmentView, len(as))
	for i, a := range as {
		out[i] = assignmentView(a)
	}
	return out, nil
}

// SyncAssignments enrols people who joined an assignment's scope after it was made. The module's
// background loop runs it periodically.
func (s *Service) SyncAssignments(ctx context.Context) (int64, error) {
	var as []Assignment
	if err := s.db.WithContext(ctx).Where("course_id IN (?)", s.db.Model(&Course{}).Select("id").Where("status = ? AND deleted_at IS NULL", StatusPublished)).
		Order("id").Find(&as).Error; err != nil {
		return 0, err
	}
	var total int64
	for i := range as {
		err := s.db.Tx(ctx, func(tx *gorm.DB) error {
			n, err := s.applyAssignmentNew(ctx, tx, &as[i])
			total += n
			return err
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// applyAssignmentNew enrols only people who never had an enrolment in the course (those who
// left after being assigned stay out until the next explicit assignment).
func (s *Service) applyAssignmentNew(ctx context.Context, tx *gorm.DB, a *Assignment) (int64, error) {
	scope, args := assignmentScope(a)
	now := s.now()
	res := tx.Exec(`INSERT INTO course_enrolments (course_id, user_id, status, source, assignment_id, due_at, enrolled_by, enrolled_at, updated_at)
SELECT ?, u.id, 'active', 'assignment', ?, ?, ?, ?, ? FROM users u
WHERE `+scope+` AND NOT EXISTS (SELECT 1 FROM course_enrolments e WHERE e.course_id = ? AND e.user_id = u.id)`,
		append(append([]any{a.CourseID, a.ID, a.DueAt, a.AssignedBy, now, now}, args...), a.CourseID)...)
	return res.RowsAffected, res.Error
}

// assignmentScope is the SQL condition on users u selecting an assignment's scope.
func assignmentScope(a *Assignment) (string, []any) {
	switch {
	case a.ScopeCountry != "":
		return "u.status = 'active' AND u.country = ?", []any{a.ScopeCountry}
	case a.ScopeOrgID != nil:
		return "u.status = 'active' AND u.org_id = ?", []any{*a.ScopeOrgID}
	}
	return "u.status = 'active'", nil
}

// UserIDsByEmail resolves e-mail addresses of active users (422 naming the unknown ones). Call it
// only after checking that the caller may enrol people in the course.
func (s *Service) UserIDsByEmail(ctx context.Context, emails []string) ([]int64, error) {
	if len(emails) == 0 {
		return nil, apperr.Invalid("emails", "give at least one e-mail address")
	}
	keys := make([]string, len(emails))
	for i, e := range emails {
		keys[i] = strings.ToLower(strings.TrimSpace(e))
	}
	var us []userRow
	if err := s.db.WithContext(ctx).Where("email_key IN ? AND status = ?", keys, "active").Find(&us).Error; err != nil {
		return nil, err
	}
	var ids []int64
	var missing []string
	for _, k := range keys {
		found := false
		for _, u := range us {
			if u.EmailKey == k {
				ids, found = append(ids, u.ID), true
			}
		}
		if !found {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, apperr.Invalid("emails", "unknown or inactive: "+strings.Join(missing, ", "))
	}
	return ids, nil
}
