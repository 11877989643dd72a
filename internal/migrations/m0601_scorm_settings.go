package migrations

import (
	"gorm.io/gorm"

	"glc/internal/database"
)

// m0601SCORMSettings adds a package lesson's own settings to its package: the attempt limit
// (0: none) and the mastery score (0-100) that overrides the manifest's.
func m0601SCORMSettings() database.Migration {
	type scormPackage struct {
		MaxAttempts  int `gorm:"not null;default:0"`
		MasteryScore *float64
	}
	return database.Migration{ID: "0601_scorm_settings", Up: func(tx *gorm.DB, _ database.Dialect) error {
		m := tx.Table("scorm_packages").Migrator()
		if err := m.AddColumn(&scormPackage{}, "MaxAttempts"); err != nil {
			return err
		}
		return m.AddColumn(&scormPackage{}, "MasteryScore")
	}}
}
