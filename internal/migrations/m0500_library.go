package migrations

import (
	"time"

	"gorm.io/gorm"

	"glc/internal/database"
)

// m0500Library creates the resource library: series, resources, file versions, chunked
// uploads, the download log, and the full-text index (FTS5 on SQLite, a generated tsvector
// column with a GIN index on PostgreSQL).
func m0500Library() database.Migration {
	type series struct {
		ID          int64  `gorm:"primaryKey"`
		Title       string `gorm:"size:300;not null"`
		Description string `gorm:"type:text;not null;default:''"`
		Language    string `gorm:"size:5;not null;default:''"`
		Topic       string `gorm:"size:60;not null;default:''"`
		CreatedAt   time.Time
		UpdatedAt   time.Time
	}
	type resource struct {
		ID              int64      `gorm:"primaryKey"`
		UUID            string     `gorm:"size:36;not null;uniqueIndex:idx_resources_uuid"`
		Kind            string     `gorm:"size:20;not null;index:idx_resources_kind"`
		Title           string     `gorm:"size:300;not null"`
		Summary         string     `gorm:"type:text;not null;default:''"`
		Authors         string     `gorm:"size:500;not null;default:''"`
		Language        string     `gorm:"size:5;not null;default:'';index:idx_resources_language"`
		Topic           string     `gorm:"size:60;not null;default:'';index:idx_resources_topic"`
		Region          string     `gorm:"size:60;not null;default:''"`
		PublishedOn     *time.Time `gorm:"index:idx_resources_published_on"`
		Year            int        `gorm:"not null;default:0;index:idx_resources_year"`
		Tags            string     `gorm:"size:500;not null;default:''"`
		Licence         string     `gorm:"size:100;not null;default:''"`
		Access          string     `gorm:"size:12;not null;default:'public'"`
		AccessRoles     string     `gorm:"size:200;not null;default:''"`
		AccessCountries string     `gorm:"size:500;not null;default:''"`
		AccessOrgs      string     `gorm:"size:500;not null;default:''"`
		SeriesID        *int64     `gorm:"index:idx_resources_series,priority:1"`
		IssueNumber     int        `gorm:"not null;default:0;index:idx_resources_series,priority:2"`
		Contents        string     `gorm:"type:text;not null;default:''"`
		URL             string     `gorm:"size:1000;not null;default:''"`
		Country         string     `gorm:"size:2;not null;default:''"`
		LinkStatus      string     `gorm:"size:12;not null;default:''"`
		LinkCheckedAt   *time.Time
		Downloads       int64  `gorm:"not null;default:0"`
		CoverKey        string `gorm:"size:300;not null;default:''"`
		FileText        string `gorm:"type:text;not null;default:''"`
		CreatedBy       int64  `gorm:"not null;default:0"`
		CreatedAt       time.Time
		UpdatedAt       time.Time
	}
	type resourceFile struct {
		ID          int64  `gorm:"primaryKey"`
		ResourceID  int64  `gorm:"not null;uniqueIndex:idx_resource_files_version,priority:1"`
		Version     int    `gorm:"not null;uniqueIndex:idx_resource_files_version,priority:2"`
		Key         string `gorm:"size:300;not null"`
		Filename    string `gorm:"size:255;not null;default:''"`
		ContentType string `gorm:"size:100;not null;default:''"`
		Size        int64  `gorm:"not null;default:0"`
		SHA256      string `gorm:"column:sha256;size:64;not null;default:''"`
		CreatedBy   int64  `gorm:"not null;default:0"`
		CreatedAt   time.Time
	}
	type upload struct {
		ID          string `gorm:"primaryKey;size:36"`
		UserID      int64  `gorm:"not null;index:idx_uploads_user"`
		Filename    string `gorm:"size:255;not null;default:''"`
		Status      string `gorm:"size:12;not null"`
		Received    int64  `gorm:"not null;default:0"`
		Key         string `gorm:"size:300;not null;default:''"`
		Size        int64  `gorm:"not null;default:0"`
		SHA256      string `gorm:"column:sha256;size:64;not null;default:''"`
		ContentType string `gorm:"size:100;not null;default:''"`
		CreatedAt   time.Time
		UpdatedAt   time.Time
	}
	type uploadPart struct {
		UploadID string `gorm:"primaryKey;size:36"`
		N        int    `gorm:"primaryKey;autoIncrement:false"`
		Size     int64  `gorm:"not null"`
		Key      string `gorm:"size:300;not null"`
	}
	type resourceDownload struct {
		ID         int64     `gorm:"primaryKey"`
		ResourceID int64     `gorm:"not null;index:idx_resource_downloads_resource,priority:1"`
		UserID     *int64    `gorm:""`
		At         time.Time `gorm:"not null;index:idx_resource_downloads_resource,priority:2"`
	}
	return database.Migration{ID: "0500_library", Up: func(tx *gorm.DB, d database.Dialect) error {
		for name, v := range map[string]any{"series": &series{}, "resources": &resource{}, "resource_files": &resourceFile{},
			"uploads": &upload{}, "upload_parts": &uploadPart{}, "resource_downloads": &resourceDownload{}} {
			if err := tx.Table(name).Migrator().CreateTable(v); err != nil {
				return err
			}
		}
		if d == database.Postgres {
			return tx.Exec(`ALTER TABLE resources ADD COLUMN search tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') ||
  setweight(to_tsvector('simple'::regconfig, coalesce(summary, '') || ' ' || coalesce(authors, '') || ' ' || coalesce(tags, '') || ' ' || coalesce(topic, '')), 'B') ||
  setweight(to_tsvector('simple'::regconfig, coalesce(contents, '') || ' ' || coalesce(file_text, '')), 'C')) STORED;
CREATE INDEX idx_resources_search ON resources USING GIN (search);`).Error
		}
		return tx.Exec(`CREATE VIRTUAL TABLE resources_fts USING fts5(title, summary, authors, tags, topic, contents, file_text, tokenize = 'unicode61 remove_diacritics 2')`).Error
	}}
}
