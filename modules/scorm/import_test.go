package scorm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"glc/internal/app/apptest"
	"glc/internal/testkit"
	"glc/modules/scorm"
)

// clean asserts that nothing of a package is left: no object under scorm/, no package row,
// no lesson in the course module.
func (e *env) assertClean(t *testing.T, lessonsBefore int) {
	t.Helper()
	objs, err := e.s.Store.List(context.Background(), "scorm/")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 0 {
		t.Errorf("storage not clean: %d objects, first %s", len(objs), objs[0].Key)
	}
	var n int64
	if err := e.s.DB.Table("scorm_packages").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database not clean: %d scorm_packages rows", n)
	}
	if got := e.fake.LessonCount(); got != lessonsBefore {
		t.Errorf("lessons: %d, want %d", got, lessonsBefore)
	}
}

func TestImportMultiSCO12(t *testing.T) {
	e := newEnv(t)
	t.Logf("backend: %s", testkit.Backend())
	r := e.upload(t, 1, e.instructor.Token, package12Multi(t))
	if r.Status != http.StatusCreated {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	var res map[string]any
	r.JSON(t, &res)
	pkg := res["package"].(map[string]any)
	if res["kind"] != "package" || pkg["standard"] != "scorm12" || pkg["title"] != "Border checks, the basics" {
		t.Fatalf("response: %s", r.Body)
	}
	if _, has := pkg["edition"]; has {
		t.Error("1.2 has no edition")
	}
	items := pkg["items"].([]any)
	mod := items[0].(map[string]any)
	if mod["identifier"] != "module1" || mod["launchable"] != false || len(mod["children"].([]any)) != 2 {
		t.Errorf("nested items: %v", items)
	}
	// Files are unpacked under one prefix, with content types.
	objs, err := e.s.Store.List(context.Background(), "scorm/")
	if err != nil || len(objs) != 8 {
		t.Fatalf("stored objects: %d %v", len(objs), err)
	}
	prefix := objs[0].Key[:len("scorm/")+36+1]
	for _, o := range objs {
		if !strings.HasPrefix(o.Key, prefix) {
			t.Errorf("object %s outside the package prefix %s", o.Key, prefix)
		}
	}
	info, err := e.s.Store.Stat(context.Background(), prefix+"content/style.css")
	if err != nil || !strings.HasPrefix(info.ContentType, "text/css") {
		t.Errorf("css content type: %+v %v", info, err)
	}
	// The package description.
	lesson := int64(res["id"].(float64))
	e.fake.Enrol(lesson, e.learner.ID)
	r = e.s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/package", lesson), e.learner.Token, nil)
	if r.Status != 200 || r.Map(t)["files"].(float64) != 8 {
		t.Errorf("package: %d %s", r.Status, r.Body)
	}
	if r := e.s.Do("GET", fmt.Sprintf("/api/v1/lessons/%d/package", lesson), e.learner2.Token, nil); r.Status != 403 {
		t.Errorf("not enrolled: %d", r.Status)
	}
}

func TestImport2004(t *testing.T) {
	e := newEnv(t)
	r := e.upload(t, 1, e.instructor.Token, package2004(t))
	if r.Status != http.StatusCreated {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	pkg := r.Map(t)["package"].(map[string]any)
	if pkg["standard"] != "scorm2004" || pkg["edition"] != "4th" || len(pkg["items"].([]any)) != 2 {
		t.Fatalf("2004: %s", r.Body)
	}
}

func TestImportPermissions(t *testing.T) {
	e := newEnv(t)
	data := package12Multi(t)
	cases := []struct {
		name    string
		section int64
		token   string
		status  int
	}{
		{"anonymous (a form post without the CSRF token)", 1, "", 403},
		{"learner", 1, e.learner.Token, 403},
		{"another instructor", 1, e.other.Token, 403},
		{"unknown section", 99, e.instructor.Token, 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if r := e.upload(t, c.section, c.token, data); r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
		})
	}
	e.assertClean(t, 0)
	admin := e.s.Admin(t)
	if r := e.upload(t, 1, admin.Token, data); r.Status != 201 {
		t.Fatalf("admin: %d %s", r.Status, r.Body)
	}
}

// TestImportRefusals covers every refusal: each answers 422 with a message that says why, and
// leaves nothing in storage or in the database.
func TestImportRefusals(t *testing.T) {
	e := newEnv(t, apptest.Env("GLC_MAX_PACKAGE_FILES", "20"), apptest.Env("GLC_MAX_PACKAGE_MB", "1"))
	manifest := zipEntry{Name: "imsmanifest.xml", Body: manifest12Multi}
	files := []zipEntry{manifest, {Name: "content/intro/index.html", Body: scoPage}, {Name: "content/docs/page.html", Body: scoPage},
		{Name: "content/quiz/quiz.html", Body: scoPage}, {Name: "content/glossary.html", Body: scoPage}}
	with := func(extra ...zipEntry) []byte {
		return buildZip(t, append(append([]zipEntry{}, files...), extra...)...)
	}
	var many []zipEntry
	for i := 0; i < 20; i++ {
		many = append(many, zipEntry{Name: fmt.Sprintf("f%d.txt", i), Body: "x"})
	}
	big := strings.Repeat("A", 2<<20) // 2 MiB of one letter: a few KiB deflated
	cases := []struct {
		name string
		data []byte
		why  string
	}{
		{"not a zip", []byte("%PDF-1.4 this is not a zip"), "not a zip archive"},
		{"empty file", []byte{}, "not a zip archive"},
		{"no manifest", buildZip(t, zipEntry{Name: "index.html", Body: scoPage}), "no imsmanifest.xml at the root"},
		{"manifest in a folder", buildZip(t, zipEntry{Name: "course/imsmanifest.xml", Body: manifest12Multi}), "one was found in course/"},
		{"malformed XML", buildZip(t, zipEntry{Name: "imsmanifest.xml", Body: "<manifest><organizations>"}), "not well-formed XML"},
		{"launch file missing", buildZip(t, files[:4]...), "launch file content/glossary.html"},
		{"zip slip", with(zipEntry{Name: "../../evil.html", Body: "x"}), "escapes the package folder"},
		{"zip slip inside", with(zipEntry{Name: "content/../../evil.html", Body: "x"}), "escapes the package folder"},
		{"backslash slip", with(zipEntry{Name: `..\evil.html`, Body: "x"}), "escapes the package folder"},
		{"absolute path", with(zipEntry{Name: "/etc/evil", Body: "x"}), "absolute path"},
		{"drive letter", with(zipEntry{Name: "C:/evil", Body: "x"}), "absolute path"},
		{"symlink", with(zipEntry{Name: "content/link", Body: "/etc/passwd", Mode: fs.ModeSymlink | 0o777}), "symbolic link"},
		{"too many entries", with(many...), "more than the limit of 20"},
		{"expands too far", with(zipEntry{Name: "content/big.txt", Body: big}), "expands past the limit of 1 MiB"},
		{"reserved name", with(zipEntry{Name: "content/x.glc-meta", Body: "x"}), "reserved name"},
		// cmi5 packages go to the xAPI module's importer, which refuses a bad course structure.
		{"cmi5 structure refused", buildZip(t, zipEntry{Name: "cmi5.xml", Body: "<courseStructure/>"}), "the root element must be <courseStructure>"},
		{"bare XML refused", []byte("<?xml version=\"1.0\"?>\n<manifest/>"), "the root element must be <courseStructure>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.upload(t, 1, e.instructor.Token, c.data)
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			var body struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			r.JSON(t, &body)
			if body.Error.Code != "validation_failed" || !strings.Contains(body.Error.Message, c.why) {
				t.Fatalf("message %q does not say %q", body.Error.Message, c.why)
			}
			e.assertClean(t, 0)
		})
	}
}

