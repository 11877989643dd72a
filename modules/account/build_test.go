package account_test

import (
	"context"
	"io"
	"log/slog"

	"glc/internal/app"
	"glc/internal/config"
	"glc/internal/database"
	"glc/storage"
)

func buildApp(cfg config.Config, db *database.DB) (*app.App, error) {
	st, err := storage.NewLocal(cfg.DataDir + "/objects")
	if err != nil {
		return nil, err
	}
	return app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), db, st)
}
