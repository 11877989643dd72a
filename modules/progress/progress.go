package progress

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"glc/internal/apperr"
	"glc/internal/auth"
)

// Result is what the module behind a lesson (quiz, SCORM, xAPI/cmi5) reports for a learner.
type Result struct {
	// Status is in_progress, completed, passed or failed. Passed and completed are kept once
	// reached: a later failed attempt does not take them away.
	Status   string
	Score    *float64
	MaxScore *float64
	// Attempts is the reporter's count of finished attempts; 0 counts this report as one more
	// attempt when its status is final.
	Attempts int
	// TimeSpentSeconds is added to the time spent in the lesson.
	TimeSpentSeconds int64
	PositionSeconds  *float64
	Bookmark         *string
	// Source names the reporter: quiz, scorm, xapi, cmi5.
	Source string
	// At is when it happened (zero: now).
	At time.Time
}

func (r Result) validate() error {
	f := apperr.Fields{}
	f.Check(!slices.Contains([]string{StatusInProgress, StatusCompleted, StatusPassed, StatusFailed}, r.Status), "status", "must be in_progress, completed, passed or failed")
	f.Check(r.Score != nil && r.MaxScore != nil && (*r.MaxScore < 0 || *r.Score < 0), "score", "must not be negative")
	f.Check(r.TimeSpentSeconds < 0 || r.Attempts < 0, "time_spent_seconds", "must not be negative")
	f.Check(r.Bookmark != nil && len(*r.Bookmark) > 4000, "bookmark", "must be at most 4000 bytes")
	return f.Err()
}

// RecordLessonResult writes a learner's result for a lesson into their lesson record and
// recomputes their course progress, inside tx: the caller's transaction, so that progress
// changes together with the grade or the statement that causes it (and completing the course
// issues the certificate in the same transaction). It may run without a principal (a
// deadline job closing a quiz attempt).
func (s *Service) RecordLessonResult(ctx context.Context, tx *gorm.DB, userID, lessonID int64, r Result) (*LessonProgress, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	courses, err := s.coursesOrErr()
	if err != nil {
		return nil, err
	}
	if tx == nil {
		var out *LessonProgress
		err := s.db.Tx(ctx, func(tx *gorm.DB) error {
			var err error
			out, err = s.RecordLessonResult(ctx, tx, userID, lessonID, r)
			return err
		})
		return out, err
	}
	courseID, err := courses.LessonCourse(ctx, tx, lessonID)
	if err != nil {
		return nil, err
	}
	o, err := courses.Outline(ctx, tx, courseID, "")
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(o.Lessons, func(l LessonInfo) bool { return l.ID == lessonID })
	if i < 0 {
		return nil, fmt.Errorf("lesson %d: %w", lessonID, apperr.ErrNotFound)
	}
	lesson := o.Lessons[i]
	now := r.At.UTC()
	if r.At.IsZero() {
		now = s.now()
	}
	db := tx.WithContext(ctx)
	fresh := LessonProgress{UserID: userID, LessonID: lessonID, CourseID: courseID, Status: StatusInProgress,
		FirstAccessAt: &now, CreatedAt: now, UpdatedAt: now, Source: r.Source}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&fresh).Error; err != nil {
		return nil, err
	}
	var p LessonProgress
	if err := db.Clauses(clause.Locking{Strength: "UPDATE"}).Where("user_id = ? AND lesson_id = ?", userID, lessonID).Take(&p).Error; err != nil {
		return nil, err
	}
	applyResult(&p, lesson, r, now)
	if err := db.Save(&p).Error; err != nil {
		return nil, err
	}
	if _, err := s.recompute(ctx, tx, userID, o); err != nil {
		return nil, err
	}
	return &p, nil
}

