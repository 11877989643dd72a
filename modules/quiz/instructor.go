package quiz

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
)

// resultRow is an attempt with its learner's name.
type resultRow struct {
	Attempt
	UserName  string
	UserEmail string
}

func (s *Service) resultRows(ctx context.Context, lessonID int64, limit, offset int) ([]AttemptRow, int64, error) {
	base := s.st.q(ctx).Table("quiz_attempts AS a").Where("a.lesson_id = ?", lessonID)
	var total int64
	if err := base.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []resultRow
	q := s.st.q(ctx).Table("quiz_attempts AS a").Select("a.*, u.name AS user_name, u.email AS user_email").
		Joins("LEFT JOIN users u ON u.id = a.user_id").Where("a.lesson_id = ?", lessonID).Order("a.user_id, a.number")
	if limit > 0 {
		q = q.Limit(limit).Offset(offset)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]AttemptRow, len(rows))
	for i := range rows {
		out[i] = attemptRow(&rows[i].Attempt, true)
		out[i].UserName, out[i].UserEmail = rows[i].UserName, rows[i].UserEmail
	}
	return out, total, nil
}

// Results lists a quiz's attempts with their scores (instructors).
func (s *Service) Results(ctx context.Context, lessonID int64, limit, offset int) ([]AttemptRow, int64, error) {
	if _, _, err := s.manageLesson(ctx, lessonID); err != nil {
		return nil, 0, err
	}
	return s.resultRows(ctx, lessonID, limit, offset)
}

// csvCell keeps a spreadsheet from reading a cell as a formula.
func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func fmtOpt(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ResultsCSV writes every attempt of a quiz as CSV.
func (s *Service) ResultsCSV(ctx context.Context, lessonID int64, w io.Writer) error {
	if _, _, err := s.manageLesson(ctx, lessonID); err != nil {
		return err
	}
	rows, _, err := s.resultRows(ctx, lessonID, 0, 0)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"attempt_id", "user_id", "name", "email", "number", "preview", "status", "started_at", "finished_at",
		"closed_by", "score", "max_score", "percent", "passed", "needs_grading", "overridden"})
	for _, r := range rows {
		passed := ""
		if r.Passed != nil {
			passed = strconv.FormatBool(*r.Passed)
		}
		_ = cw.Write([]string{strconv.FormatInt(r.ID, 10), strconv.FormatInt(r.UserID, 10), csvCell(r.UserName), csvCell(r.UserEmail),
			strconv.Itoa(r.Number), strconv.FormatBool(r.Preview), r.Status, r.StartedAt.UTC().Format(time.RFC3339), fmtTime(r.FinishedAt),
			r.ClosedBy, fmtOpt(r.Score), fmtOpt(r.MaxScore), fmtOpt(r.Percent), passed, strconv.FormatBool(r.NeedsGrading),
			strconv.FormatBool(r.Overridden)})
	}
	cw.Flush()
	return cw.Error()
}

// QuestionStat is one question's statistics over a quiz's finished attempts.
type QuestionStat struct {
	QuestionID     int64    `json:"question_id"`
	Title          string   `json:"title"`
	Prompt         string   `json:"prompt"`
	Kind           string   `json:"kind"`
	Attempts       int      `json:"attempts"`
	MeanScore      float64  `json:"mean_score"`
	MaxPoints      float64  `json:"max_points"`
	Facility       *float64 `json:"facility_index"`
	Discrimination *float64 `json:"discrimination_index"`
}

// QuizStats are a quiz's statistics.
type QuizStats struct {
	Attempts    int            `json:"attempts"`
	MeanPercent float64        `json:"mean_percent"`
	SDPercent   float64        `json:"sd_percent"`
	PassRate    *float64       `json:"pass_rate"`
	Questions   []QuestionStat `json:"questions"`
	FacilityDoc string         `json:"facility_formula"`
	DiscrimDoc  string         `json:"discrimination_formula"`
}

