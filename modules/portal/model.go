// Package portal serves the home page, news (with an Atom feed) and events with registration.
package portal

import "time"

// NewsPost is one news item; Body is Markdown.
type NewsPost struct {
	ID          int64     `gorm:"primaryKey" json:"id"`
	Title       string    `json:"title"`
	Summary     string    `json:"summary"`
	Body        string    `json:"body"`
	CoverKey    string    `json:"-"`
	Topic       string    `json:"topic"`
	Language    string    `json:"language"`
	PublishedAt time.Time `json:"published_at"`
	CreatedBy   int64     `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// TableName implements gorm's Tabler.
func (NewsPost) TableName() string { return "news_posts" }

// Event is a dated gathering such as a symposium; Programme is its agenda in Markdown.
type Event struct {
	ID               int64     `gorm:"primaryKey" json:"id"`
	Title            string    `json:"title"`
	Summary          string    `json:"summary"`
	Programme        string    `json:"programme"`
	StartsAt         time.Time `json:"starts_at"`
	EndsAt           time.Time `json:"ends_at"`
	Place            string    `json:"place"`
	Language         string    `json:"language"`
	Capacity         int       `json:"capacity"`
	RegistrationOpen bool      `json:"registration_open"`
	CreatedBy        int64     `json:"created_by"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	Registered       int64     `gorm:"-" json:"registered"`
}

// TableName implements gorm's Tabler.
func (Event) TableName() string { return "events" }

// SeatsLeft is the number of places still free.
func (e *Event) SeatsLeft() int64 { return max(int64(e.Capacity)-e.Registered, 0) }

// Registration is one person registered for an event.
type Registration struct {
	ID        int64     `gorm:"primaryKey" json:"id"`
	EventID   int64     `json:"event_id"`
	UserID    int64     `json:"user_id"`
	CreatedAt time.Time `json:"created_at"`
}

// TableName implements gorm's Tabler.
func (Registration) TableName() string { return "event_registrations" }
