package library

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/database"
	"glc/storage"
)

// Service holds the library's rules. Editors of the library (who may upload, edit and
// delete) are admins and instructors: instructors act as librarians.
type Service struct {
	db       *database.DB
	st       store
	objects  storage.Store
	log      *slog.Logger
	maxBytes int64
	// SignedTTL is how long a signed download URL stays valid (S3).
	SignedTTL time.Duration
	// LinkCheck enables the link checker (GLC_LINK_CHECK).
	LinkCheck bool
	topics    Topics
	client    *http.Client
	now       func() time.Time
}

// NewService builds the service; maxUploadMB bounds every file.
func NewService(db *database.DB, objects storage.Store, log *slog.Logger, maxUploadMB int64) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: db, st: store{db: db}, objects: objects, log: log, maxBytes: maxUploadMB << 20,
		SignedTTL: 5 * time.Minute, client: &http.Client{Timeout: 15 * time.Second},
		now: func() time.Time { return time.Now().UTC() }}
}

// isEditor reports whether p may upload, edit and delete resources.
func isEditor(p *auth.Principal) bool {
	return p.IsAdmin() || p.Has(auth.RoleInstructor)
}

// requireEditor returns the principal when it may edit the library.
func requireEditor(ctx context.Context) (*auth.Principal, error) {
	return auth.RequireRole(ctx, auth.RoleAdmin, auth.RoleInstructor)
}

// CanEdit reports whether the principal in ctx may edit the library.
func CanEdit(ctx context.Context) bool { return isEditor(auth.FromContext(ctx)) }

// canView checks that p may open r: anyone for public resources, members for members-only
// ones, and for restricted ones editors and people within the scope.
func canView(p *auth.Principal, r *Resource) error {
	switch r.Access {
	case AccessPublic:
		return nil
	case AccessMembers:
		if p == nil {
			return fmt.Errorf("this resource is for members; log in: %w", apperr.ErrUnauthenticated)
		}
		return nil
	}
	if p == nil {
		return fmt.Errorf("this resource is restricted; log in: %w", apperr.ErrUnauthenticated)
	}
	if isEditor(p) || inScope(p, r) {
		return nil
	}
	return fmt.Errorf("this resource is restricted to another audience: %w", apperr.ErrForbidden)
}

func inScope(p *auth.Principal, r *Resource) bool {
	for _, role := range p.Roles {
		if strings.Contains(r.AccessRoles, " "+role+" ") {
			return true
		}
	}
	if p.Country != "" && strings.Contains(r.AccessCountries, " "+p.Country+" ") {
		return true
	}
	return p.OrgID != 0 && strings.Contains(r.AccessOrgs, " "+strconv.FormatInt(p.OrgID, 10)+" ")
}

// ResourceInput is what creating or editing a resource takes; nil fields are left alone.
type ResourceInput struct {
	Kind            *string   `json:"kind"`
	Title           *string   `json:"title"`
	Summary         *string   `json:"summary"`
	Authors         *string   `json:"authors"`
	Language        *string   `json:"language"`
	Topic           *string   `json:"topic"`
	Region          *string   `json:"region"`
	PublishedOn     *string   `json:"published_on"`
	Tags            *string   `json:"tags"`
	Licence         *string   `json:"licence"`
	Access          *string   `json:"access"`
	AccessRoles     *[]string `json:"access_roles"`
	AccessCountries *[]string `json:"access_countries"`
	AccessOrgs      *[]int64  `json:"access_organisations"`
	SeriesID        *int64    `json:"series_id"`
	IssueNumber     *int      `json:"issue_number"`
	Contents        *string   `json:"contents"`
	URL             *string   `json:"url"`
	Country         *string   `json:"country"`
}

var (
	langRe    = regexp.MustCompile(`^[a-z]{2}$`)
	countryRe = regexp.MustCompile(`^[A-Z]{2}$`)
)

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func trimmed(v *string) *string {
	if v == nil {
		return nil
	}
	s := strings.TrimSpace(*v)
	return &s
}

