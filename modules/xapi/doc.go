// Package xapi is GLC's built-in Learning Record Store: the xAPI 1.0.3 and 2.0.0 statement,
// document, activity, agent and about resources at /xapi/, and the admin API for its
// credentials under /api/v1/lrs.
//
// Design notes (also for the cmi5 work that builds on it).
//
// Resources. Everything the xAPI specification defines lives at /xapi/ (one Gin route,
// dispatched in lrs.go): statements, activities/state, activities/profile, agents/profile,
// activities, agents and about, for versions 1.0.3 and 2.0.0 chosen by the
// X-Experience-API-Version header. HEAD answers like GET; OPTIONS answers CORS preflights.
// The 1.0.x alternate request syntax (POST ?method=X with a form) is honoured for 1.0.x and
// refused for 2.0.0, and always needs credentials in the form (a cross-site form must not
// ride on a learner's cookie). A request without a valid version header is refused with 400
// and answered in the version the same credentials last used (2.0.0 when unknown).
//
// Storage. xapi_statements keeps each statement as JSON (jsonb on PostgreSQL) plus the
// columns queries filter on; seq is the paging order. Writers take an advisory lock on
// PostgreSQL (SQLite has one writer anyway) so that seq order is commit order, which makes
// the "more" cursor and X-Experience-API-Consistent-Through exact. xapi_statement_agents and
// xapi_statement_activities index every agent and activity of a statement with a "direct"
// flag (actor/object versus related); agent and related-activity queries are driven by
// these tables. Statements that target another statement (StatementRef) match the filters
// of their target through a second, small query. Attachments are content-addressed in the
// object store (xapi/attachments/<sha2>) with metadata in xapi_attachments. Documents live
// in xapi_documents with their SHA-1 ETag; merged activity definitions in xapi_activities.
//
// Identities. Identity says who acts and within which limits: admin-created HTTP Basic
// credentials (scopes, authority Agent), or a GLC learner's own session (bearer token or
// cookie) bound to the learner's Agent, an account on this portal whose name is an opaque
// UUID (LearnerAgent), or a launched cmi5 AU's auth token. cmi5 (cmi5*.go; its design notes
// are in cmi5.go) plugs in with:
//   - AddAuthenticator: its fetch-URL auth tokens map to an Identity bound to the AU's
//     Agent, Registration and session (writes outside that registration are refused with 403);
//   - OnCheck: refuse statements that break cmi5's statement rules (403, as the cmi5 LMS test
//     suite expects); the rules that depend on the session run in the storing transaction;
//   - OnStored: report the lesson's result to Progress after commit;
//   - LearnerAgent: the actor to put in launch URLs.
package xapi
