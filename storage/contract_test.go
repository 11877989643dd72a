package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	mrand "math/rand/v2"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	bigSize       = 100 << 20 // the streamed object
	maxHeapGrowth = 32 << 20  // allowed live heap growth while streaming it
)

// TestLocalContract runs the contract against a folder.
func TestLocalContract(t *testing.T) {
	runContract(t, func(t *testing.T) Store {
		s, err := NewLocal(filepath.Join(t.TempDir(), "root"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
	t.Run("SignedURLNotSupported", func(t *testing.T) {
		t.Parallel()
		s, _ := NewLocal(t.TempDir())
		_, err := s.SignedURL(context.Background(), "a", time.Minute, "")
		if !errors.Is(err, ErrNotSupported) {
			t.Fatalf("SignedURL error = %v, want ErrNotSupported", err)
		}
	})
	t.Run("NothingWrittenOutsideRoot", testLocalNoEscape)
	t.Run("ListSkipsInternalFiles", testLocalListSkipsInternal)
	t.Run("RootCreated", func(t *testing.T) {
		t.Parallel()
		root := filepath.Join(t.TempDir(), "x", "y")
		s, err := NewLocal(root)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

// TestS3Contract runs the contract against the server named by GLC_TEST_S3_*, one fresh bucket
// per test.
func TestS3Contract(t *testing.T) {
	cfg, ok := S3ConfigFromEnv("GLC_TEST_")
	if !ok {
		t.Skip("S3 server not configured: set GLC_TEST_S3_ENDPOINT (and GLC_TEST_S3_ACCESS_KEY, GLC_TEST_S3_SECRET_KEY, GLC_TEST_S3_REGION, GLC_TEST_S3_USE_TLS)")
	}
	newStore := func(t *testing.T) Store { return newTestS3(t, cfg) }
	runContract(t, newStore)
	t.Run("SignedURL", func(t *testing.T) { t.Parallel(); testSignedURL(t, newTestS3(t, cfg)) })
	t.Run("SignedURLExpires", func(t *testing.T) { t.Parallel(); testSignedURLExpires(t, newTestS3(t, cfg)) })
	t.Run("BucketCreated", func(t *testing.T) { t.Parallel(); testBucketCreated(t, cfg) })
}

// newTestS3 connects to a fresh random bucket and empties and removes it when t ends.
func newTestS3(t *testing.T, cfg S3Config) *S3 {
	t.Helper()
	cfg.Bucket = randomBucket(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := NewS3(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeBucket(s) })
	return s
}

// removeBucket deletes every object and then the bucket, best effort.
func removeBucket(s *S3) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	infos, _ := s.List(ctx, "")
	for _, info := range infos {
		_ = s.Delete(ctx, info.Key)
	}
	_ = s.client.RemoveBucket(ctx, s.bucket)
}

func randomBucket(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "glc-test-" + hex.EncodeToString(b)
}

// runContract is the behaviour every Store must have. The 100 MiB streaming test runs first and
// alone, so that its heap measurement sees no other test; the rest run in parallel.
func runContract(t *testing.T, newStore func(t *testing.T) Store) {
	t.Run("BigObjectStreams", func(t *testing.T) {
		if testing.Short() {
			t.Skip("100 MiB object skipped in -short mode")
		}
		s := newStore(t)
		t.Run("KnownSize", func(t *testing.T) { testBigObject(t, s, bigSize) })
		t.Run("UnknownSize", func(t *testing.T) { testBigObject(t, s, -1) })
	})
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"PutGetStatDelete", testPutGetStatDelete},
		{"ContentType", testContentType},
		{"Overwrite", testOverwrite},
		{"List", testList},
		{"KeyCleaned", testKeyCleaned},
		{"UnknownSizeSmall", testUnknownSizeSmall},
		{"FileBody", testFileBody},
		{"ShortBody", testShortBody},
		{"SeekAndRead", testSeekAndRead},
		{"ServeContentRange", testServeContentRange},
		{"Missing", testMissing},
		{"InvalidKeys", testInvalidKeys},
		{"Ping", func(t *testing.T, s Store) {
			if err := s.Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

func testPutGetStatDelete(t *testing.T, s Store) {
	ctx := context.Background()
	data := []byte("hello, object store")
	info, err := s.Put(ctx, "docs/hello.txt", bytes.NewReader(data), int64(len(data)), "text/plain")
	if err != nil {
		t.Fatal(err)
	}
	if info.Key != "docs/hello.txt" || info.Size != int64(len(data)) || info.ModTime.IsZero() {
		t.Fatalf("Put info = %+v", info)
	}
	if got := readAll(t, s, "docs/hello.txt"); !bytes.Equal(got, data) {
		t.Fatalf("Get = %q, want %q", got, data)
	}
	st, err := s.Stat(ctx, "docs/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	if st.Size != int64(len(data)) || st.Key != "docs/hello.txt" {
		t.Fatalf("Stat = %+v", st)
	}
	if err := s.Delete(ctx, "docs/hello.txt"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(ctx, "docs/hello.txt"); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Stat after Delete: %v, want ErrNotExist", err)
	}
	if err := s.Delete(ctx, "docs/hello.txt"); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
}

func testContentType(t *testing.T, s Store) {
	ctx := context.Background()
	for key, want := range map[string]string{
		"ct/image.png": "image/png",
		"ct/page.html": "text/html; charset=utf-8",
		"ct/none":      "",
	} {
		put(t, s, key, []byte("x"), want)
		if want == "" {
			want = "application/octet-stream"
		}
		st, err := s.Stat(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if st.ContentType != want {
			t.Errorf("Stat(%s).ContentType = %q, want %q", key, st.ContentType, want)
		}
		obj, err := s.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if got := obj.Info().ContentType; got != want {
			t.Errorf("Get(%s).Info().ContentType = %q, want %q", key, got, want)
		}
		obj.Close()
	}
}

func testOverwrite(t *testing.T, s Store) {
	put(t, s, "ow/k", []byte("first version, longer"), "text/plain")
	put(t, s, "ow/k", []byte("second"), "application/json")
	if got := readAll(t, s, "ow/k"); string(got) != "second" {
		t.Fatalf("Get after overwrite = %q", got)
	}
	st, err := s.Stat(context.Background(), "ow/k")
	if err != nil {
		t.Fatal(err)
	}
	if st.Size != 6 || st.ContentType != "application/json" {
		t.Fatalf("Stat after overwrite = %+v", st)
	}
}

func testList(t *testing.T, s Store) {
	ctx := context.Background()
	for _, key := range []string{"b/5", "a/2", "a/sub/3", "a/1", "ab/4", "a.txt"} {
		put(t, s, key, []byte(key), "text/plain")
	}
	for prefix, want := range map[string][]string{
		"a/":     {"a/1", "a/2", "a/sub/3"},
		"a":      {"a.txt", "a/1", "a/2", "a/sub/3", "ab/4"},
		"a/sub/": {"a/sub/3"},
		"a/s":    {"a/sub/3"},
		"":       {"a.txt", "a/1", "a/2", "a/sub/3", "ab/4", "b/5"},
		"zzz/":   nil,
		"a/1":    {"a/1"},
	} {
		infos, err := s.List(ctx, prefix)
		if err != nil {
			t.Fatalf("List(%q): %v", prefix, err)
		}
		var got []string
		for _, info := range infos {
			got = append(got, info.Key)
			if info.Size != int64(len(info.Key)) || info.ModTime.IsZero() {
				t.Errorf("List(%q) entry %+v: wrong size or no time", prefix, info)
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("List(%q) = %q, want %q", prefix, got, want)
		}
	}
}

func testKeyCleaned(t *testing.T, s Store) {
	info := put(t, s, "kc//x/./y", []byte("y"), "")
	if info.Key != "kc/x/y" {
		t.Fatalf("Put key = %q, want kc/x/y", info.Key)
	}
	if got := readAll(t, s, "kc/x/y"); string(got) != "y" {
		t.Fatalf("Get = %q", got)
	}
}

// testUnknownSizeSmall stores a body of unknown length spanning more than one S3 part.
func testUnknownSizeSmall(t *testing.T, s Store) {
	const size = 17<<20 + 3
	info, err := s.Put(context.Background(), "unknown/size", newPattern(size), -1, "")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != size {
		t.Fatalf("Put size = %d, want %d", info.Size, size)
	}
	checkPattern(t, s, "unknown/size", size)
}

// testFileBody stores from an *os.File, which minio uploads in parallel parts through ReadAt.
func testFileBody(t *testing.T, s Store) {
	const size = 17<<20 + 5
	f, err := os.Create(filepath.Join(t.TempDir(), "body"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.Copy(f, newPattern(size)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(context.Background(), "file/body", f, size, ""); err != nil {
		t.Fatal(err)
	}
	checkPattern(t, s, "file/body", size)
}

// testShortBody: a body shorter than the announced size fails and stores nothing.
func testShortBody(t *testing.T, s Store) {
	ctx := context.Background()
	body := io.LimitReader(strings.NewReader("only ten b"), 10) // not seekable, like a request body
	_, err := s.Put(ctx, "short/body", body, 100, "")
	if err == nil {
		t.Fatal("Put with short body succeeded")
	}
	if _, err := s.Stat(ctx, "short/body"); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Stat after failed Put: %v, want ErrNotExist", err)
	}
}

func testSeekAndRead(t *testing.T, s Store) {
	const size = 3<<20 + 11
	put(t, s, "seek/obj", patternBytes(0, size), "")
	obj := get(t, s, "seek/obj")
	defer obj.Close()
	if obj.Info().Size != size {
		t.Fatalf("Info().Size = %d", obj.Info().Size)
	}
	end, err := obj.Seek(0, io.SeekEnd)
	if err != nil || end != size {
		t.Fatalf("Seek end = %d, %v", end, err)
	}
	const off, n = 1<<20 + 5, 4000
	if pos, err := obj.Seek(off, io.SeekStart); err != nil || pos != off {
		t.Fatalf("Seek = %d, %v", pos, err)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(obj, buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf, patternBytes(off, n)) {
		t.Fatal("bytes read after Seek differ")
	}
}

func testServeContentRange(t *testing.T, s Store) {
	data := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	put(t, s, "serve/obj.txt", data, "text/plain")
	obj := get(t, s, "serve/obj.txt")
	defer obj.Close()
	req := httptest.NewRequest(http.MethodGet, "/serve/obj.txt", nil)
	req.Header.Set("Range", "bytes=10-19")
	rec := httptest.NewRecorder()
	http.ServeContent(rec, req, "obj.txt", obj.Info().ModTime, obj)
	if rec.Code != http.StatusPartialContent {
		t.Fatalf("status = %d, want 206", rec.Code)
	}
	if got := rec.Body.String(); got != string(data[10:20]) {
		t.Fatalf("body = %q, want %q", got, data[10:20])
	}
	if got := rec.Header().Get("Content-Range"); got != fmt.Sprintf("bytes 10-19/%d", len(data)) {
		t.Fatalf("Content-Range = %q", got)
	}
}

func testMissing(t *testing.T, s Store) {
	ctx := context.Background()
	put(t, s, "present/file", []byte("x"), "")
	for _, key := range []string{"nope", "missing/dir/file", "present", "present/file/below"} {
		if obj, err := s.Get(ctx, key); !errors.Is(err, ErrNotExist) {
			if err == nil {
				obj.Close()
			}
			t.Errorf("Get(%q) error = %v, want ErrNotExist", key, err)
		}
		if _, err := s.Stat(ctx, key); !errors.Is(err, ErrNotExist) {
			t.Errorf("Stat(%q) error = %v, want ErrNotExist", key, err)
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Errorf("Delete(%q) = %v, want nil", key, err)
		}
	}
	if got := readAll(t, s, "present/file"); string(got) != "x" {
		t.Fatalf("present/file damaged: %q", got)
	}
}

var invalidKeys = []string{
	"", "../x", "a/../../x", "/etc/passwd", "a\x00b", "..", "a/..", "a\\b", "..\\x", ".",
	"x" + metaSuffix, tempPrefix + "x", "\xff",
}

func testInvalidKeys(t *testing.T, s Store) {
	ctx := context.Background()
	for _, key := range invalidKeys {
		if _, err := s.Put(ctx, key, strings.NewReader("x"), 1, ""); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Put(%q) error = %v, want ErrInvalidKey", key, err)
		}
		if _, err := s.Get(ctx, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Get(%q) error = %v, want ErrInvalidKey", key, err)
		}
		if _, err := s.Stat(ctx, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Stat(%q) error = %v, want ErrInvalidKey", key, err)
		}
		if err := s.Delete(ctx, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q) error = %v, want ErrInvalidKey", key, err)
		}
	}
	for _, prefix := range []string{"../", "/etc", "a/../..", "a\x00"} {
		if _, err := s.List(ctx, prefix); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("List(%q) error = %v, want ErrInvalidKey", prefix, err)
		}
	}
}

// testBigObject streams a 100 MiB object in and out (size -1 = unknown length) and checks that
// the heap never grows by more than maxHeapGrowth meanwhile.
func testBigObject(t *testing.T, s Store, size int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	key := fmt.Sprintf("big/object-%d", size)
	heap := newHeapWatch()
	sent := sha256.New()
	src := &sampledReader{r: io.TeeReader(newPattern(bigSize), sent), heap: heap}

	start := time.Now()
	info, err := s.Put(ctx, key, src, size, "application/octet-stream")
	if err != nil {
		t.Fatal(err)
	}
	putTime := time.Since(start)
	if info.Size != bigSize {
		t.Fatalf("Put size = %d, want %d", info.Size, bigSize)
	}

	start = time.Now()
	obj, err := s.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	received := sha256.New()
	n, err := io.Copy(&sampledWriter{w: received, heap: heap}, obj)
	if err != nil {
		t.Fatal(err)
	}
	getTime := time.Since(start)
	if n != bigSize || !bytes.Equal(sent.Sum(nil), received.Sum(nil)) {
		t.Fatalf("read %d bytes, SHA-256 match %v", n, bytes.Equal(sent.Sum(nil), received.Sum(nil)))
	}
	growth := heap.growth()
	t.Logf("%s: 100 MiB put %v, get %v, peak HeapAlloc growth (after GC) %.1f MiB",
		s.Kind(), putTime.Round(time.Millisecond), getTime.Round(time.Millisecond), float64(growth)/(1<<20))
	if growth > maxHeapGrowth {
		t.Fatalf("live heap grew by %d MiB while streaming, limit %d MiB", growth>>20, maxHeapGrowth>>20)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
}

// testSignedURL fetches a presigned URL with a plain client.
func testSignedURL(t *testing.T, s *S3) {
	ctx := context.Background()
	data := []byte("signed content")
	put(t, s, "signed/report.bin", data, "application/pdf")
	u, err := s.SignedURL(ctx, "signed/report.bin", time.Minute, "report 2024.pdf")
	if err != nil {
		t.Fatal(err)
	}
	resp := httpGet(t, u)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
		t.Fatalf("GET signed URL: %s, body %q", resp.Status, body)
	}
	_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	if err != nil || params["filename"] != "report 2024.pdf" {
		t.Fatalf("Content-Disposition = %q (%v)", resp.Header.Get("Content-Disposition"), err)
	}
	if _, err := s.SignedURL(ctx, "../x", time.Minute, ""); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("SignedURL(../x) error = %v, want ErrInvalidKey", err)
	}
}

// testSignedURLExpires checks that a presigned URL is refused once its ttl has passed.
func testSignedURLExpires(t *testing.T, s *S3) {
	put(t, s, "signed/short", []byte("soon gone"), "")
	u, err := s.SignedURL(context.Background(), "signed/short", time.Second, "")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond)
	resp := httpGet(t, u)
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Fatal("expired signed URL still answered 200")
	}
	t.Logf("expired signed URL answered %s", resp.Status)
}

// testBucketCreated constructs a store on a bucket that does not exist yet.
func testBucketCreated(t *testing.T, cfg S3Config) {
	ctx := context.Background()
	s := newTestS3(t, cfg)
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	put(t, s, "first", []byte("1"), "")
	// A second store on the now existing bucket connects too.
	cfg.Bucket = s.bucket
	if _, err := NewS3(ctx, cfg); err != nil {
		t.Fatalf("NewS3 on existing bucket: %v", err)
	}
	// Ping reports a bucket that went away.
	removeBucket(s)
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping succeeded on a removed bucket")
	}
}

// testLocalNoEscape checks that refused keys leave nothing beside the root.
func testLocalNoEscape(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	s, err := NewLocal(filepath.Join(parent, "root"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"../x", "a/../../x", "../root2/x"} {
		s.Put(context.Background(), key, strings.NewReader("x"), 1, "")
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 || entries[0].Name() != "root" {
		t.Fatalf("folder beside root holds %v", entries)
	}
}

// testLocalListSkipsInternal: sidecars and leftover temp files never appear in List.
func testLocalListSkipsInternal(t *testing.T) {
	t.Parallel()
	s, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "d/a", []byte("a"), "text/plain")
	if err := os.WriteFile(filepath.Join(s.Root(), tempPrefix+"leftover"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	infos, err := s.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 1 || infos[0].Key != "d/a" {
		t.Fatalf("List = %+v, want only d/a", infos)
	}
}

// helpers

func put(t *testing.T, s Store, key string, data []byte, contentType string) Info {
	t.Helper()
	info, err := s.Put(context.Background(), key, bytes.NewReader(data), int64(len(data)), contentType)
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	return info
}

func get(t *testing.T, s Store, key string) Object {
	t.Helper()
	obj, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return obj
}

func readAll(t *testing.T, s Store, key string) []byte {
	t.Helper()
	obj := get(t, s, key)
	defer obj.Close()
	data, err := io.ReadAll(obj)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return data
}

// checkPattern compares the SHA-256 of key's content with that of the first size pattern bytes.
func checkPattern(t *testing.T, s Store, key string, size int64) {
	t.Helper()
	want, got := sha256.New(), sha256.New()
	io.Copy(want, newPattern(size))
	obj := get(t, s, key)
	defer obj.Close()
	if _, err := io.Copy(got, obj); err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatalf("content of %q differs", key)
	}
}

func httpGet(t *testing.T, u string) *http.Response {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// patternTable is repeated to form test content. Its odd length keeps every S3 part and every
// offset distinct, so a misplaced chunk changes the checksum.
var patternTable = sync.OnceValue(func() []byte {
	table := make([]byte, 1<<20+7)
	rng := mrand.New(mrand.NewPCG(1, 2))
	for i := range table {
		table[i] = byte(rng.Uint32())
	}
	return table
})

// pattern is a deterministic reader of size bytes that allocates nothing while reading.
type pattern struct{ pos, size int64 }

func newPattern(size int64) *pattern { return &pattern{size: size} }

func (p *pattern) Read(b []byte) (int, error) {
	if p.pos >= p.size {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.size-p.pos)]
	table := patternTable()
	n := 0
	for n < len(b) {
		n += copy(b[n:], table[(p.pos+int64(n))%int64(len(table)):])
	}
	p.pos += int64(n)
	return n, nil
}

// patternBytes returns bytes [off, off+n) of the pattern.
func patternBytes(off, n int64) []byte {
	p := &pattern{pos: off, size: off + n}
	b, _ := io.ReadAll(p)
	return b
}

// heapWatch tracks live heap growth above a baseline: each sample forces a GC and then reads
// HeapAlloc. Without the GC, HeapAlloc also counts garbage awaiting collection and peaks near the
// GC target (twice the live heap), which makes the figure depend on GC timing; holding an object
// in memory raises the live heap, which is what the limit is about.
type heapWatch struct {
	base, peak uint64
}

func newHeapWatch() *heapWatch {
	base := liveHeap()
	return &heapWatch{base: base, peak: base}
}

func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func (h *heapWatch) sample() { h.peak = max(h.peak, liveHeap()) }

func (h *heapWatch) growth() uint64 {
	h.sample()
	return h.peak - h.base
}

// sampleEvery is how many bytes pass between heap samples (each forces a GC).
const sampleEvery = 4 << 20

// sampledReader samples the heap every sampleEvery bytes read.
type sampledReader struct {
	r    io.Reader
	heap *heapWatch
	n    int64
}

func (s *sampledReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if (s.n+int64(n))/sampleEvery != s.n/sampleEvery {
		s.heap.sample()
	}
	s.n += int64(n)
	return n, err
}

// sampledWriter samples the heap every sampleEvery bytes written.
type sampledWriter struct {
	w    hash.Hash
	heap *heapWatch
	n    int64
}

func (s *sampledWriter) Write(p []byte) (int, error) {
	if (s.n+int64(len(p)))/sampleEvery != s.n/sampleEvery {
		s.heap.sample()
	}
	s.n += int64(len(p))
	return s.w.Write(p)
}
