package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"glc/internal/testkit"
)

func TestLRSCredentialCreate(t *testing.T) {
	pg, _ := testkit.DBURL(t)
	env := map[string]string{"GLC_DATA_DIR": t.TempDir(), "GLC_AUTO_MIGRATE": "true", "GLC_LOG_LEVEL": "error"}
	if pg != "" {
		env["GLC_DATABASE_URL"] = pg
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"lrs", "credential", "create", "--name", "Suite", "--scopes", "statements/read,statements/write"},
		lookup, strings.NewReader(""), &out, &errOut)
	if err != nil {
		t.Fatalf("lrs credential create: %v (%s)", err, errOut.String())
	}
	text := out.String()
	for _, want := range []string{"username: lrs_", "password: ", "scopes: statements/read,statements/write"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	// Refusals: no name, unknown scope, unknown sub-command.
	for _, args := range [][]string{
		{"lrs", "credential", "create"},
		{"lrs", "credential", "create", "--name", "x", "--scopes", "everything"},
		{"lrs", "credential", "list"},
	} {
		err := run(context.Background(), args, lookup, strings.NewReader(""), &out, &errOut)
		if err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	var ue usageError
	if err := run(context.Background(), []string{"lrs"}, lookup, strings.NewReader(""), &out, &errOut); !errors.As(err, &ue) {
		t.Errorf("bare lrs: %v", err)
	}
}
