package library

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/database"
)

// store holds the library's queries. Each method takes ctx and an optional transaction; with
// a nil tx it runs on the database directly.
type store struct {
	db *database.DB
}

func (s store) q(ctx context.Context, tx *gorm.DB) *gorm.DB {
	if tx != nil {
		return tx.WithContext(ctx)
	}
	return s.db.WithContext(ctx)
}

func notFound(what string, id any, err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("%s %v: %w", what, id, apperr.ErrNotFound)
	}
	return err
}

// resource loads one resource, file text included.
func (s store) resource(ctx context.Context, tx *gorm.DB, id int64) (*Resource, error) {
	var r Resource
	if err := s.q(ctx, tx).Take(&r, id).Error; err != nil {
		return nil, notFound("resource", id, err)
	}
	return &r, nil
}

// createResource inserts r and indexes it.
func (s store) createResource(ctx context.Context, tx *gorm.DB, r *Resource) error {
	if err := s.q(ctx, tx).Create(r).Error; err != nil {
		return err
	}
	return s.index(ctx, tx, r)
}

// saveResource updates every column of r and re-indexes it.
func (s store) saveResource(ctx context.Context, tx *gorm.DB, r *Resource) error {
	if err := s.q(ctx, tx).Save(r).Error; err != nil {
		return err
	}
	return s.index(ctx, tx, r)
}

// index keeps the full-text index in step. PostgreSQL computes the tsvector column itself;
// SQLite's FTS5 table is written here, rowid = resource id.
func (s store) index(ctx context.Context, tx *gorm.DB, r *Resource) error {
	if s.db.Dialect == database.Postgres {
		return nil
	}
	q := s.q(ctx, tx)
	if err := q.Exec("DELETE FROM resources_fts WHERE rowid = ?", r.ID).Error; err != nil {
		return err
	}
	return q.Exec("INSERT INTO resources_fts (rowid, title, summary, authors, tags, topic, contents, file_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		r.ID, r.Title, r.Summary, r.Authors, r.Tags, r.Topic, r.Contents, r.FileText).Error
}

// deleteResource removes the resource, its file rows and its index entry; it returns the file
// rows so that the caller can delete the objects once the transaction has committed.
func (s store) deleteResource(ctx context.Context, tx *gorm.DB, id int64) ([]ResourceFile, error) {
	q := s.q(ctx, tx)
	var files []ResourceFile
	if err := q.Where("resource_id = ?", id).Find(&files).Error; err != nil {
		return nil, err
	}
	for _, stmt := range []string{"DELETE FROM resource_files WHERE resource_id = ?", "DELETE FROM resource_downloads WHERE resource_id = ?", "DELETE FROM resources WHERE id = ?"} {
		if err := q.Exec(stmt, id).Error; err != nil {
			return nil, err
		}
	}
	if s.db.Dialect == database.SQLite {
		if err := q.Exec("DELETE FROM resources_fts WHERE rowid = ?", id).Error; err != nil {
			return nil, err
		}
	}
	return files, nil
}

// files lists a resource's file versions, newest first.
func (s store) files(ctx context.Context, tx *gorm.DB, resourceID int64) ([]ResourceFile, error) {
	var out []ResourceFile
	err := s.q(ctx, tx).Where("resource_id = ?", resourceID).Order("version DESC").Find(&out).Error
	return out, err
}

// latestFile returns the newest version, or ErrNotFound when the resource has no file.
func (s store) latestFile(ctx context.Context, tx *gorm.DB, resourceID int64) (*ResourceFile, error) {
	var f ResourceFile
	err := s.q(ctx, tx).Where("resource_id = ?", resourceID).Order("version DESC").Take(&f).Error
	if err != nil {
		return nil, notFound("file of resource", resourceID, err)
	}
	return &f, nil
}

// addFile stores f as the next version of its resource.
func (s store) addFile(ctx context.Context, tx *gorm.DB, f *ResourceFile) error {
	var max int
	if err := s.q(ctx, tx).Model(&ResourceFile{}).Where("resource_id = ?", f.ResourceID).Select("COALESCE(MAX(version), 0)").Scan(&max).Error; err != nil {
		return err
	}
	f.Version = max + 1
	return s.q(ctx, tx).Create(f).Error
}

// countDownload adds one to the counter (in one UPDATE, so concurrent downloads never lose a
// count) and logs the download.
func (s store) countDownload(ctx context.Context, id int64, userID *int64, at time.Time) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("UPDATE resources SET downloads = downloads + 1 WHERE id = ?", id).Error; err != nil {
			return err
		}
		return tx.Create(&resourceDownload{ResourceID: id, UserID: userID, At: at}).Error
	})
}

