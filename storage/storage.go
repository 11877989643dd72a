// Package storage keeps binary objects (media, resources, packages) in a local folder or in any
// S3-compatible store behind one interface.
package storage

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrNotExist is returned (wrapped) when a key has no object.
var ErrNotExist = errors.New("storage: object does not exist")

// ErrNotSupported is returned by operations a backend cannot do (SignedURL on local disk).
var ErrNotSupported = errors.New("storage: not supported by this backend")

// ErrInvalidKey is returned (wrapped) for keys that are empty, absolute, contain NUL or try to
// escape the root with "..".
var ErrInvalidKey = errors.New("storage: invalid key")

// Info describes a stored object.
type Info struct {
	Key         string
	Size        int64
	ModTime     time.Time
	ContentType string
}

// Object is an open stored object: a seekable reader (so http.ServeContent can answer Range
// requests) with its description. The caller closes it.
type Object interface {
	io.ReadSeekCloser
	Info() Info
}

// Store is the object store used by the whole application.
type Store interface {
	// Put stores r under key. size is the exact length or -1 when unknown. The object is
	// streamed, never held whole in memory.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error)
	Get(ctx context.Context, key string) (Object, error)
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List returns every object whose key starts with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]Info, error)
	// SignedURL returns a URL that fetches the object without credentials until ttl passes;
	// filename, when set, becomes the Content-Disposition attachment name.
	SignedURL(ctx context.Context, key string, ttl time.Duration, filename string) (string, error)
	// Ping checks that the backend answers (used by /readyz).
	Ping(ctx context.Context) error
	// Kind names the backend: "local" or "s3".
	Kind() string
}