// applyResult folds a result into a lesson record.
func applyResult(p *LessonProgress, l LessonInfo, r Result, now time.Time) {
	if p.Status == StatusNotStarted || p.Status == "" {
		p.Status = StatusInProgress
	}
	if p.FirstAccessAt == nil {
		p.FirstAccessAt = &now
	}
	p.LastAccessAt, p.UpdatedAt = &now, now
	p.TimeSpentSeconds += r.TimeSpentSeconds
	if r.PositionSeconds != nil {
		p.PositionSeconds = *r.PositionSeconds
	}
	if r.Bookmark != nil {
		p.Bookmark = *r.Bookmark
	}
	if r.Source != "" {
		p.Source = r.Source
	}
	if r.Score != nil {
		p.Score, p.MaxScore = r.Score, r.MaxScore
	}
	final := r.Status != StatusInProgress
	switch {
	case r.Attempts > 0:
		p.Attempts = max(p.Attempts, r.Attempts)
	case final:
		p.Attempts++
	}
	if p.Status == StatusPassed || (p.Status == StatusCompleted && r.Status != StatusPassed) {
		return
	}
	switch r.Status {
	case StatusPassed:
		p.Status, p.CompletedAt = StatusPassed, &now
	case StatusCompleted:
		if l.Completion == "passed" {
			// Finished but not (yet) passed: an essay waiting for a grade.
			p.Status = StatusInProgress
		} else {
			p.Status, p.CompletedAt = StatusCompleted, &now
		}
	case StatusFailed:
		p.Status = StatusFailed
	}
}

// Recompute recomputes a learner's progress in a course from their lesson records, inside tx.
// The course module calls it in the transaction of every player event. It is idempotent.
func (s *Service) Recompute(ctx context.Context, tx *gorm.DB, userID, courseID int64) (*CourseProgress, error) {
	courses, err := s.coursesOrErr()
	if err != nil {
		return nil, err
	}
	if tx == nil {
		var out *CourseProgress
		err := s.db.Tx(ctx, func(tx *gorm.DB) error {
			var err error
			out, err = s.Recompute(ctx, tx, userID, courseID)
			return err
		})
		return out, err
	}
	o, err := courses.Outline(ctx, tx, courseID, "")
	if err != nil {
		return nil, err
	}
	return s.recompute(ctx, tx, userID, o)
}

func (s *Service) recompute(ctx context.Context, tx *gorm.DB, userID int64, o *Outline) (*CourseProgress, error) {
	db := tx.WithContext(ctx)
	now := s.now()
	// Lock the learner's course row first, so that two events of one learner in one course
	// recompute one after the other and the second sees the first's lesson record.
	fresh := CourseProgress{UserID: userID, CourseID: o.CourseID, Status: StatusNotStarted, CreatedAt: now, UpdatedAt: now}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&fresh).Error; err != nil {
		return nil, err
	}
	var cp CourseProgress
	if err := db.Clauses(clause.Locking{Strength: "UPDATE"}).Where("user_id = ? AND course_id = ?", userID, o.CourseID).Take(&cp).Error; err != nil {
		return nil, err
	}
	rule, err := s.rule(ctx, tx, o.CourseID)
	if err != nil {
		return nil, err
	}
	var records []LessonProgress
	if err := db.Where("user_id = ? AND course_id = ?", userID, o.CourseID).Order("lesson_id").Find(&records).Error; err != nil {
		return nil, err
	}
	st := Compute(o, rule, records)
	newlyDone := cp.CompletedAt == nil && st.Met
	cp.TimeSpentSeconds, cp.ScorePercent = st.TimeSpentSeconds, st.ScorePercent
	cp.GradedLessons, cp.PassedLessons = st.GradedLessons, st.PassedLessons
	cp.FirstAccessAt, cp.LastAccessAt, cp.LastLessonID = st.FirstAccessAt, st.LastAccessAt, st.LastLessonID
	if cp.CompletedAt == nil {
		// Completion stays once reached: only learners still in progress follow the course's
		// current lessons and rule.
		cp.Status, cp.PercentComplete, cp.LessonsDone, cp.LessonsTotal = st.Status, st.PercentComplete, st.LessonsDone, st.LessonsTotal
	}
	if newlyDone {
		cp.CompletedAt, cp.RuleSnapshot = st.CompletedAt, snapshot(rule, st)
	}
	cp.UpdatedAt = now
	if err := db.Save(&cp).Error; err != nil {
		return nil, err
	}
	if newlyDone {
		if err := s.complete(ctx, tx, userID, o, *cp.CompletedAt); err != nil {
			return nil, err
		}
	}
	return &cp, nil
}