// TestZipBombHeaderLies builds an entry whose header claims a tiny size but which inflates to
// far more: the limit holds because decompressed bytes are counted, not the header's claim.
func TestZipBombHeaderLies(t *testing.T) {
	data := buildZip(t, zipEntry{Name: "imsmanifest.xml", Body: manifest12Multi}, zipEntry{Name: "bomb.txt", Body: strings.Repeat("0", 4<<20)})
	// Rewrite the sizes in the local header and the central directory to 10 bytes.
	data = lieAboutSize(t, data, "bomb.txt", 10)
	_, err := scorm.OpenArchive(bytes.NewReader(data), int64(len(data)), scorm.Limits{MaxFiles: 10, MaxBytes: 1 << 20})
	if err == nil || !scorm.IsRefusal(err) {
		t.Fatalf("bomb accepted: %v", err)
	}
	if !strings.Contains(err.Error(), "expands past") && !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("unexpected refusal: %v", err)
	}
	// Under a large limit the lie is still caught (checksum / size mismatch), never trusted.
	_, err = scorm.OpenArchive(bytes.NewReader(data), int64(len(data)), scorm.Limits{MaxFiles: 10, MaxBytes: 100 << 20})
	if err == nil {
		t.Fatal("a zip whose headers lie was accepted")
	}
}

