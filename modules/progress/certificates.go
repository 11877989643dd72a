package progress

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/httpx"
)

// Verification statuses.
const (
	VerifyGenuine = "genuine"
	VerifyRevoked = "revoked"
	VerifyUnknown = "unknown"
)

// IssueInput is what issuing a certificate takes; the progress service fills it from the
// course when the learner completes it.
type IssueInput struct {
	UserID      int64
	CourseID    int64
	CourseTitle string
	Hours       float64
	IssuedAt    time.Time
}

// IssueCertificate issues the learner's certificate for a course inside tx, once: when one
// exists already it is returned unchanged. The learner's name and language are taken now and
// kept.
func (s *Service) IssueCertificate(ctx context.Context, tx *gorm.DB, in IssueInput) (*Certificate, error) {
	db := s.dbx(ctx, tx)
	var existing Certificate
	err := db.Where("user_id = ? AND course_id = ?", in.UserID, in.CourseID).Take(&existing).Error
	if err == nil {
		return &existing, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	u, err := s.user(ctx, tx, in.UserID)
	if err != nil {
		return nil, err
	}
	lang := u.Language
	if lang == "" {
		lang = "en"
	}
	c := &Certificate{Code: uuid.NewString(), UserID: in.UserID, CourseID: in.CourseID, LearnerName: u.Name,
		CourseTitle: in.CourseTitle, Language: lang, Hours: in.Hours, IssuedAt: in.IssuedAt.UTC(), CreatedAt: s.now()}
	// Two completions racing (two replicas, two events) issue one certificate: the unique
	// (user, course) index keeps the first.
	res := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "user_id"}, {Name: "course_id"}}, DoNothing: true}).Create(c)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		if err := db.Where("user_id = ? AND course_id = ?", in.UserID, in.CourseID).Take(&existing).Error; err != nil {
			return nil, err
		}
		return &existing, nil
	}
	return c, nil
}

// CertificateView is a certificate as its owner and admins see it.
type CertificateView struct {
	Code         string     `json:"code"`
	CourseID     int64      `json:"course_id"`
	CourseTitle  string     `json:"course_title"`
	UserID       int64      `json:"user_id"`
	LearnerName  string     `json:"learner_name"`
	Hours        float64    `json:"hours"`
	Language     string     `json:"language"`
	IssuedAt     time.Time  `json:"issued_at"`
	Status       string     `json:"status"`
	RevokedAt    *time.Time `json:"revoked_at"`
	RevokeReason string     `json:"revoke_reason,omitempty"`
	PDFURL       string     `json:"pdf_url"`
	VerifyURL    string     `json:"verify_url"`
}

func (s *Service) certificateView(c *Certificate) CertificateView {
	st := VerifyGenuine
	if c.Revoked() {
		st = VerifyRevoked
	}
	return CertificateView{Code: c.Code, CourseID: c.CourseID, CourseTitle: c.CourseTitle, UserID: c.UserID,
		LearnerName: c.LearnerName, Hours: c.Hours, Language: c.Language, IssuedAt: c.IssuedAt, Status: st,
		RevokedAt: c.RevokedAt, RevokeReason: c.RevokeReason, PDFURL: "/api/v1/certificates/" + c.Code + ".pdf",
		VerifyURL: s.verifyURL(c.Code)}
}

func (s *Service) verifyURL(code string) string { return s.cfg.BaseURL + "/verify/" + code }

// MyCertificates lists the caller's certificates, newest first.
func (s *Service) MyCertificates(ctx context.Context) ([]CertificateView, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	var rows []Certificate
	if err := s.db.WithContext(ctx).Where("user_id = ?", p.UserID).Order("issued_at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]CertificateView, len(rows))
	for i := range rows {
		out[i] = s.certificateView(&rows[i])
	}
	return out, nil
}

// CertificateFilter narrows the admin list of certificates.
type CertificateFilter struct {
	CourseID int64
	UserID   int64
	Revoked  *bool
}

// ListCertificates lists certificates for admins, newest first.
func (s *Service) ListCertificates(ctx context.Context, f CertificateFilter, pg httpx.Page) ([]CertificateView, int64, error) {
	if _, err := auth.RequireRole(ctx, auth.RoleAdmin); err != nil {
		return nil, 0, err
	}
	q := s.db.WithContext(ctx).Model(&Certificate{})
	if f.CourseID > 0 {
		q = q.Where("course_id = ?", f.CourseID)
	}
	if f.UserID > 0 {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.Revoked != nil {
		if *f.Revoked {
			q = q.Where("revoked_at IS NOT NULL")
		} else {
			q = q.Where("revoked_at IS NULL")
		}
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Certificate
	if err := q.Order("issued_at DESC, id DESC").Offset(pg.Offset()).Limit(pg.PerPage).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]CertificateView, len(rows))
	for i := range rows {
		out[i] = s.certificateView(&rows[i])
	}
	return out, total, nil
}

// validCode reports whether code has the shape of a certificate code, so that junk never
// reaches the database.
func validCode(code string) bool {
	_, err := uuid.Parse(code)
	return err == nil && len(code) == 36
}

func (s *Service) certificateByCode(ctx context.Context, code string) (*Certificate, error) {
	code = strings.ToLower(strings.TrimSpace(code))
	if !validCode(code) {
		return nil, fmt.Errorf("certificate: %w", apperr.ErrNotFound)
	}
	var c Certificate
	err := s.db.WithContext(ctx).Where("code = ?", code).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("certificate: %w", apperr.ErrNotFound)
	}
	return &c, err
}