// complete records the completion on the enrolment and issues the certificate, in tx.
func (s *Service) complete(ctx context.Context, tx *gorm.DB, userID int64, o *Outline, at time.Time) error {
	if err := s.courses.MarkCompleted(ctx, tx, o.CourseID, userID, at); err != nil {
		return err
	}
	u, err := s.user(ctx, tx, userID)
	if err != nil {
		return err
	}
	titled := o
	if u.Language != "" && u.Language != o.Language {
		if titled, err = s.courses.Outline(ctx, tx, o.CourseID, u.Language); err != nil {
			return err
		}
	}
	_, err = s.IssueCertificate(ctx, tx, IssueInput{UserID: userID, CourseID: o.CourseID, CourseTitle: titled.Title, Hours: titled.Hours, IssuedAt: at})
	return err
}

// rule returns a course's completion rule (RuleAllRequired when none is set).
func (s *Service) rule(ctx context.Context, tx *gorm.DB, courseID int64) (CompletionRule, error) {
	var r CompletionRule
	err := s.dbx(ctx, tx).Where("course_id = ?", courseID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return CompletionRule{CourseID: courseID, Kind: RuleAllRequired}, nil
	}
	return r, err
}

// RuleView is a completion rule as the API shows it.
type RuleView struct {
	Rule          string  `json:"rule"`
	LessonIDs     []int64 `json:"lesson_ids"`
	FinalLessonID *int64  `json:"final_lesson_id"`
}

// RuleInput sets a course's completion rule.
type RuleInput struct {
	Rule          string  `json:"rule"`
	LessonIDs     []int64 `json:"lesson_ids"`
	FinalLessonID *int64  `json:"final_lesson_id"`
}

func ruleView(r CompletionRule) RuleView {
	ids := r.Lessons()
	if ids == nil {
		ids = []int64{}
	}
	return RuleView{Rule: r.Kind, LessonIDs: ids, FinalLessonID: r.FinalLessonID}
}

// manage checks that the caller manages the course (its instructors, admins).
func (s *Service) manage(ctx context.Context, courseID int64) (*auth.Principal, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	courses, err := s.coursesOrErr()
	if err != nil {
		return nil, err
	}
	a, err := courses.Access(ctx, courseID)
	if err != nil {
		return nil, err
	}
	if !a.Manage {
		return nil, fmt.Errorf("only the course's instructors can do this: %w", apperr.ErrForbidden)
	}
	return p, nil
}

// Rule returns a course's completion rule (the course's instructors and admins).
func (s *Service) Rule(ctx context.Context, courseID int64) (RuleView, error) {
	if _, err := s.manage(ctx, courseID); err != nil {
		return RuleView{}, err
	}
	r, err := s.rule(ctx, nil, courseID)
	return ruleView(r), err
}