// apply copies in onto r and validates the result.
func (s *Service) apply(ctx context.Context, r *Resource, in ResourceInput) error {
	f := apperr.Fields{}
	topicBefore := r.Topic
	set(&r.Kind, trimmed(in.Kind))
	set(&r.Title, trimmed(in.Title))
	set(&r.Summary, trimmed(in.Summary))
	set(&r.Authors, trimmed(in.Authors))
	set(&r.Language, trimmed(in.Language))
	set(&r.Topic, trimmed(in.Topic))
	set(&r.Region, trimmed(in.Region))
	set(&r.Tags, trimmed(in.Tags))
	set(&r.Licence, trimmed(in.Licence))
	set(&r.Access, trimmed(in.Access))
	set(&r.Contents, in.Contents)
	set(&r.URL, trimmed(in.URL))
	if in.Country != nil {
		r.Country = strings.ToUpper(strings.TrimSpace(*in.Country))
	}
	r.Topic = strings.ToLower(r.Topic)
	f.Check(!slices.Contains(Kinds, r.Kind), "kind", "must be one of "+strings.Join(Kinds, ", "))
	f.Check(r.Title == "" || len(r.Title) > 300, "title", "is required (at most 300 characters)")
	f.Check(len(r.Summary) > 5000, "summary", "must be at most 5000 characters")
	f.Check(len(r.Authors) > 500, "authors", "must be at most 500 characters")
	f.Check(r.Language != "" && !langRe.MatchString(r.Language), "language", "must be a two-letter language code such as en")
	f.Check(len(r.Topic) > 60, "topic", "must be at most 60 characters")
	if err := s.checkTopic(ctx, r.Topic, topicBefore, f); err != nil {
		return err
	}
	f.Check(len(r.Region) > 60, "region", "must be at most 60 characters")
	f.Check(len(r.Tags) > 500, "tags", "must be at most 500 characters")
	f.Check(len(r.Licence) > 100, "licence", "must be at most 100 characters")
	f.Check(len(r.Contents) > 20000, "contents", "must be at most 20000 characters")
	if r.Access == "" {
		r.Access = AccessPublic
	}
	f.Check(!slices.Contains([]string{AccessPublic, AccessMembers, AccessRestricted}, r.Access), "access", "must be public, members or restricted")
	if in.PublishedOn != nil {
		if v := strings.TrimSpace(*in.PublishedOn); v == "" {
			r.PublishedOn = nil
		} else if d, err := time.Parse("2006-01-02", v); err != nil {
			f.Add("published_on", "must be a date such as 2025-03-31")
		} else {
			r.PublishedOn = &d
		}
	}
	r.Year = 0
	if r.PublishedOn != nil {
		r.Year = r.PublishedOn.Year()
	}
	s.applyScope(r, in, f)
	if r.Kind == KindLink {
		u, err := url.Parse(r.URL)
		f.Check(err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(r.URL) > 1000, "url", "must be an absolute http(s) address")
	} else if r.URL != "" {
		f.Add("url", "is only for training websites (kind link)")
	}
	f.Check(r.Country != "" && !countryRe.MatchString(r.Country), "country", "must be a two-letter country code such as KE")
	if in.SeriesID != nil {
		if *in.SeriesID == 0 {
			r.SeriesID = nil
		} else {
			r.SeriesID = in.SeriesID
		}
	}
	set(&r.IssueNumber, in.IssueNumber)
	if r.SeriesID != nil {
		if _, err := s.st.series(ctx, *r.SeriesID); err != nil {
			f.Add("series_id", "does not name a series")
		}
		f.Check(r.IssueNumber < 1, "issue_number", "is required for an issue of a series (1 or more)")
	} else {
		f.Check(r.IssueNumber != 0, "issue_number", "only applies to an issue of a series")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if r.SeriesID != nil {
		var n int64
		if err := s.db.WithContext(ctx).Model(&Resource{}).Where("series_id = ? AND issue_number = ? AND id <> ?", *r.SeriesID, r.IssueNumber, r.ID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return apperr.Invalid("issue_number", "is already used by another issue of this series")
		}
	}
	return nil
}

func (s *Service) applyScope(r *Resource, in ResourceInput, f apperr.Fields) {
	if in.AccessRoles != nil {
		for _, role := range *in.AccessRoles {
			f.Check(!slices.Contains([]string{auth.RoleLearner, auth.RoleInstructor, auth.RoleCoordinator, auth.RoleAdmin}, role), "access_roles", "must be among learner, instructor, coordinator, admin")
		}
		r.AccessRoles = padded(*in.AccessRoles)
	}
	if in.AccessCountries != nil {
		cs := make([]string, len(*in.AccessCountries))
		for i, c := range *in.AccessCountries {
			cs[i] = strings.ToUpper(strings.TrimSpace(c))
			f.Check(!countryRe.MatchString(cs[i]), "access_countries", "must be two-letter country codes")
		}
		r.AccessCountries = padded(cs)
	}
	if in.AccessOrgs != nil {
		os := make([]string, len(*in.AccessOrgs))
		for i, o := range *in.AccessOrgs {
			f.Check(o < 1, "access_organisations", "must be organisation ids")
			os[i] = strconv.FormatInt(o, 10)
		}
		r.AccessOrgs = padded(os)
	}
	if r.Access == AccessRestricted && strings.TrimSpace(r.AccessRoles+r.AccessCountries+r.AccessOrgs) == "" {
		f.Add("access", "a restricted resource needs roles, countries or organisations")
	}
}

// padded joins items with spaces and a space at each end (" KE UG "), or "" when empty.
func padded(items []string) string {
	var keep []string
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" && !slices.Contains(keep, it) {
			keep = append(keep, it)
		}
	}
	if len(keep) == 0 {
		return ""
	}
	return " " + strings.Join(keep, " ") + " "
}

