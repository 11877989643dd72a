package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"glc/internal/e2e"
)

// TestRegisterApproveLogin is a new officer's first visit: register (approval mode), be told
// the account waits for approval, get approved by an admin on the users page, log in, switch
// the portal to Arabic, log out.
func TestRegisterApproveLogin(t *testing.T) {
	srv := e2e.Start(t, "GLC_REGISTRATION=approval", "GLC_SEED_DEMO=false")
	const adminEmail, adminPassword = "chief@example.org", "an admin passphrase for e2e 41"
	srv.Glc(t, adminPassword+"\n", "user", "create", "--email", adminEmail, "--name", "Chief Admin", "--role", "admin", "--country", "FR")

	const email, password, name = "karim.haddad@example.org", "patrol to the border and back 9", "Karim Haddad"
	officer := srv.Browser(t)
	officer.Navigate("/register")
	officer.Axe()
	officer.Fill("#name", name)
	officer.Fill("#email", email)
	officer.Fill("#password", password)
	officer.Do(chromedp.SetValue(chromedp.CSS("#country"), "MA"))
	officer.Submit("#register-form")
	officer.Screenshot("register-pending-en")
	if flash := officer.Text(".flash"); !strings.Contains(flash, "waiting for approval") {
		t.Fatalf("after registering, the page does not say the account awaits approval: %q", flash)
	}

	// Logging in before approval is refused with a message that says why.
	officer.Login(email, password)
	if loc := officer.Location(); !strings.Contains(loc, "/login") {
		t.Fatalf("a pending account was let in: %s", loc)
	}
	if body := officer.Text("main"); !strings.Contains(body, "waiting for approval") {
		t.Errorf("login of a pending account does not say why: %q", body)
	}

	admin := srv.Browser(t)
	admin.Login(adminEmail, adminPassword)
	admin.Navigate("/admin/users?status=pending&q=karim")
	admin.Axe()
	admin.Screenshot("admin-pending-users-en")
	admin.ClickAndWait(`#users button[id^="approve-"]`)
	admin.Navigate("/admin/users?status=pending&q=karim")
	if n := e2e.Eval[int](admin, `document.querySelectorAll('#users button[id^="approve-"]').length`); n != 0 {
		t.Fatalf("the account is still pending after approval (%d approve buttons)", n)
	}

	officer.Login(email, password)
	if got := officer.Text(`.account a[href="/profile"]`); got != name {
		t.Fatalf("header after login shows %q", got)
	}
	officer.Navigate("/?lang=ar")
	if dir := officer.Attr("html", "dir"); dir != "rtl" {
		t.Errorf("Arabic page dir=%q", dir)
	}
	officer.Axe()
	officer.Screenshot("home-signed-in-ar")
	officer.Navigate("/profile")
	officer.Screenshot("profile-ar")
	if lang := officer.Attr("html", "lang"); lang != "ar" {
		t.Errorf("the language choice did not stick: lang=%q", lang)
	}
	officer.ClickAndWait(`.account form button`)
	if n := e2e.Eval[int](officer, `document.querySelectorAll('.account a[href="/profile"]').length`); n != 0 {
		t.Errorf("still signed in after logging out")
	}
	officer.Screenshot("logged-out-ar")
	if x := officer.CrossOrigin(); len(x) > 0 {
		t.Errorf("requests to other origins: %v", x)
	}
}