// DailyDownloads is the number of downloads of one resource on one day.
type DailyDownloads struct {
	Day   string `json:"day"`
	Count int64  `json:"count"`
}

// downloadsByDay counts a resource's downloads per day over the last days.
func (s store) downloadsByDay(ctx context.Context, id int64, since time.Time) ([]DailyDownloads, error) {
	day := "substr(at, 1, 10)"
	if s.db.Dialect == database.Postgres {
		day = "to_char(at, 'YYYY-MM-DD')"
	}
	var out []DailyDownloads
	err := s.q(ctx, nil).Model(&resourceDownload{}).Select(day+" AS day, COUNT(*) AS count").
		Where("resource_id = ? AND at >= ?", id, since).Group("day").Order("day").Scan(&out).Error
	return out, err
}

// Query is a library search.
type Query struct {
	Q        string
	Kind     string
	Language string
	Topic    string
	Year     int
	Page     int
	PerPage  int
}

// Facet is one value of a facet with its count.
type Facet struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// Facets are the counts per kind, language, topic and year.
type Facets struct {
	Kind     []Facet `json:"kind"`
	Language []Facet `json:"language"`
	Topic    []Facet `json:"topic"`
	Year     []Facet `json:"year"`
}

// searchTerms splits q into words of letters and digits (so no search syntax gets through).
func searchTerms(q string) []string {
	return strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// textMatch is the dialect's full-text condition for the words of q: every word must match,
// as a prefix. PostgreSQL: the generated tsvector column with its GIN index; SQLite: FTS5.
func (s store) textMatch(words []string) (string, any) {
	if s.db.Dialect == database.Postgres {
		parts := make([]string, len(words))
		for i, w := range words {
			parts[i] = w + ":*"
		}
		return "resources.search @@ to_tsquery('simple', ?)", strings.Join(parts, " & ")
	}
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = `"` + w + `"*`
	}
	return "resources.id IN (SELECT rowid FROM resources_fts WHERE resources_fts MATCH ?)", strings.Join(parts, " ")
}

// textRank orders by relevance.
func (s store) textRank(words []string) (string, any) {
	_, arg := s.textMatch(words)
	if s.db.Dialect == database.Postgres {
		return "ts_rank(resources.search, to_tsquery('simple', ?)) DESC", arg
	}
	return "(SELECT bm25(resources_fts) FROM resources_fts WHERE resources_fts MATCH ? AND resources_fts.rowid = resources.id)", arg
}

// visible limits rows to what viewer may see: public and members-only resources for
// everyone (members-only ones are listed but only members download them), restricted ones
// only within their scope; editors see everything.
func visible(q *gorm.DB, viewer *auth.Principal) *gorm.DB {
	if isEditor(viewer) {
		return q
	}
	if viewer == nil {
		return q.Where("resources.access <> ?", AccessRestricted)
	}
	cond := []string{"resources.access <> ?"}
	args := []any{AccessRestricted}
	for _, r := range viewer.Roles {
		cond = append(cond, "resources.access_roles LIKE ?")
		args = append(args, "% "+r+" %")
	}
	if viewer.Country != "" {
		cond = append(cond, "resources.access_countries LIKE ?")
		args = append(args, "% "+viewer.Country+" %")
	}
	if viewer.OrgID != 0 {
		cond = append(cond, "resources.access_orgs LIKE ?")
		args = append(args, "% "+strconv.FormatInt(viewer.OrgID, 10)+" %")
	}
	return q.Where("("+strings.Join(cond, " OR ")+")", args...)
}

// filtered applies the query's filters except the one named skip (a facet is counted over
// the other filters, so that its other values stay visible).
func (s store) filtered(ctx context.Context, in Query, viewer *auth.Principal, skip string) *gorm.DB {
	q := visible(s.q(ctx, nil).Model(&Resource{}), viewer)
	if words := searchTerms(in.Q); len(words) > 0 {
		cond, arg := s.textMatch(words)
		q = q.Where(cond, arg)
	}
	if in.Kind != "" && skip != "kind" {
		q = q.Where("resources.kind = ?", in.Kind)
	}
	if in.Language != "" && skip != "language" {
		q = q.Where("resources.language = ?", in.Language)
	}
	if in.Topic != "" && skip != "topic" {
		q = q.Where("resources.topic = ?", in.Topic)
	}
	if in.Year != 0 && skip != "year" {
		q = q.Where("resources.year = ?", in.Year)
	}
	return q
}

