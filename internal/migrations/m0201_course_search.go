package migrations

import (
	"fmt"
	"strings"

	"gorm.io/gorm"

	"glc/internal/database"
)

// m0201CourseSearch adds full-text search over the course variants (title, summary,
// description, tags), each in its own language.
//
// PostgreSQL: glc_course_tsconfig(language) maps en/fr/es/ar to the english, french, spanish
// and arabic text-search configurations ('simple' for any that the server lacks); a generated
// tsvector column (title A, summary and tags B, description C) with a GIN index.
//
// SQLite: an FTS5 table course_search (rowid = variant id; porter stemming over unicode61
// tokens without diacritics) kept in sync by triggers.
func m0201CourseSearch() database.Migration {
	return database.Migration{ID: "0201_course_search", Up: func(tx *gorm.DB, d database.Dialect) error {
		if d == database.Postgres {
			return courseSearchPostgres(tx)
		}
		return courseSearchSQLite(tx)
	}}
}

func courseSearchPostgres(tx *gorm.DB) error {
	var have []string
	if err := tx.Raw("SELECT cfgname FROM pg_ts_config").Scan(&have).Error; err != nil {
		return err
	}
	cfg := func(name string) string {
		for _, h := range have {
			if h == name {
				return name
			}
		}
		return "simple"
	}
	var cases strings.Builder
	for _, l := range [][2]string{{"en", "english"}, {"fr", "french"}, {"es", "spanish"}, {"ar", "arabic"}} {
		fmt.Fprintf(&cases, " WHEN '%s' THEN '%s'::regconfig", l[0], cfg(l[1]))
	}
	stmts := []string{
		`CREATE FUNCTION glc_course_tsconfig(lang text) RETURNS regconfig LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
		 $$ SELECT CASE lang` + cases.String() + ` ELSE 'simple'::regconfig END $$`,
		`ALTER TABLE course_variants ADD COLUMN search tsvector GENERATED ALWAYS AS (
		   setweight(to_tsvector(glc_course_tsconfig(language), coalesce(title, '')), 'A') ||
		   setweight(to_tsvector(glc_course_tsconfig(language), coalesce(summary, '')), 'B') ||
		   setweight(to_tsvector(glc_course_tsconfig(language), coalesce(tags, '')), 'B') ||
		   setweight(to_tsvector(glc_course_tsconfig(language), coalesce(description, '')), 'C')) STORED`,
		`CREATE INDEX idx_course_variants_search ON course_variants USING gin (search)`,
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return err
		}
	}
	return nil
}

func courseSearchSQLite(tx *gorm.DB) error {
	stmts := []string{
		`CREATE VIRTUAL TABLE course_search USING fts5(title, summary, description, tags,
		   tokenize = 'porter unicode61 remove_diacritics 2')`,
		`CREATE TRIGGER course_variants_search_ai AFTER INSERT ON course_variants BEGIN
		   INSERT INTO course_search(rowid, title, summary, description, tags) VALUES (new.id, new.title, new.summary, new.description, new.tags);
		 END`,
		`CREATE TRIGGER course_variants_search_ad AFTER DELETE ON course_variants BEGIN
		   DELETE FROM course_search WHERE rowid = old.id;
		 END`,
		`CREATE TRIGGER course_variants_search_au AFTER UPDATE ON course_variants BEGIN
		   DELETE FROM course_search WHERE rowid = old.id;
		   INSERT INTO course_search(rowid, title, summary, description, tags) VALUES (new.id, new.title, new.summary, new.description, new.tags);
		 END`,
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return err
		}
	}
	return nil
}