// Statistics computes per-question facility and discrimination indices over the finished
// (not preview) attempts of a quiz. Questions waiting for a manual grade are left out of the
// attempts where they wait.
func (s *Service) Statistics(ctx context.Context, lessonID int64) (*QuizStats, error) {
	if _, _, err := s.manageLesson(ctx, lessonID); err != nil {
		return nil, err
	}
	var rows []struct {
		AttemptID  int64
		QuestionID int64
		Score      *float64
		Points     float64
	}
	err := s.st.q(ctx).Table("quiz_attempt_items AS i").Select("i.attempt_id, i.question_id, i.score, i.points").
		Joins("JOIN quiz_attempts a ON a.id = i.attempt_id").
		Where("a.lesson_id = ? AND a.status = ? AND a.preview = ?", lessonID, StatusFinished, false).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	var atts []Attempt
	if err := s.st.q(ctx).Where("lesson_id = ? AND status = ? AND preview = ?", lessonID, StatusFinished, false).Find(&atts).Error; err != nil {
		return nil, err
	}
	st := &QuizStats{Attempts: len(atts), Questions: []QuestionStat{},
		FacilityDoc: "100 * mean(score / max) over the attempts holding the question",
		DiscrimDoc:  "100 * Pearson correlation between the question's score and the rest of the attempt's score (total minus the question)"}
	percents := make([]float64, len(atts))
	passed, graded := 0, 0
	for i, a := range atts {
		percents[i] = a.Percent
		if a.Passed != nil {
			graded++
			if *a.Passed {
				passed++
			}
		}
	}
	st.MeanPercent, st.SDPercent = meanSD(percents)
	st.MeanPercent, st.SDPercent = round6(st.MeanPercent), round6(st.SDPercent)
	if graded > 0 {
		r := round6(100 * float64(passed) / float64(graded))
		st.PassRate = &r
	}
	total := map[int64]float64{}
	for _, r := range rows {
		if r.Score != nil {
			total[r.AttemptID] += *r.Score
		}
	}
	type acc struct{ x, m, rest []float64 }
	per := map[int64]*acc{}
	var order []int64
	for _, r := range rows {
		if r.Score == nil {
			continue
		}
		a := per[r.QuestionID]
		if a == nil {
			a = &acc{}
			per[r.QuestionID] = a
			order = append(order, r.QuestionID)
		}
		a.x, a.m, a.rest = append(a.x, *r.Score), append(a.m, r.Points), append(a.rest, total[r.AttemptID]-*r.Score)
	}
	qs, err := s.st.questionsByID(ctx, order)
	if err != nil {
		return nil, err
	}
	for _, id := range order {
		a := per[id]
		mean, _ := meanSD(a.x)
		mp, _ := meanSD(a.m)
		qst := QuestionStat{QuestionID: id, Attempts: len(a.x), MeanScore: round6(mean), MaxPoints: round6(mp),
			Facility: facility(a.x, a.m), Discrimination: discrimination(a.x, a.rest)}
		if q := qs[id]; q != nil {
			qst.Title, qst.Prompt, qst.Kind = q.Title, q.Prompt, q.Kind
		}
		st.Questions = append(st.Questions, qst)
	}
	sort.SliceStable(st.Questions, func(i, j int) bool { return st.Questions[i].QuestionID < st.Questions[j].QuestionID })
	return st, nil
}

// QueueItem is a response waiting for a person to grade it.
type QueueItem struct {
	AttemptID  int64      `json:"attempt_id"`
	UserID     int64      `json:"user_id"`
	UserName   string     `json:"user_name"`
	QuestionID int64      `json:"question_id"`
	Title      string     `json:"title"`
	Prompt     string     `json:"prompt"`
	Points     float64    `json:"points"`
	Text       string     `json:"text"`
	FinishedAt *time.Time `json:"finished_at"`
}

