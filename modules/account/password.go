package account

import (
	"bufio"
	_ "embed"
	"strings"
	"sync"
)

//go:embed common-passwords.txt
var commonPasswordsText string

var (
	commonOnce sync.Once
	common     map[string]struct{}
)

func commonPasswords() map[string]struct{} {
	commonOnce.Do(func() {
		common = make(map[string]struct{}, 10500)
		sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
				common[l] = struct{}{}
			}
		}
	})
	return common
}

// MinPasswordLen is the shortest accepted password, in characters.
const MinPasswordLen = 12

// PasswordProblem returns why pw is not acceptable for the account with e-mail email, or "".
// The policy: at least 12 characters, at most 256 bytes, not containing the e-mail's local part
// (when it has 3 characters or more), and not in the embedded list of common passwords.
func PasswordProblem(pw, email string) string {
	if len([]rune(pw)) < MinPasswordLen {
		return "must be at least 12 characters long"
	}
	if len(pw) > 256 {
		return "must be at most 256 characters long"
	}
	lower := strings.ToLower(pw)
	local := strings.ToLower(strings.TrimSpace(strings.SplitN(email, "@", 2)[0]))
	if len(local) >= 3 && strings.Contains(lower, local) {
		return "must not contain the name part of your e-mail address"
	}
	if _, bad := commonPasswords()[lower]; bad {
		return "is too common; choose another"
	}
	return ""
}
