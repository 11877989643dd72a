package database

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
)

// Migration is one versioned step. Up runs inside its own transaction and must not import live
// models: it declares frozen copies of the structs it needs.
type Migration struct {
	// ID orders the steps and is recorded once applied, e.g. "0100_accounts".
	ID string
	Up func(tx *gorm.DB, d Dialect) error
}

type schemaMigration struct {
	ID        string `gorm:"primaryKey;size:100"`
	AppliedAt time.Time
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// Migrator applies an ordered list of steps.
type Migrator struct {
	db    *DB
	steps []Migration
}

// NewMigrator checks the list is ordered and unique.
func NewMigrator(db *DB, steps []Migration) (*Migrator, error) {
	seen := map[string]bool{}
	for i, s := range steps {
		if seen[s.ID] {
			return nil, fmt.Errorf("migration %s listed twice", s.ID)
		}
		seen[s.ID] = true
		if i > 0 && steps[i-1].ID >= s.ID {
			return nil, fmt.Errorf("migration %s is out of order after %s", s.ID, steps[i-1].ID)
		}
	}
	return &Migrator{db: db, steps: steps}, nil
}

func (m *Migrator) applied(ctx context.Context) (map[string]bool, error) {
	if err := m.db.WithContext(ctx).AutoMigrate(&schemaMigration{}); err != nil {
		// Another process may have created it at the same moment.
		if !m.db.WithContext(ctx).Migrator().HasTable(&schemaMigration{}) {
			return nil, fmt.Errorf("create schema_migrations: %w", err)
		}
	}
	var rows []schemaMigration
	if err := m.db.WithContext(ctx).Find(&rows).Error; err != nil {
		return nil, err
	}
	done := map[string]bool{}
	for _, r := range rows {
		done[r.ID] = true
	}
	return done, nil
}

// Pending lists the IDs not applied yet, in order.
func (m *Migrator) Pending(ctx context.Context) ([]string, error) {
	done, err := m.applied(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range m.steps {
		if !done[s.ID] {
			out = append(out, s.ID)
		}
	}
	return out, nil
}

// Up applies every pending step (or those up to and including target when target is set),
// each in its own transaction, and returns the IDs it applied.
//
// Several processes may call Up at once (replicas started with GLC_AUTO_MIGRATE, or a
// migration Job): on PostgreSQL they take turns on an advisory lock, and every step checks
// inside its transaction that no one applied it meanwhile.
func (m *Migrator) Up(ctx context.Context, target string) ([]string, error) {
	if m.db.Dialect == Postgres {
		unlock, err := m.lock(ctx)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	done, err := m.applied(ctx)
	if err != nil {
		return nil, err
	}
	var ran []string
	for _, s := range m.steps {
		if target != "" && s.ID > target {
			break
		}
		if done[s.ID] {
			continue
		}
		skipped := false
		err := m.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var n int64
			if err := tx.Model(&schemaMigration{}).Where("id = ?", s.ID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				skipped = true
				return nil
			}
			if err := s.Up(tx, m.db.Dialect); err != nil {
				return err
			}
			return tx.Create(&schemaMigration{ID: s.ID, AppliedAt: time.Now().UTC()}).Error
		})
		if err != nil {
			return ran, fmt.Errorf("migration %s: %w", s.ID, err)
		}
		if !skipped {
			ran = append(ran, s.ID)
		}
	}
	return ran, nil
}

// IDs lists the known steps in order.
func (m *Migrator) IDs() []string {
	ids := make([]string, len(m.steps))
	for i, s := range m.steps {
		ids[i] = s.ID
	}
	sort.Strings(ids)
	return ids
}

// migrationLockKey is the PostgreSQL advisory lock that serialises migrators.
const migrationLockKey = 7_245_001

// lock holds a session advisory lock on a connection of its own until unlock.
func (m *Migrator) lock(ctx context.Context) (func(), error) {
	conn, err := m.db.SQL().Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
		conn.Close()
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	return func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockKey)
		conn.Close()
	}, nil
}
