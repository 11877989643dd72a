package apptest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"glc/modules/account"
)

var userSeq atomic.Int64

// TestUser is a user created for a test with a valid access token.
type TestUser struct {
	ID       int64
	Email    string
	Password string
	Token    string
	User     *account.User
}

// UserOpt changes a test user before it is stored.
type UserOpt func(*account.NewUser)

// Country sets the user's country.
func Country(c string) UserOpt { return func(n *account.NewUser) { n.Country = c } }

// Org sets the user's organisation.
func Org(id int64) UserOpt { return func(n *account.NewUser) { n.OrgID = &id } }

// Lang sets the user's language.
func Lang(l string) UserOpt { return func(n *account.NewUser) { n.Language = l } }

// Name sets the user's name.
func Name(s string) UserOpt { return func(n *account.NewUser) { n.Name = s } }

// NewUser creates an active user with the given roles (none: a learner) and signs a token.
func (s *Server) NewUser(t testing.TB, roles []string, opts ...UserOpt) TestUser {
	t.Helper()
	n := userSeq.Add(1)
	in := account.NewUser{Email: fmt.Sprintf("user%d@example.org", n), Password: "correct horse battery staple",
		Name: fmt.Sprintf("Test User %d", n), Country: "FR", Roles: roles}
	for _, o := range opts {
		o(&in)
	}
	u, err := s.App.Accounts.Create(context.Background(), in)
	if err != nil {
		t.Fatalf("create test user: %v", err)
	}
	tok, _, err := s.App.Accounts.IssueAccess(u)
	if err != nil {
		t.Fatal(err)
	}
	return TestUser{ID: u.ID, Email: u.Email, Password: in.Password, Token: tok, User: u}
}

// Learner creates a learner.
func (s *Server) Learner(t testing.TB, opts ...UserOpt) TestUser { return s.NewUser(t, nil, opts...) }

// Instructor creates an instructor.
func (s *Server) Instructor(t testing.TB, opts ...UserOpt) TestUser {
	return s.NewUser(t, []string{"instructor"}, opts...)
}

// Admin creates an admin.
func (s *Server) Admin(t testing.TB, opts ...UserOpt) TestUser {
	return s.NewUser(t, []string{"admin"}, opts...)
}

// ScopeOrg makes a coordinator coordinate organisation id (instead of their country).
func ScopeOrg(id int64) UserOpt { return func(n *account.NewUser) { n.ScopeOrgID = &id } }

// Email sets the user's e-mail address.
func Email(e string) UserOpt { return func(n *account.NewUser) { n.Email = e } }

// Status sets the user's status (pending, active, suspended).
func Status(st string) UserOpt { return func(n *account.NewUser) { n.Status = st } }
