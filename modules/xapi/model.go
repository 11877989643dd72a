package xapi

import "time"

// Credential is a set of record-store credentials an admin created (HTTP Basic). The secret is
// 32 random bytes, so a plain SHA-256 of it is enough to keep it safe at rest and keeps every
// request cheap to authenticate (unlike a password hash tuned to be slow).
type Credential struct {
	ID         int64      `gorm:"primaryKey" json:"id"`
	Name       string     `json:"name"`
	Username   string     `json:"username"`
	SecretHash string     `json:"-"`
	Scopes     string     `json:"-"`
	Authority  string     `json:"-"`
	CreatedBy  *int64     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// TableName implements gorm's Tabler.
func (Credential) TableName() string { return "xapi_credentials" }

// statementRow is one stored statement with the columns that queries filter on.
type statementRow struct {
	Seq              int64 `gorm:"primaryKey;autoIncrement"`
	StatementID      string
	Voided           bool
	Voiding          bool
	RefID            *string
	VerbID           string
	ActorIFI         string `gorm:"column:actor_ifi"`
	ObjectActivityID *string
	Registration     *string
	AuthorityIFI     string `gorm:"column:authority_ifi"`
	Stored           time.Time
	Timestamp        time.Time
	CredentialID     *int64
	UserID           *int64
	Statement        string
}

func (statementRow) TableName() string { return "xapi_statements" }

type agentRow struct {
	ID     int64 `gorm:"primaryKey"`
	Seq    int64
	IFI    string `gorm:"column:ifi"`
	Direct bool
}

func (agentRow) TableName() string { return "xapi_statement_agents" }

type activityRow struct {
	ID         int64 `gorm:"primaryKey"`
	Seq        int64
	ActivityID string
	Direct     bool
}

func (activityRow) TableName() string { return "xapi_statement_activities" }

type attachmentRow struct {
	SHA2        string `gorm:"column:sha2;primaryKey"`
	ContentType string
	Length      int64
	ObjectKey   string
	CreatedAt   time.Time
}

func (attachmentRow) TableName() string { return "xapi_attachments" }

// Document is a state, activity profile or agent profile document.
type Document struct {
	ID           int64 `gorm:"primaryKey"`
	Kind         string
	ActivityID   string
	AgentIFI     string `gorm:"column:agent_ifi"`
	Registration string
	DocID        string
	ContentType  string
	Content      []byte
	ETag         string `gorm:"column:etag"`
	Updated      time.Time
}

// TableName implements gorm's Tabler.
func (Document) TableName() string { return "xapi_documents" }

// Document kinds.
const (
	KindState           = "state"
	KindActivityProfile = "activity_profile"
	KindAgentProfile    = "agent_profile"
)

type activityDefRow struct {
	ActivityID string `gorm:"primaryKey"`
	Definition string
	UpdatedAt  time.Time
}

func (activityDefRow) TableName() string { return "xapi_activities" }

type learnerRow struct {
	UserID    int64 `gorm:"primaryKey;autoIncrement:false"`
	AgentName string
	CreatedAt time.Time
}

func (learnerRow) TableName() string { return "xapi_learners" }