// SetRule changes a course's completion rule. Learners who completed the course keep their
// completion; the others follow the new rule from their next event (or a recompute).
func (s *Service) SetRule(ctx context.Context, courseID int64, in RuleInput) (RuleView, error) {
	p, err := s.manage(ctx, courseID)
	if err != nil {
		return RuleView{}, err
	}
	o, err := s.courses.Outline(ctx, nil, courseID, "")
	if err != nil {
		return RuleView{}, err
	}
	byID := map[int64]LessonInfo{}
	for _, l := range o.Lessons {
		byID[l.ID] = l
	}
	f := apperr.Fields{}
	f.Check(!slices.Contains(Rules, in.Rule), "rule", "must be all_required, selected or final_quiz")
	r := CompletionRule{CourseID: courseID, Kind: in.Rule, UpdatedBy: p.UserID, UpdatedAt: s.now()}
	switch in.Rule {
	case RuleSelected:
		f.Check(len(in.LessonIDs) == 0, "lesson_ids", "choose at least one lesson")
		for _, id := range in.LessonIDs {
			f.Check(byID[id].ID == 0, "lesson_ids", "must be lessons of this course")
		}
		ids := slices.Clone(in.LessonIDs)
		slices.Sort(ids)
		r.LessonIDs = joinIDs(slices.Compact(ids))
		f.Check(in.FinalLessonID != nil, "final_lesson_id", "is only for the final_quiz rule")
	case RuleFinalQuiz:
		if in.FinalLessonID == nil {
			f.Add("final_lesson_id", "is required for the final_quiz rule")
		} else {
			l := byID[*in.FinalLessonID]
			f.Check(l.ID == 0 || l.Kind != "quiz", "final_lesson_id", "must be a quiz lesson of this course")
		}
		f.Check(len(in.LessonIDs) > 0, "lesson_ids", "is only for the selected rule")
		r.FinalLessonID = in.FinalLessonID
	case RuleAllRequired:
		f.Check(len(in.LessonIDs) > 0, "lesson_ids", "is only for the selected rule")
		f.Check(in.FinalLessonID != nil, "final_lesson_id", "is only for the final_quiz rule")
	}
	if err := f.Err(); err != nil {
		return RuleView{}, err
	}
	err = s.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "course_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"kind", "lesson_ids", "final_lesson_id", "updated_by", "updated_at"})}).Create(&r).Error
	return ruleView(r), err
}

// LessonProgressView is one lesson of a learner's course progress.
type LessonProgressView struct {
	LessonID         int64      `json:"lesson_id"`
	Title            string     `json:"title"`
	Kind             string     `json:"kind"`
	Required         bool       `json:"required"`
	Counts           bool       `json:"counts"`
	Status           string     `json:"status"`
	FirstAccessAt    *time.Time `json:"first_access_at"`
	LastAccessAt     *time.Time `json:"last_access_at"`
	TimeSpentSeconds int64      `json:"time_spent_seconds"`
	PositionSeconds  float64    `json:"position_seconds"`
	Bookmark         string     `json:"bookmark,omitempty"`
	Score            *float64   `json:"score"`
	MaxScore         *float64   `json:"max_score"`
	Attempts         int        `json:"attempts"`
	CompletedAt      *time.Time `json:"completed_at"`
}

// CourseProgressView is a learner's progress in a course.
type CourseProgressView struct {
	CourseID         int64                `json:"course_id"`
	Title            string               `json:"title"`
	Status           string               `json:"status"`
	PercentComplete  int                  `json:"percent_complete"`
	LessonsDone      int                  `json:"lessons_done"`
	LessonsTotal     int                  `json:"lessons_total"`
	CompletedAt      *time.Time           `json:"completed_at"`
	DueAt            *time.Time           `json:"due_at"`
	Overdue          bool                 `json:"overdue"`
	ResumeLessonID   *int64               `json:"resume_lesson_id"`
	TimeSpentSeconds int64                `json:"time_spent_seconds"`
	ScorePercent     *float64             `json:"score_percent"`
	Rule             string               `json:"rule"`
	CertificateCode  string               `json:"certificate_code,omitempty"`
	Lessons          []LessonProgressView `json:"lessons"`
}

// MyCourseProgress returns the caller's progress in a course, computed from the course as it is
// now (completion, once reached, stays as it was). A completion that the course's current state
// grants but that is not recorded yet (a required lesson was removed) is recorded now.
func (s *Service) MyCourseProgress(ctx context.Context, courseID int64, lang string) (*CourseProgressView, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	courses, err := s.coursesOrErr()
	if err != nil {
		return nil, err
	}
	a, err := courses.Access(ctx, courseID)
	if err != nil {
		return nil, err
	}
	var cp CourseProgress
	err = s.db.WithContext(ctx).Where("user_id = ? AND course_id = ?", p.UserID, courseID).Take(&cp).Error
	hasRow := err == nil
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	if !a.Learn && !hasRow {
		return nil, fmt.Errorf("enrol in course %d to follow your progress: %w", courseID, apperr.ErrForbidden)
	}
	o, err := courses.Outline(ctx, nil, courseID, lang)
	if err != nil {
		return nil, err
	}
	rule, err := s.rule(ctx, nil, courseID)
	if err != nil {
		return nil, err
	}
	var records []LessonProgress
	if err := s.db.WithContext(ctx).Where("user_id = ? AND course_id = ?", p.UserID, courseID).Find(&records).Error; err != nil {
		return nil, err
	}
	st := Compute(o, rule, records)
	if st.Met && cp.CompletedAt == nil {
		rec, err := s.Recompute(ctx, nil, p.UserID, courseID)
		if err != nil {
			return nil, err
		}
		cp = *rec
	}
	e, err := courses.Enrolment(ctx, nil, courseID, p.UserID)
	if err != nil {
		return nil, err
	}
	return s.progressView(ctx, o, rule, st, &cp, records, e)
}

