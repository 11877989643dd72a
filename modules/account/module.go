package account

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"glc/internal/auth"
	"glc/internal/config"
	"glc/internal/database"
	"glc/internal/jobs"
	"glc/internal/web"
)

//go:embed all:templates locales openapi.json
var assets embed.FS

//go:embed openapi.json
var openAPI []byte

// Deps are what the account module needs.
type Deps struct {
	DB  *database.DB
	Cfg config.Config
	Log *slog.Logger
	// Jobs runs large CSV imports (nil in command-line tools, which import nothing).
	Jobs *jobs.Queue
}

// Module is the account module.
type Module struct {
	Svc    *Service
	cancel context.CancelFunc
}

// New builds the module: it loads (or generates) the token signing keys and creates the first
// admin from GLC_ADMIN_EMAIL when no admin exists.
func New(ctx context.Context, d Deps) (*Module, error) {
	alg := d.Cfg.JWTAlg
	if alg == "" {
		alg = auth.AlgHS256
	}
	keys, err := signingKeys(ctx, d, alg)
	if err != nil {
		return nil, err
	}
	tokens, err := auth.NewTokens(d.Cfg.BaseURL, "glc", d.Cfg.AccessTTL, alg, keys...)
	if err != nil {
		return nil, err
	}
	svc := NewService(d.DB, d.Cfg, tokens, d.Log)
	if d.Jobs != nil {
		svc.jobs = d.Jobs
		jobs.Handle(d.Jobs, svc.runImportJob)
	}
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	svc.bgCtx = bg
	if err := svc.loadCountries(ctx); err != nil {
		cancel()
		return nil, fmt.Errorf("load countries: %w", err)
	}
	if err := svc.BootstrapAdmin(ctx); err != nil {
		cancel()
		return nil, err
	}
	if err := svc.failStaleImports(ctx); err != nil {
		cancel()
		return nil, err
	}
	return &Module{Svc: svc, cancel: cancel}, nil
}

// signingKeys returns the keys for alg: GLC_JWT_SECRET (HS256) when set; otherwise keys
// generated on first run, into the data folder on the embedded backend, into the database on
// PostgreSQL so that every replica shares them. The stored text holds one key a line: the first
// signs, the others still verify (prepend a new line to rotate).
func signingKeys(ctx context.Context, d Deps, alg string) ([]auth.Key, error) {
	if alg == auth.AlgHS256 && d.Cfg.JWTSecret != "" {
		return []auth.Key{auth.HSKey([]byte(d.Cfg.JWTSecret))}, nil
	}
	file, setting := "jwt.key", "jwt_hs256_key"
	if alg == auth.AlgEdDSA {
		file, setting = "jwt-ed25519.key", "jwt_ed25519_keys"
	}
	var text string
	if d.Cfg.Embedded() {
		path := filepath.Join(d.Cfg.DataDir, file)
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			text = string(b)
		case errors.Is(err, fs.ErrNotExist):
			if text, err = auth.GenerateKeyText(); err != nil {
				return nil, err
			}
			if err := os.MkdirAll(d.Cfg.DataDir, 0o750); err != nil {
				return nil, err
			}
			if err := os.WriteFile(path, []byte(text+"\n"), 0o600); err != nil {
				return nil, fmt.Errorf("write generated signing key: %w", err)
			}
			d.Log.Info("generated a token signing key", "alg", alg, "path", path)
		default:
			return nil, err
		}
	} else {
		var err error
		if text, err = d.DB.SettingOrCreate(ctx, setting, auth.GenerateKeyText); err != nil {
			return nil, err
		}
	}
	keys, err := auth.ParseKeys(alg, strings.TrimSpace(text))
	if err != nil {
		return nil, fmt.Errorf("stored token signing key (%s): %w; delete it to generate a new one", file, err)
	}
	return keys, nil
}

// Name implements web.Module.
func (m *Module) Name() string { return "account" }

// Assets implements web.Module.
func (m *Module) Assets() fs.FS { return assets }

// OpenAPI implements web.Module.
func (m *Module) OpenAPI() []byte { return openAPI }

// Register implements web.Module.
func (m *Module) Register(r *web.Router) {
	m.Svc.translate = r.Render.Cat.T
	registerRoutes(r, m.Svc)
}

// Run implements web.Background: it sweeps old login counters hourly and, when ctx ends, stops
// background imports and waits for them.
func (m *Module) Run(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			m.cancel()
			m.Svc.WaitImports()
			return
		case <-t.C:
			if n, err := m.Svc.SweepLoginAttempts(ctx); err != nil {
				m.Svc.log.Warn("sweep login attempts", "err", err)
			} else if n > 0 {
				m.Svc.log.Debug("swept login attempts", "rows", n)
			}
		}
	}
}
