package account

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/database"
	"glc/internal/jobs"
)

// CSV import of users. The file has a header line naming its columns: email, name and country
// are required; organisation_id, roles (separated by spaces or semicolons) and language are
// optional. Each line is validated on its own: bad lines are reported by line number and not
// written; good lines are written in chunks, one transaction per chunk. Imported users are
// active without a usable password: each gets a one-time, expiring activation link, listed in
// the result (and e-mailed when SMTP is configured).

// ImportChunk is how many users one transaction writes.
const ImportChunk = 500

// AsyncImportLines: files with more data lines than this run in the background (202).
const AsyncImportLines = 1000

var importColumns = []string{"email", "name", "country", "organisation_id", "roles", "language"}

// ImportLineError is one refused line.
type ImportLineError struct {
	Line   int               `json:"line"`
	Fields map[string]string `json:"fields"`
}

// ImportResult is what an import did.
type ImportResult struct {
	Total       int               `json:"total"`
	Created     int               `json:"created"`
	Failed      int               `json:"failed"`
	Errors      []ImportLineError `json:"errors"`
	Activations []Activation      `json:"activations"`
}

type importRow struct {
	line int
	user User
}

// ImportCSV reads users from r and creates the valid ones; admins only. progress, when not nil,
// is called after each chunk with the number of lines handled and the total.
func (s *Service) ImportCSV(ctx context.Context, r io.Reader, progress func(done, total int)) (*ImportResult, error) {
	if _, err := auth.RequireRole(ctx, auth.RoleAdmin); err != nil {
		return nil, err
	}
	rows, res, err := s.parseImport(ctx, r)
	if err != nil {
		return nil, err
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	invalid := len(res.Errors)
	done := invalid
	progress(done, res.Total)
	for start := 0; start < len(rows); start += ImportChunk {
		chunk := rows[start:min(start+ImportChunk, len(rows))]
		if err := s.importChunk(ctx, chunk, res); err != nil {
			return nil, err
		}
		done += len(chunk)
		progress(done, res.Total)
	}
	sort.Slice(res.Errors, func(i, j int) bool { return res.Errors[i].Line < res.Errors[j].Line })
	res.Failed = len(res.Errors)
	res.Created = len(res.Activations)
	s.mailActivations(res.Activations)
	return res, nil
}

// parseImport reads and validates every line without writing.
func (s *Service) parseImport(ctx context.Context, r io.Reader) ([]importRow, *ImportResult, error) {
	if err := s.loadCountries(ctx); err != nil {
		return nil, nil, err
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, nil, apperr.Invalid("file", "must be a CSV file with a header line (email,name,country,...)")
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(importColumns, h) {
			return nil, nil, apperr.Invalid("file", fmt.Sprintf("unknown column %q; the columns are %s", h, strings.Join(importColumns, ", ")))
		}
		if _, dup := col[h]; dup {
			return nil, nil, apperr.Invalid("file", fmt.Sprintf("column %q appears twice", h))
		}
		col[h] = i
	}
	for _, req := range []string{"email", "name", "country"} {
		if _, ok := col[req]; !ok {
			return nil, nil, apperr.Invalid("file", fmt.Sprintf("the header lacks the required column %q", req))
		}
	}
	orgs, err := s.orgIDs(ctx)
	if err != nil {
		return nil, nil, err
	}
	res := &ImportResult{Errors: []ImportLineError{}, Activations: []Activation{}}
	seen := map[string]int{}
	var rows []importRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line := 0
		var pe *csv.ParseError
		if err == nil {
			line, _ = cr.FieldPos(0)
		} else if errors.As(err, &pe) {
			line = pe.StartLine
			if pe.Err != csv.ErrFieldCount {
				res.Total++
				res.Errors = append(res.Errors, ImportLineError{Line: line, Fields: map[string]string{"line": pe.Err.Error()}})
				if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
					continue
				}
				return nil, nil, apperr.Invalid("file", fmt.Sprintf("line %d: %v", line, pe.Err))
			}
		} else if err != nil {
			return nil, nil, apperr.Invalid("file", fmt.Sprintf("line %d: %v", line, err))
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		res.Total++
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		f := apperr.Fields{}
		if len(rec) != len(header) {
			f.Add("line", fmt.Sprintf("has %d fields, the header has %d", len(rec), len(header)))
		}
		u, fields := s.validateImportRow(get, orgs)
		for k, v := range fields {
			f.Add(k, v)
		}
		if _, ok := f["email"]; !ok {
			if first, dup := seen[u.EmailKey]; dup {
				f.Add("email", fmt.Sprintf("appears twice in the file (first on line %d)", first))
			} else {
				seen[u.EmailKey] = line
			}
		}
		if len(f) > 0 {
			res.Errors = append(res.Errors, ImportLineError{Line: line, Fields: f})
			continue
		}
		rows = append(rows, importRow{line: line, user: u})
	}
	return rows, res, nil
}

