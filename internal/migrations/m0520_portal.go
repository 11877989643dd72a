package migrations

import (
	"time"

	"gorm.io/gorm"

	"glc/internal/database"
)

// m0520Portal creates news posts, events and event registrations.
func m0520Portal() database.Migration {
	type newsPost struct {
		ID          int64     `gorm:"primaryKey"`
		Title       string    `gorm:"size:300;not null"`
		Summary     string    `gorm:"type:text;not null;default:''"`
		Body        string    `gorm:"type:text;not null;default:''"`
		CoverKey    string    `gorm:"size:300;not null;default:''"`
		Topic       string    `gorm:"size:60;not null;default:''"`
		Language    string    `gorm:"size:5;not null;default:''"`
		PublishedAt time.Time `gorm:"not null;index:idx_news_posts_published_at"`
		CreatedBy   int64     `gorm:"not null;default:0"`
		CreatedAt   time.Time
		UpdatedAt   time.Time
	}
	type event struct {
		ID               int64     `gorm:"primaryKey"`
		Title            string    `gorm:"size:300;not null"`
		Summary          string    `gorm:"type:text;not null;default:''"`
		Programme        string    `gorm:"type:text;not null;default:''"`
		StartsAt         time.Time `gorm:"not null;index:idx_events_starts_at"`
		EndsAt           time.Time `gorm:"not null"`
		Place            string    `gorm:"size:200;not null;default:''"`
		Language         string    `gorm:"size:5;not null;default:''"`
		Capacity         int       `gorm:"not null;default:0"`
		RegistrationOpen bool      `gorm:"not null;default:true"`
		CreatedBy        int64     `gorm:"not null;default:0"`
		CreatedAt        time.Time
		UpdatedAt        time.Time
	}
	type eventRegistration struct {
		ID        int64 `gorm:"primaryKey"`
		EventID   int64 `gorm:"not null;uniqueIndex:idx_event_registrations_event_user,priority:1"`
		UserID    int64 `gorm:"not null;uniqueIndex:idx_event_registrations_event_user,priority:2;index:idx_event_registrations_user"`
		CreatedAt time.Time
	}
	return database.Migration{ID: "0520_portal", Up: func(tx *gorm.DB, _ database.Dialect) error {
		for _, t := range []struct {
			name string
			v    any
		}{{"news_posts", &newsPost{}}, {"events", &event{}}, {"event_registrations", &eventRegistration{}}} {
			if err := tx.Table(t.name).Migrator().CreateTable(t.v); err != nil {
				return err
			}
		}
		return nil
	}}
}
