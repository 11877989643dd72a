package progress

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/jobs"
)

// Export reports.
const (
	// ReportRecords is one row per enrolment with its progress: the large export.
	ReportRecords = "records"
	// ReportCompletions is the grouped completions report.
	ReportCompletions = "completions"
)

// ExportArgs is the background job that writes an export file.
type ExportArgs struct {
	ExportID int64 `json:"export_id"`
}

// Kind implements jobs.Args.
func (ExportArgs) Kind() string { return "progress.export" }

// ExportInput asks for an export file.
type ExportInput struct {
	Report   string `json:"report"`
	Format   string `json:"format"`
	GroupBy  string `json:"group_by"`
	From     string `json:"from"`
	To       string `json:"to"`
	Country  string `json:"country"`
	OrgID    int64  `json:"organisation_id"`
	CourseID int64  `json:"course_id"`
	Lang     string `json:"-"`
}

// exportParams is what the job needs: the filter already narrowed to the requester's scope.
type exportParams struct {
	Filter ReportFilter `json:"filter"`
	Lang   string       `json:"lang"`
}

// ExportView is an export's state.
type ExportView struct {
	ID          string     `json:"id"`
	Report      string     `json:"report"`
	Format      string     `json:"format"`
	Status      string     `json:"status"`
	Done        int        `json:"done"`
	Total       int        `json:"total"`
	Percent     int        `json:"percent"`
	Error       string     `json:"error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	FinishedAt  *time.Time `json:"finished_at"`
	DownloadURL string     `json:"download_url,omitempty"`
}

func exportView(e *Export) *ExportView {
	v := &ExportView{ID: e.UUID, Report: e.Report, Format: e.Format, Status: e.Status, Done: e.Done, Total: e.Total, Error: e.Error,
		CreatedAt: e.CreatedAt, FinishedAt: e.FinishedAt}
	if e.Total > 0 {
		v.Percent = min(100, e.Done*100/e.Total)
	}
	if e.Status == ExportDone {
		v.Percent = 100
		v.DownloadURL = "/api/v1/reports/exports/" + e.UUID + "/file"
	}
	return v
}

// ParseDate reads a YYYY-MM-DD date ("" is the zero time).
func ParseDate(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, apperr.Invalid(field, "must be a date (YYYY-MM-DD)")
	}
	return t, nil
}

// StartExport records an export and queues the job that writes it (coordinators within their
// scope, admins).
func (s *Service) StartExport(ctx context.Context, in ExportInput) (*ExportView, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	fe := apperr.Fields{}
	fe.Check(!slices.Contains([]string{ReportRecords, ReportCompletions}, in.Report), "report", "must be records or completions")
	fe.Check(in.Format != FormatCSV && in.Format != FormatXLSX, "format", "must be csv or xlsx")
	from, err1 := ParseDate("from", in.From)
	to, err2 := ParseDate("to", in.To)
	if err := errors.Join(fe.Err(), err1, err2); err != nil {
		return nil, err
	}
	f := ReportFilter{GroupBy: in.GroupBy, From: from, To: to, Country: in.Country, OrgID: in.OrgID, CourseID: in.CourseID}
	if err := f.validate(s.now(), in.Report == ReportCompletions); err != nil {
		return nil, err
	}
	if err := scopeReport(ctx, &f); err != nil {
		return nil, err
	}
	params, _ := json.Marshal(exportParams{Filter: f, Lang: in.Lang})
	e := &Export{UUID: uuid.NewString(), UserID: p.UserID, Report: in.Report, Format: in.Format, Params: string(params), Status: ExportQueued, CreatedAt: s.now()}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(e).Error; err != nil {
			return err
		}
		if s.jobs == nil {
			return nil
		}
		_, err := s.jobs.EnqueueTx(ctx, tx, ExportArgs{ExportID: e.ID})
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.jobs == nil {
		if err := s.RunExport(ctx, e.ID); err != nil {
			return nil, err
		}
		if err := s.db.WithContext(ctx).Take(e, e.ID).Error; err != nil {
			return nil, err
		}
	}
	return exportView(e), nil
}

// RunExport writes an export file (the job's work). A failure is recorded on the export.
func (s *Service) RunExport(ctx context.Context, id int64) error {
	var e Export
	if err := s.db.WithContext(ctx).Take(&e, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // deleted meanwhile: nothing to do
		}
		return err
	}
	if e.Status == ExportDone {
		return nil
	}
	var p exportParams
	if err := json.Unmarshal([]byte(e.Params), &p); err != nil {
		return s.failExport(ctx, &e, err)
	}
	s.db.WithContext(ctx).Model(&e).Updates(map[string]any{"status": ExportRunning})
	tmp, err := os.CreateTemp("", "glc-export-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()); _ = tmp.Close() }()
	var table Table
	switch e.Report {
	case ReportCompletions:
		rep, err := s.completions(ctx, p.Filter, p.Lang)
		if err != nil {
			return s.failExport(ctx, &e, err)
		}
		table = s.reportTable(rep, p.Lang)
	default:
		table = s.recordsTable(p.Filter, p.Lang, func(done, total int) {
			s.db.WithContext(ctx).Model(&Export{}).Where("id = ?", e.ID).Updates(map[string]any{"done": done, "total": total})
			_ = jobs.Progress(ctx, int64(done), int64(total))
		})
	}
	if err := WriteTable(ctx, tmp, e.Format, table); err != nil {
		return s.failExport(ctx, &e, err)
	}
	size, err := tmp.Seek(0, 1)
	if err != nil {
		return err
	}
	if _, err := tmp.Seek(0, 0); err != nil {
		return err
	}
	key := "exports/" + e.UUID + "." + e.Format
	if _, err := s.store.Put(ctx, key, tmp, size, ContentType(e.Format)); err != nil {
		return fmt.Errorf("store export: %w", err) // retried by the queue
	}
	now := s.now()
	return s.db.WithContext(ctx).Model(&Export{}).Where("id = ?", e.ID).
		Updates(map[string]any{"status": ExportDone, "key": key, "finished_at": now, "error": ""}).Error
}

func (s *Service) failExport(ctx context.Context, e *Export, cause error) error {
	now := s.now()
	s.log.Error("report export failed", "export", e.UUID, "err", cause)
	return s.db.WithContext(ctx).Model(&Export{}).Where("id = ?", e.ID).
		Updates(map[string]any{"status": ExportFailed, "error": cause.Error(), "finished_at": now}).Error
}

// ownExport loads an export for its requester (or an admin).
func (s *Service) ownExport(ctx context.Context, id string) (*Export, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, fmt.Errorf("export: %w", apperr.ErrNotFound)
	}
	var e Export
	err = s.db.WithContext(ctx).Where("uuid = ?", id).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("export: %w", apperr.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if e.UserID != p.UserID && !p.IsAdmin() {
		return nil, fmt.Errorf("this export belongs to someone else: %w", apperr.ErrForbidden)
	}
	return &e, nil
}

// ExportStatus returns an export's state to its requester.
func (s *Service) ExportStatus(ctx context.Context, id string) (*ExportView, error) {
	e, err := s.ownExport(ctx, id)
	if err != nil {
		return nil, err
	}
	return exportView(e), nil
}

// ExportFile returns the stored file of a finished export: its key, a file name and its type.
func (s *Service) ExportFile(ctx context.Context, id string) (key, name, contentType string, err error) {
	e, err := s.ownExport(ctx, id)
	if err != nil {
		return "", "", "", err
	}
	if e.Status != ExportDone {
		return "", "", "", fmt.Errorf("the export is not ready yet: %w", apperr.ErrConflict)
	}
	return e.Key, fmt.Sprintf("glc-%s-%s.%s", e.Report, e.CreatedAt.UTC().Format("20060102-150405"), e.Format), ContentType(e.Format), nil
}

// recordsTable is one row per enrolment in the filter, read in batches by id (keyset), with
// progress reported after each batch.
func (s *Service) recordsTable(f ReportFilter, lang string, progress func(done, total int)) Table {
	t := func(id string) string { return s.t(lang, "progress.records.col."+id) }
	return Table{Name: "Records", Header: []string{t("name"), t("email"), t("country"), t("organisation"), t("course"), t("enrolled"), t("due"),
		t("status"), t("percent"), t("completed"), t("hours"), t("score")},
		Rows: func(ctx context.Context, emit func([][]any) error) error {
			where := " WHERE e.enrolled_at >= ? AND e.enrolled_at < ?"
			args := []any{f.From, f.To}
			if f.CourseID != 0 {
				where += " AND e.course_id = ?"
				args = append(args, f.CourseID)
			}
			if f.Country != "" {
				where += " AND u.country = ?"
				args = append(args, f.Country)
			}
			if f.OrgID != 0 {
				where += " AND u.org_id = ?"
				args = append(args, f.OrgID)
			}
			var total int64
			if err := s.db.WithContext(ctx).Raw("SELECT COUNT(*) FROM course_enrolments e JOIN users u ON u.id = e.user_id"+where, args...).Scan(&total).Error; err != nil {
				return err
			}
			progress(0, int(total))
			type rec struct {
				ID               int64
				Name             string
				Email            string
				Country          string
				Organisation     string
				Course           string
				EnrolledAt       time.Time
				DueAt            *time.Time
				Status           string
				PercentComplete  int
				CompletedAt      *time.Time
				TimeSpentSeconds int64
				ScorePercent     *float64
			}
			const batch = 2000
			last, done := int64(0), 0
			for {
				var rows []rec
				err := s.db.WithContext(ctx).Raw(`SELECT e.id, u.name, u.email, u.country, COALESCE(o.name, '') AS organisation, COALESCE(v.title, '') AS course,
  e.enrolled_at, e.due_at, COALESCE(p.status, 'not_started') AS status, COALESCE(p.percent_complete, 0) AS percent_complete, p.completed_at,
  COALESCE(p.time_spent_seconds, 0) AS time_spent_seconds, p.score_percent
FROM course_enrolments e JOIN users u ON u.id = e.user_id
LEFT JOIN organisations o ON o.id = u.org_id
LEFT JOIN courses c ON c.id = e.course_id
LEFT JOIN course_variants v ON v.course_id = c.id AND v.language = c.default_language
LEFT JOIN course_progress p ON p.user_id = e.user_id AND p.course_id = e.course_id`+where+` AND e.id > ? ORDER BY e.id LIMIT ?`,
					append(slices.Clone(args), last, batch)...).Scan(&rows).Error
				if err != nil {
					return err
				}
				out := make([][]any, len(rows))
				for i, r := range rows {
					st := r.Status
					if r.CompletedAt != nil {
						st, r.PercentComplete = StatusCompleted, 100
					}
					out[i] = []any{r.Name, r.Email, r.Country, r.Organisation, r.Course, r.EnrolledAt, r.DueAt, s.t(lang, "progress.status."+st),
						r.PercentComplete, r.CompletedAt, hours(r.TimeSpentSeconds), r.ScorePercent}
					last = r.ID
				}
				if len(out) > 0 {
					if err := emit(out); err != nil {
						return err
					}
				}
				done += len(rows)
				progress(done, int(total))
				if len(rows) < batch {
					return nil
				}
			}
		}}
}
