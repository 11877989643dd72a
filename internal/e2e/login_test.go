package e2e_test

import (
	"strings"
	"testing"

	"glc/internal/e2e"
)

// TestLogin signs a person in through the form and another through the API, with a user made
// by `glc user create`: the harness's helpers for the flows of the other areas.
func TestLogin(t *testing.T) {
	srv := e2e.Start(t)
	const email, password = "amina@example.org", "a long learner passphrase 7"
	srv.Glc(t, password+"\n", "user", "create", "--email", email, "--name", "Amina Diallo", "--role", "learner", "--country", "SN")

	form := srv.Browser(t)
	form.Navigate("/login?lang=fr")
	form.Screenshot("login-fr")
	form.Axe()
	form.Login(email, password)
	if loc := form.Location(); strings.Contains(loc, "/login") {
		t.Fatalf("still on the login page after signing in: %s", loc)
	}
	if got := form.Text(`.account a[href="/profile"]`); got != "Amina Diallo" {
		t.Errorf("header after login shows %q", got)
	}
	form.Screenshot("after-login")

	api := srv.Browser(t)
	api.LoginAPI(email, password)
	api.Navigate("/?lang=ar")
	if got := api.Text(`.account a[href="/profile"]`); got != "Amina Diallo" {
		t.Errorf("header with an API session shows %q", got)
	}
	if x := api.CrossOrigin(); len(x) > 0 {
		t.Errorf("requests to other origins: %v", x)
	}
}
