package app_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"glc/internal/app/apptest"
	"glc/internal/database"
	"glc/internal/migrations"
	"glc/internal/testkit"
	"glc/storage"
)

// readyz polls /readyz until it answers want (status and failing list), and fails the test
// after the timeout.
func waitReady(t *testing.T, s *apptest.Server, want int, failing []string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := s.Do("GET", "/readyz", "", nil)
		var body struct {
			Status  string   `json:"status"`
			Failing []string `json:"failing"`
		}
		r.JSON(t, &body)
		if r.Status == want && reflect.DeepEqual(body.Failing, failing) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz answers %d %s, want %d failing %v", r.Status, r.Body, want, failing)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestReadyzRecoversFromStorageOutage runs the app on an S3 server of its own (versitygw),
// kills the server, then starts it again on the same address and folder.
func TestReadyzRecoversFromStorageOutage(t *testing.T) {
	if !testkit.S3() {
		t.Skip("runs on the S3 backend (set GLC_TEST_S3_ENDPOINT); the local store is covered by TestReadyzLocalStore")
	}
	gw := testkit.StartVersityGW(t)
	store, err := storage.NewS3(context.Background(), storage.S3Config{Endpoint: gw.Addr, Bucket: "glc-readyz",
		AccessKey: gw.AccessKey, SecretKey: gw.SecretKey, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	s := apptest.Start(t, apptest.Config(t), testkit.DB(t), store)
	waitReady(t, s, 200, nil)
	gw.Stop()
	waitReady(t, s, 503, []string{"storage"})
	if r := s.Do("GET", "/readyz", "", nil); len(r.Map(t)) != 2 {
		t.Errorf("readyz tells more than status and failing: %s", r.Body)
	}
	if r := s.Do("GET", "/healthz", "", nil); r.Status != 200 {
		t.Errorf("healthz while storage is down: %d", r.Status)
	}
	gw.Start()
	waitReady(t, s, 200, nil)
}

// TestReadyzRecoversFromDatabaseOutage puts a TCP proxy between the app and PostgreSQL, cuts
// it (closing the pool's connections and refusing new ones), then restores it.
func TestReadyzRecoversFromDatabaseOutage(t *testing.T) {
	if !testkit.Postgres() {
		t.Skip("runs on PostgreSQL (set GLC_TEST_DATABASE_URL); the embedded SQLite file cannot go away")
	}
	pgURL, _ := testkit.DBURL(t)
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := testkit.StartProxy(t, u.Host)
	u.Host = proxy.Addr
	db := openMigrated(t, u.String())
	s := apptest.Start(t, apptest.Config(t), db, testkit.Store(t))
	waitReady(t, s, 200, nil)
	proxy.Cut()
	waitReady(t, s, 503, []string{"database"})
	proxy.Restore()
	waitReady(t, s, 200, nil)
	// The pool works again for queries, not only pings.
	if r := s.Do("GET", "/api/v1/me", "", nil); r.Status != 401 {
		t.Errorf("after recovery: %d %s", r.Status, r.Body)
	}
}

func openMigrated(t *testing.T, dbURL string) *database.DB {
	t.Helper()
	db, err := database.Open(context.Background(), database.Options{URL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	m, err := database.NewMigrator(db, migrations.All())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestReadyzLocalStore makes the local object folder unusable, then repairs it. As root,
// permissions do not stop writes, so the folder is replaced by a file instead.
func TestReadyzLocalStore(t *testing.T) {
	root := filepath.Join(t.TempDir(), "objects")
	store, err := storage.NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	s := apptest.Start(t, apptest.Config(t), testkit.DB(t), store)
	waitReady(t, s, 200, nil)
	aside := root + ".aside"
	if os.Geteuid() == 0 {
		if err := os.Rename(root, aside); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(root, []byte("not a folder"), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if err := os.Chmod(root, 0o500); err != nil {
		t.Fatal(err)
	}
	waitReady(t, s, 503, []string{"storage"})
	if os.Geteuid() == 0 {
		if err := os.Remove(root); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(aside, root); err != nil {
			t.Fatal(err)
		}
	} else if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	waitReady(t, s, 200, nil)
}

// TestReadyzRecoversFromPostgresRestart really stops and starts a throwaway PostgreSQL cluster
// (optional: GLC_TEST_PG_CLUSTER=1, as root, with Debian's PostgreSQL binaries).
func TestReadyzRecoversFromPostgresRestart(t *testing.T) {
	if os.Getenv("GLC_TEST_PG_CLUSTER") != "1" || os.Geteuid() != 0 {
		t.Skip("set GLC_TEST_PG_CLUSTER=1 and run as root to stop and start a throwaway PostgreSQL cluster")
	}
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		t.Skip("no /usr/lib/postgresql/*/bin/pg_ctl")
	}
	binDir := filepath.Dir(bins[len(bins)-1])
	dir, err := os.MkdirTemp("", "glc-pgcluster-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	pg := func(args ...string) {
		t.Helper()
		cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v %s", err, out)
	}
	data := filepath.Join(dir, "data")
	port := strings.TrimPrefix(testkit.FreeAddr(t), "127.0.0.1:")
	pg(filepath.Join(binDir, "initdb"), "-D", data, "-A", "trust", "-U", "postgres")
	start := func() {
		pg(filepath.Join(binDir, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "log"), "-w",
			"-o", "-p "+port+" -k "+dir+" -c listen_addresses=127.0.0.1", "start")
	}
	stop := func() { pg(filepath.Join(binDir, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop") }
	start()
	t.Cleanup(func() {
		_ = exec.Command("runuser", "-u", "postgres", "--", filepath.Join(binDir, "pg_ctl"), "-D", data, "-m", "immediate", "stop").Run()
	})
	db := openMigrated(t, "postgres://postgres@127.0.0.1:"+port+"/postgres?sslmode=disable")
	s := apptest.Start(t, apptest.Config(t), db, testkit.Store(t))
	waitReady(t, s, 200, nil)
	stop()
	waitReady(t, s, 503, []string{"database"})
	start()
	waitReady(t, s, 200, nil)
}
