package progress

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// Table is a sheet of an export: a header and rows of cells (strings, numbers, times, nil).
type Table struct {
	Name   string
	Header []string
	// Rows feeds the rows in batches; progress reports how many of total are written.
	Rows func(ctx context.Context, emit func(rows [][]any) error) error
}

// Export formats.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// ContentType of an export format.
func ContentType(format string) string {
	if format == FormatXLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return csvSafe(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case *time.Time:
		if x == nil {
			return ""
		}
		return x.UTC().Format(time.RFC3339)
	case *float64:
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x, 'f', 1, 64)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// csvSafe neutralises text that a spreadsheet would run as a formula (CSV injection).
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

// WriteTable writes t as CSV or XLSX to w.
func WriteTable(ctx context.Context, w io.Writer, format string, t Table) error {
	if format == FormatXLSX {
		return writeXLSX(ctx, w, t)
	}
	cw := csv.NewWriter(w)
	// A byte order mark lets spreadsheet programs read UTF-8 (Arabic names) right.
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	if err := cw.Write(t.Header); err != nil {
		return err
	}
	err := t.Rows(ctx, func(rows [][]any) error {
		for _, r := range rows {
			rec := make([]string, len(r))
			for i, v := range r {
				rec[i] = cell(v)
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func writeXLSX(ctx context.Context, w io.Writer, t Table) error {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	sheet := t.Name
	if sheet == "" {
		sheet = "Report"
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	head := make([]any, len(t.Header))
	for i, h := range t.Header {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	row := 2
	err = t.Rows(ctx, func(rows [][]any) error {
		for _, r := range rows {
			vals := make([]any, len(r))
			for i, v := range r {
				switch x := v.(type) {
				case *time.Time:
					if x != nil {
						vals[i] = x.UTC().Format(time.RFC3339)
					}
				case time.Time:
					vals[i] = x.UTC().Format(time.RFC3339)
				case *float64:
					if x != nil {
						vals[i] = *x
					}
				default:
					vals[i] = v
				}
			}
			axis, err := excelize.CoordinatesToCellName(1, row)
			if err != nil {
				return err
			}
			if err := sw.SetRow(axis, vals); err != nil {
				return err
			}
			row++
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// reportTable is the completions report as a table.
func (s *Service) reportTable(rep *Report, lang string) Table {
	t := func(id string) string { return s.t(lang, "progress.reports.col."+id) }
	return Table{Name: "Completions", Header: []string{t("group"), t("enrolments"), t("completions"), t("completion_rate"), t("graded"), t("passed"), t("pass_rate"), t("hours")},
		Rows: func(_ context.Context, emit func([][]any) error) error {
			rows := make([][]any, 0, len(rep.Rows)+1)
			for _, r := range append(rep.Rows, rep.Totals) {
				rows = append(rows, []any{r.Label, r.Enrolments, r.Completions, r.CompletionRate, r.Graded, r.Passed, r.PassRate, hours(r.TimeSpentSeconds)})
			}
			return emit(rows)
		}}
}

func hours(sec int64) float64 { return round1(float64(sec) / 3600) }

// learnersTable is a course's learner list as a table.
func (s *Service) learnersTable(ctx context.Context, courseID int64, f LearnerFilter, lang string) Table {
	t := func(id string) string { return s.t(lang, "progress.learners.col."+id) }
	return Table{Name: "Learners", Header: []string{t("name"), t("email"), t("country"), t("enrolled"), t("due"), t("status"), t("percent"), t("last_access"), t("hours"), t("score"), t("completed")},
		Rows: func(_ context.Context, emit func([][]any) error) error {
			return s.AllLearners(ctx, courseID, f, func(rows []LearnerRow) error {
				out := make([][]any, len(rows))
				for i, r := range rows {
					out[i] = []any{r.Name, r.Email, r.Country, r.EnrolledAt, r.DueAt, s.t(lang, "progress.status."+r.Status), r.PercentComplete, r.LastAccessAt, hours(r.TimeSpentSeconds), r.ScorePercent, r.CompletedAt}
				}
				return emit(out)
			})
		}}
}

// transcriptTable is a transcript as a table.
func (s *Service) transcriptTable(tr *Transcript, lang string) Table {
	t := func(id string) string { return s.t(lang, "progress.transcript.col."+id) }
	return Table{Name: "Transcript", Header: []string{t("course"), t("status"), t("hours"), t("enrolled"), t("completed"), t("score"), t("certificate")},
		Rows: func(_ context.Context, emit func([][]any) error) error {
			var rows [][]any
			for _, it := range append(append([]LearningItem{}, tr.Completed...), tr.InProgress...) {
				rows = append(rows, []any{it.Title, s.t(lang, "progress.status."+it.Status), it.Hours, it.EnrolledAt, it.CompletedAt, it.ScorePercent, it.CertificateCode})
			}
			return emit(rows)
		}}
}
