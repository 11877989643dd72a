package progress

import "glc/internal/database"

// CompletionsSQL exposes the report statement to tests (query plans).
func CompletionsSQL(d database.Dialect, f ReportFilter) (string, []any) { return completionsSQL(d, f) }
