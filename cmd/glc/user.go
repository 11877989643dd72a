package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"glc/internal/app"
	"glc/internal/config"
	"glc/modules/account"
)

// userCmd runs `glc user create --email E --name N --role R [--role R2] [--country CC]`; the
// password is read from the first line of standard input. It prints the new user's id.
func userCmd(ctx context.Context, e env) error {
	if len(e.args) == 0 || e.args[0] != "create" {
		return usageError{"usage: glc user create --email E --name N --role R [--country CC] < password"}
	}
	var email, name, country string
	var roles, rest []string
	args := e.args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		key, val, hasVal := strings.Cut(a, "=")
		switch key {
		case "--email", "--name", "--role", "--country":
			if !hasVal {
				if i+1 >= len(args) {
					return usageError{key + " needs a value"}
				}
				val = args[i+1]
				i++
			}
			switch key {
			case "--email":
				email = val
			case "--name":
				name = val
			case "--role":
				for _, r := range strings.Split(val, ",") {
					if r = strings.TrimSpace(r); r != "" {
						roles = append(roles, r)
					}
				}
			case "--country":
				country = val
			}
		default:
			rest = append(rest, a)
		}
	}
	if email == "" || name == "" {
		return usageError{"glc user create needs --email and --name (and usually --role)"}
	}
	pw, err := bufio.NewReader(e.stdin).ReadString('\n')
	pw = strings.TrimRight(pw, "\r\n")
	if pw == "" {
		return usageError{fmt.Sprintf("write the password on standard input (%v)", err)}
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
	if err := ensureSchema(ctx, cfg, db); err != nil {
		return err
	}
	m, err := account.New(ctx, account.Deps{DB: db, Cfg: cfg, Log: log})
	if err != nil {
		return err
	}
	u, err := m.Svc.Create(ctx, account.NewUser{Email: email, Password: pw, Name: name, Roles: roles,
		Country: country, Status: account.StatusActive})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, u.ID)
	return nil
}
