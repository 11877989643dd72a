// Package migrations lists every versioned schema step in order. A step declares frozen copies
// of the structs it needs and never imports live models. Number ranges by area keep steps
// written in parallel from colliding: 00xx core, 01xx accounts, 02xx courses, 03xx quizzes,
// 04xx progress, 05xx library and portal, 06xx SCORM, 07xx xAPI and cmi5.
package migrations

import "glc/internal/database"

// All returns every step, ordered by ID.
func All() []database.Migration {
	return []database.Migration{
		m0001Settings(),
		m0002Jobs(),
		m0003Jobs(),
		m0100Accounts(),
		m0101Countries(),
		m0200Courses(),
		m0201CourseSearch(),
		m0300Quiz(),
		m0400Progress(),
		m0401ProgressLessons(),
		m0500Library(),
		m0510Programmes(),
		m0520Portal(),
		m0600SCORM(),
		m0601SCORMSettings(),
		m0700XAPI(),
		m0701CMI5(),
	}
}
