package app

import (
	"context"
	"slices"

	"glc/modules/account"
)

// accountRoles lets the progress module give a learner a role (train-the-trainer) through the
// account service, which checks the admin and keeps its rules (scopes, sessions).
type accountRoles struct{ svc *account.Service }

// GrantRole implements progress.Accounts.
func (a accountRoles) GrantRole(ctx context.Context, userID int64, role string) error {
	u, err := a.svc.Get(ctx, userID)
	if err != nil {
		return err
	}
	roles := u.RoleList()[1:]
	if slices.Contains(roles, role) {
		return nil
	}
	roles = append(roles, role)
	_, err = a.svc.PatchUser(ctx, userID, account.UserPatch{Roles: &roles})
	return err
}