// GradingQueue lists the responses of a quiz's finished attempts that wait for a grade.
func (s *Service) GradingQueue(ctx context.Context, lessonID int64) ([]QueueItem, error) {
	if _, _, err := s.manageLesson(ctx, lessonID); err != nil {
		return nil, err
	}
	var rows []struct {
		AttemptID  int64
		UserID     int64
		UserName   string
		QuestionID int64
		Title      string
		Prompt     string
		Points     float64
		Response   *string
		FinishedAt *time.Time
	}
	err := s.st.q(ctx).Table("quiz_attempt_items AS i").
		Select("i.attempt_id, a.user_id, u.name AS user_name, i.question_id, q.title, q.prompt, i.points, ans.response, a.finished_at").
		Joins("JOIN quiz_attempts a ON a.id = i.attempt_id").
		Joins("JOIN quiz_questions q ON q.id = i.question_id").
		Joins("LEFT JOIN quiz_answers ans ON ans.attempt_id = i.attempt_id AND ans.question_id = i.question_id").
		Joins("LEFT JOIN users u ON u.id = a.user_id").
		Where("a.lesson_id = ? AND a.status = ? AND i.score IS NULL", lessonID, StatusFinished).
		Order("a.finished_at, i.attempt_id, i.position").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]QueueItem, 0, len(rows))
	for _, r := range rows {
		it := QueueItem{AttemptID: r.AttemptID, UserID: r.UserID, UserName: r.UserName, QuestionID: r.QuestionID, Title: r.Title,
			Prompt: r.Prompt, Points: r.Points, FinishedAt: r.FinishedAt}
		if r.Response != nil {
			var resp Response
			if json.Unmarshal([]byte(*r.Response), &resp) == nil && resp.Text != nil {
				it.Text = *resp.Text
			}
		}
		out = append(out, it)
	}
	return out, nil
}

func (s *Service) addAudit(ctx context.Context, st store, a *Attempt, actor *auth.Principal, action, reason string, detail map[string]any) error {
	d, _ := json.Marshal(detail)
	uid, aid := a.UserID, a.ID
	return st.audit(ctx, &Audit{LessonID: a.LessonID, AttemptID: &aid, UserID: &uid, ActorID: actor.UserID, Action: action,
		Detail: string(d), Reason: reason, CreatedAt: s.now()})
}

// GradeItem gives a score (and comment) to one question of a finished attempt by hand: the
// essay grading queue, or correcting an automatic grade. Regrades keep it.
func (s *Service) GradeItem(ctx context.Context, attemptID, questionID int64, score float64, comment string) (*AttemptView, error) {
	p, a, q, err := s.manageAttempt(ctx, attemptID)
	if err != nil {
		return nil, err
	}
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > maxPrompt {
		return nil, apperr.Invalid("comment", "is too long")
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		st := s.st.tx(tx)
		if a, err = st.lockAttempt(ctx, attemptID, "UPDATE", false); err != nil {
			return err
		}
		if a.Status != StatusFinished {
			return fmt.Errorf("attempt %d is still in progress: %w", attemptID, apperr.ErrConflict)
		}
		items, err := st.items(ctx, attemptID)
		if err != nil {
			return err
		}
		var it *Item
		for i := range items {
			if items[i].QuestionID == questionID {
				it = &items[i]
			}
		}
		if it == nil {
			return fmt.Errorf("question %d is not part of attempt %d: %w", questionID, attemptID, apperr.ErrNotFound)
		}
		if !finite(score) || score < 0 || score > it.Points+1e-9 {
			return apperr.Invalid("score", fmt.Sprintf("must be from 0 to %s", formatNumber(it.Points)))
		}
		old := it.Score
		now := s.now()
		sc := round6(score)
		it.Score, it.Manual, it.Comment = &sc, true, comment
		if err := st.q(ctx).Model(&Item{}).Where("id = ?", it.ID).Updates(map[string]any{"score": it.Score, "manual": true,
			"comment": comment, "graded_by": p.UserID, "graded_at": now}).Error; err != nil {
			return err
		}
		totals(a, items, q.PassPercent)
		if err := s.saveTotals(ctx, st, a); err != nil {
			return err
		}
		if err := s.addAudit(ctx, st, a, p, "grade", "", map[string]any{"question_id": questionID, "old": old, "new": sc, "comment": comment}); err != nil {
			return err
		}
		if a.Preview {
			return nil
		}
		return s.record(ctx, st, q, a.UserID)
	})
	if err != nil {
		return nil, err
	}
	return s.attemptView(ctx, s.st, a, q, true)
}