// lieAboutSize patches the uncompressed size of name in both headers.
func lieAboutSize(t *testing.T, data []byte, name string, size uint32) []byte {
	t.Helper()
	out := append([]byte(nil), data...)
	patched := 0
	for i := 0; i+46 < len(out); i++ {
		sig := string(out[i : i+4])
		switch sig {
		case "PK\x03\x04": // local header: name length at 26, name at 30, uncompressed size at 22
			n := int(out[i+26]) | int(out[i+27])<<8
			if i+30+n <= len(out) && string(out[i+30:i+30+n]) == name {
				putU32(out[i+22:], size)
				patched++
			}
		case "PK\x01\x02": // central directory: name length at 28, name at 46, uncompressed size at 24
			n := int(out[i+28]) | int(out[i+29])<<8
			if i+46+n <= len(out) && string(out[i+46:i+46+n]) == name {
				putU32(out[i+24:], size)
				patched++
			}
		}
	}
	if patched != 2 {
		t.Fatalf("patched %d headers", patched)
	}
	return out
}

func putU32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func TestImportTooLargeUpload(t *testing.T) {
	e := newEnv(t, apptest.Env("GLC_MAX_UPLOAD_MB", "1"))
	data := buildZip(t, zipEntry{Name: "imsmanifest.xml", Body: manifest12Multi}, zipEntry{Name: "x.bin", Body: randomText(2 << 20), Method: 0})
	r := e.upload(t, 1, e.instructor.Token, data)
	if r.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d %s", r.Status, r.Body)
	}
	e.assertClean(t, 0)
	// Not multipart at all.
	if r := e.s.Do("POST", "/api/v1/sections/1/packages", e.instructor.Token, map[string]string{"a": "b"}); r.Status != 415 {
		t.Fatalf("json body: %d", r.Status)
	}
}

// TestImportFailureAfterUnpack: when creating the lesson fails after the files are stored, the
// files are removed again.
func TestImportFailureAfterUnpack(t *testing.T) {
	e := newEnv(t)
	e.fake.failNext = errors.New("course module down")
	r := e.upload(t, 1, e.instructor.Token, package12Multi(t))
	if r.Status != 500 {
		t.Fatalf("status %d", r.Status)
	}
	e.assertClean(t, 0)
}

func randomText(n int) string {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = 'a' + byte(x%26)
	}
	return string(b)
}

// sharedTestdata finds ../shared/testdata/scorm relative to the repository root.
func sharedTestdata(t *testing.T) string {
	t.Helper()
	wd, _ := os.Getwd()
	for dir := wd; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(filepath.Dir(dir), "shared", "testdata", "scorm")
			if _, err := os.Stat(p); err != nil {
				t.Skipf("real packages not found at %s (shared test data is kept beside the repository)", p)
			}
			return p
		}
	}
	t.Skip("repository root not found")
	return ""
}

