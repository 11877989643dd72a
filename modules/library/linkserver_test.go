package library_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// newLinkServer serves /ok, /get-only (HEAD refused) and 404 elsewhere, on 127.0.0.1.
func newLinkServer(t *testing.T) *httptest.Server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/ok":
			w.Write([]byte("welcome"))
		case r.URL.Path == "/get-only" && r.Method == http.MethodGet:
			w.Write([]byte("welcome"))
		case r.URL.Path == "/get-only":
			w.WriteHeader(http.StatusMethodNotAllowed)
		default:
			http.NotFound(w, r)
		}
	})}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}