func (s *Service) validateImportRow(get func(string) string, orgs map[int64]bool) (User, apperr.Fields) {
	f := apperr.Fields{}
	email := get("email")
	checkEmail(f, "email", email)
	name := get("name")
	checkName(f, name)
	country := strings.ToUpper(get("country"))
	if _, ok := s.countryByCode[country]; !ok {
		f.Add("country", "must be an ISO 3166-1 alpha-2 country code")
	}
	var orgID *int64
	if v := get("organisation_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !orgs[id] {
			f.Add("organisation_id", "must name an existing organisation")
		} else {
			orgID = &id
		}
	}
	roles := strings.FieldsFunc(get("roles"), func(r rune) bool { return r == ' ' || r == ';' || r == '|' })
	checkRoles(f, roles)
	roles = normRoles(roles)
	lang := get("language")
	if lang == "" {
		lang = "en"
	}
	checkLanguage(f, lang)
	u := User{Email: email, EmailKey: normEmail(email), Name: name, Country: country, OrgID: orgID,
		Roles: strings.Join(roles, " "), Language: lang, Status: StatusActive}
	if slices.Contains(roles, auth.RoleCoordinator) {
		u.ScopeCountry = country
	}
	return u, f
}

func (s *Service) orgIDs(ctx context.Context) (map[int64]bool, error) {
	var ids []int64
	if err := s.db.WithContext(ctx).Model(&Organisation{}).Pluck("id", &ids).Error; err != nil {
		return nil, err
	}
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m, nil
}

// importChunk writes one chunk in one transaction; lines whose e-mail is already registered
// are reported. Should another writer register one of the e-mails meanwhile, the chunk is
// retried line by line.
func (s *Service) importChunk(ctx context.Context, chunk []importRow, res *ImportResult) error {
	keys := make([]string, len(chunk))
	for i, r := range chunk {
		keys[i] = r.user.EmailKey
	}
	var taken []string
	if err := s.db.WithContext(ctx).Model(&User{}).Where("email_key IN ?", keys).Pluck("email_key", &taken).Error; err != nil {
		return err
	}
	var fresh []importRow
	for _, r := range chunk {
		if slices.Contains(taken, r.user.EmailKey) {
			res.Errors = append(res.Errors, ImportLineError{Line: r.line, Fields: map[string]string{"email": "is already registered"}})
			continue
		}
		fresh = append(fresh, r)
	}
	if len(fresh) == 0 {
		return nil
	}
	acts, err := s.insertRows(ctx, fresh)
	if err == nil {
		res.Activations = append(res.Activations, acts...)
		return nil
	}
	if !database.IsUniqueViolation(err) {
		return err
	}
	for _, r := range fresh {
		acts, err := s.insertRows(ctx, []importRow{r})
		switch {
		case err == nil:
			res.Activations = append(res.Activations, acts...)
		case database.IsUniqueViolation(err):
			res.Errors = append(res.Errors, ImportLineError{Line: r.line, Fields: map[string]string{"email": "is already registered"}})
		default:
			return err
		}
	}
	return nil
}

func (s *Service) insertRows(ctx context.Context, rows []importRow) ([]Activation, error) {
	users := make([]User, len(rows))
	now := s.now()
	for i, r := range rows {
		users[i] = r.user
		users[i].CreatedAt, users[i].UpdatedAt = now, now
	}
	acts := make([]Activation, len(users))
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(&users, ImportChunk).Error; err != nil {
			return err
		}
		tokens := make([]ActivationToken, len(users))
		for i := range users {
			if users[i].ID == 0 {
				return errors.New("import: inserted user without id")
			}
			tokens[i], acts[i] = s.newActivation(&users[i])
		}
		return tx.CreateInBatches(&tokens, ImportChunk).Error
	})
	return acts, err
}

// mailActivations e-mails the activation links in the background when SMTP is configured.
func (s *Service) mailActivations(acts []Activation) {
	if s.mailer == nil || len(acts) == 0 {
		return
	}
	msgs := make([]Message, len(acts))
	for i, a := range acts {
		msgs[i] = Message{To: a.Email, Subject: s.translate("en", "account.mail.activation.subject"),
			Body: s.translate("en", "account.mail.activation.body", "Name", a.Email, "URL", a.URL)}
	}
	s.imports.Add(1)
	go func() {
		defer s.imports.Done()
		for start := 0; start < len(msgs); start += 100 {
			if err := s.mailer.Send(s.bgCtx, msgs[start:min(start+100, len(msgs))]); err != nil {
				s.log.Warn("activation e-mails not sent", "from", start, "err", err)
				return
			}
		}
	}()
}

// ImportStatus is the public view of an import record.
type ImportStatus struct {
	ID         string        `json:"id"`
	Status     string        `json:"status"`
	Total      int           `json:"total"`
	Done       int           `json:"done"`
	CreatedAt  time.Time     `json:"created_at"`
	FinishedAt *time.Time    `json:"finished_at,omitempty"`
	Error      string        `json:"error,omitempty"`
	Result     *ImportResult `json:"result,omitempty"`
}

