package migrations_test

import (
	"context"
	"testing"

	"glc/internal/database"
	"glc/internal/migrations"
	"glc/internal/testkit"
)

func TestMigrateEmptyDatabase(t *testing.T) {
	db := testkit.EmptyDB(t)
	m, err := database.NewMigrator(db, migrations.All())
	if err != nil {
		t.Fatal(err)
	}
	ran, err := m.Up(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ran) != len(migrations.All()) {
		t.Fatalf("applied %d of %d steps", len(ran), len(migrations.All()))
	}
	pending, err := m.Pending(context.Background())
	if err != nil || len(pending) != 0 {
		t.Fatalf("pending after migrate: %v %v", pending, err)
	}
	for _, table := range []string{"schema_migrations", "app_settings", "users", "organisations", "refresh_tokens",
		"user_sessions", "activation_tokens", "login_attempts", "user_imports", "countries", "river_job"} {
		if !db.Migrator().HasTable(table) {
			t.Errorf("table %s missing after migration (%s)", table, testkit.Backend())
		}
	}
	// A second run applies nothing.
	again, err := m.Up(context.Background(), "")
	if err != nil || len(again) != 0 {
		t.Fatalf("second run applied %v, %v", again, err)
	}
}

// TestUpgradeFromEachStep migrates to every earlier step, writes a row there, then upgrades
// to the newest schema: each step must apply on top of the one before it and keep data.
func TestUpgradeFromEachStep(t *testing.T) {
	all := migrations.All()
	for i := 0; i < len(all)-1; i++ {
		prev := all[i].ID
		t.Run("from_"+prev, func(t *testing.T) {
			db := testkit.EmptyDB(t)
			m, err := database.NewMigrator(db, all)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Up(context.Background(), prev); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SettingOrCreate(context.Background(), "upgrade-probe", func() (string, error) { return prev, nil }); err != nil {
				t.Fatal(err)
			}
			pending, _ := m.Pending(context.Background())
			if len(pending) != len(all)-i-1 {
				t.Fatalf("pending at %s = %v", prev, pending)
			}
			ran, err := m.Up(context.Background(), "")
			if err != nil {
				t.Fatalf("upgrade from %s: %v", prev, err)
			}
			if len(ran) != len(pending) {
				t.Fatalf("upgrade applied %v, want %v", ran, pending)
			}
			v, ok, err := db.Setting(context.Background(), "upgrade-probe")
			if err != nil || !ok || v != prev {
				t.Fatalf("data written at %s lost: %q %v %v", prev, v, ok, err)
			}
		})
	}
}

func TestMigratorRefusesDisorder(t *testing.T) {
	db := testkit.EmptyDB(t)
	steps := []database.Migration{{ID: "0002_b"}, {ID: "0001_a"}}
	if _, err := database.NewMigrator(db, steps); err == nil {
		t.Fatal("out-of-order steps accepted")
	}
	if _, err := database.NewMigrator(db, []database.Migration{{ID: "0001_a"}, {ID: "0001_a"}}); err == nil {
		t.Fatal("duplicate steps accepted")
	}
}

// TestConcurrentMigrators runs two migrators on the same database at once (two replicas
// starting with GLC_AUTO_MIGRATE, or a migration Job and a replica): every step is applied
// exactly once and both succeed.
func TestConcurrentMigrators(t *testing.T) {
	pg, lite := testkit.DBURL(t)
	open := func() *database.DB {
		db, err := database.Open(context.Background(), database.Options{URL: pg, SQLitePath: lite})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	dbs := []*database.DB{open(), open()}
	results := make(chan []string, 2)
	errs := make(chan error, 2)
	for _, db := range dbs {
		go func() {
			m, err := database.NewMigrator(db, migrations.All())
			if err != nil {
				errs <- err
				return
			}
			ran, err := m.Up(context.Background(), "")
			errs <- err
			results <- ran
		}()
	}
	total := 0
	for range dbs {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent migrate (%s): %v", testkit.Backend(), err)
		}
		total += len(<-results)
	}
	if total != len(migrations.All()) {
		t.Fatalf("steps applied %d times in all, want %d", total, len(migrations.All()))
	}
	var n int64
	if err := dbs[0].Table("schema_migrations").Count(&n).Error; err != nil || n != int64(len(migrations.All())) {
		t.Fatalf("schema_migrations has %d rows (%v)", n, err)
	}
}