func (s *Service) progressView(ctx context.Context, o *Outline, rule CompletionRule, st Standing, cp *CourseProgress, records []LessonProgress, e *Enrolment) (*CourseProgressView, error) {
	v := &CourseProgressView{CourseID: o.CourseID, Title: o.Title, Status: st.Status, PercentComplete: st.PercentComplete,
		LessonsDone: st.LessonsDone, LessonsTotal: st.LessonsTotal, TimeSpentSeconds: st.TimeSpentSeconds, ScorePercent: st.ScorePercent,
		Rule: rule.Kind, Lessons: []LessonProgressView{}}
	counts := st.Counted
	if cp != nil && cp.CompletedAt != nil {
		// Completed under the rule of that day: show it as it was.
		var snap RuleSnapshot
		_ = json.Unmarshal([]byte(cp.RuleSnapshot), &snap)
		v.Status, v.PercentComplete, v.CompletedAt, v.Rule = StatusCompleted, 100, cp.CompletedAt, snap.Rule
		v.LessonsDone, v.LessonsTotal, counts = len(snap.Lessons), len(snap.Lessons), snap.Lessons
		var c Certificate
		if err := s.db.WithContext(ctx).Where("user_id = ? AND course_id = ?", cp.UserID, o.CourseID).Take(&c).Error; err == nil {
			v.CertificateCode = c.Code
		}
	}
	if e != nil {
		v.DueAt = e.DueAt
		v.Overdue = v.CompletedAt == nil && e.Active && e.DueAt != nil && e.DueAt.Before(s.now())
	}
	byLesson := map[int64]*LessonProgress{}
	for i := range records {
		byLesson[records[i].LessonID] = &records[i]
	}
	var firstOpen *int64
	for _, l := range o.Lessons {
		lv := LessonProgressView{LessonID: l.ID, Title: l.Title, Kind: l.Kind, Required: l.Required, Counts: slices.Contains(counts, l.ID), Status: StatusNotStarted}
		if p := byLesson[l.ID]; p != nil {
			lv.Status, lv.FirstAccessAt, lv.LastAccessAt, lv.TimeSpentSeconds = p.Status, p.FirstAccessAt, p.LastAccessAt, p.TimeSpentSeconds
			lv.PositionSeconds, lv.Bookmark, lv.Score, lv.MaxScore, lv.Attempts, lv.CompletedAt = p.PositionSeconds, p.Bookmark, p.Score, p.MaxScore, p.Attempts, p.CompletedAt
		}
		if firstOpen == nil && !lessonDone(l, byLesson[l.ID]) {
			id := l.ID
			firstOpen = &id
		}
		v.Lessons = append(v.Lessons, lv)
	}
	// Resume opens the lesson the learner used last; a newcomer starts at the first lesson
	// not done yet.
	switch {
	case st.LastLessonID != nil:
		v.ResumeLessonID = st.LastLessonID
	case firstOpen != nil:
		v.ResumeLessonID = firstOpen
	case len(o.Lessons) > 0:
		id := o.Lessons[0].ID
		v.ResumeLessonID = &id
	}
	return v, nil
}

// LessonProgressChanged implements the course module's ProgressListener: a player event
// changed a lesson record; recompute the course progress in the same transaction.
func (s *Service) LessonProgressChanged(ctx context.Context, tx *gorm.DB, userID, courseID int64) error {
	_, err := s.Recompute(ctx, tx, userID, courseID)
	return err
}
