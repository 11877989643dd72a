package auth_test

import (
	"testing"

	"glc/internal/auth"
)

func TestPrincipalCovers(t *testing.T) {
	admin := &auth.Principal{Roles: []string{"learner", "admin"}}
	byCountry := &auth.Principal{Roles: []string{"learner", "coordinator"}, ScopeCountry: "KE"}
	byOrg := &auth.Principal{Roles: []string{"learner", "coordinator"}, ScopeCountry: "", ScopeOrgID: 7}
	noScope := &auth.Principal{Roles: []string{"learner", "coordinator"}}
	learner := &auth.Principal{Roles: []string{"learner"}, ScopeCountry: "KE"}
	cases := []struct {
		p       *auth.Principal
		country string
		org     int64
		want    bool
	}{
		{admin, "FR", 0, true}, {byCountry, "KE", 0, true}, {byCountry, "KE", 9, true}, {byCountry, "UG", 0, false},
		{byOrg, "KE", 7, true}, {byOrg, "UG", 7, true}, {byOrg, "KE", 8, false}, {byOrg, "KE", 0, false},
		{noScope, "", 0, false}, {learner, "KE", 0, false}, {nil, "KE", 0, false},
	}
	for i, c := range cases {
		if got := c.p.Covers(c.country, c.org); got != c.want {
			t.Errorf("case %d: Covers(%q, %d) = %v", i, c.country, c.org, got)
		}
	}
}
