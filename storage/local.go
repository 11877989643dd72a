package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// defaultContentType is stored when Put is given no content type (S3 does the same).
const defaultContentType = "application/octet-stream"

// Local keeps objects as files under a root folder. Key "a/b.png" is the file <root>/a/b.png; its
// content type lives in the sidecar <root>/a/b.png.glc-meta. Writes go to a temp file in the root
// and are renamed into place, so readers never see a partly written object.
type Local struct {
	root string
}

var _ Store = (*Local)(nil)

// sidecar is the JSON kept in "<file>.glc-meta".
type sidecar struct {
	ContentType string `json:"content_type"`
}

// localObject is an open file with its description.
type localObject struct {
	*os.File
	info Info
}

func (o *localObject) Info() Info { return o.info }

// NewLocal returns a store rooted at root, creating the folder if it is missing.
func NewLocal(root string) (*Local, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("local storage: %w", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("local storage: create root: %w", err)
	}
	return &Local{root: abs}, nil
}

// Kind returns "local".
func (l *Local) Kind() string { return "local" }

// Root returns the absolute folder holding the objects.
func (l *Local) Root() string { return l.root }

// resolve checks key and returns its canonical form and file path.
func (l *Local) resolve(key string) (string, string, error) {
	key, err := cleanKey(key)
	if err != nil {
		return "", "", err
	}
	return key, filepath.Join(l.root, filepath.FromSlash(key)), nil
}

// Put streams r into a temp file, then renames it over the key's file.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error) {
	key, file, err := l.resolve(key)
	if err != nil {
		return Info{}, err
	}
	if contentType == "" {
		contentType = defaultContentType
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return Info{}, fmt.Errorf("local storage: put %q: %w", key, err)
	}
	if err := l.writeAtomic(file, ctxReader{ctx, r}, size); err != nil {
		return Info{}, fmt.Errorf("local storage: put %q: %w", key, err)
	}
	meta, err := json.Marshal(sidecar{ContentType: contentType})
	if err != nil {
		return Info{}, err
	}
	if err := l.writeAtomic(file+metaSuffix, strings.NewReader(string(meta)), int64(len(meta))); err != nil {
		return Info{}, fmt.Errorf("local storage: put %q: %w", key, err)
	}
	return l.Stat(ctx, key)
}

// writeAtomic copies size bytes (all of r when size < 0) to a temp file in the root, syncs it and
// renames it to dst. On failure the temp file is removed.
func (l *Local) writeAtomic(dst string, r io.Reader, size int64) (err error) {
	f, err := os.CreateTemp(l.root, tempPrefix+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = copySized(f, r, size); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), dst)
}

// copySized copies exactly size bytes, or everything when size < 0.
func copySized(w io.Writer, r io.Reader, size int64) error {
	if size < 0 {
		_, err := io.Copy(w, r)
		return err
	}
	n, err := io.CopyN(w, r, size)
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("body ended after %d of %d bytes: %w", n, size, io.ErrUnexpectedEOF)
	}
	return err
}

// Get opens the key's file.
func (l *Local) Get(ctx context.Context, key string) (Object, error) {
	key, file, err := l.resolve(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, localError("get", key, err)
	}
	info, err := l.describe(f, key, file)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &localObject{File: f, info: info}, nil
}

// Stat describes the key's file.
func (l *Local) Stat(ctx context.Context, key string) (Info, error) {
	key, file, err := l.resolve(key)
	if err != nil {
		return Info{}, err
	}
	return l.describe(nil, key, file)
}

// describe builds the Info of file, from the open f when given. Folders do not count as objects.
func (l *Local) describe(f *os.File, key, file string) (Info, error) {
	var fi os.FileInfo
	var err error
	if f != nil {
		fi, err = f.Stat()
	} else {
		fi, err = os.Stat(file)
	}
	if err != nil {
		return Info{}, localError("stat", key, err)
	}
	if !fi.Mode().IsRegular() {
		return Info{}, fmt.Errorf("%w: %s", ErrNotExist, key)
	}
	contentType, err := readContentType(file)
	if err != nil {
		return Info{}, fmt.Errorf("local storage: %q: %w", key, err)
	}
	return Info{Key: key, Size: fi.Size(), ModTime: fi.ModTime(), ContentType: contentType}, nil
}

