package scorm

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"glc/storage"
)

// Limits bound an uploaded package archive.
type Limits struct {
	// MaxFiles is the most entries (files and folders) the zip may hold.
	MaxFiles int
	// MaxBytes is the most bytes its files may expand to, counted while decompressing.
	MaxBytes int64
}

// Archive is a zip that passed validation: every entry has a safe relative name, none is a
// link or device, there are at most Limits.MaxFiles entries and the files really expand to at
// most Limits.MaxBytes (every byte was decompressed and counted, and every checksum verified).
// It is shared by the SCORM and cmi5 importers.
type Archive struct {
	files  map[string]*zip.File
	names  []string
	limits Limits
	// Expanded is the total size of the files once decompressed.
	Expanded int64
	// Bare is set for a course structure uploaded alone (a cmi5.xml without a zip): the
	// archive then holds that one file, and the package has no content of its own.
	Bare bool
}

// OpenArchive validates the zip in r (size bytes) against lim and returns it. A bad archive
// is refused with a 422 error (see Refuse) that says why.
func OpenArchive(r io.ReaderAt, size int64, lim Limits) (*Archive, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, Refuse("the file is not a zip archive")
	}
	if len(zr.File) > lim.MaxFiles {
		return nil, Refuse("the archive holds %d entries, more than the limit of %d", len(zr.File), lim.MaxFiles)
	}
	a := &Archive{files: map[string]*zip.File{}, limits: lim}
	for _, f := range zr.File {
		name, dir, err := entryName(f)
		if err != nil {
			return nil, err
		}
		if dir {
			continue
		}
		if _, dup := a.files[name]; dup {
			return nil, Refuse("the entry %q appears twice", name)
		}
		a.files[name] = f
		a.names = append(a.names, name)
	}
	sort.Strings(a.names)
	if err := a.expandAll(); err != nil {
		return nil, err
	}
	return a, nil
}