// ScopeOf returns the audience of a restricted resource.
func ScopeOf(r *Resource) Scope {
	sc := Scope{Roles: strings.Fields(r.AccessRoles), Countries: strings.Fields(r.AccessCountries), Orgs: []int64{}}
	for _, o := range strings.Fields(r.AccessOrgs) {
		if n, err := strconv.ParseInt(o, 10, 64); err == nil {
			sc.Orgs = append(sc.Orgs, n)
		}
	}
	if sc.Roles == nil {
		sc.Roles = []string{}
	}
	if sc.Countries == nil {
		sc.Countries = []string{}
	}
	return sc
}

// Create validates and stores a new resource with its first file (nil for a training
// website). On any refusal the caller discards the stored file.
func (s *Service) Create(ctx context.Context, in ResourceInput, file *StoredFile, cover *StoredFile) (*Resource, error) {
	p, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	r := &Resource{UUID: uuid.NewString(), CreatedBy: p.UserID}
	if err := s.apply(ctx, r, in); err != nil {
		return nil, err
	}
	if r.Kind != KindLink && file == nil {
		return nil, apperr.Invalid("file", "is required (a multipart part named file, or an upload_id)")
	}
	if r.Kind == KindLink && file != nil {
		return nil, apperr.Invalid("file", "a training website has no file")
	}
	if file != nil {
		r.FileText = file.Text
	}
	if cover != nil {
		r.CoverKey = cover.Key
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := s.st.createResource(ctx, tx, r); err != nil {
			return err
		}
		if file == nil {
			return nil
		}
		return s.st.addFile(ctx, tx, file.row(r.ID, p.UserID))
	})
	if err != nil {
		return nil, err
	}
	r.FileText = ""
	return r, nil
}