// search returns one page of matching resources (file text left out), the total and the
// facets: one GROUP BY query per facet.
func (s store) search(ctx context.Context, in Query, viewer *auth.Principal) ([]Resource, int64, Facets, error) {
	var total int64
	if err := s.filtered(ctx, in, viewer, "").Count(&total).Error; err != nil {
		return nil, 0, Facets{}, err
	}
	q := s.filtered(ctx, in, viewer, "").Omit("file_text")
	if words := searchTerms(in.Q); len(words) > 0 {
		order, arg := s.textRank(words)
		q = q.Order(gorm.Expr(order, arg))
	}
	var items []Resource
	err := q.Order("resources.published_on DESC").Order("resources.id DESC").
		Limit(in.PerPage).Offset((in.Page - 1) * in.PerPage).Find(&items).Error
	if err != nil {
		return nil, 0, Facets{}, err
	}
	var f Facets
	for _, c := range []struct {
		name string
		dst  *[]Facet
	}{{"kind", &f.Kind}, {"language", &f.Language}, {"topic", &f.Topic}, {"year", &f.Year}} {
		col := "resources." + c.name
		value, nonEmpty := col, col+" <> ''"
		if c.name == "year" {
			value, nonEmpty = "CAST("+col+" AS VARCHAR(10))", col+" <> 0"
			if s.db.Dialect == database.SQLite {
				value = "CAST(" + col + " AS TEXT)"
			}
		}
		order := "count DESC, " + col
		if c.name == "year" {
			order = col + " DESC"
		}
		err := s.filtered(ctx, in, viewer, c.name).Select(value + " AS value, COUNT(*) AS count").
			Where(nonEmpty).Group(col).Order(order).Scan(c.dst).Error
		if err != nil {
			return nil, 0, Facets{}, err
		}
	}
	return items, total, f, nil
}

// latest returns the newest resources of a kind that everyone may see.
func (s store) latest(ctx context.Context, kind string, n int) ([]Resource, error) {
	var out []Resource
	err := s.q(ctx, nil).Omit("file_text").Where("kind = ? AND access <> ?", kind, AccessRestricted).
		Order("published_on DESC").Order("id DESC").Limit(n).Find(&out).Error
	return out, err
}

// seriesIssues lists a series' issues visible to viewer, newest first.
func (s store) seriesIssues(ctx context.Context, seriesID int64, viewer *auth.Principal) ([]Resource, error) {
	var out []Resource
	err := visible(s.q(ctx, nil).Model(&Resource{}), viewer).Omit("file_text").Where("resources.series_id = ?", seriesID).
		Order("resources.issue_number DESC").Order("resources.published_on DESC").Find(&out).Error
	return out, err
}

// links lists training websites, for the link checker.
func (s store) links(ctx context.Context) ([]Resource, error) {
	var out []Resource
	err := s.q(ctx, nil).Omit("file_text").Where("kind = ? AND url <> ''", KindLink).Order("id").Find(&out).Error
	return out, err
}

func (s store) setLinkStatus(ctx context.Context, id int64, status string, at time.Time) error {
	return s.q(ctx, nil).Model(&Resource{}).Where("id = ?", id).Updates(map[string]any{"link_status": status, "link_checked_at": at}).Error
}

func (s store) series(ctx context.Context, id int64) (*Series, error) {
	var out Series
	if err := s.q(ctx, nil).Take(&out, id).Error; err != nil {
		return nil, notFound("series", id, err)
	}
	return &out, nil
}

func (s store) allSeries(ctx context.Context, limit, offset int) ([]Series, int64, error) {
	var out []Series
	var total int64
	if err := s.q(ctx, nil).Model(&Series{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	err := s.q(ctx, nil).Order("title").Limit(limit).Offset(offset).Find(&out).Error
	return out, total, err
}

func (s store) upload(ctx context.Context, tx *gorm.DB, id string) (*Upload, error) {
	var u Upload
	if err := s.q(ctx, tx).Where("id = ?", id).Take(&u).Error; err != nil {
		return nil, notFound("upload", id, err)
	}
	if err := s.q(ctx, tx).Where("upload_id = ?", id).Order("n").Find(&u.Parts).Error; err != nil {
		return nil, err
	}
	return &u, nil
}
