package account_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"glc/internal/app/apptest"
	"glc/modules/account"
)

// testSecret is the HS256 key of the test servers, so tests can craft tokens.
const testSecret = "test-signing-secret-0123456789abcdef"

func newServer(t *testing.T, opts ...apptest.Option) *apptest.Server {
	t.Helper()
	return apptest.New(t, append([]apptest.Option{apptest.Env("GLC_JWT_SECRET", testSecret)}, opts...)...)
}

type pair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// login logs in through the API and fails the test unless it works.
func login(t *testing.T, s *apptest.Server, email, password string) pair {
	t.Helper()
	r := s.Do("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
	if r.Status != 200 {
		t.Fatalf("login %s: %d %s", email, r.Status, r.Body)
	}
	var p pair
	r.JSON(t, &p)
	if p.AccessToken == "" || p.RefreshToken == "" || p.TokenType != "Bearer" || p.ExpiresIn != 900 {
		t.Fatalf("login pair: %+v", p)
	}
	return p
}

func getUser(t *testing.T, s *apptest.Server, id int64) *account.User {
	t.Helper()
	var u account.User
	if err := s.DB.WithContext(context.Background()).Take(&u, id).Error; err != nil {
		t.Fatal(err)
	}
	return &u
}

func countUsers(t *testing.T, s *apptest.Server) int64 {
	t.Helper()
	var n int64
	if err := s.DB.Model(&account.User{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func newJSONRequest(s *apptest.Server, path string, body any) (*http.Request, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest("POST", s.URL+path, bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}
