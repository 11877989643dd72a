package migrations

import (
	"time"

	"gorm.io/gorm"

	"glc/internal/database"
)

// m0700XAPI creates the Learning Record Store: credentials, statements with the columns that
// queries filter on, index tables for related agents and activities, attachments metadata,
// documents (state, activity and agent profiles), merged activity definitions and the
// opaque xAPI identity of each learner.
func m0700XAPI() database.Migration {
	type credential struct {
		ID         int64  `gorm:"primaryKey"`
		Name       string `gorm:"size:200;not null"`
		Username   string `gorm:"size:64;not null;uniqueIndex:idx_xapi_credentials_username"`
		SecretHash string `gorm:"size:64;not null"`
		Scopes     string `gorm:"size:300;not null"`
		Authority  string `gorm:"type:text;not null"`
		CreatedBy  *int64
		CreatedAt  time.Time
		LastUsedAt *time.Time
	}
	type statement struct {
		Seq              int64     `gorm:"primaryKey;autoIncrement"`
		StatementID      string    `gorm:"size:36;not null;uniqueIndex:idx_xapi_statements_statement_id"`
		Voided           bool      `gorm:"not null;default:false"`
		Voiding          bool      `gorm:"not null;default:false"`
		RefID            *string   `gorm:"size:36;index:idx_xapi_statements_ref_id"`
		VerbID           string    `gorm:"size:1000;not null"`
		ActorIFI         string    `gorm:"size:1000;not null"`
		ObjectActivityID *string   `gorm:"size:1000"`
		Registration     *string   `gorm:"size:36"`
		AuthorityIFI     string    `gorm:"size:1000;not null"`
		Stored           time.Time `gorm:"not null;index:idx_xapi_statements_stored"`
		Timestamp        time.Time `gorm:"not null"`
		CredentialID     *int64
		UserID           *int64
		Statement        string `gorm:"not null"`
	}
	type statementAgent struct {
		ID     int64  `gorm:"primaryKey"`
		Seq    int64  `gorm:"not null;index:idx_xapi_statement_agents_seq"`
		IFI    string `gorm:"column:ifi;size:1000;not null"`
		Direct bool   `gorm:"not null"`
	}
	type statementActivity struct {
		ID         int64  `gorm:"primaryKey"`
		Seq        int64  `gorm:"not null;index:idx_xapi_statement_activities_seq"`
		ActivityID string `gorm:"size:1000;not null"`
		Direct     bool   `gorm:"not null"`
	}
	type attachment struct {
		SHA2        string `gorm:"column:sha2;primaryKey;size:128"`
		ContentType string `gorm:"size:255;not null"`
		Length      int64  `gorm:"not null"`
		ObjectKey   string `gorm:"size:300;not null"`
		CreatedAt   time.Time
	}
	type document struct {
		ID           int64     `gorm:"primaryKey"`
		Kind         string    `gorm:"size:20;not null;uniqueIndex:idx_xapi_documents_key,priority:1"`
		ActivityID   string    `gorm:"size:1000;not null;default:'';uniqueIndex:idx_xapi_documents_key,priority:2"`
		AgentIFI     string    `gorm:"column:agent_ifi;size:1000;not null;default:'';uniqueIndex:idx_xapi_documents_key,priority:3"`
		Registration string    `gorm:"size:36;not null;default:'';uniqueIndex:idx_xapi_documents_key,priority:4"`
		DocID        string    `gorm:"size:1000;not null;uniqueIndex:idx_xapi_documents_key,priority:5"`
		ContentType  string    `gorm:"size:255;not null"`
		Content      []byte    `gorm:"not null"`
		ETag         string    `gorm:"column:etag;size:80;not null"`
		Updated      time.Time `gorm:"not null;index:idx_xapi_documents_updated"`
	}
	type activity struct {
		ActivityID string `gorm:"primaryKey;size:1000"`
		Definition string `gorm:"type:text;not null"`
		UpdatedAt  time.Time
	}
	type learner struct {
		UserID    int64  `gorm:"primaryKey;autoIncrement:false"`
		AgentName string `gorm:"size:36;not null;uniqueIndex:idx_xapi_learners_agent_name"`
		CreatedAt time.Time
	}
	return database.Migration{ID: "0700_xapi", Up: func(tx *gorm.DB, d database.Dialect) error {
		steps := []struct {
			table string
			model any
		}{
			{"xapi_credentials", &credential{}}, {"xapi_statements", &statement{}},
			{"xapi_statement_agents", &statementAgent{}}, {"xapi_statement_activities", &statementActivity{}},
			{"xapi_attachments", &attachment{}}, {"xapi_documents", &document{}},
			{"xapi_activities", &activity{}}, {"xapi_learners", &learner{}},
		}
		for _, s := range steps {
			if err := tx.Table(s.table).Migrator().CreateTable(s.model); err != nil {
				return err
			}
		}
		// The statement JSON is jsonb on PostgreSQL, text on SQLite. Composite indexes put seq
		// last so that a filter plus ORDER BY seq reads the index in order. Agent filters go
		// through xapi_statement_agents (actor, object, group members and, for related_agents,
		// every other agent), so the statements table needs no actor index.
		sql := []string{
			"CREATE INDEX idx_xapi_statements_verb_seq ON xapi_statements (verb_id, seq)",
			"CREATE INDEX idx_xapi_statements_authority_seq ON xapi_statements (authority_ifi, seq)",
			"CREATE INDEX idx_xapi_statements_activity_seq ON xapi_statements (object_activity_id, seq)",
			"CREATE INDEX idx_xapi_statements_registration_seq ON xapi_statements (registration, seq)",
			"CREATE INDEX idx_xapi_statements_refs ON xapi_statements (seq) WHERE ref_id IS NOT NULL",
			"CREATE INDEX idx_xapi_statement_agents_ifi_seq ON xapi_statement_agents (ifi, seq, direct)",
			"CREATE INDEX idx_xapi_statement_activities_activity_seq ON xapi_statement_activities (activity_id, seq, direct)",
		}
		if d == database.Postgres {
			sql = append(sql, "ALTER TABLE xapi_statements ALTER COLUMN statement TYPE jsonb USING statement::jsonb")
		}
		for _, q := range sql {
			if err := tx.Exec(q).Error; err != nil {
				return err
			}
		}
		return nil
	}}
}
