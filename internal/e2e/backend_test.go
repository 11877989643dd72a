package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"glc/internal/database"
	"glc/internal/e2e"
	"glc/internal/testkit"
	"glc/modules/scorm/scormtest"
	"glc/storage"
)

// TestServerBackend: the binary runs on the backend the tests are given: its own PostgreSQL
// schema and S3 bucket when the test services are set (an imported package is there), else
// SQLite in its data folder.
func TestServerBackend(t *testing.T) {
	srv, teacher, _, section := scormSetup(t)
	t.Logf("backend: %s", e2e.Backend())
	teacher.importPackage(section, "multi-sco.zip", scormtest.Package12Multi(t))
	ctx := context.Background()
	url := srv.Env("GLC_DATABASE_URL")
	if testkit.Postgres() != (url != "") {
		t.Fatalf("GLC_DATABASE_URL %q with the test services %v", url, testkit.Postgres())
	}
	var db *database.DB
	var err error
	if url != "" {
		db, err = database.Open(ctx, database.Options{URL: url})
	} else {
		db, err = database.Open(ctx, database.Options{SQLitePath: filepath.Join(srv.DataDir, "glc.db")})
	}
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.Raw("SELECT COUNT(*) FROM scorm_packages WHERE title = ?", "Border checks, the basics").Scan(&n).Error; err != nil || n != 1 {
		t.Fatalf("the server's package is not in its database: %d %v", n, err)
	}
	if bucket := srv.Env("GLC_S3_BUCKET"); testkit.S3() {
		cfg, _ := storage.S3ConfigFromEnv("GLC_TEST_")
		cfg.Bucket = bucket
		st, err := storage.NewS3(ctx, cfg)
		if err != nil || bucket == "" {
			t.Fatalf("the server's bucket %q: %v", bucket, err)
		}
		objs, err := st.List(ctx, "scorm/")
		if err != nil || len(objs) == 0 {
			t.Fatalf("the package's files are not in the server's bucket %s: %d %v", bucket, len(objs), err)
		}
		t.Logf("bucket %s holds %d package objects", bucket, len(objs))
	} else if _, err := os.Stat(filepath.Join(srv.DataDir, "glc.db")); err != nil {
		t.Fatalf("no SQLite database in the data folder: %v", err)
	}
}
