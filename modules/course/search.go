package course

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"glc/internal/apperr"
	"glc/internal/database"
)

// CatalogueQuery selects published courses.
type CatalogueQuery struct {
	Q        string
	Topic    string
	Language string
	Region   string
	Level    string
	// Sort is relevance (the default with Q), newest (the default without) or title.
	Sort    string
	Variant string
	UI      string
	Page    Page
}

// Catalogue lists published courses: full-text search in each variant's own language, filters,
// sort and pagination. One entry per course, shown in the variant the caller prefers.
func (s *Service) Catalogue(ctx context.Context, q CatalogueQuery) ([]CourseSummary, int64, error) {
	f := apperr.Fields{}
	f.Check(q.Language != "" && !validLanguage(q.Language), "language", "must be one of en, fr, es, ar")
	f.Check(q.Level != "" && !slices.Contains(Levels, q.Level), "level", "must be one of "+strings.Join(Levels, ", "))
	f.Check(q.Region != "" && !slices.Contains(Regions, q.Region), "region", "must be one of "+strings.Join(Regions, ", "))
	f.Check(q.Sort != "" && !slices.Contains([]string{"relevance", "newest", "title"}, q.Sort), "sort", "must be relevance, newest or title")
	f.Check(len(q.Q) > 200, "q", "must be at most 200 characters")
	if err := f.Err(); err != nil {
		return nil, 0, err
	}
	pref := append([]string{q.Variant, q.Language}, prefs(ctx, "", q.UI)...)
	sel, selArgs, count, countArgs := s.catalogueSQL(q, s.principalID(ctx), firstNonEmpty(pref...))
	var total int64
	if err := s.db.WithContext(ctx).Raw(count, countArgs...).Scan(&total).Error; err != nil {
		return nil, 0, err
	}
	type row struct {
		ID     int64
		Status *string
	}
	var rows []row
	if err := s.db.WithContext(ctx).Raw(sel, append(selArgs, q.Page.PerPage, q.Page.Offset())...).Scan(&rows).Error; err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(rows))
	enrol := map[int64]string{}
	for i, r := range rows {
		ids[i] = r.ID
		if r.Status != nil {
			enrol[r.ID] = *r.Status
		}
	}
	items, err := s.summaries(ctx, ids, enrol, pref, q.UI)
	return items, total, err
}

// catalogueSQL builds the catalogue's page query (selArgs end with LIMIT and OFFSET, which the
// caller appends) and its count query. The caller's enrolment comes from the unique
// (course_id, user_id) index of course_enrolments.
func (s *Service) catalogueSQL(q CatalogueQuery, userID int64, titleLang string) (sel string, selArgs []any, count string, countArgs []any) {
	from, rank := " FROM courses c", "0"
	var fromArgs []any
	if m, margs := s.matchSQL(q.Q, q.Language); m != "" {
		from += " JOIN (SELECT course_id, MAX(rank) AS rank FROM (" + m + ") mm GROUP BY course_id) m ON m.course_id = c.id"
		fromArgs, rank = margs, "m.rank"
	}
	where := " WHERE c.status = 'published' AND c.deleted_at IS NULL"
	var whereArgs []any
	for _, fl := range []struct{ col, val string }{{"c.topic", q.Topic}, {"c.region", q.Region}, {"c.level", q.Level}} {
		if fl.val != "" {
			where += " AND " + fl.col + " = ?"
			whereArgs = append(whereArgs, fl.val)
		}
	}
	if q.Language != "" {
		where += " AND EXISTS (SELECT 1 FROM course_variants lv WHERE lv.course_id = c.id AND lv.language = ?)"
		whereArgs = append(whereArgs, q.Language)
	}
	joins := " LEFT JOIN course_enrolments e ON e.course_id = c.id AND e.user_id = ?"
	joinArgs := []any{userID}
	order := "c.published_at DESC, c.id DESC"
	sort := q.Sort
	if sort == "" && rank != "0" {
		sort = "relevance"
	}
	switch sort {
	case "relevance":
		order = rank + " DESC, " + order
	case "title":
		joins += " LEFT JOIN course_variants tv ON tv.course_id = c.id AND tv.language = ?" +
			" LEFT JOIN course_variants dv ON dv.course_id = c.id AND dv.language = c.default_language"
		joinArgs = append(joinArgs, titleLang)
		order = "LOWER(COALESCE(tv.title, dv.title)), c.id"
	}
	sel = "SELECT c.id, e.status" + from + joins + where + " ORDER BY " + order + " LIMIT ? OFFSET ?"
	selArgs = concat(fromArgs, joinArgs, whereArgs)
	count = "SELECT COUNT(*)" + from + where
	countArgs = concat(fromArgs, whereArgs)
	return sel, selArgs, count, countArgs
}

func concat(parts ...[]any) []any {
	var out []any
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// matchSQL returns a subquery selecting (course_id, rank) of the variants matching the search
// text, in each variant's language (only lang's variants when lang is set), or "" when the text
// has nothing to search for. One small function per dialect.
func (s *Service) matchSQL(text, lang string) (string, []any) {
	if strings.TrimSpace(text) == "" {
		return "", nil
	}
	if s.db.Dialect == database.Postgres {
		return matchPostgres(text, lang)
	}
	return matchSQLite(text, lang)
}

// matchPostgres matches the generated tsvector with websearch_to_tsquery in the variant's own
// text-search configuration (english, french, spanish, arabic): one GIN-indexed condition per
// language, so "formation" finds "formations" in a French course.
func matchPostgres(text, lang string) (string, []any) {
	var conds []string
	var args []any
	for _, l := range Languages {
		if lang != "" && l != lang {
			continue
		}
		conds = append(conds, "(v.language = '"+l+"' AND v.search @@ websearch_to_tsquery(glc_course_tsconfig('"+l+"'), ?))")
		args = append(args, text)
	}
	return "SELECT v.course_id, ts_rank(v.search, websearch_to_tsquery(glc_course_tsconfig(v.language), ?)) AS rank FROM course_variants v WHERE " +
		strings.Join(conds, " OR "), append([]any{text}, args...)
}

// matchSQLite matches the FTS5 table: every word of the text must appear, as a prefix, after
// Porter stemming and diacritics folding (so "formation" finds "formations" and "sécurité"
// finds "securite"; stemming is English-only, prefixes carry the rest). Rank is bm25 with title
// weighted highest (LIMIT -1 keeps SQLite from flattening the subquery, where bm25 cannot run).
func matchSQLite(text, lang string) (string, []any) {
	var terms []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		terms = append(terms, `"`+w+`"*`)
		if len(terms) == 16 {
			break
		}
	}
	if len(terms) == 0 {
		return "", nil
	}
	q := "SELECT v.course_id, f.rank FROM (SELECT rowid AS vid, -bm25(course_search, 10.0, 5.0, 1.0, 5.0) AS rank FROM course_search WHERE course_search MATCH ? LIMIT -1) f" +
		" JOIN course_variants v ON v.id = f.vid"
	args := []any{strings.Join(terms, " ")}
	if lang != "" {
		q += " WHERE v.language = ?"
		args = append(args, lang)
	}
	return q, args
}
