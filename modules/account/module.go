package account

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"glc/internal/auth"
	"glc/internal/config"
	"glc/internal/database"
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
}

// Module is the account module.
type Module struct {
	Svc *Service
}

// New builds the module and loads (or generates) the token signing key.
func New(ctx context.Context, d Deps) (*Module, error) {
	key, err := signingKey(ctx, d)
	if err != nil {
		return nil, err
	}
	tokens, err := auth.NewTokens(d.Cfg.BaseURL, "glc", d.Cfg.AccessTTL, key)
	if err != nil {
		return nil, err
	}
	return &Module{Svc: NewService(d.DB, d.Cfg, tokens, d.Log)}, nil
}

// signingKey takes GLC_JWT_SECRET; otherwise a key generated on first run: into the data
// folder on the embedded backend, into the database on PostgreSQL so that every replica
// shares it.
func signingKey(ctx context.Context, d Deps) (auth.Key, error) {
	if d.Cfg.JWTSecret != "" {
		s := []byte(d.Cfg.JWTSecret)
		return auth.Key{ID: auth.KeyID(s), Secret: s}, nil
	}
	gen := func() (string, error) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		return hex.EncodeToString(b), nil
	}
	var secret string
	if d.Cfg.Embedded() {
		path := filepath.Join(d.Cfg.DataDir, "jwt.key")
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			secret = strings.TrimSpace(string(b))
		case errors.Is(err, fs.ErrNotExist):
			if secret, err = gen(); err != nil {
				return auth.Key{}, err
			}
			if err := os.MkdirAll(d.Cfg.DataDir, 0o750); err != nil {
				return auth.Key{}, err
			}
			if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
				return auth.Key{}, fmt.Errorf("write generated signing key: %w", err)
			}
			d.Log.Info("generated a token signing key", "path", path)
		default:
			return auth.Key{}, err
		}
	} else {
		var err error
		if secret, err = d.DB.SettingOrCreate(ctx, "jwt_hs256_key", gen); err != nil {
			return auth.Key{}, err
		}
	}
	if len(secret) < 32 {
		return auth.Key{}, errors.New("the stored token signing key is too short; delete it to generate a new one")
	}
	return auth.Key{ID: auth.KeyID([]byte(secret)), Secret: []byte(secret)}, nil
}

// Name implements web.Module.
func (m *Module) Name() string { return "account" }

// Assets implements web.Module.
func (m *Module) Assets() fs.FS { return assets }

// OpenAPI implements web.Module.
func (m *Module) OpenAPI() []byte { return openAPI }

// Register implements web.Module.
func (m *Module) Register(r *web.Router) {
	registerRoutes(r, m.Svc)
}
