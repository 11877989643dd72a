package scorm

import (
	"glc/modules/scorm/cam"

	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"glc/internal/httpx"
	"glc/internal/web"
)

type handlers struct {
	s     *Service
	r     *web.Router
	frame *template.Template
}

func (h *handlers) register() {
	api := h.r.API
	api.POST("/sections/:id/packages", h.importAPI)
	api.GET("/lessons/:id/package", h.packageAPI)
	api.PATCH("/lessons/:id/package", h.packageSettingsAPI)
	api.GET("/lessons/:id/scorm/attempts", h.attemptsAPI)
	api.POST("/lessons/:id/scorm/attempts", h.newAttemptAPI)
	api.GET("/scorm/attempts/:id", h.attemptAPI)
	api.POST("/scorm/attempts/:id/launch", h.launchAPI)
	api.POST("/scorm/attempts/:id/commit", h.commitAPI)
	api.GET("/scorm/imports/:id", h.importStatusAPI)
	h.registerPages()
}

func (h *handlers) importAPI(c *gin.Context) {
	res, im, err := h.importUpload(c)
	switch {
	case err != nil:
		httpx.Fail(c, err)
	case im != nil:
		c.JSON(http.StatusAccepted, importOut(im))
	default:
		c.JSON(http.StatusCreated, res)
	}
}

// importUpload checks the caller's right first, then receives the upload and imports it, or
// (large packages, or ?background=1) hands it to a background job.
func (h *handlers) importUpload(c *gin.Context) (*ImportResult, *Import, error) {
	sectionID, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || sectionID < 1 {
		return nil, nil, errNotFoundSection
	}
	ctx := c.Request.Context()
	if err := h.s.Authorize(ctx, sectionID); err != nil {
		return nil, nil, err
	}
	f, size, err := h.s.receiveUpload(c)
	if err != nil {
		return nil, nil, err
	}
	defer removeTemp(f)
	if h.s.Background(size, c.Query("background") == "1") {
		im, err := h.s.EnqueueImport(ctx, sectionID, f, size)
		return nil, im, err
	}
	res, err := h.s.Import(ctx, ImportRequest{SectionID: sectionID, Zip: f, Size: size})
	return res, nil, err
}

// ImportOut is a background import's state.
type ImportOut struct {
	ID        string        `json:"id"`
	Status    string        `json:"status"`
	StatusURL string        `json:"status_url"`
	Lesson    *ImportResult `json:"lesson,omitempty"`
	Error     string        `json:"error,omitempty"`
}

func importOut(im *Import) ImportOut {
	out := ImportOut{ID: im.UUID, Status: im.Status, StatusURL: "/api/v1/scorm/imports/" + im.UUID, Error: im.Error}
	if im.Status == "done" && im.Result != "" {
		var res ImportResult
		if json.Unmarshal([]byte(im.Result), &res) == nil {
			out.Lesson = &res
		}
	}
	return out
}

func (h *handlers) importStatusAPI(c *gin.Context) {
	im, err := h.s.ImportStatus(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, importOut(im))
}

// PackageOut describes a lesson's package.
type PackageOut struct {
	LessonID int64 `json:"lesson_id"`
	PackageInfo
	Files        int       `json:"files"`
	Bytes        int64     `json:"bytes"`
	MaxAttempts  int       `json:"max_attempts"`
	MasteryScore *float64  `json:"mastery_score"`
	CreatedAt    time.Time `json:"created_at"`
}

func packageOut(pkg *Package, m *Manifest) PackageOut {
	return PackageOut{LessonID: pkg.LessonID, PackageInfo: infoOf(m), Files: pkg.Files, Bytes: pkg.Bytes,
		MaxAttempts: pkg.MaxAttempts, MasteryScore: pkg.MasteryScore, CreatedAt: pkg.CreatedAt}
}

func (h *handlers) packageSettingsAPI(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	var in SettingsIn
	if !httpx.BindJSON(c, &in) {
		return
	}
	ctx := c.Request.Context()
	if _, err := h.s.UpdateSettings(ctx, id, in); err != nil {
		httpx.Fail(c, err)
		return
	}
	pkg, m, err := h.s.Package(ctx, id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, packageOut(pkg, m))
}

func (h *handlers) packageAPI(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	pkg, m, err := h.s.Package(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, packageOut(pkg, m))
}

