package migrations

import (
	"context"
	"database/sql"
	"errors"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"gorm.io/gorm"

	"glc/internal/database"
)

// m0002Jobs and m0003Jobs create the tables of the job queue (internal/jobs, built on River):
// River's own migrations for the dialect, run inside the step's transaction up to a pinned
// River version so that a step never changes. They are two steps because River's migration 4
// adds a value to a PostgreSQL enum that migration 6 uses, which PostgreSQL allows only after
// a commit. When a River upgrade brings new River migrations, add a step that migrates to the
// new version.
func m0002Jobs() database.Migration { return riverStep("0002_jobs", 4) }

// m0003Jobs: see m0002Jobs.
func m0003Jobs() database.Migration { return riverStep("0003_jobs", 8) } // River v0.51.2

func riverStep(id string, riverVersion int) database.Migration {
	return database.Migration{ID: id, Up: func(tx *gorm.DB, d database.Dialect) error {
		sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
		if !ok {
			return errors.New("the jobs migration must run in a transaction")
		}
		ctx := tx.Statement.Context
		if ctx == nil {
			ctx = context.Background()
		}
		opts := &rivermigrate.MigrateOpts{TargetVersion: riverVersion}
		if d == database.Postgres {
			m, err := rivermigrate.New(riverdatabasesql.New(nil), nil)
			if err != nil {
				return err
			}
			_, err = m.MigrateTx(ctx, sqlTx, rivermigrate.DirectionUp, opts)
			return err
		}
		m, err := rivermigrate.New(riversqlite.New(nil), nil)
		if err != nil {
			return err
		}
		_, err = m.MigrateTx(ctx, sqlTx, rivermigrate.DirectionUp, opts)
		return err
	}}
}
