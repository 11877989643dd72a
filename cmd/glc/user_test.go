package main

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"glc/internal/auth"
	"glc/internal/database"
	"glc/internal/testkit"
	"glc/modules/account"
)

func TestUserCreate(t *testing.T) {
	pg, _ := testkit.DBURL(t)
	env := map[string]string{"GLC_DATA_DIR": t.TempDir(), "GLC_LOG_LEVEL": "error", "GLC_AUTO_MIGRATE": "true"}
	if pg != "" {
		env["GLC_DATABASE_URL"] = pg
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	runCmd := func(stdin string, args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := run(context.Background(), args, lookup, strings.NewReader(stdin), &out, &errb)
		return out.String(), err
	}
	out, err := runCmd("a strong admin passphrase 9\n", "user", "create", "--email", "Chief@Example.org", "--name", "Chief Admin", "--role", "admin", "--country", "fr")
	if err != nil {
		t.Fatalf("user create: %v", err)
	}
	id, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
	if err != nil || id < 1 {
		t.Fatalf("printed %q, want the id", out)
	}
	db, err := database.Open(context.Background(), database.Options{URL: pg, SQLitePath: env["GLC_DATA_DIR"] + "/glc.db"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var u account.User
	if err := db.Take(&u, id).Error; err != nil {
		t.Fatal(err)
	}
	if u.Roles != "admin" || u.Status != "active" || u.Country != "FR" || u.EmailKey != "chief@example.org" || !auth.CheckPassword(u.PasswordHash, "a strong admin passphrase 9") {
		t.Fatalf("created user: %+v", u)
	}
	// Refusals: no password, weak password, duplicate e-mail, missing flags, bad role.
	var ue usageError
	if _, err := runCmd("", "user", "create", "--email", "x@example.org", "--name", "X"); !errors.As(err, &ue) {
		t.Errorf("no password: %v", err)
	}
	if _, err := runCmd("password\n", "user", "create", "--email", "x@example.org", "--name", "X"); err == nil || !strings.Contains(err.Error(), "password") {
		t.Errorf("weak password: %v", err)
	}
	if _, err := runCmd("a strong admin passphrase 9\n", "user", "create", "--email", "chief@example.org", "--name", "Again"); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := runCmd("a strong admin passphrase 9\n", "user", "create", "--name", "No Mail"); !errors.As(err, &ue) {
		t.Errorf("missing --email: %v", err)
	}
	if _, err := runCmd("a strong admin passphrase 9\n", "user", "create", "--email", "y@example.org", "--name", "Y", "--role", "emperor"); err == nil {
		t.Error("bad role accepted")
	}
	if _, err := runCmd("", "user", "delete"); !errors.As(err, &ue) {
		t.Errorf("unknown user subcommand: %v", err)
	}
	// Without auto-migration, a fresh database is refused.
	env2 := map[string]string{"GLC_DATA_DIR": t.TempDir(), "GLC_LOG_LEVEL": "error", "GLC_AUTO_MIGRATE": "false"}
	if pg2, _ := testkit.DBURL(t); pg2 != "" {
		env2["GLC_DATABASE_URL"] = pg2
	}
	var o2, e2 bytes.Buffer
	err = run(context.Background(), []string{"user", "create", "--email", "z@example.org", "--name", "Z"},
		func(k string) (string, bool) { v, ok := env2[k]; return v, ok }, strings.NewReader("a strong admin passphrase 9\n"), &o2, &e2)
	if err == nil || !strings.Contains(err.Error(), "pending") {
		t.Errorf("old schema: %v", err)
	}
}
