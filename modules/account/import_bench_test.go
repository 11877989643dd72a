package account_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"glc/internal/app/apptest"
	"glc/internal/auth"
	"glc/modules/account"
)

// BenchmarkImportCSV10k measures the service-level import of 10,000 users (one op = one file
// into a fresh database).
func BenchmarkImportCSV10k(b *testing.B) {
	var csv strings.Builder
	csv.WriteString("email,name,country\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&csv, "bench%05d@example.org,Bench %d,FR\n", i, i)
	}
	for b.Loop() {
		b.StopTimer()
		s := apptest.New(b)
		admin := s.Admin(b)
		ctx := auth.WithPrincipal(context.Background(), account.Principal(admin.User))
		b.StartTimer()
		res, err := s.App.Accounts.ImportCSV(ctx, strings.NewReader(csv.String()), nil)
		if err != nil || res.Created != 10000 {
			b.Fatalf("%v %+v", err, res)
		}
	}
}
