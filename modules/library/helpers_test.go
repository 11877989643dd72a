package library_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"testing"

	"glc/internal/app/apptest"
	"glc/storage"
)

// kv is one form field.
type kv struct{ k, v string }

// multipartBody builds a small multipart form in memory (the big-file test streams instead).
func multipartBody(t testing.TB, fields []kv, filename string, content []byte) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		if err := w.WriteField(f.k, f.v); err != nil {
			t.Fatal(err)
		}
	}
	if content != nil {
		fw, err := w.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(content)
	}
	w.Close()
	return &b, w.FormDataContentType()
}

// postForm sends a multipart form with a bearer token.
func postForm(t testing.TB, s *apptest.Server, method, path, token string, fields []kv, filename string, content []byte) *apptest.Response {
	t.Helper()
	body, ctype := multipartBody(t, fields, filename, content)
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.Send(req)
}

// createResource uploads a resource and returns its id, failing the test unless 201.
func createResource(t testing.TB, s *apptest.Server, token string, fields []kv, filename string, content []byte) int64 {
	t.Helper()
	r := postForm(t, s, "POST", "/api/v1/resources", token, fields, filename, content)
	if r.Status != http.StatusCreated {
		t.Fatalf("create resource: %d %s", r.Status, r.Body)
	}
	return int64(r.Map(t)["id"].(float64))
}

// get fetches an absolute URL (a signed S3 URL) without credentials.
func get(t testing.TB, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// download fetches a resource's file: it follows a redirect to a signed URL (S3) and returns
// the bytes and the first status.
func download(t testing.TB, s *apptest.Server, id int64, token string) (int, []byte) {
	t.Helper()
	r := s.Do("GET", "/api/v1/resources/"+itoa(id)+"/download", token, nil)
	if r.Status == http.StatusFound {
		st, b := get(t, r.Header.Get("Location"))
		if st != 200 {
			t.Fatalf("signed URL answered %d", st)
		}
		return r.Status, b
	}
	return r.Status, r.Body
}

// objectKeys lists the objects stored under prefix.
func objectKeys(t testing.TB, st storage.Store, prefix string) []string {
	t.Helper()
	infos, err := st.List(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, i := range infos {
		keys = append(keys, i.Key)
	}
	return keys
}