// Get returns a resource the caller may see.
func (s *Service) Get(ctx context.Context, id int64) (*Resource, error) {
	r, err := s.st.resource(ctx, nil, id)
	if err != nil {
		return nil, err
	}
	if err := canView(auth.FromContext(ctx), r); err != nil && r.Access == AccessRestricted {
		return nil, err
	}
	r.FileText = ""
	return r, nil
}

// Update edits a resource's metadata.
func (s *Service) Update(ctx context.Context, id int64, in ResourceInput) (*Resource, error) {
	if _, err := requireEditor(ctx); err != nil {
		return nil, err
	}
	r, err := s.st.resource(ctx, nil, id)
	if err != nil {
		return nil, err
	}
	kind := r.Kind
	if err := s.apply(ctx, r, in); err != nil {
		return nil, err
	}
	if (kind == KindLink) != (r.Kind == KindLink) {
		return nil, apperr.Invalid("kind", "cannot change between a training website and a file resource")
	}
	if err := s.db.Tx(ctx, func(tx *gorm.DB) error { return s.st.saveResource(ctx, tx, r) }); err != nil {
		return nil, err
	}
	r.FileText = ""
	return r, nil
}

// Delete removes a resource, every version of its file and its cover.
func (s *Service) Delete(ctx context.Context, id int64) error {
	if _, err := requireEditor(ctx); err != nil {
		return err
	}
	r, err := s.st.resource(ctx, nil, id)
	if err != nil {
		return err
	}
	var files []ResourceFile
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		files, err = s.st.deleteResource(ctx, tx, id)
		return err
	})
	if err != nil {
		return err
	}
	keys := []string{r.CoverKey}
	for _, f := range files {
		keys = append(keys, f.Key)
	}
	for _, k := range keys {
		if k == "" {
			continue
		}
		if err := s.objects.Delete(ctx, k); err != nil {
			s.log.Warn("library: delete object", "key", k, "err", err)
		}
	}
	return nil
}

// Files lists the file versions of a resource, newest first.
func (s *Service) Files(ctx context.Context, id int64) ([]ResourceFile, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	return s.st.files(ctx, nil, id)
}

// Detail is a resource with its files and series, for its page.
type Detail struct {
	Resource *Resource
	Files    []ResourceFile
	Series   *Series
	Scope    Scope
	CanEdit  bool
	// Denied says why the viewer cannot download: "login", "forbidden", or "".
	Denied string
}