// Regraded says what a regrade changed.
type Regraded struct {
	Attempts int `json:"attempts"`
	Changed  int `json:"changed"`
}

// Regrade recomputes the finished attempts of a quiz (only those holding questionID when it is
// not 0) from their stored answers, with the questions as they are now (points included).
// Scores given by hand stay. Every change goes to the audit log.
func (s *Service) Regrade(ctx context.Context, lessonID, questionID int64) (*Regraded, error) {
	p, q, err := s.manageLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	var ids []int64
	sel := s.st.q(ctx).Model(&Attempt{}).Where("lesson_id = ? AND status = ?", lessonID, StatusFinished)
	if questionID > 0 {
		sel = sel.Where("id IN (?)", s.st.q(ctx).Model(&Item{}).Select("attempt_id").Where("question_id = ?", questionID))
	}
	if err := sel.Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, err
	}
	out := &Regraded{Attempts: len(ids)}
	for _, id := range ids {
		err := s.db.Tx(ctx, func(tx *gorm.DB) error {
			st := s.st.tx(tx)
			a, err := st.lockAttempt(ctx, id, "UPDATE", false)
			if err != nil {
				return err
			}
			items, changed, err := s.gradeItems(ctx, st, a)
			if err != nil || len(changed) == 0 {
				return err
			}
			if err := st.saveItemScores(ctx, changed); err != nil {
				return err
			}
			old, oldMax := a.Score, a.MaxScore
			totals(a, items, q.PassPercent)
			if err := s.saveTotals(ctx, st, a); err != nil {
				return err
			}
			out.Changed++
			detail := map[string]any{"old": old, "new": a.Score, "old_max": oldMax, "new_max": a.MaxScore}
			if err := s.addAudit(ctx, st, a, p, "regrade", "", detail); err != nil {
				return err
			}
			if a.Preview {
				return nil
			}
			return s.record(ctx, st, q, a.UserID)
		})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// Override replaces a finished attempt's score (nil restores the computed one); the reason is
// required and kept in the audit log with the old and new values.
func (s *Service) Override(ctx context.Context, attemptID int64, score *float64, reason string) (*AttemptView, error) {
	p, a, q, err := s.manageAttempt(ctx, attemptID)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 2000 {
		return nil, apperr.Invalid("reason", "is required (at most 2000 characters)")
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		st := s.st.tx(tx)
		if a, err = st.lockAttempt(ctx, attemptID, "UPDATE", false); err != nil {
			return err
		}
		if a.Status != StatusFinished {
			return fmt.Errorf("attempt %d is still in progress: %w", attemptID, apperr.ErrConflict)
		}
		if score != nil && (!finite(*score) || *score < 0 || *score > a.MaxScore+1e-9) {
			return apperr.Invalid("score", fmt.Sprintf("must be from 0 to %s", formatNumber(a.MaxScore)))
		}
		old := a.OverrideScore
		if score != nil {
			v := round6(*score)
			a.OverrideScore = &v
		} else {
			a.OverrideScore = nil
		}
		a.OverrideReason = reason
		items, err := st.items(ctx, attemptID)
		if err != nil {
			return err
		}
		totals(a, items, q.PassPercent)
		if err := s.saveTotals(ctx, st, a); err != nil {
			return err
		}
		if err := s.addAudit(ctx, st, a, p, "override", reason, map[string]any{"old": old, "new": a.OverrideScore, "computed": a.Score}); err != nil {
			return err
		}
		if a.Preview {
			return nil
		}
		return s.record(ctx, st, q, a.UserID)
	})
	if err != nil {
		return nil, err
	}
	return s.attemptView(ctx, s.st, a, q, true)
}