// readContentType reads file's sidecar; objects without one are application/octet-stream.
func readContentType(file string) (string, error) {
	data, err := os.ReadFile(file + metaSuffix)
	if errors.Is(err, fs.ErrNotExist) {
		return defaultContentType, nil
	}
	if err != nil {
		return "", err
	}
	var meta sidecar
	if err := json.Unmarshal(data, &meta); err != nil {
		return "", fmt.Errorf("read %s: %w", filepath.Base(file+metaSuffix), err)
	}
	if meta.ContentType == "" {
		return defaultContentType, nil
	}
	return meta.ContentType, nil
}

// Delete removes the key's file and sidecar; a missing key is not an error.
func (l *Local) Delete(ctx context.Context, key string) error {
	key, file, err := l.resolve(key)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(file)
	if isMissing(err) || (err == nil && fi.IsDir()) {
		return nil
	}
	for _, name := range []string{file, file + metaSuffix} {
		if err := os.Remove(name); err != nil && !isMissing(err) {
			return fmt.Errorf("local storage: delete %q: %w", key, err)
		}
	}
	return nil
}

// List walks the folder holding prefix and returns the files whose key starts with prefix.
// ContentType is left empty, as on S3; call Stat for it.
func (l *Local) List(ctx context.Context, prefix string) ([]Info, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, err
	}
	start := filepath.Join(l.root, filepath.FromSlash(prefixDir(prefix)))
	var infos []Info
	err := filepath.WalkDir(start, func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			if isMissing(err) {
				return nil // the folder or file went away while walking
			}
			return err
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		info, keep, err := l.listEntry(prefix, file, d)
		if keep {
			infos = append(infos, info)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("local storage: list %q: %w", prefix, err)
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Key < infos[j].Key })
	return infos, nil
}

// listEntry decides what List does with one walked entry: keep it, skip it, or skip a folder
// that cannot hold keys with the prefix.
func (l *Local) listEntry(prefix, file string, d fs.DirEntry) (Info, bool, error) {
	if file == l.root {
		return Info{}, false, nil
	}
	if isReserved(d.Name()) {
		return Info{}, false, nil
	}
	rel, err := filepath.Rel(l.root, file)
	if err != nil {
		return Info{}, false, err
	}
	key := filepath.ToSlash(rel)
	if d.IsDir() {
		dir := key + "/"
		if !strings.HasPrefix(dir, prefix) && !strings.HasPrefix(prefix, dir) {
			return Info{}, false, filepath.SkipDir
		}
		return Info{}, false, nil
	}
	if !d.Type().IsRegular() || !strings.HasPrefix(key, prefix) {
		return Info{}, false, nil
	}
	fi, err := d.Info()
	if err != nil {
		if isMissing(err) {
			return Info{}, false, nil
		}
		return Info{}, false, err
	}
	return Info{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}, true, nil
}

// prefixDir is the folder part of a prefix: "a/b/c" -> "a/b", "a/b/" -> "a/b", "a" -> "".
func prefixDir(prefix string) string {
	i := strings.LastIndex(prefix, "/")
	if i < 0 {
		return ""
	}
	return path.Clean(prefix[:i])
}

// SignedURL is not supported on local disk: the application serves local objects itself.
func (l *Local) SignedURL(ctx context.Context, key string, ttl time.Duration, filename string) (string, error) {
	return "", ErrNotSupported
}

// Ping checks that the root is a folder the process can write to.
func (l *Local) Ping(ctx context.Context) error {
	fi, err := os.Stat(l.root)
	if err != nil {
		return fmt.Errorf("local storage: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("local storage: %s is not a folder", l.root)
	}
	f, err := os.CreateTemp(l.root, tempPrefix+"ping-*")
	if err != nil {
		return fmt.Errorf("local storage: root not writable: %w", err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// isMissing reports whether err means the path does not exist, including a path running
// through a file ("a/b" when "a" is a file).
func isMissing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// localError maps a missing file to ErrNotExist.
func localError(op, key string, err error) error {
	if isMissing(err) {
		return fmt.Errorf("%w: %s", ErrNotExist, key)
	}
	return fmt.Errorf("local storage: %s %q: %w", op, key, err)
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