// Verification is what anyone may learn about a certificate code: only the name, the course
// and the date.
type Verification struct {
	Status string     `json:"status"`
	Code   string     `json:"code"`
	Name   string     `json:"name,omitempty"`
	Course string     `json:"course,omitempty"`
	Date   *time.Time `json:"date,omitempty"`
}

// Verify says whether a code belongs to a genuine, revoked or unknown certificate.
func (s *Service) Verify(ctx context.Context, code string) (Verification, error) {
	c, err := s.certificateByCode(ctx, code)
	if errors.Is(err, apperr.ErrNotFound) {
		return Verification{Status: VerifyUnknown, Code: code}, nil
	}
	if err != nil {
		return Verification{}, err
	}
	v := Verification{Status: VerifyGenuine, Code: c.Code, Name: c.LearnerName, Course: c.CourseTitle, Date: &c.IssuedAt}
	if c.Revoked() {
		v.Status = VerifyRevoked
	}
	return v, nil
}

// Certificate returns a certificate to its owner or an admin (403 for anyone else).
func (s *Service) Certificate(ctx context.Context, code string) (*CertificateView, error) {
	c, err := s.ownCertificate(ctx, code)
	if err != nil {
		return nil, err
	}
	v := s.certificateView(c)
	return &v, nil
}

func (s *Service) ownCertificate(ctx context.Context, code string) (*Certificate, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.certificateByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if c.UserID != p.UserID && !p.IsAdmin() {
		return nil, fmt.Errorf("this certificate belongs to someone else: %w", apperr.ErrForbidden)
	}
	return c, nil
}

// CertificatePDF renders the certificate for its owner or an admin.
func (s *Service) CertificatePDF(ctx context.Context, code string) ([]byte, *Certificate, error) {
	c, err := s.ownCertificate(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	if c.Revoked() && !auth.FromContext(ctx).IsAdmin() {
		return nil, nil, fmt.Errorf("certificate %s was revoked: %w", c.Code, apperr.ErrConflict)
	}
	b, err := s.renderCertificate(c)
	return b, c, err
}

func (s *Service) renderCertificate(c *Certificate) ([]byte, error) {
	lang := c.Language
	t := func(id string) string { return s.t(lang, "progress.certificate."+id) }
	doc := CertificateDoc{Name: c.LearnerName, CourseTitle: c.CourseTitle, Date: c.IssuedAt, Hours: c.Hours, Code: c.Code,
		VerifyURL: s.verifyURL(c.Code), VerifyPage: s.cfg.BaseURL + "/verify", Lang: lang,
		Labels: CertificateLabels{Org: s.t(lang, "site.name"), Title: t("title"), Certifies: t("certifies"), Completed: t("completed"),
			Date: t("date"), Hours: t("hours"), Code: t("code"), Verify: t("verify"), Months: s.months(lang)}}
	var buf bytes.Buffer
	if err := RenderCertificate(&buf, doc); err != nil {
		return nil, fmt.Errorf("render certificate %s: %w", c.Code, err)
	}
	return buf.Bytes(), nil
}

// Revoke revokes a certificate with a reason (admins). Revoking twice is a conflict.
func (s *Service) Revoke(ctx context.Context, code, reason string) (*CertificateView, error) {
	p, err := auth.RequireRole(ctx, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	f := apperr.Fields{}
	f.Check(reason == "" || utf8.RuneCountInString(reason) > 500, "reason", "is required (at most 500 characters)")
	if err := f.Err(); err != nil {
		return nil, err
	}
	c, err := s.certificateByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	now := s.now()
	res := s.db.WithContext(ctx).Model(&Certificate{}).Where("id = ? AND revoked_at IS NULL", c.ID).
		Updates(map[string]any{"revoked_at": now, "revoked_by": p.UserID, "revoke_reason": reason})
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("certificate %s is already revoked: %w", c.Code, apperr.ErrConflict)
	}
	c.RevokedAt, c.RevokedBy, c.RevokeReason = &now, &p.UserID, reason
	v := s.certificateView(c)
	return &v, nil
}
