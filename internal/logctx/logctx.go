// Package logctx carries a logger in a context, so that code far from the HTTP layer (SQL
// logging, services) logs with the request's attributes (its request_id).
package logctx

import (
	"context"
	"log/slog"
)

type key struct{}

// With returns ctx carrying l.
func With(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, key{}, l)
}

// From returns the logger in ctx, or fallback when there is none.
func From(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	if ctx != nil {
		if l, ok := ctx.Value(key{}).(*slog.Logger); ok {
			return l
		}
	}
	return fallback
}
