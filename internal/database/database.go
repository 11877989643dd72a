// Package database opens the SQLite or PostgreSQL database and runs versioned migrations.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"glc/internal/logctx"
)

// Dialect names the SQL dialect in use.
type Dialect string

// The two supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the application's database handle.
type DB struct {
	*gorm.DB
	Dialect Dialect
}

// Options say where the database is.
type Options struct {
	// URL is a postgres:// URL; empty selects SQLite at SQLitePath.
	URL        string
	SQLitePath string
	Logger     *slog.Logger
}

// Open connects to the database and configures the pool.
func Open(ctx context.Context, o Options) (*DB, error) {
	cfg := &gorm.Config{Logger: newGormLogger(o.Logger), TranslateError: true, NowFunc: func() time.Time { return time.Now().UTC() }}
	var (
		gdb     *gorm.DB
		err     error
		dialect Dialect
	)
	if o.URL != "" {
		dialect = Postgres
		gdb, err = gorm.Open(postgres.Open(o.URL), cfg)
	} else {
		dialect = SQLite
		if err := os.MkdirAll(filepath.Dir(o.SQLitePath), 0o750); err != nil {
			return nil, fmt.Errorf("create data folder: %w", err)
		}
		dsn := "file:" + o.SQLitePath + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		gdb, err = gorm.Open(sqlite.Open(dsn), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		return nil, err
	}
	if dialect == SQLite {
		// One writer at a time keeps SQLite free of "database is locked" under load; WAL lets
		// readers go on meanwhile.
		sqlDB.SetMaxOpenConns(1)
	} else {
		sqlDB.SetMaxOpenConns(25)
		sqlDB.SetMaxIdleConns(10)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		// Connections are renewed now and then, so that a fail-over or a DNS change reaches
		// every replica's pool.
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	return &DB{DB: gdb, Dialect: dialect}, nil
}

// SQL returns the underlying *sql.DB.
func (d *DB) SQL() *sql.DB {
	s, _ := d.DB.DB()
	return s
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.SQL().PingContext(ctx) }

// Close closes the pool.
func (d *DB) Close() error { return d.SQL().Close() }

// Tx runs fn in a transaction on ctx's database. Stores called with the tx join it.
func (d *DB) Tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return d.WithContext(ctx).Transaction(fn)
}

// IsUniqueViolation reports whether err is a unique-constraint failure on either dialect.
func IsUniqueViolation(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }

type gormLogger struct {
	log *slog.Logger
	logger.Interface
}

func newGormLogger(l *slog.Logger) logger.Interface {
	if l == nil {
		return logger.Discard
	}
	return gormLogger{log: l, Interface: logger.Discard}
}

// Trace logs slow queries and real errors (not "record not found").
func (g gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		sqlText, rows := fc()
		logctx.From(ctx, g.log).DebugContext(ctx, "sql error", "err", err, "sql", sqlText, "rows", rows, "ms", elapsed.Milliseconds())
		return
	}
	if elapsed > 500*time.Millisecond {
		sqlText, rows := fc()
		logctx.From(ctx, g.log).WarnContext(ctx, "slow sql", "sql", sqlText, "rows", rows, "ms", elapsed.Milliseconds())
	}
}

// LogMode keeps the logger as it is.
func (g gormLogger) LogMode(logger.LogLevel) logger.Interface { return g }
