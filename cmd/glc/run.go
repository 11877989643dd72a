package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"glc/internal/app"
	"glc/internal/config"
	"glc/internal/database"
)

// env gives the commands what the process was started with.
type env struct {
	args   []string
	lookup func(string) (string, bool)
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// run parses the subcommand and runs it. Flags after the subcommand are configuration flags
// (see `glc help`) or the subcommand's own.
func run(ctx context.Context, args []string, lookup func(string) (string, bool), stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	e := env{args: args, lookup: lookup, stdin: stdin, stdout: stdout, stderr: stderr}
	switch cmd {
	case "serve":
		return serve(ctx, e)
	case "migrate":
		return migrate(ctx, e)
	case "version":
		fmt.Fprintln(stdout, "glc", app.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		fmt.Fprint(stdout, config.Usage())
		return nil
	}
	if sub, ok := subcommands[cmd]; ok {
		return sub(ctx, e)
	}
	return usageError{fmt.Sprintf("unknown command %q; run `glc help`", cmd)}
}

// subcommands are the administrative commands added by modules (user, lrs, seed).
var subcommands = map[string]func(context.Context, env) error{
	"lrs":  lrsCommand,
	"user": userCmd,
	"seed": seed,
}

// seed runs `glc seed demo`: it loads the demo content (once) and prints the demo users'
// passwords.
func seed(ctx context.Context, e env) error {
	if len(e.args) == 0 || e.args[0] != "demo" {
		return usageError{"usage: glc seed demo [flags]"}
	}
	cfg, err := config.Load(e.args[1:], e.lookup)
	if err != nil {
		return err
	}
	log := logger(cfg, e.stderr)
	db, store, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := app.New(ctx, cfg, log, db, store)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.SeedDemo(ctx, e.stdout); errors.Is(err, app.ErrAlreadySeeded) {
		fmt.Fprintln(e.stdout, "The demo content is already loaded; nothing to do.")
		return nil
	} else if err != nil {
		return err
	}
	return nil
}

const usage = `usage: glc [command] [flags]

commands:
  serve                      run the portal (default)
  migrate [--to ID] [--status]  apply database migrations
  user create --email E --name N --role R [--country CC]
                             create an active user (password read from stdin); prints its id
  lrs credential create --name N [--scopes a,b]   create record-store credentials
  seed demo                  load demo content
  version                    print the version
  help                       this text

configuration (environment variable, flag, description):
`

// logger builds the process logger from the configuration.
func logger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(ctx context.Context, e env) error {
	cfg, err := config.Load(e.args, e.lookup)
	if err != nil {
		return err
	}
	log := logger(cfg, e.stderr)
	log.Info("starting glc", append([]any{"version", app.Version, "database", dbKind(cfg), "storage", storeKind(cfg)}, cfg.Dump(e.lookup)...)...)
	db, store, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := app.New(ctx, cfg, log, db, store)
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.Embedded() && cfg.SeedDemo {
		if seeded, err := a.SeedIfEmpty(ctx, e.stdout); err != nil {
			return fmt.Errorf("demo content: %w", err)
		} else if seeded {
			log.Info("loaded demo content into the empty database (GLC_SEED_DEMO=false turns this off)")
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	return a.Serve(ctx, ln)
}

func migrate(ctx context.Context, e env) error {
	var to string
	status := false
	var rest []string
	for i := 0; i < len(e.args); i++ {
		switch a := e.args[i]; {
		case a == "--status":
			status = true
		case a == "--to" && i+1 < len(e.args):
			to = e.args[i+1]
			i++
		case strings.HasPrefix(a, "--to="):
			to = strings.TrimPrefix(a, "--to=")
		default:
			rest = append(rest, a)
		}
	}
	cfg, err := config.Load(rest, e.lookup)
	if err != nil {
		return err
	}
	log := logger(cfg, e.stderr)
	db, err := app.OpenDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	m, err := app.Migrator(db)
	if err != nil {
		return err
	}
	if status {
		pending, err := m.Pending(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d known, %d pending\n", len(m.IDs()), len(pending))
		for _, p := range pending {
			fmt.Fprintln(e.stdout, "pending:", p)
		}
		return nil
	}
	ran, err := m.Up(ctx, to)
	for _, id := range ran {
		fmt.Fprintln(e.stdout, "applied:", id)
	}
	if err != nil {
		return err
	}
	if len(ran) == 0 {
		fmt.Fprintln(e.stdout, "the schema is up to date")
	}
	return nil
}

// ensureSchema applies pending migrations when auto-migration is on, and otherwise refuses to
// work on an old schema (as serve does).
func ensureSchema(ctx context.Context, cfg config.Config, db *database.DB) error {
	m, err := app.Migrator(db)
	if err != nil {
		return err
	}
	if cfg.AutoMigrate {
		_, err := m.Up(ctx, "")
		return err
	}
	pending, err := m.Pending(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("%w: %d migration(s) pending (first %s); run `glc migrate` or set GLC_AUTO_MIGRATE=true", app.ErrSchemaOutdated, len(pending), pending[0])
	}
	return nil
}

func dbKind(c config.Config) string {
	if c.Embedded() {
		return "sqlite:" + c.SQLitePath()
	}
	return "postgres"
}

func storeKind(c config.Config) string {
	if c.UsesS3() {
		return "s3:" + c.S3Endpoint + "/" + c.S3Bucket
	}
	return "local:" + c.DataDir + "/objects"
}