func (s *Service) importStatus(rec *UserImport) (*ImportStatus, error) {
	st := &ImportStatus{ID: rec.PublicID, Status: rec.Status, Total: rec.Total, Done: rec.Done,
		CreatedAt: rec.CreatedAt, FinishedAt: rec.FinishedAt, Error: rec.Error}
	if rec.Result != "" {
		st.Result = &ImportResult{}
		if err := json.Unmarshal([]byte(rec.Result), st.Result); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// importArgs is the background job of a large import: the record holds the CSV.
type importArgs struct {
	ImportID int64 `json:"import_id"`
}

// Kind implements jobs.Args.
func (importArgs) Kind() string { return "account.import" }

// StartImport records an import of data and runs it: at once for small files (the status is
// done and holds the result), as a background job for files of more than AsyncImportLines
// lines (the status is running; poll GetImport for progress and result).
func (s *Service) StartImport(ctx context.Context, data []byte) (*ImportStatus, error) {
	p, err := auth.RequireRole(ctx, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	lines := bytes.Count(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		lines++
	}
	now := s.now()
	rec := &UserImport{PublicID: uuid.NewString(), CreatedBy: p.UserID, Status: ImportRunning, Total: max(lines-1, 0),
		CreatedAt: now, UpdatedAt: now}
	if lines-1 <= AsyncImportLines {
		res, err := s.ImportCSV(ctx, bytes.NewReader(data), nil)
		if err != nil {
			return nil, err
		}
		if err := s.finishImport(ctx, rec, res, nil); err != nil {
			return nil, err
		}
		return s.importStatus(rec)
	}
	if s.jobs == nil {
		return nil, errors.New("import: large files need the job queue")
	}
	rec.Data = string(data)
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(rec).Error; err != nil {
			return err
		}
		// One attempt: a retry would find the first chunks already written. A job whose runner
		// died is marked failed by failStaleImports.
		_, err := s.jobs.EnqueueTx(ctx, tx, importArgs{ImportID: rec.ID}, jobs.MaxAttempts(1))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &ImportStatus{ID: rec.PublicID, Status: rec.Status, Total: rec.Total, CreatedAt: rec.CreatedAt}, nil
}

// runImportJob imports the CSV held by an import record, as the admin who started it,
// recording progress on the record (and the job). Failures are recorded, not retried.
func (s *Service) runImportJob(ctx context.Context, a importArgs) error {
	var rec UserImport
	if err := s.db.WithContext(ctx).Take(&rec, a.ImportID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		return err
	}
	if rec.Status != ImportRunning {
		return nil
	}
	admin, err := s.Get(ctx, rec.CreatedBy)
	if err == nil && (!admin.HasRole(auth.RoleAdmin) || admin.Status != StatusActive) {
		err = fmt.Errorf("the admin who started the import is no longer an active admin: %w", apperr.ErrForbidden)
	}
	var res *ImportResult
	if err == nil {
		actx := auth.WithPrincipal(ctx, Principal(admin))
		last := time.Time{}
		res, err = s.ImportCSV(actx, strings.NewReader(rec.Data), func(done, total int) {
			if time.Since(last) < 300*time.Millisecond && done < total {
				return
			}
			last = time.Now()
			_ = jobs.Progress(ctx, int64(done), int64(total))
			_ = s.db.WithContext(ctx).Model(&UserImport{}).Where("id = ?", rec.ID).
				Updates(map[string]any{"done": done, "total": total, "updated_at": s.now()}).Error
		})
	}
	if ferr := s.finishImport(context.WithoutCancel(ctx), &rec, res, err); ferr != nil {
		return ferr
	}
	return nil
}

func (s *Service) finishImport(ctx context.Context, rec *UserImport, res *ImportResult, runErr error) error {
	now := s.now()
	rec.FinishedAt, rec.UpdatedAt = &now, now
	if runErr != nil {
		rec.Status, rec.Error = ImportFailed, runErr.Error()
	} else {
		raw, err := json.Marshal(res)
		if err != nil {
			return err
		}
		rec.Status, rec.Result, rec.Total, rec.Done = ImportDone, string(raw), res.Total, res.Total
	}
	rec.Data = ""
	if rec.ID == 0 {
		return s.db.WithContext(ctx).Create(rec).Error
	}
	return s.db.WithContext(ctx).Save(rec).Error
}

// GetImport returns the progress (and, once done, the result) of an import; admins only.
func (s *Service) GetImport(ctx context.Context, publicID string) (*ImportStatus, error) {
	if _, err := auth.RequireRole(ctx, auth.RoleAdmin); err != nil {
		return nil, err
	}
	var rec UserImport
	err := s.db.WithContext(ctx).Where("public_id = ?", publicID).Take(&rec).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("import %s: %w", publicID, apperr.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return s.importStatus(&rec)
}

// failStaleImports marks imports that stopped reporting progress (their process ended) as
// failed.
func (s *Service) failStaleImports(ctx context.Context) error {
	return s.db.WithContext(ctx).Model(&UserImport{}).
		Where("status = ? AND updated_at < ?", ImportRunning, s.now().Add(-10*time.Minute)).
		Updates(map[string]any{"status": ImportFailed, "error": "interrupted: the process running it stopped", "updated_at": s.now()}).Error
}

// WaitImports waits for background imports and e-mails to end (tests, shutdown).
func (s *Service) WaitImports() { s.imports.Wait() }
