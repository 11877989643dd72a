package migrations

import (
	"time"

	"gorm.io/gorm"

	"glc/internal/database"
)

// m0100Accounts creates users, organisations, login sessions with their refresh tokens,
// activation links, login throttling counters and user imports.
func m0100Accounts() database.Migration {
	type organisation struct {
		ID        int64  `gorm:"primaryKey"`
		Name      string `gorm:"size:200;not null"`
		Type      string `gorm:"size:20;not null"`
		Country   string `gorm:"size:2;not null;default:'';index:idx_organisations_country"`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	type user struct {
		ID           int64  `gorm:"primaryKey"`
		Email        string `gorm:"size:254;not null"`
		EmailKey     string `gorm:"size:254;not null;uniqueIndex:idx_users_email_key"`
		Name         string `gorm:"size:200;not null"`
		PasswordHash string `gorm:"size:200;not null;default:''"`
		Language     string `gorm:"size:5;not null;default:'en'"`
		Country      string `gorm:"size:2;not null;default:'';index:idx_users_country"`
		OrgID        *int64 `gorm:"index:idx_users_org_id"`
		Roles        string `gorm:"size:200;not null;default:''"`
		Status       string `gorm:"size:20;not null;index:idx_users_status"`
		ScopeCountry string `gorm:"size:2;not null;default:''"`
		ScopeOrgID   *int64
		CreatedAt    time.Time
		UpdatedAt    time.Time
		LastLoginAt  *time.Time
	}
	type userSession struct {
		ID         string `gorm:"primaryKey;size:32"`
		UserID     int64  `gorm:"not null;index:idx_user_sessions_user_id"`
		CreatedAt  time.Time
		LastUsedAt time.Time
		RevokedAt  *time.Time
	}
	type refreshToken struct {
		ID        int64     `gorm:"primaryKey"`
		UserID    int64     `gorm:"not null;index:idx_refresh_tokens_user_id"`
		SessionID string    `gorm:"size:32;not null;index:idx_refresh_tokens_session_id"`
		Hash      string    `gorm:"size:64;not null;uniqueIndex:idx_refresh_tokens_hash"`
		ExpiresAt time.Time `gorm:"not null"`
		UsedAt    *time.Time
		CreatedAt time.Time
	}
	type activationToken struct {
		ID        int64     `gorm:"primaryKey"`
		UserID    int64     `gorm:"not null;index:idx_activation_tokens_user_id"`
		Hash      string    `gorm:"size:64;not null;uniqueIndex:idx_activation_tokens_hash"`
		ExpiresAt time.Time `gorm:"not null"`
		UsedAt    *time.Time
		CreatedAt time.Time
	}
	type loginAttempt struct {
		Key         string    `gorm:"primaryKey;size:300"`
		Failures    int       `gorm:"not null;default:0"`
		WindowStart time.Time `gorm:"not null"`
		Strikes     int       `gorm:"not null;default:0"`
		LockedUntil *time.Time
		UpdatedAt   time.Time `gorm:"not null;index:idx_login_attempts_updated_at"`
	}
	type userImport struct {
		ID         int64  `gorm:"primaryKey"`
		PublicID   string `gorm:"size:36;not null;uniqueIndex:idx_user_imports_public_id"`
		CreatedBy  int64  `gorm:"not null;index:idx_user_imports_created_by"`
		Status     string `gorm:"size:20;not null"`
		Total      int    `gorm:"not null;default:0"`
		Done       int    `gorm:"not null;default:0"`
		Data       string `gorm:"type:text;not null;default:''"`
		Result     string `gorm:"type:text;not null;default:''"`
		Error      string `gorm:"type:text;not null;default:''"`
		CreatedAt  time.Time
		UpdatedAt  time.Time
		FinishedAt *time.Time
	}
	return database.Migration{ID: "0100_accounts", Up: func(tx *gorm.DB, _ database.Dialect) error {
		tables := []struct {
			name  string
			model any
		}{
			{"organisations", &organisation{}}, {"users", &user{}}, {"user_sessions", &userSession{}},
			{"refresh_tokens", &refreshToken{}}, {"activation_tokens", &activationToken{}},
			{"login_attempts", &loginAttempt{}}, {"user_imports", &userImport{}},
		}
		for _, t := range tables {
			if err := tx.Table(t.name).Migrator().CreateTable(t.model); err != nil {
				return err
			}
		}
		return nil
	}}
}
