package database_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"gorm.io/gorm"

	"glc/internal/database"
	"glc/internal/testkit"
)

type item struct {
	ID   int64  `gorm:"primaryKey"`
	Name string `gorm:"size:50;not null;uniqueIndex:idx_items_name"`
}

func itemsDB(t *testing.T) *database.DB {
	t.Helper()
	db := testkit.DB(t)
	if err := db.Migrator().CreateTable(&item{}); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestTxCommitsOrRollsBack(t *testing.T) {
	db := itemsDB(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&item{Name: "rolled back"}).Error; err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("tx error: %v", err)
	}
	if err := db.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(&item{Name: "kept"}).Error }); err != nil {
		t.Fatal(err)
	}
	var names []string
	if err := db.Model(&item{}).Order("name").Pluck("name", &names).Error; err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(names) != "[kept]" {
		t.Fatalf("rows after commit and rollback: %v (%s)", names, testkit.Backend())
	}
}

func TestUniqueViolation(t *testing.T) {
	db := itemsDB(t)
	if err := db.Create(&item{Name: "a"}).Error; err != nil {
		t.Fatal(err)
	}
	err := db.Create(&item{Name: "a"}).Error
	if !database.IsUniqueViolation(err) {
		t.Fatalf("duplicate insert: %v is not a unique violation (%s)", err, testkit.Backend())
	}
	if database.IsUniqueViolation(errors.New("other")) || database.IsUniqueViolation(nil) {
		t.Fatal("other errors reported as unique violations")
	}
}

func TestSettings(t *testing.T) {
	db := testkit.DB(t)
	ctx := context.Background()
	if _, ok, err := db.Setting(ctx, "k"); ok || err != nil {
		t.Fatalf("missing setting: %v %v", ok, err)
	}
	// Concurrent callers (replicas starting together) all get the first stored value.
	var wg sync.WaitGroup
	got := make([]string, 8)
	errs := make([]error, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = db.SettingOrCreate(ctx, "k", func() (string, error) { return fmt.Sprint("value-", i), nil })
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i] != got[0] || got[0] == "" {
			t.Fatalf("caller %d got %q (%v), caller 0 got %q", i, got[i], errs[i], got[0])
		}
	}
	v, ok, err := db.Setting(ctx, "k")
	if !ok || err != nil || v != got[0] {
		t.Fatalf("stored %q %v %v, want %q", v, ok, err, got[0])
	}
	if _, err := db.SettingOrCreate(ctx, "other", func() (string, error) { return "", errors.New("no entropy") }); err == nil {
		t.Fatal("generator error swallowed")
	}
}

func TestMigratorTarget(t *testing.T) {
	db := testkit.EmptyDB(t)
	var log []string
	step := func(id string) database.Migration {
		return database.Migration{ID: id, Up: func(tx *gorm.DB, d database.Dialect) error {
			log = append(log, id)
			return tx.Exec("CREATE TABLE t" + id + " (id integer)").Error
		}}
	}
	failing := database.Migration{ID: "0004", Up: func(tx *gorm.DB, d database.Dialect) error {
		if err := tx.Exec("CREATE TABLE t0004 (id integer)").Error; err != nil {
			return err
		}
		return errors.New("step fails after creating its table")
	}}
	m, err := database.NewMigrator(db, []database.Migration{step("0001"), step("0002"), step("0003"), failing})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ran, err := m.Up(ctx, "0002")
	if err != nil || fmt.Sprint(ran) != "[0001 0002]" {
		t.Fatalf("up to 0002: %v %v", ran, err)
	}
	ran, err = m.Up(ctx, "")
	if err == nil || fmt.Sprint(ran) != "[0003]" {
		t.Fatalf("up with a failing step: %v %v", ran, err)
	}
	// The failed step left nothing behind and stays pending.
	if db.Migrator().HasTable("t0004") {
		t.Error("the failed step's table survived its rollback")
	}
	pending, err := m.Pending(ctx)
	if err != nil || fmt.Sprint(pending) != "[0004]" {
		t.Fatalf("pending: %v %v", pending, err)
	}
	if fmt.Sprint(log) != "[0001 0002 0003]" || fmt.Sprint(m.IDs()) != "[0001 0002 0003 0004]" {
		t.Fatalf("ran %v, ids %v", log, m.IDs())
	}
}
