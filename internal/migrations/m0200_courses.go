package migrations

import (
	"time"

	"gorm.io/gorm"

	"glc/internal/database"
)

// m0200Courses creates courses with their language variants, structure (sections, lessons and
// their per-language content), files, instructors, enrolments, cohorts, mandatory assignments
// and the minimal per-lesson progress table.
func m0200Courses() database.Migration {
	type courseTopic struct {
		ID        int64  `gorm:"primaryKey"`
		Slug      string `gorm:"size:60;not null;uniqueIndex:idx_course_topics_slug"`
		NameEn    string `gorm:"size:120;not null"`
		NameFr    string `gorm:"size:120;not null"`
		NameEs    string `gorm:"size:120;not null"`
		NameAr    string `gorm:"size:120;not null"`
		Position  int    `gorm:"not null;default:0"`
		Active    bool   `gorm:"not null;default:true"`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	type course struct {
		ID                int64   `gorm:"primaryKey"`
		UUID              string  `gorm:"size:36;not null;uniqueIndex:idx_courses_uuid"`
		Slug              string  `gorm:"size:120;not null;uniqueIndex:idx_courses_slug"`
		DefaultLanguage   string  `gorm:"size:2;not null"`
		Topic             string  `gorm:"size:60;not null;default:'';index:idx_courses_topic"`
		Region            string  `gorm:"size:40;not null;default:'';index:idx_courses_region"`
		Level             string  `gorm:"size:20;not null;default:''"`
		EstimatedHours    float64 `gorm:"not null;default:0"`
		Status            string  `gorm:"size:20;not null;index:idx_courses_status_published,priority:1"`
		OwnerID           int64   `gorm:"not null;index:idx_courses_owner_id"`
		SelfEnrol         bool    `gorm:"not null;default:false"`
		EnrolOpensAt      *time.Time
		EnrolClosesAt     *time.Time
		DueAt             *time.Time
		RestrictCountries string `gorm:"size:400;not null;default:''"`
		RestrictOrgIDs    string `gorm:"column:restrict_org_ids;size:400;not null;default:''"`
		RestrictRoles     string `gorm:"size:200;not null;default:''"`
		CoverFileID       *int64
		PublishedAt       *time.Time `gorm:"index:idx_courses_status_published,priority:2"`
		ArchivedAt        *time.Time
		DeletedAt         *time.Time `gorm:"index:idx_courses_deleted_at"`
		CreatedAt         time.Time
		UpdatedAt         time.Time
	}
	type courseVariant struct {
		ID          int64  `gorm:"primaryKey"`
		CourseID    int64  `gorm:"not null;uniqueIndex:idx_course_variants_course_lang,priority:1"`
		Language    string `gorm:"size:2;not null;uniqueIndex:idx_course_variants_course_lang,priority:2"`
		Title       string `gorm:"size:200;not null"`
		Summary     string `gorm:"size:1000;not null;default:''"`
		Description string `gorm:"type:text;not null;default:''"`
		Tags        string `gorm:"size:1000;not null;default:''"`
		CreatedAt   time.Time
		UpdatedAt   time.Time
	}
	type courseInstructor struct {
		CourseID  int64  `gorm:"primaryKey;autoIncrement:false"`
		UserID    int64  `gorm:"primaryKey;autoIncrement:false;index:idx_course_instructors_user_id"`
		Role      string `gorm:"size:20;not null"`
		CreatedAt time.Time
	}
	type courseSection struct {
		ID        int64 `gorm:"primaryKey"`
		CourseID  int64 `gorm:"not null;index:idx_course_sections_course,priority:1"`
		Position  int   `gorm:"not null;index:idx_course_sections_course,priority:2"`
		DeletedAt *time.Time
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	type courseSectionText struct {
		SectionID int64  `gorm:"primaryKey;autoIncrement:false"`
		Language  string `gorm:"primaryKey;size:2"`
		Title     string `gorm:"size:200;not null"`
	}
	type courseLesson struct {
		ID           int64  `gorm:"primaryKey"`
		CourseID     int64  `gorm:"not null;index:idx_course_lessons_course"`
		SectionID    int64  `gorm:"not null;index:idx_course_lessons_section,priority:1"`
		Position     int    `gorm:"not null;index:idx_course_lessons_section,priority:2"`
		Kind         string `gorm:"size:20;not null"`
		Completion   string `gorm:"size:20;not null"`
		WatchPercent int    `gorm:"not null;default:0"`
		Required     bool   `gorm:"not null;default:true"`
		RefID        *int64
		DeletedAt    *time.Time
		CreatedAt    time.Time
		UpdatedAt    time.Time
	}
	type courseLessonContent struct {
		ID              int64  `gorm:"primaryKey"`
		LessonID        int64  `gorm:"not null;uniqueIndex:idx_course_lesson_contents_lesson_lang,priority:1"`
		Language        string `gorm:"size:2;not null;uniqueIndex:idx_course_lesson_contents_lesson_lang,priority:2"`
		Title           string `gorm:"size:200;not null"`
		Body            string `gorm:"type:text;not null;default:''"`
		URL             string `gorm:"column:url;size:2000;not null;default:''"`
		MediaFileID     *int64
		DurationSeconds int `gorm:"not null;default:0"`
		CreatedAt       time.Time
		UpdatedAt       time.Time
	}
	type courseFile struct {
		ID          int64  `gorm:"primaryKey"`
		UUID        string `gorm:"size:36;not null;uniqueIndex:idx_course_files_uuid"`
		CourseID    int64  `gorm:"not null;index:idx_course_files_course"`
		LessonID    *int64 `gorm:"index:idx_course_files_lesson"`
		Language    string `gorm:"size:2;not null;default:''"`
		Key         string `gorm:"size:300;not null"`
		ContentType string `gorm:"size:120;not null"`
		Size        int64  `gorm:"not null"`
		Name        string `gorm:"size:200;not null;default:''"`
		Width       int    `gorm:"not null;default:0"`
		Height      int    `gorm:"not null;default:0"`
		CreatedBy   int64  `gorm:"not null"`
		CreatedAt   time.Time
	}
	type courseCohort struct {
		ID        int64     `gorm:"primaryKey"`
		Name      string    `gorm:"size:200;not null"`
		StartsAt  time.Time `gorm:"not null"`
		EndsAt    time.Time `gorm:"not null"`
		CreatedBy int64     `gorm:"not null;index:idx_course_cohorts_created_by"`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	type courseCohortMember struct {
		CohortID  int64 `gorm:"primaryKey;autoIncrement:false"`
		UserID    int64 `gorm:"primaryKey;autoIncrement:false;index:idx_course_cohort_members_user"`
		CreatedAt time.Time
	}
	type courseCohortLink struct {
		CourseID  int64 `gorm:"primaryKey;autoIncrement:false"`
		CohortID  int64 `gorm:"primaryKey;autoIncrement:false;index:idx_course_cohort_links_cohort"`
		DueAt     *time.Time
		CreatedBy int64 `gorm:"not null"`
		CreatedAt time.Time
	}
	type courseAssignment struct {
		ID           int64     `gorm:"primaryKey"`
		CourseID     int64     `gorm:"not null;index:idx_course_assignments_course"`
		ScopeAll     bool      `gorm:"not null;default:false"`
		ScopeCountry string    `gorm:"size:2;not null;default:''"`
		ScopeOrgID   *int64    `gorm:"column:scope_org_id"`
		DueAt        time.Time `gorm:"not null"`
		AssignedBy   int64     `gorm:"not null"`
		CreatedAt    time.Time
	}
	type courseEnrolment struct {
		ID           int64  `gorm:"primaryKey"`
		CourseID     int64  `gorm:"not null;uniqueIndex:idx_course_enrolments_course_user,priority:1;index:idx_course_enrolments_course_status,priority:1"`
		UserID       int64  `gorm:"not null;uniqueIndex:idx_course_enrolments_course_user,priority:2;index:idx_course_enrolments_user_status,priority:1"`
		Status       string `gorm:"size:20;not null;index:idx_course_enrolments_user_status,priority:2;index:idx_course_enrolments_course_status,priority:2"`
		Source       string `gorm:"size:20;not null"`
		CohortID     *int64
		AssignmentID *int64
		DueAt        *time.Time
		EnrolledBy   *int64
		EnrolledAt   time.Time `gorm:"not null"`
		UnenrolledAt *time.Time
		CompletedAt  *time.Time
		LastLessonID *int64
		LastAccessAt *time.Time
		UpdatedAt    time.Time
	}
	type lessonProgress struct {
		ID               int64  `gorm:"primaryKey"`
		UserID           int64  `gorm:"not null;uniqueIndex:idx_lesson_progress_user_lesson,priority:1;index:idx_lesson_progress_user_course,priority:1"`
		LessonID         int64  `gorm:"not null;uniqueIndex:idx_lesson_progress_user_lesson,priority:2;index:idx_lesson_progress_lesson"`
		CourseID         int64  `gorm:"not null;index:idx_lesson_progress_user_course,priority:2"`
		Status           string `gorm:"size:20;not null"`
		FirstAccessAt    *time.Time
		LastAccessAt     *time.Time
		PositionSeconds  float64 `gorm:"not null;default:0"`
		WatchedPercent   int     `gorm:"not null;default:0"`
		TimeSpentSeconds int64   `gorm:"not null;default:0"`
		Score            *float64
		MaxScore         *float64
		Attempts         int    `gorm:"not null;default:0"`
		Source           string `gorm:"size:20;not null;default:''"`
		CompletedAt      *time.Time
		CreatedAt        time.Time
		UpdatedAt        time.Time
	}
	tables := []struct {
		name  string
		model any
	}{
		{"course_topics", &courseTopic{}}, {"courses", &course{}}, {"course_variants", &courseVariant{}},
		{"course_instructors", &courseInstructor{}}, {"course_sections", &courseSection{}},
		{"course_section_texts", &courseSectionText{}}, {"course_lessons", &courseLesson{}},
		{"course_lesson_contents", &courseLessonContent{}}, {"course_files", &courseFile{}},
		{"course_cohorts", &courseCohort{}}, {"course_cohort_members", &courseCohortMember{}},
		{"course_cohort_links", &courseCohortLink{}}, {"course_assignments", &courseAssignment{}},
		{"course_enrolments", &courseEnrolment{}}, {"lesson_progress", &lessonProgress{}},
	}
	return database.Migration{ID: "0200_courses", Up: func(tx *gorm.DB, _ database.Dialect) error {
		for _, t := range tables {
			if err := tx.Table(t.name).Migrator().CreateTable(t.model); err != nil {
				return err
			}
		}
		now := time.Now().UTC()
		for i, t := range seedTopics {
			row := courseTopic{Slug: t[0], NameEn: t[1], NameFr: t[2], NameEs: t[3], NameAr: t[4], Position: (i + 1) * 10, Active: true, CreatedAt: now, UpdatedAt: now}
			if err := tx.Table("course_topics").Create(&row).Error; err != nil {
				return err
			}
		}
		return nil
	}}
}

// seedTopics are the topics named in the courses issue: slug, English, French, Spanish, Arabic.
var seedTopics = [][5]string{
	{"counter-terrorism", "Counter-terrorism", "Lutte contre le terrorisme", "Lucha contra el terrorismo", "مكافحة الإرهاب"},
	{"organized-crime", "Organized crime", "Criminalité organisée", "Delincuencia organizada", "الجريمة المنظمة"},
	{"drug-trafficking", "Drug trafficking", "Trafic de drogue", "Tráfico de drogas", "الاتجار بالمخدرات"},
	{"cybercrime", "Cybercrime", "Cybercriminalité", "Ciberdelincuencia", "الجريمة السيبرانية"},
	{"border-management", "Border management", "Gestion des frontières", "Gestión de fronteras", "إدارة الحدود"},
	{"migrant-smuggling", "Migrant smuggling", "Trafic de migrants", "Tráfico ilícito de migrantes", "تهريب المهاجرين"},
	{"forensics", "Forensics and crime scene", "Criminalistique et scène de crime", "Ciencias forenses y escena del crimen", "الأدلة الجنائية ومسرح الجريمة"},
	{"maritime-security", "Maritime security", "Sûreté maritime", "Seguridad marítima", "الأمن البحري"},
	{"intellectual-property-crime", "Intellectual property crime", "Atteintes à la propriété intellectuelle", "Delitos contra la propiedad intelectual", "جرائم الملكية الفكرية"},
	{"pharmaceutical-crime", "Pharmaceutical crime", "Criminalité pharmaceutique", "Delincuencia farmacéutica", "الجرائم الصيدلانية"},
	{"environmental-crime", "Environmental and wildlife crime", "Criminalité environnementale et atteintes à la faune", "Delitos contra el medio ambiente y la fauna", "الجرائم البيئية وجرائم الأحياء البرية"},
	{"financial-crime", "Financial crime", "Criminalité financière", "Delincuencia financiera", "الجرائم المالية"},
	{"information-security", "Information security", "Sécurité de l'information", "Seguridad de la información", "أمن المعلومات"},
	{"police-tools-databases", "Using INTERPOL-style tools and databases", "Utilisation des outils et bases de données de type INTERPOL", "Uso de herramientas y bases de datos tipo INTERPOL", "استخدام أدوات وقواعد بيانات على غرار الإنتربول"},
	{"training-skills", "Training and presentation skills", "Compétences de formation et de présentation", "Habilidades de formación y presentación", "مهارات التدريب والعرض"},
}