// entryName checks one entry and returns its cleaned name, and whether it is a folder.
func entryName(f *zip.File) (string, bool, error) {
	raw := f.Name
	mode := f.Mode()
	if mode&fs.ModeSymlink != 0 {
		return "", false, Refuse("the entry %q is a symbolic link", raw)
	}
	if mode&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeCharDevice|fs.ModeIrregular) != 0 {
		return "", false, Refuse("the entry %q is not a regular file", raw)
	}
	if !utf8.ValidString(raw) || strings.ContainsRune(raw, 0) {
		return "", false, Refuse("an entry name is not valid UTF-8 text")
	}
	name := strings.ReplaceAll(raw, `\`, "/")
	if strings.HasPrefix(name, "/") || (len(name) >= 2 && name[1] == ':') {
		return "", false, Refuse("the entry %q has an absolute path", raw)
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return "", false, Refuse("the entry %q escapes the package folder", raw)
		}
		if strings.HasSuffix(el, ".glc-meta") || strings.HasPrefix(el, ".glc-tmp-") {
			return "", false, Refuse("the entry %q uses a reserved name", raw)
		}
	}
	dir := strings.HasSuffix(name, "/") || mode.IsDir()
	clean := path.Clean(name)
	if clean == "." {
		if dir {
			return "", true, nil
		}
		return "", false, Refuse("an entry has an empty name")
	}
	return clean, dir, nil
}

// budget counts decompressed bytes against the limit.
type budget struct {
	left  int64
	limit int64
}

var errTooBig = errors.New("expanded past the limit")

// reader wraps rc so that reading past the budget fails.
func (b *budget) reader(rc io.Reader) io.Reader {
	return readerFunc(func(p []byte) (int, error) {
		if b.left < 0 {
			return 0, errTooBig
		}
		if int64(len(p)) > b.left+1 {
			p = p[:b.left+1]
		}
		n, err := rc.Read(p)
		b.left -= int64(n)
		if b.left < 0 {
			return n, errTooBig
		}
		return n, err
	})
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// expandAll decompresses every file once, counting the bytes it really produces (not the size
// the header claims) and verifying checksums.
func (a *Archive) expandAll() error {
	b := &budget{left: a.limits.MaxBytes, limit: a.limits.MaxBytes}
	for _, name := range a.names {
		if err := a.readEntry(name, b, io.Discard); err != nil {
			return err
		}
	}
	a.Expanded = a.limits.MaxBytes - b.left
	return nil
}

func (a *Archive) readEntry(name string, b *budget, w io.Writer) error {
	rc, err := a.files[name].Open()
	if err != nil {
		return Refuse("the entry %q cannot be read (%v)", name, err)
	}
	defer rc.Close()
	if _, err := io.Copy(w, b.reader(rc)); err != nil {
		if errors.Is(err, errTooBig) {
			return Refuse("the archive expands past the limit of %d MiB", b.limit>>20)
		}
		var werr writeError
		if errors.As(err, &werr) {
			return werr.err
		}
		return Refuse("the entry %q is damaged (%v)", name, err)
	}
	return nil
}

// writeError marks a failure of the destination (not of the archive).
type writeError struct{ err error }

func (w writeError) Error() string { return w.err.Error() }

// Names lists the files (not folders), sorted.
func (a *Archive) Names() []string { return append([]string(nil), a.names...) }

// Has reports whether the archive holds the file name (a cleaned relative path).
func (a *Archive) Has(name string) bool {
	_, ok := a.files[name]
	return ok
}

// ReadFile returns a file's content; files larger than max bytes are refused.
func (a *Archive) ReadFile(name string, max int64) ([]byte, error) {
	f, ok := a.files[name]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, Refuse("the entry %q cannot be read (%v)", name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, Refuse("the entry %q is damaged (%v)", name, err)
	}
	if int64(len(data)) > max {
		return nil, Refuse("%s is larger than %d MiB", name, max>>20)
	}
	return data, nil
}

// Unpack copies every file into store under prefix (which should end with "/"), with a content
// type chosen from the file's extension (or sniffed when the extension is unknown). On failure
// it deletes what it wrote and returns the error.
func (a *Archive) Unpack(ctx context.Context, store storage.Store, prefix string) (err error) {
	defer func() {
		if err != nil {
			if derr := DeletePrefix(context.WithoutCancel(ctx), store, prefix); derr != nil {
				err = errors.Join(err, derr)
			}
		}
	}()
	b := &budget{left: a.limits.MaxBytes, limit: a.limits.MaxBytes}
	for _, name := range a.names {
		if err := ctx.Err(); err != nil {
			return err
		}
		f := a.files[name]
		ct, err := a.contentType(name)
		if err != nil {
			return err
		}
		pw := &putWriter{ctx: ctx, store: store, key: prefix + name, size: int64(f.UncompressedSize64), ct: ct}
		if err := a.readEntry(name, b, pw); err != nil {
			pw.abort(err)
			return err
		}
		if err := pw.close(); err != nil {
			return fmt.Errorf("store %s: %w", name, err)
		}
	}
	return nil
}

// contentType picks the type a browser needs for a package file. Package content is untrusted
// as a whole (it is served under a sandboxing policy), so the extension is what matters here:
// scripts and style sheets cannot be told apart by sniffing.
func (a *Archive) contentType(name string) (string, error) {
	if ct := TypeByExtension(name); ct != "" {
		return ct, nil
	}
	f := a.files[name]
	rc, err := f.Open()
	if err != nil {
		return "", Refuse("the entry %q cannot be read (%v)", name, err)
	}
	defer rc.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(rc, head)
	return http.DetectContentType(head[:n]), nil
}

// DeletePrefix removes every object under prefix.
func DeletePrefix(ctx context.Context, store storage.Store, prefix string) error {
	infos, err := store.List(ctx, prefix)
	if err != nil {
		return err
	}
	var errs []error
	for _, in := range infos {
		if err := store.Delete(ctx, in.Key); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// putWriter streams what is written to it into store.Put through a pipe.
type putWriter struct {
	ctx   context.Context
	store storage.Store
	key   string
	size  int64
	ct    string
	pw    *io.PipeWriter
	done  chan error
}

func (p *putWriter) start() {
	pr, pw := io.Pipe()
	p.pw = pw
	p.done = make(chan error, 1)
	go func() {
		_, err := p.store.Put(p.ctx, p.key, pr, p.size, p.ct)
		pr.CloseWithError(err)
		p.done <- err
	}()
}

func (p *putWriter) Write(b []byte) (int, error) {
	if p.pw == nil {
		p.start()
	}
	n, err := p.pw.Write(b)
	if err != nil {
		return n, writeError{err}
	}
	return n, nil
}

func (p *putWriter) abort(err error) {
	if p.pw != nil {
		p.pw.CloseWithError(err)
		<-p.done
	}
}

func (p *putWriter) close() error {
	if p.pw == nil { // empty file
		_, err := p.store.Put(p.ctx, p.key, strings.NewReader(""), 0, p.ct)
		return err
	}
	p.pw.Close()
	return <-p.done
}

// OpenBareXML treats an upload that is not a zip but an XML document (a cmi5 course structure
// uploaded alone, section 14.2 of cmi5) as an archive holding it as cmi5.xml. ok is false when
// the upload does not look like XML (or is larger than maxBytes).
func OpenBareXML(r io.ReaderAt, size, maxBytes int64, lim Limits) (a *Archive, ok bool, err error) {
	if size <= 0 || size > maxBytes {
		return nil, false, nil
	}
	data := make([]byte, size)
	if _, err := r.ReadAt(data, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, false, err
	}
	head := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if !bytes.HasPrefix(head, []byte("<")) {
		return nil, false, nil
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("cmi5.xml")
	if err != nil {
		return nil, true, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, true, err
	}
	if err := zw.Close(); err != nil {
		return nil, true, err
	}
	a, err = OpenArchive(bytes.NewReader(buf.Bytes()), int64(buf.Len()), lim)
	if err != nil {
		return nil, true, err
	}
	a.Bare = true
	return a, true, nil
}
