package migrations

//go:generate go run gen_countries.go

import (
	"gorm.io/gorm"

	"glc/internal/database"
)

// m0101Countries creates the list of countries and territories (ISO 3166-1 alpha-2) with their
// names in the portal's four languages, seeded from countryRows (generated from CLDR data by
// gen_countries.go; a later change of names is a new step).
func m0101Countries() database.Migration {
	type country struct {
		Code   string `gorm:"primaryKey;size:2"`
		NameEn string `gorm:"size:100;not null"`
		NameFr string `gorm:"size:100;not null"`
		NameEs string `gorm:"size:100;not null"`
		NameAr string `gorm:"size:100;not null"`
	}
	return database.Migration{ID: "0101_countries", Up: func(tx *gorm.DB, _ database.Dialect) error {
		if err := tx.Table("countries").Migrator().CreateTable(&country{}); err != nil {
			return err
		}
		rows := make([]country, 0, len(countryRows))
		for _, r := range countryRows {
			rows = append(rows, country{Code: r[0], NameEn: r[1], NameFr: r[2], NameEs: r[3], NameAr: r[4]})
		}
		return tx.Table("countries").CreateInBatches(rows, 100).Error
	}}
}