// Detail loads what the resource page shows.
func (s *Service) Detail(ctx context.Context, id int64) (*Detail, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &Detail{Resource: r, Scope: ScopeOf(r), CanEdit: CanEdit(ctx)}
	if err := canView(auth.FromContext(ctx), r); errors.Is(err, apperr.ErrUnauthenticated) {
		d.Denied = "login"
	} else if err != nil {
		d.Denied = "forbidden"
	}
	if d.Files, err = s.st.files(ctx, nil, id); err != nil {
		return nil, err
	}
	if r.SeriesID != nil {
		if d.Series, err = s.st.series(ctx, *r.SeriesID); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// SearchResult is one page of a search.
type SearchResult struct {
	Items  []Resource `json:"items"`
	Total  int64      `json:"total"`
	Facets Facets     `json:"facets"`
}

// Search finds resources the caller may see.
func (s *Service) Search(ctx context.Context, q Query) (*SearchResult, error) {
	f := apperr.Fields{}
	f.Check(q.Kind != "" && !slices.Contains(Kinds, q.Kind), "kind", "must be one of "+strings.Join(Kinds, ", "))
	f.Check(q.Year < 0 || q.Year > 9999, "year", "must be a year")
	f.Check(len(q.Q) > 200, "q", "must be at most 200 characters")
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 || q.PerPage > 100 {
		q.PerPage = 20
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	items, total, facets, err := s.st.search(ctx, q, auth.FromContext(ctx))
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []Resource{}
	}
	return &SearchResult{Items: items, Total: total, Facets: facets}, nil
}

// Latest returns the newest resources of a kind that everyone may see.
func (s *Service) Latest(ctx context.Context, kind string, n int) ([]Resource, error) {
	return s.st.latest(ctx, kind, n)
}

// SeriesInput creates or edits a series.
type SeriesInput struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Language    string `json:"language"`
	Topic       string `json:"topic"`
}

// validateSeries checks a series; topicBefore is the topic it had (kept even if retired).
func (s *Service) validateSeries(ctx context.Context, in *SeriesInput, topicBefore string) error {
	in.Title = strings.TrimSpace(in.Title)
	in.Topic = strings.ToLower(strings.TrimSpace(in.Topic))
	f := apperr.Fields{}
	f.Check(in.Title == "" || len(in.Title) > 300, "title", "is required (at most 300 characters)")
	f.Check(len(in.Description) > 5000, "description", "must be at most 5000 characters")
	f.Check(in.Language != "" && !langRe.MatchString(in.Language), "language", "must be a two-letter language code such as en")
	f.Check(len(in.Topic) > 60, "topic", "must be at most 60 characters")
	if err := s.checkTopic(ctx, in.Topic, topicBefore, f); err != nil {
		return err
	}
	return f.Err()
}

// CreateSeries adds a series.
func (s *Service) CreateSeries(ctx context.Context, in SeriesInput) (*Series, error) {
	if _, err := requireEditor(ctx); err != nil {
		return nil, err
	}
	if err := s.validateSeries(ctx, &in, ""); err != nil {
		return nil, err
	}
	sr := &Series{Title: in.Title, Description: in.Description, Language: in.Language, Topic: in.Topic}
	return sr, s.db.WithContext(ctx).Create(sr).Error
}

// UpdateSeries edits a series.
func (s *Service) UpdateSeries(ctx context.Context, id int64, in SeriesInput) (*Series, error) {
	if _, err := requireEditor(ctx); err != nil {
		return nil, err
	}
	sr, err := s.st.series(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.validateSeries(ctx, &in, sr.Topic); err != nil {
		return nil, err
	}
	sr.Title, sr.Description, sr.Language, sr.Topic = in.Title, in.Description, in.Language, in.Topic
	return sr, s.db.WithContext(ctx).Save(sr).Error
}

// SeriesPage is a series with its issues, newest first.
type SeriesPage struct {
	Series *Series    `json:"series"`
	Issues []Resource `json:"issues"`
}

// Series returns a series and the issues the caller may see, newest first.
func (s *Service) Series(ctx context.Context, id int64) (*SeriesPage, error) {
	sr, err := s.st.series(ctx, id)
	if err != nil {
		return nil, err
	}
	issues, err := s.st.seriesIssues(ctx, id, auth.FromContext(ctx))
	if err != nil {
		return nil, err
	}
	if issues == nil {
		issues = []Resource{}
	}
	return &SeriesPage{Series: sr, Issues: issues}, nil
}

// AllSeries lists the series by title.
func (s *Service) AllSeries(ctx context.Context, page, perPage int) ([]Series, int64, error) {
	out, total, err := s.st.allSeries(ctx, perPage, (page-1)*perPage)
	if out == nil {
		out = []Series{}
	}
	return out, total, err
}

// DownloadStats counts a resource's downloads per day over the last 30 days (editors).
func (s *Service) DownloadStats(ctx context.Context, id int64) ([]DailyDownloads, error) {
	if _, err := requireEditor(ctx); err != nil {
		return nil, err
	}
	if _, err := s.st.resource(ctx, nil, id); err != nil {
		return nil, err
	}
	out, err := s.st.downloadsByDay(ctx, id, s.now().AddDate(0, 0, -30))
	if out == nil {
		out = []DailyDownloads{}
	}
	return out, err
}
