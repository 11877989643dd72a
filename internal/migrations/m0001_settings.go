package migrations

import (
	"time"

	"gorm.io/gorm"

	"glc/internal/database"
)

// m0001Settings creates the key/value table for instance settings (such as a generated
// signing key shared by every replica).
func m0001Settings() database.Migration {
	type appSetting struct {
		Key       string `gorm:"primaryKey;size:100"`
		Value     string `gorm:"type:text;not null"`
		UpdatedAt time.Time
	}
	return database.Migration{ID: "0001_settings", Up: func(tx *gorm.DB, _ database.Dialect) error {
		return tx.Table("app_settings").Migrator().CreateTable(&appSetting{})
	}}
}
