// Package library is the resource library: publications in numbered series, reports, guides,
// videos, data sets and the directory of police training websites, with files kept in object
// storage, full-text search and access levels.
package library

import (
	"strings"
	"time"
)

// Resource kinds.
const (
	KindPublication = "publication"
	KindReport      = "report"
	KindGuide       = "guide"
	KindVideo       = "video"
	KindDataset     = "dataset"
	KindLink        = "link"
)

// Kinds lists every resource kind.
var Kinds = []string{KindPublication, KindReport, KindGuide, KindVideo, KindDataset, KindLink}

// Access levels.
const (
	AccessPublic     = "public"
	AccessMembers    = "members"
	AccessRestricted = "restricted"
)

// Link states of training websites.
const (
	LinkUnchecked = ""
	LinkOK        = "ok"
	LinkBroken    = "broken"
)

// Resource is one item of the library.
type Resource struct {
	ID          int64      `gorm:"primaryKey" json:"id"`
	UUID        string     `gorm:"column:uuid" json:"uuid"`
	Kind        string     `json:"kind"`
	Title       string     `json:"title"`
	Summary     string     `json:"summary"`
	Authors     string     `json:"authors"`
	Language    string     `json:"language"`
	Topic       string     `json:"topic"`
	Region      string     `json:"region"`
	PublishedOn *time.Time `json:"published_on"`
	Year        int        `json:"year"`
	Tags        string     `json:"tags"`
	Licence     string     `json:"licence"`
	Access      string     `json:"access"`
	// Space-separated scope of a restricted resource, stored with a space at each end so that
	// one LIKE '% X %' finds a member on both dialects.
	AccessRoles     string     `json:"-"`
	AccessCountries string     `json:"-"`
	AccessOrgs      string     `json:"-"`
	SeriesID        *int64     `json:"series_id"`
	IssueNumber     int        `json:"issue_number"`
	Contents        string     `json:"contents"`
	URL             string     `gorm:"column:url" json:"url"`
	Country         string     `json:"country"`
	LinkStatus      string     `json:"link_status"`
	LinkCheckedAt   *time.Time `json:"link_checked_at"`
	Downloads       int64      `json:"downloads"`
	CoverKey        string     `json:"-"`
	FileText        string     `json:"-"`
	CreatedBy       int64      `json:"created_by"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

// TableName implements gorm's Tabler.
func (Resource) TableName() string { return "resources" }

// Scope is the audience of a restricted resource.
type Scope struct {
	Roles     []string `json:"roles"`
	Countries []string `json:"countries"`
	Orgs      []int64  `json:"organisations"`
}

// AuthorList splits the authors field (separated by ";").
func (r *Resource) AuthorList() []string { return splitList(r.Authors, ";") }

// TagList splits the tags field (separated by ",").
func (r *Resource) TagList() []string { return splitList(r.Tags, ",") }

// HasCover reports whether a cover image is stored.
func (r *Resource) HasCover() bool { return r.CoverKey != "" }

func splitList(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ResourceFile is one version of a resource's file. Replacing a file adds a version; the
// newest one is downloaded.
type ResourceFile struct {
	ID          int64     `gorm:"primaryKey" json:"id"`
	ResourceID  int64     `json:"resource_id"`
	Version     int       `json:"version"`
	Key         string    `json:"-"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `gorm:"column:sha256" json:"sha256"`
	CreatedBy   int64     `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// TableName implements gorm's Tabler.
func (ResourceFile) TableName() string { return "resource_files" }

// Series is a numbered run of publications, such as a journal.
type Series struct {
	ID          int64     `gorm:"primaryKey" json:"id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Language    string    `json:"language"`
	Topic       string    `json:"topic"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// TableName implements gorm's Tabler.
func (Series) TableName() string { return "series" }

// Upload states.
const (
	UploadOpen     = "open"
	UploadComplete = "complete"
	UploadUsed     = "used"
)

// Upload is a chunked upload: parts arrive one request each (and may be sent again), then
// "complete" streams them, in order, into one object.
type Upload struct {
	ID          string       `gorm:"primaryKey" json:"id"`
	UserID      int64        `json:"user_id"`
	Filename    string       `json:"filename"`
	Status      string       `json:"status"`
	Received    int64        `json:"received"`
	Key         string       `json:"-"`
	Size        int64        `json:"size"`
	SHA256      string       `gorm:"column:sha256" json:"sha256,omitempty"`
	ContentType string       `json:"content_type,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	Parts       []UploadPart `gorm:"-" json:"parts"`
}

// TableName implements gorm's Tabler.
func (Upload) TableName() string { return "uploads" }

// UploadPart is one received part.
type UploadPart struct {
	UploadID string `gorm:"primaryKey" json:"-"`
	N        int    `gorm:"primaryKey;autoIncrement:false" json:"n"`
	Size     int64  `json:"size"`
	Key      string `json:"-"`
}

// TableName implements gorm's Tabler.
func (UploadPart) TableName() string { return "upload_parts" }

// resourceDownload is one line of the download log (per-day statistics).
type resourceDownload struct {
	ID         int64 `gorm:"primaryKey"`
	ResourceID int64
	UserID     *int64
	At         time.Time
}

func (resourceDownload) TableName() string { return "resource_downloads" }

// Date is the publication date as YYYY-MM-DD, or "".
func (r *Resource) Date() string {
	if r.PublishedOn == nil {
		return ""
	}
	return r.PublishedOn.UTC().Format("2006-01-02")
}
