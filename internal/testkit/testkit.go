// Package testkit gives each test its own database and object store: a SQLite file and a
// local folder by default, or (when GLC_TEST_DATABASE_URL and GLC_TEST_S3_ENDPOINT are set) a
// fresh PostgreSQL schema and a fresh bucket on a real S3-compatible server.
package testkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"glc/internal/database"
	"glc/internal/migrations"
	"glc/storage"
)

// Postgres reports whether the tests run on PostgreSQL.
func Postgres() bool { return os.Getenv("GLC_TEST_DATABASE_URL") != "" }

// S3 reports whether the tests run on an S3 server.
func S3() bool { return os.Getenv("GLC_TEST_S3_ENDPOINT") != "" }

// Backend names the backends in use, for test logs.
func Backend() string {
	db, st := "sqlite", "local"
	if Postgres() {
		db = "postgres"
	}
	if S3() {
		st = "s3"
	}
	return db + "+" + st
}

// RandomName returns prefix followed by 12 random hex characters.
func RandomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// DBURL returns the connection URL of a fresh, empty database for this test (a new PostgreSQL
// schema, dropped at the end), or "" with a SQLite path on the embedded backend.
func DBURL(t testing.TB) (pgURL, sqlitePath string) {
	t.Helper()
	base := os.Getenv("GLC_TEST_DATABASE_URL")
	if base == "" {
		return "", filepath.Join(t.TempDir(), "glc.db")
	}
	schema := RandomName("t_")
	admin, err := database.Open(context.Background(), database.Options{URL: base})
	if err != nil {
		t.Fatalf("connect to test PostgreSQL: %v", err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_ = admin.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE").Error
		_ = admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("GLC_TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), ""
}

// EmptyDB opens a fresh database without running migrations.
func EmptyDB(t testing.TB) *database.DB { t.Helper(); return emptyDB(t, nil) }

func emptyDB(t testing.TB, log *slog.Logger) *database.DB {
	t.Helper()
	pg, lite := DBURL(t)
	db, err := database.Open(context.Background(), database.Options{URL: pg, SQLitePath: lite, Logger: log})
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// DB opens a fresh database with every migration applied.
func DB(t testing.TB) *database.DB { t.Helper(); return LoggedDB(t, nil) }

// LoggedDB is DB with SQL errors and slow queries logged to log.
func LoggedDB(t testing.TB, log *slog.Logger) *database.DB {
	t.Helper()
	db := emptyDB(t, log)
	m, err := database.NewMigrator(db, migrations.All())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(context.Background(), ""); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return db
}

// S3Config returns the S3 configuration for a fresh bucket, and false on the embedded backend.
func S3Config() (storage.S3Config, bool) {
	cfg, ok := storage.S3ConfigFromEnv("GLC_TEST_")
	if !ok {
		return cfg, false
	}
	cfg.Bucket = RandomName("glc-test-")
	return cfg, true
}

// Store returns a fresh object store: a temp folder, or a new bucket on the S3 server.
func Store(t testing.TB) storage.Store {
	t.Helper()
	if cfg, ok := S3Config(); ok {
		s, err := storage.NewS3(context.Background(), cfg)
		if err != nil {
			t.Fatalf("open test S3 store: %v", err)
		}
		return s
	}
	s, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Must fails the test on err.
func Must[T any](t testing.TB, v T, err error) T {
	t.Helper()
	if err != nil {
		t.Fatal(fmt.Sprint(err))
	}
	return v
}
