package database

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type appSetting struct {
	Key       string `gorm:"primaryKey"`
	Value     string
	UpdatedAt time.Time
}

func (appSetting) TableName() string { return "app_settings" }

// Setting reads an instance setting; ok is false when it is not set.
func (d *DB) Setting(ctx context.Context, key string) (string, bool, error) {
	var s appSetting
	err := d.WithContext(ctx).Where("key = ?", key).Take(&s).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", false, nil
	}
	return s.Value, err == nil, err
}

// SettingOrCreate returns the stored value of key, storing gen() first when it is missing.
// Concurrent callers on several replicas all get the same value.
func (d *DB) SettingOrCreate(ctx context.Context, key string, gen func() (string, error)) (string, error) {
	if v, ok, err := d.Setting(ctx, key); err != nil || ok {
		return v, err
	}
	v, err := gen()
	if err != nil {
		return "", err
	}
	err = d.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&appSetting{Key: key, Value: v, UpdatedAt: time.Now().UTC()}).Error
	if err != nil {
		return "", err
	}
	v, _, err = d.Setting(ctx, key)
	return v, err
}
