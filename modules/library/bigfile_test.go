package library_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"glc/internal/app/apptest"
	"glc/internal/testkit"
)

// heapWatch samples HeapAlloc every few milliseconds and keeps the peak.
type heapWatch struct {
	base, peak atomic.Uint64
	stop       chan struct{}
	done       chan struct{}
}

func watchHeap() *heapWatch {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w := &heapWatch{stop: make(chan struct{}), done: make(chan struct{})}
	w.base.Store(ms.HeapAlloc)
	w.peak.Store(ms.HeapAlloc)
	go func() {
		defer close(w.done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > w.peak.Load() {
					w.peak.Store(ms.HeapAlloc)
				}
			}
		}
	}()
	return w
}

// rise stops sampling and returns the peak above the idle baseline.
func (w *heapWatch) rise() uint64 {
	close(w.stop)
	<-w.done
	if w.peak.Load() < w.base.Load() {
		return 0
	}
	return w.peak.Load() - w.base.Load()
}

// TestBigUploadStreams sends a 200 MB file through a streaming multipart body (io.Pipe), then
// downloads it: the bytes must hash the same and the process heap (server and client share
// it here) must stay below idle + 64 MB during each transfer.
func TestBigUploadStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("200 MB transfer")
	}
	const size = 200 << 20
	const limit = 64 << 20
	s := apptest.New(t, apptest.Env("GLC_MAX_UPLOAD_MB", "256"))
	ed := s.Instructor(t)

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	sent := sha256.New()
	go func() {
		err := func() error {
			for _, f := range [][2]string{{"title", "Training footage archive"}, {"kind", "video"}, {"access", "members"}} {
				if err := mw.WriteField(f[0], f[1]); err != nil {
					return err
				}
			}
			fw, err := mw.CreateFormFile("file", "archive.bin")
			if err != nil {
				return err
			}
			src := rand.NewChaCha8([32]byte{7})
			if _, err := io.CopyN(io.MultiWriter(fw, sent), src, size); err != nil {
				return err
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest("POST", s.URL+"/api/v1/resources", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+ed.Token)

	w := watchHeap()
	start := time.Now()
	r := s.Send(req)
	upTime := time.Since(start)
	upRise := w.rise()
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	m := r.Map(t)
	id := int64(m["id"].(float64))
	file := m["file"].(map[string]any)
	want := hex.EncodeToString(sent.Sum(nil))
	if file["sha256"] != want || file["size"].(float64) != size {
		t.Fatalf("stored file %v, want sha256 %s", file, want)
	}

	w = watchHeap()
	start = time.Now()
	got, n := downloadHash(t, s, id, ed.Token)
	downTime := time.Since(start)
	downRise := w.rise()
	if got != want || n != size {
		t.Fatalf("downloaded %d bytes with sha256 %s, want %s", n, got, want)
	}
	mb := float64(size) / (1 << 20)
	t.Logf("%s: upload %.0f MB in %v (%.0f MB/s), heap +%.1f MB; download in %v (%.0f MB/s), heap +%.1f MB",
		testkit.Backend(), mb, upTime.Round(time.Millisecond), mb/upTime.Seconds(), float64(upRise)/(1<<20),
		downTime.Round(time.Millisecond), mb/downTime.Seconds(), float64(downRise)/(1<<20))
	if upRise > limit {
		t.Errorf("heap rose %d MB during the upload, limit 64", upRise>>20)
	}
	if downRise > limit {
		t.Errorf("heap rose %d MB during the download, limit 64", downRise>>20)
	}
}

// downloadHash streams a download (following a redirect to a signed URL) into SHA-256.
func downloadHash(t *testing.T, s *apptest.Server, id int64, token string) (string, int64) {
	t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/resources/%d/download", s.URL, id), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req) // follows the 302 to the signed URL (no auth header is sent on)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("download: %d", resp.StatusCode)
	}
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}
