package migrations

import (
	"time"

	"gorm.io/gorm"

	"glc/internal/database"
)

// m0100Accounts creates users, organisations and refresh tokens.
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
	type refreshToken struct {
		ID        int64     `gorm:"primaryKey"`
		UserID    int64     `gorm:"not null;index:idx_refresh_tokens_user_id"`
		Family    string    `gorm:"size:64;not null;index:idx_refresh_tokens_family"`
		Hash      string    `gorm:"size:64;not null;uniqueIndex:idx_refresh_tokens_hash"`
		ExpiresAt time.Time `gorm:"not null"`
		UsedAt    *time.Time
		RevokedAt *time.Time
		CreatedAt time.Time
	}
	return database.Migration{ID: "0100_accounts", Up: func(tx *gorm.DB, _ database.Dialect) error {
		m := tx.Migrator()
		if err := tx.Table("organisations").Migrator().CreateTable(&organisation{}); err != nil {
			return err
		}
		if err := tx.Table("users").Migrator().CreateTable(&user{}); err != nil {
			return err
		}
		_ = m
		return tx.Table("refresh_tokens").Migrator().CreateTable(&refreshToken{})
	}}
}