// AttemptOut is an attempt as the API shows it.
type AttemptOut struct {
	ID               int64      `json:"id"`
	LessonID         int64      `json:"lesson_id"`
	UserID           int64      `json:"user_id"`
	Number           int        `json:"number"`
	CompletionStatus string     `json:"completion_status"`
	SuccessStatus    string     `json:"success_status"`
	Score            *ScoreOut  `json:"score,omitempty"`
	MasteryScore     *float64   `json:"mastery_score,omitempty"`
	TotalTime        string     `json:"total_time"`
	TotalSeconds     float64    `json:"total_seconds"`
	CompletedAt      *time.Time `json:"completed_at,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	Items            []ItemOut  `json:"items,omitempty"`
	Interactions     []InterOut `json:"interactions,omitempty"`
}

// ScoreOut is a score with who reported it.
type ScoreOut struct {
	Raw        *float64 `json:"raw,omitempty"`
	Min        *float64 `json:"min,omitempty"`
	Max        *float64 `json:"max,omitempty"`
	Scaled     *float64 `json:"scaled,omitempty"`
	ReportedBy string   `json:"reported_by"`
}

// ItemOut is one SCO's state in an attempt, with its CMI data.
type ItemOut struct {
	Identifier       string          `json:"identifier"`
	CompletionStatus string          `json:"completion_status"`
	SuccessStatus    string          `json:"success_status"`
	Score            *ScoreOut       `json:"score,omitempty"`
	Location         string          `json:"location"`
	Exit             string          `json:"exit"`
	Sessions         int             `json:"sessions"`
	TotalTime        string          `json:"total_time"`
	ReportedBy       int64           `json:"reported_by_user_id"`
	CMI              json.RawMessage `json:"cmi"`
	UpdatedAt        time.Time       `json:"updated_at"`
}

// InterOut is one reported interaction.
type InterOut struct {
	Item            string `json:"item"`
	Session         int    `json:"session"`
	Index           int    `json:"index"`
	ID              string `json:"id"`
	Type            string `json:"type"`
	LearnerResponse string `json:"learner_response"`
	CorrectResponse string `json:"correct_response"`
	Result          string `json:"result"`
	Weighting       string `json:"weighting,omitempty"`
	Latency         string `json:"latency,omitempty"`
	Timestamp       string `json:"timestamp,omitempty"`
	Description     string `json:"description,omitempty"`
}

func scoreOut(raw, min, max, scaled *float64, source string) *ScoreOut {
	if raw == nil && scaled == nil {
		return nil
	}
	if source == "" {
		source = "content"
	}
	return &ScoreOut{Raw: raw, Min: min, Max: max, Scaled: scaled, ReportedBy: source}
}

func attemptOut(a *Attempt, standard string) AttemptOut {
	return AttemptOut{ID: a.ID, LessonID: a.LessonID, UserID: a.UserID, Number: a.Number, CompletionStatus: a.CompletionStatus,
		SuccessStatus: a.SuccessStatus, Score: scoreOut(a.ScoreRaw, a.ScoreMin, a.ScoreMax, a.ScoreScaled, a.ScoreSource),
		MasteryScore: a.MasteryScore, TotalTime: cam.FormatDuration2004(a.TotalCS), TotalSeconds: float64(a.TotalCS) / 100,
		CompletedAt: a.CompletedAt, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

func detailOut(d *AttemptDetail) AttemptOut {
	out := attemptOut(d.Attempt, d.Manifest.Standard)
	out.Items = []ItemOut{}
	for _, st := range d.Items {
		out.Items = append(out.Items, ItemOut{Identifier: st.Item, CompletionStatus: st.CompletionStatus, SuccessStatus: st.SuccessStatus,
			Score: scoreOut(st.ScoreRaw, st.ScoreMin, st.ScoreMax, st.ScoreScaled, "content"), Location: st.Location, Exit: st.Exit,
			Sessions: st.Sessions, TotalTime: cam.FormatTotalTime(d.Manifest.Standard, st.TotalCS()), ReportedBy: st.ReportedBy,
			CMI: json.RawMessage(orDefault(st.CMI, "{}")), UpdatedAt: st.UpdatedAt})
	}
	out.Interactions = []InterOut{}
	for _, x := range d.Interactions {
		out.Interactions = append(out.Interactions, InterOut{Item: x.Item, Session: x.SessionNo, Index: x.Idx, ID: x.InteractionID,
			Type: x.Type, LearnerResponse: x.LearnerResponse, CorrectResponse: x.Correct, Result: x.Result, Weighting: x.Weighting,
			Latency: x.Latency, Timestamp: x.Timestamp, Description: x.Description})
	}
	return out
}

func (h *handlers) attemptsAPI(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	pg, err := httpx.Paging(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	var userID int64
	if v := c.Query("user_id"); v != "" {
		userID, _ = strconv.ParseInt(v, 10, 64)
	}
	list, total, err := h.s.Attempts(c.Request.Context(), id, userID, pg.Offset(), pg.PerPage)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	out := httpx.List[AttemptOut]{Items: []AttemptOut{}, Total: total}
	for i := range list {
		out.Items = append(out.Items, attemptOut(&list[i], ""))
	}
	c.JSON(http.StatusOK, out)
}

func (h *handlers) newAttemptAPI(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	a, err := h.s.NewAttempt(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, attemptOut(a, ""))
}

func (h *handlers) attemptAPI(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	d, err := h.s.Attempt(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, detailOut(d))
}

type launchIn struct {
	Item string `json:"item"`
}

func (h *handlers) launchAPI(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	var in launchIn
	if c.Request.ContentLength != 0 && !httpx.BindJSON(c, &in) {
		return
	}
	ld, err := h.s.Launch(c.Request.Context(), id, in.Item)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ld)
}

// CommitTokenHeader carries a session's commit capability.
const CommitTokenHeader = "X-SCORM-Commit-Token"

func (h *handlers) commitAPI(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	var in CommitIn
	if !httpx.BindJSON(c, &in) {
		return
	}
	out, err := h.s.Commit(c.Request.Context(), id, in, c.GetHeader(CommitTokenHeader))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"applied": out.Applied, "seq": out.Seq, "attempt": attemptOut(out.Attempt, ""),
		"item": gin.H{"identifier": out.Item.Item, "completion_status": out.Item.CompletionStatus, "success_status": out.Item.SuccessStatus}})
}
