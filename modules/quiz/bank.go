package quiz

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/database"
	"glc/storage"
)

// QuestionDetail is a bank question with its answers (for the course's instructors only).
type QuestionDetail struct {
	ID              int64     `json:"id"`
	CourseID        int64     `json:"course_id"`
	CategoryID      *int64    `json:"category_id"`
	Kind            string    `json:"kind"`
	Title           string    `json:"title"`
	Prompt          string    `json:"prompt"`
	Points          float64   `json:"points"`
	GeneralFeedback string    `json:"general_feedback"`
	MediaURL        string    `json:"media_url,omitempty"`
	Version         int       `json:"version"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	Spec
}

func mediaURL(q *Question) string {
	if q.MediaKey == "" {
		return ""
	}
	return fmt.Sprintf("/api/v1/questions/%d/media", q.ID)
}

func detail(q *Question) (*QuestionDetail, error) {
	spec, err := q.Spec()
	if err != nil {
		return nil, err
	}
	return &QuestionDetail{ID: q.ID, CourseID: q.CourseID, CategoryID: q.CategoryID, Kind: q.Kind, Title: q.Title, Prompt: q.Prompt,
		Points: q.Points, GeneralFeedback: q.GeneralFeedback, MediaURL: mediaURL(q), Version: q.Version,
		CreatedAt: q.CreatedAt, UpdatedAt: q.UpdatedAt, Spec: *spec}, nil
}

// Categories lists a course's question categories.
func (s *Service) Categories(ctx context.Context, courseID int64) ([]Category, error) {
	if _, err := s.manageCourse(ctx, courseID); err != nil {
		return nil, err
	}
	return s.st.categories(ctx, courseID)
}

// CreateCategory adds a category (a path such as "Cybercrime/Basics") to a course's bank.
func (s *Service) CreateCategory(ctx context.Context, courseID int64, name string) (*Category, error) {
	if _, err := s.manageCourse(ctx, courseID); err != nil {
		return nil, err
	}
	name = cleanCategory(name)
	if name == "" || len([]rune(name)) > maxTitle || strings.Contains(name, "\n") {
		return nil, apperr.Invalid("name", "is required (one line of at most 255 characters)")
	}
	c := &Category{CourseID: courseID, Name: name}
	if err := s.st.q(ctx).Create(c).Error; err != nil {
		if database.IsUniqueViolation(err) {
			return nil, fmt.Errorf("category %q already exists: %w", name, apperr.ErrConflict)
		}
		return nil, err
	}
	return c, nil
}

// resolveCategory finds the category a question input names (by id or path) in the course.
func (s *Service) resolveCategory(ctx context.Context, st store, courseID int64, in *QuestionInput) (*int64, error) {
	switch {
	case in.CategoryID != nil:
		c, err := st.category(ctx, *in.CategoryID)
		if err != nil || c.CourseID != courseID {
			return nil, apperr.Invalid("category_id", "is not a category of this course")
		}
		return &c.ID, nil
	case in.Category != "":
		c, err := st.ensureCategory(ctx, courseID, in.Category)
		if err != nil {
			return nil, err
		}
		return &c.ID, nil
	}
	return nil, nil
}

// insertQuestion validates and stores a new question of the course.
func (s *Service) insertQuestion(ctx context.Context, st store, courseID, userID int64, in *QuestionInput) (*Question, error) {
	if f := in.Normalize(nil); len(f) > 0 {
		return nil, f.Err()
	}
	cat, err := s.resolveCategory(ctx, st, courseID, in)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(in.Spec)
	if err != nil {
		return nil, err
	}
	q := &Question{CourseID: courseID, CategoryID: cat, Kind: in.Kind, Title: in.Title, Prompt: in.Prompt, Points: *in.Points,
		Body: string(body), GeneralFeedback: in.GeneralFeedback, Version: 1, CreatedBy: userID}
	if err := st.q(ctx).Create(q).Error; err != nil {
		return nil, err
	}
	return q, nil
}

// CreateQuestion adds a question to a course's bank.
func (s *Service) CreateQuestion(ctx context.Context, courseID int64, in QuestionInput) (*QuestionDetail, error) {
	p, err := s.manageCourse(ctx, courseID)
	if err != nil {
		return nil, err
	}
	var q *Question
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		q, err = s.insertQuestion(ctx, s.st.tx(tx), courseID, p.UserID, &in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return detail(q)
}

// Question returns a bank question with its answers.
func (s *Service) Question(ctx context.Context, id int64) (*QuestionDetail, error) {
	q, err := s.st.question(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.manageCourse(ctx, q.CourseID); err != nil {
		return nil, err
	}
	return detail(q)
}

// UpdateQuestion replaces a question (kind excepted). Option, pair and item identifiers sent
// back unchanged are kept, so stored answers still point at the same choices; run Regrade on
// the quizzes that use it to recompute finished attempts.
func (s *Service) UpdateQuestion(ctx context.Context, id int64, in QuestionInput) (*QuestionDetail, error) {
	q, err := s.st.question(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.manageCourse(ctx, q.CourseID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Kind) != q.Kind {
		return nil, apperr.Invalid("kind", "cannot change ("+q.Kind+"); create a new question instead")
	}
	prev, err := q.Spec()
	if err != nil {
		return nil, err
	}
	if f := in.Normalize(prev); len(f) > 0 {
		return nil, f.Err()
	}
	cat, err := s.resolveCategory(ctx, s.st, q.CourseID, &in)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(in.Spec)
	if err != nil {
		return nil, err
	}
	q.CategoryID, q.Title, q.Prompt, q.Points, q.Body, q.GeneralFeedback = cat, in.Title, in.Prompt, *in.Points, string(body), in.GeneralFeedback
	q.Version++
	if err := s.st.q(ctx).Save(q).Error; err != nil {
		return nil, err
	}
	return detail(q)
}

// DeleteQuestion removes a question from the bank. Attempts that used it keep it; a question
// still placed in a quiz cannot be deleted (409).
func (s *Service) DeleteQuestion(ctx context.Context, id int64) error {
	q, err := s.st.question(ctx, id)
	if err != nil {
		return err
	}
	if _, err := s.manageCourse(ctx, q.CourseID); err != nil {
		return err
	}
	var used int64
	if err := s.st.q(ctx).Model(&Slot{}).Where("question_id = ?", id).Count(&used).Error; err != nil {
		return err
	}
	if used > 0 {
		return fmt.Errorf("question %d is used by %d quiz slot(s); remove it from the quizzes first: %w", id, used, apperr.ErrConflict)
	}
	now := s.now()
	return s.st.q(ctx).Model(q).Update("deleted_at", &now).Error
}

// QuestionQuery filters a bank listing.
type QuestionQuery struct {
	CategoryID int64
	Kind       string
	Limit      int
	Offset     int
}

// Questions lists a course's bank.
func (s *Service) Questions(ctx context.Context, courseID int64, f QuestionQuery) ([]QuestionDetail, int64, error) {
	if _, err := s.manageCourse(ctx, courseID); err != nil {
		return nil, 0, err
	}
	rows, total, err := s.st.listQuestions(ctx, questionFilter{CourseID: courseID, CategoryID: f.CategoryID, Kind: f.Kind}, f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	out := make([]QuestionDetail, 0, len(rows))
	for i := range rows {
		d, err := detail(&rows[i])
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *d)
	}
	return out, total, nil
}

// BankFile is the JSON form of a question bank.
type BankFile struct {
	Format    string          `json:"format"`
	Version   int             `json:"version"`
	Questions []QuestionInput `json:"questions"`
}

// Bank file formats.
const (
	FormatJSON = "json"
	FormatGIFT = "gift"
	bankFormat = "glc-question-bank"
	maxImport  = 2000
)

// ImportResult says what an import added.
type ImportResult struct {
	Questions  int     `json:"questions"`
	Categories int     `json:"categories"`
	IDs        []int64 `json:"ids"`
}

// Import adds the questions of a JSON or GIFT bank file to a course's bank, all or nothing.
func (s *Service) Import(ctx context.Context, courseID int64, format string, data []byte) (*ImportResult, error) {
	p, err := s.manageCourse(ctx, courseID)
	if err != nil {
		return nil, err
	}
	return s.importBank(ctx, p, courseID, format, data, 0)
}

// Export writes a course's bank as JSON or GIFT; it returns the content and its type.
func (s *Service) Export(ctx context.Context, courseID int64, format string) ([]byte, string, error) {
	if _, err := s.manageCourse(ctx, courseID); err != nil {
		return nil, "", err
	}
	if format != FormatJSON && format != FormatGIFT {
		return nil, "", apperr.Invalid("format", "must be json or gift")
	}
	rows, err := s.st.allQuestions(ctx, courseID)
	if err != nil {
		return nil, "", err
	}
	cats, err := s.st.categories(ctx, courseID)
	if err != nil {
		return nil, "", err
	}
	names := map[int64]string{}
	for _, c := range cats {
		names[c.ID] = c.Name
	}
	qs := make([]QuestionInput, 0, len(rows))
	for i := range rows {
		q := &rows[i]
		spec, err := q.Spec()
		if err != nil {
			return nil, "", err
		}
		in := QuestionInput{Kind: q.Kind, Title: q.Title, Prompt: q.Prompt, Points: fptr(q.Points), GeneralFeedback: q.GeneralFeedback, Spec: *spec}
		if q.CategoryID != nil {
			in.Category = names[*q.CategoryID]
		}
		qs = append(qs, in)
	}
	slices.SortStableFunc(qs, func(a, b QuestionInput) int { return strings.Compare(a.Category, b.Category) })
	if format == FormatGIFT {
		return []byte(WriteGIFT(qs)), "text/plain; charset=utf-8", nil
	}
	b, err := json.MarshalIndent(BankFile{Format: bankFormat, Version: 1, Questions: qs}, "", "  ")
	return b, "application/json", err
}

// mediaTypes are the sniffed content types a question's media may have.
var mediaTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "audio/mpeg", "audio/wave", "application/ogg", "video/mp4", "video/webm"}

// SetMedia stores an image, sound or video for a question (object storage).
func (s *Service) SetMedia(ctx context.Context, id int64, r io.Reader, size int64) (*QuestionDetail, error) {
	q, err := s.st.question(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.manageCourse(ctx, q.CourseID); err != nil {
		return nil, err
	}
	if size > s.maxUpload {
		return nil, fmt.Errorf("media larger than %d bytes: %w", s.maxUpload, apperr.ErrTooLarge)
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	head = head[:n]
	ctype := http.DetectContentType(head)
	if !slices.Contains(mediaTypes, ctype) {
		return nil, fmt.Errorf("media of type %s (images, sounds and videos only): %w", ctype, apperr.ErrUnsupported)
	}
	key := fmt.Sprintf("quiz/questions/%d/%s", q.ID, newID())
	if _, err := s.objects.Put(ctx, key, io.MultiReader(bytes.NewReader(head), r), size, ctype); err != nil {
		return nil, err
	}
	old := q.MediaKey
	if err := s.st.q(ctx).Model(q).Updates(map[string]any{"media_key": key, "media_type": ctype}).Error; err != nil {
		return nil, err
	}
	if old != "" {
		// Copies of the question (a duplicated course's bank) share its media: the object
		// goes when no question holds it any more.
		var n int64
		if err := s.st.q(ctx).Model(&Question{}).Where("media_key = ?", old).Count(&n).Error; err == nil && n == 0 {
			_ = s.objects.Delete(ctx, old)
		}
	}
	q.MediaKey, q.MediaType = key, ctype
	return detail(q)
}

// Media opens a question's media for a manager of its course or a learner whose attempt
// holds the question. On S3 it returns a short-lived signed URL instead of the object.
func (s *Service) Media(ctx context.Context, id int64) (storage.Object, string, error) {
	var q Question
	if err := s.st.q(ctx).Take(&q, id).Error; err != nil {
		return nil, "", notFound(err, "question", id)
	}
	p, err := s.manageCourse(ctx, q.CourseID)
	if err != nil {
		if p, err = auth.Require(ctx); err != nil {
			return nil, "", err
		}
		var n int64
		err := s.st.q(ctx).Table("quiz_attempt_items AS i").Joins("JOIN quiz_attempts a ON a.id = i.attempt_id").
			Where("i.question_id = ? AND a.user_id = ?", id, p.UserID).Count(&n).Error
		if err != nil {
			return nil, "", err
		}
		if n == 0 {
			return nil, "", fmt.Errorf("question %d: %w", id, apperr.ErrForbidden)
		}
	}
	if q.MediaKey == "" {
		return nil, "", fmt.Errorf("question %d has no media: %w", id, apperr.ErrNotFound)
	}
	if s.objects.Kind() == "s3" {
		u, err := s.objects.SignedURL(ctx, q.MediaKey, 5*time.Minute, "")
		return nil, u, err
	}
	obj, err := s.objects.Get(ctx, q.MediaKey)
	return obj, "", err
}
