package main

import (
	"context"
	"fmt"
	"strings"

	"glc/internal/app"
	"glc/internal/config"
	"glc/modules/xapi"
)

// lrsCommand runs `glc lrs credential create --name N [--scopes a,b]`: it prints the new
// record-store username and password (the password is shown only this once).
func lrsCommand(ctx context.Context, e env) error {
	if len(e.args) < 2 || e.args[0] != "credential" || e.args[1] != "create" {
		return usageError{"usage: glc lrs credential create --name N [--scopes statements/read,statements/write]"}
	}
	var name, scopes string
	var rest []string
	args := e.args[2:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case (a == "--name" || a == "--scopes") && i+1 < len(args):
			if a == "--name" {
				name = args[i+1]
			} else {
				scopes = args[i+1]
			}
			i++
		case strings.HasPrefix(a, "--name="):
			name = strings.TrimPrefix(a, "--name=")
		case strings.HasPrefix(a, "--scopes="):
			scopes = strings.TrimPrefix(a, "--scopes=")
		default:
			rest = append(rest, a)
		}
	}
	if strings.TrimSpace(name) == "" {
		return usageError{"glc lrs credential create needs --name"}
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
	if cfg.AutoMigrate {
		if _, err := m.Up(ctx, ""); err != nil {
			return err
		}
	} else if pending, err := m.Pending(ctx); err != nil {
		return err
	} else if len(pending) > 0 {
		return fmt.Errorf("%w: run `glc migrate` first", app.ErrSchemaOutdated)
	}
	in := xapi.NewCredential{Name: name}
	for _, s := range strings.Split(scopes, ",") {
		if s = strings.TrimSpace(s); s != "" {
			in.Scopes = append(in.Scopes, s)
		}
	}
	svc := xapi.NewService(db, nil, log, xapi.BaseURL(cfg), 0)
	c, err := svc.CreateCredential(xapi.SystemContext(ctx), in)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "username: %s\npassword: %s\nscopes: %s\n", c.Username, c.Password, strings.Join(c.Scopes, ","))
	return nil
}
