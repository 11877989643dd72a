package migrations_test

import (
	"context"
	"testing"

	"glc/internal/database"
	"glc/internal/migrations"
	"glc/internal/testkit"
)

// TestSCORMSharedContentUpgrade: 0602 gives existing packages their own content and marks as
// previews the attempts of people with no enrolment in the lesson's course.
func TestSCORMSharedContentUpgrade(t *testing.T) {
	ctx := context.Background()
	db := testkit.EmptyDB(t)
	m, err := database.NewMigrator(db, migrations.All())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(ctx, "0601_scorm_settings"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO course_lessons (id, course_id, section_id, position, kind, completion, watch_percent, required, created_at, updated_at)
			VALUES (7, 3, 1, 1, 'package', 'package_completed', 0, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
		`INSERT INTO course_enrolments (course_id, user_id, status, source, enrolled_at) VALUES (3, 21, 'active', 'self', CURRENT_TIMESTAMP)`,
		`INSERT INTO course_enrolments (course_id, user_id, status, source, enrolled_at) VALUES (3, 22, 'unenrolled', 'self', CURRENT_TIMESTAMP)`,
		`INSERT INTO course_enrolments (course_id, user_id, status, source, enrolled_at) VALUES (4, 23, 'active', 'self', CURRENT_TIMESTAMP)`,
		`INSERT INTO scorm_packages (id, uuid, lesson_id, standard, title, manifest, files, bytes, created_by, created_at)
			VALUES (1, 'a2f1c9de-0000-4000-8000-000000000001', 7, 'scorm12', 'P', '{}', 2, 10, 20, CURRENT_TIMESTAMP)`,
	} {
		if err := db.Exec(q).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for i, u := range []int64{20, 21, 22, 23} { // instructor, learner, former learner, learner of another course
		if err := db.Exec(`INSERT INTO scorm_attempts (package_id, lesson_id, user_id, number, completion_status, success_status, created_at, updated_at)
			VALUES (1, 7, ?, 1, 'incomplete', 'unknown', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`, u).Error; err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := m.Up(ctx, ""); err != nil {
		t.Fatal(err)
	}
	var content string
	db.Raw("SELECT content_uuid FROM scorm_packages WHERE id = 1").Scan(&content)
	if content != "a2f1c9de-0000-4000-8000-000000000001" {
		t.Errorf("content of an existing package: %q", content)
	}
	var previews []int64
	db.Raw("SELECT user_id FROM scorm_attempts WHERE preview = ? ORDER BY user_id", true).Scan(&previews)
	if len(previews) != 2 || previews[0] != 20 || previews[1] != 23 {
		t.Errorf("attempts marked as previews: %v, want [20 23]", previews)
	}
	var settings string
	if err := db.Raw("SELECT settings FROM scorm_imports").Scan(&settings).Error; err != nil {
		t.Errorf("scorm_imports.settings: %v", err)
	}
}
