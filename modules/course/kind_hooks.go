package course

import (
	"context"

	"gorm.io/gorm"
)

// Optional interfaces a KindHandler may implement, beside KindPage.

// KindDuplicator is implemented by a KindHandler whose lessons keep rows of their own (a
// package, a quiz). When a course is duplicated, Duplicate is called for each lesson of the
// kind once its copy exists: it copies what the module keeps for lesson from so that lesson to
// works on its own (settings, content references; never learners' attempts), and returns the
// reference to keep in to.RefID (nil: none). It runs inside the duplication's transaction and
// must read and write only through tx (on SQLite the transaction holds the only connection);
// an error undoes the whole duplication. ctx carries the principal, who may edit the course.
type KindDuplicator interface {
	Duplicate(ctx context.Context, tx *gorm.DB, from, to *Lesson) (refID *int64, err error)
}

// KindSettingsPage is implemented by a KindHandler whose lessons have settings of their own,
// kept and edited by the module (a SCORM package's attempt limit and passing score): the
// lesson editor links to that page. "" means the lesson has none (a cmi5 package lesson).
type KindSettingsPage interface {
	SettingsPage(ctx context.Context, lesson *Lesson) string
}