func TestImportRealPackages(t *testing.T) {
	dir := sharedTestdata(t)
	zips, _ := filepath.Glob(filepath.Join(dir, "*.zip"))
	if len(zips) == 0 {
		t.Skipf("no packages in %s", dir)
	}
	e := newEnv(t)
	for _, z := range zips {
		t.Run(filepath.Base(z), func(t *testing.T) {
			data, err := os.ReadFile(z)
			if err != nil {
				t.Fatal(err)
			}
			r := e.upload(t, 1, e.instructor.Token, data)
			if r.Status != 201 {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			var res scorm.ImportResult
			r.JSON(t, &res)
			want := "scorm12"
			if strings.Contains(z, "2004") {
				want = "scorm2004"
			}
			raw, _ := json.Marshal(res.Package)
			if res.Package.Standard != want || len(res.Package.Items) != 1 || !res.Package.Items[0].Launchable {
				t.Fatalf("package: %s", raw)
			}
			if want == "scorm2004" && res.Package.Edition != "3rd" {
				t.Errorf("edition %q", res.Package.Edition)
			}
		})
	}
}

// uploadBackground posts with ?background=1 and follows the import to its end.
func (e *env) uploadBackground(t *testing.T, token string, zipData []byte) map[string]any {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "package.zip")
	fw.Write(zipData)
	mw.Close()
	req, _ := http.NewRequest("POST", e.s.URL+"/api/v1/sections/1/packages?background=1", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	r := e.s.Send(req)
	if r.Status != http.StatusAccepted {
		t.Fatalf("background upload: %d %s", r.Status, r.Body)
	}
	im := r.Map(t)
	if im["status"] != "queued" {
		t.Fatalf("import: %s", r.Body)
	}
	for i := 0; i < 200; i++ {
		r = e.s.Do("GET", im["status_url"].(string), token, nil)
		im = r.Map(t)
		if im["status"] == "done" || im["status"] == "failed" {
			return im
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("import never finished: %v", im)
	return nil
}

func TestImportInBackground(t *testing.T) {
	e := newEnv(t)
	im := e.uploadBackground(t, e.instructor.Token, package12Multi(t))
	lesson, _ := im["lesson"].(map[string]any)
	if im["status"] != "done" || lesson == nil || lesson["kind"] != "package" || lesson["package"].(map[string]any)["standard"] != "scorm12" {
		t.Fatalf("done: %v", im)
	}
	// The upload kept for the job is gone; only the package's files remain.
	objs, _ := e.s.Store.List(context.Background(), "scorm/uploads/")
	if len(objs) != 0 {
		t.Errorf("upload left behind: %v", objs)
	}
	// Only the uploader (or an admin) may follow it.
	if r := e.s.Do("GET", fmt.Sprintf("/api/v1/scorm/imports/%s", im["id"]), e.other.Token, nil); r.Status != 404 {
		t.Errorf("another instructor follows the import: %d", r.Status)
	}
	// A refused package in the background: failed with the reason; nothing left but the record.
	e2 := newEnv(t)
	im = e2.uploadBackground(t, e2.instructor.Token, buildZip(t, zipEntry{Name: "../evil", Body: "x"}))
	if im["status"] != "failed" || !strings.Contains(im["error"].(string), "escapes the package folder") {
		t.Fatalf("refused in the background: %v", im)
	}
	e2.assertClean(t, 0)
	// The page that follows it shows the reason.
	st, body, _ := e2.page(t, "GET", "/scorm/imports/"+im["id"].(string), e2.instructor.Token, nil, "")
	if st != 200 || !strings.Contains(body, "escapes the package folder") {
		t.Fatalf("import page: %d %s", st, body)
	}
}
