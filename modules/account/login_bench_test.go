package account_test

import (
	"context"
	"strconv"
	"testing"

	"glc/internal/app/apptest"
	"glc/modules/account"
)

// BenchmarkLogin measures Service.Login for a right password, a wrong one and an unknown
// e-mail (the last two should cost about the same: both run one argon2id hash).
func BenchmarkLogin(b *testing.B) {
	s := apptest.New(b)
	u := s.Learner(b)
	ctx := context.Background()
	cases := []struct {
		name, email, password string
	}{{"success", u.Email, u.Password}, {"wrong_password", u.Email, "wrong password here"}, {"unknown_email", "nobody@example.org", "wrong password here"}}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				_, _, _ = s.App.Accounts.Login(ctx, c.email, c.password, "10.0.0."+strconv.Itoa(i%200))
				b.StopTimer()
				s.DB.Where("1 = 1").Delete(&account.LoginAttempt{})
				b.StartTimer()
			}
		})
	}
}