// ExtensionInput gives one learner more attempts or time.
type ExtensionInput struct {
	ExtraAttempts int    `json:"extra_attempts"`
	ExtraSeconds  int    `json:"extra_seconds"`
	Reason        string `json:"reason,omitempty"`
}

// SetExtension gives one learner extra attempts and extra time on a quiz (replacing any
// earlier extension). Extra time also moves the deadline of their attempt in progress.
func (s *Service) SetExtension(ctx context.Context, lessonID, userID int64, in ExtensionInput) (*Extension, error) {
	p, q, err := s.manageLesson(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	f.Check(in.ExtraAttempts < 0 || in.ExtraAttempts > 100, "extra_attempts", "must be from 0 to 100")
	f.Check(in.ExtraSeconds < 0 || in.ExtraSeconds > maxTimeLimit, "extra_seconds", "must be from 0 to 604800")
	f.Check(utf8.RuneCountInString(in.Reason) > 2000, "reason", "is too long")
	if err := f.Err(); err != nil {
		return nil, err
	}
	ext := &Extension{}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		st := s.st.tx(tx)
		cur, err := st.extension(ctx, lessonID, userID)
		if err != nil {
			return err
		}
		*ext = cur
		old := map[string]any{"extra_attempts": cur.ExtraAttempts, "extra_seconds": cur.ExtraSeconds}
		ext.ExtraAttempts, ext.ExtraSeconds, ext.UpdatedBy, ext.UpdatedAt = in.ExtraAttempts, in.ExtraSeconds, p.UserID, s.now()
		if err := st.q(ctx).Save(ext).Error; err != nil {
			return err
		}
		a, err := st.inProgress(ctx, lessonID, userID)
		if err != nil {
			return err
		}
		d := map[string]any{"user_id": userID, "old": old, "extra_attempts": in.ExtraAttempts, "extra_seconds": in.ExtraSeconds}
		if a != nil {
			if a, err = st.lockAttempt(ctx, a.ID, "UPDATE", false); err != nil {
				return err
			}
			if a.Status == StatusInProgress {
				nd := deadlineFor(q, *ext, a.StartedAt)
				if err := st.q(ctx).Model(&Attempt{}).Where("id = ?", a.ID).Update("deadline", nd).Error; err != nil {
					return err
				}
				if nd != nil {
					if err := s.scheduleDeadline(ctx, tx, a.ID, *nd); err != nil {
						return err
					}
				}
				d["attempt_deadline"] = nd
			}
		} else {
			a = &Attempt{LessonID: lessonID, UserID: userID}
		}
		uid := userID
		e := &Audit{LessonID: lessonID, UserID: &uid, ActorID: p.UserID, Action: "extension", Reason: strings.TrimSpace(in.Reason), CreatedAt: s.now()}
		if a.ID > 0 {
			e.AttemptID = &a.ID
		}
		raw, _ := json.Marshal(d)
		e.Detail = string(raw)
		return st.audit(ctx, e)
	})
	if err != nil {
		return nil, err
	}
	return ext, nil
}

// AuditLog lists a quiz's audit entries, newest first.
func (s *Service) AuditLog(ctx context.Context, lessonID int64, limit, offset int) ([]Audit, int64, error) {
	if _, _, err := s.manageLesson(ctx, lessonID); err != nil {
		return nil, 0, err
	}
	q := s.st.q(ctx).Model(&Audit{}).Where("lesson_id = ?", lessonID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []Audit
	err := q.Order("id DESC").Limit(limit).Offset(offset).Find(&out).Error
	return out, total, err
}
