package library

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"glc/internal/apperr"
	"glc/internal/httpx"
)

// ResourceOut is the JSON of a resource.
type ResourceOut struct {
	*Resource
	HasCover bool          `json:"has_cover"`
	Scope    *Scope        `json:"scope,omitempty"`
	File     *ResourceFile `json:"file,omitempty"`
}

func out(r *Resource, file *ResourceFile) ResourceOut {
	o := ResourceOut{Resource: r, HasCover: r.CoverKey != "", File: file}
	if r.Access == AccessRestricted {
		sc := ScopeOf(r)
		o.Scope = &sc
	}
	return o
}

type api struct{ s *Service }

func (m *Module) registerAPI(g *gin.RouterGroup) {
	a := api{m.Svc}
	g.GET("/resources", a.list)
	g.POST("/resources", a.create)
	g.GET("/resources/:id", a.get)
	g.PATCH("/resources/:id", a.update)
	g.DELETE("/resources/:id", a.delete)
	g.GET("/resources/:id/download", a.download)
	g.GET("/resources/:id/files", a.files)
	g.POST("/resources/:id/files", a.replace)
	g.GET("/resources/:id/cover", a.cover)
	g.PUT("/resources/:id/cover", a.setCover)
	g.GET("/resources/:id/stats", a.stats)
	g.GET("/series", a.seriesList)
	g.POST("/series", a.seriesCreate)
	g.GET("/series/:id", a.seriesGet)
	g.PATCH("/series/:id", a.seriesUpdate)
	g.POST("/uploads", a.uploadStart)
	g.GET("/uploads/:id", a.uploadGet)
	g.PUT("/uploads/:id/parts/:n", a.uploadPart)
	g.POST("/uploads/:id/complete", a.uploadComplete)
	g.DELETE("/uploads/:id", a.uploadAbort)
	g.POST("/library/link-check", a.linkCheck)
}

// queryFrom reads the search parameters.
func queryFrom(c *gin.Context) (Query, error) {
	p, err := httpx.Paging(c)
	if err != nil {
		return Query{}, err
	}
	q := Query{Q: strings.TrimSpace(c.Query("q")), Kind: c.Query("kind"), Language: c.Query("language"),
		Topic: c.Query("topic"), Page: p.Page, PerPage: p.PerPage}
	if y := c.Query("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			return q, apperr.Invalid("year", "must be a year")
		}
		q.Year = n
	}
	return q, nil
}

func (a api) list(c *gin.Context) {
	q, err := queryFrom(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	res, err := a.s.Search(c.Request.Context(), q)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	items := make([]ResourceOut, len(res.Items))
	for i := range res.Items {
		items[i] = out(&res.Items[i], nil)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": res.Total, "facets": res.Facets})
}

func (a api) create(c *gin.Context) {
	ctx := c.Request.Context()
	form, err := a.s.readForm(c, true)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	r, err := a.s.Create(ctx, form.In, form.File, form.Cover)
	if err != nil {
		form.discard(ctx, a.s)
		httpx.Fail(c, err)
		return
	}
	f, _ := a.s.st.latestFile(ctx, nil, r.ID)
	c.JSON(http.StatusCreated, out(r, f))
}

func (a api) get(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	r, err := a.s.Get(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	f, _ := a.s.st.latestFile(c.Request.Context(), nil, id)
	c.JSON(http.StatusOK, out(r, f))
}

func (a api) update(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	if _, err := requireEditor(c.Request.Context()); err != nil {
		httpx.Fail(c, err)
		return
	}
	var in ResourceInput
	if !httpx.BindJSON(c, &in) {
		return
	}
	r, err := a.s.Update(c.Request.Context(), id, in)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out(r, nil))
}

func (a api) delete(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	if err := a.s.Delete(c.Request.Context(), id); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// ServeDownload answers a download: 302 to a signed URL (S3) or the bytes with Range support
// (local disk). Downloads are counted once per whole or first-range request.
func (s *Service) ServeDownload(c *gin.Context, id int64) error {
	version := 0
	if v := c.Query("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return apperr.Invalid("version", "must be a version number")
		}
		version = n
	}
	rg := c.GetHeader("Range")
	count := rg == "" || strings.HasPrefix(rg, "bytes=0-")
	d, err := s.Open(c.Request.Context(), id, version, count)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "private, no-store")
	if d.URL != "" {
		c.Redirect(http.StatusFound, d.URL)
		return nil
	}
	defer d.Object.Close()
	h := c.Writer.Header()
	h.Set("Content-Type", d.File.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.File.Filename}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("ETag", `"`+d.File.SHA256+`"`)
	http.ServeContent(c.Writer, c.Request, d.File.Filename, d.Object.Info().ModTime, d.Object)
	return nil
}

func (a api) download(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	if err := a.s.ServeDownload(c, id); err != nil {
		httpx.Fail(c, err)
	}
}

func (a api) files(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	fs, err := a.s.Files(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, httpx.List[ResourceFile]{Items: fs, Total: int64(len(fs))})
}

func (a api) replace(c *gin.Context) {
	ctx := c.Request.Context()
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	if _, err := a.s.Get(ctx, id); err != nil {
		httpx.Fail(c, err)
		return
	}
	form, err := a.s.readForm(c, true)
	if err == nil && form.File == nil {
		form.discard(ctx, a.s)
		err = apperr.Invalid("file", "is required (a multipart part named file, or an upload_id)")
	}
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	f, err := a.s.ReplaceFile(ctx, id, form.File)
	if err != nil {
		form.discard(ctx, a.s)
		httpx.Fail(c, err)
		return
	}
	a.s.Discard(ctx, form.Cover)
	c.JSON(http.StatusCreated, f)
}

// ServeCover streams a resource's cover image.
func (s *Service) ServeCover(c *gin.Context, id int64) error {
	obj, err := s.Cover(c.Request.Context(), id)
	if err != nil {
		return err
	}
	defer obj.Close()
	c.Header("Content-Type", obj.Info().ContentType)
	c.Header("Cache-Control", "private, max-age=300")
	http.ServeContent(c.Writer, c.Request, "", obj.Info().ModTime, obj)
	return nil
}

func (a api) cover(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	if err := a.s.ServeCover(c, id); err != nil {
		httpx.Fail(c, err)
	}
}

func (a api) setCover(c *gin.Context) {
	ctx := c.Request.Context()
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	if _, err := a.s.Get(ctx, id); err != nil {
		httpx.Fail(c, err)
		return
	}
	f, err := a.s.StoreCover(ctx, c.Request.Body)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if err := a.s.SetCover(ctx, id, f); err != nil {
		a.s.Discard(ctx, f)
		httpx.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a api) stats(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	days, err := a.s.DownloadStats(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"days": days})
}

func (a api) seriesList(c *gin.Context) {
	p, err := httpx.Paging(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	items, total, err := a.s.AllSeries(c.Request.Context(), p.Page, p.PerPage)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, httpx.List[Series]{Items: items, Total: total})
}

func (a api) seriesCreate(c *gin.Context) {
	if _, err := requireEditor(c.Request.Context()); err != nil {
		httpx.Fail(c, err)
		return
	}
	var in SeriesInput
	if !httpx.BindJSON(c, &in) {
		return
	}
	sr, err := a.s.CreateSeries(c.Request.Context(), in)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, sr)
}

func (a api) seriesGet(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	sp, err := a.s.Series(c.Request.Context(), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	issues := make([]ResourceOut, len(sp.Issues))
	for i := range sp.Issues {
		issues[i] = out(&sp.Issues[i], nil)
	}
	c.JSON(http.StatusOK, gin.H{"series": sp.Series, "issues": issues})
}

func (a api) seriesUpdate(c *gin.Context) {
	id, ok := httpx.ParamID(c, "id")
	if !ok {
		return
	}
	if _, err := requireEditor(c.Request.Context()); err != nil {
		httpx.Fail(c, err)
		return
	}
	var in SeriesInput
	if !httpx.BindJSON(c, &in) {
		return
	}
	sr, err := a.s.UpdateSeries(c.Request.Context(), id, in)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sr)
}

func (a api) uploadStart(c *gin.Context) {
	if _, err := requireEditor(c.Request.Context()); err != nil {
		httpx.Fail(c, err)
		return
	}
	var in UploadInput
	if !httpx.BindJSON(c, &in) {
		return
	}
	u, err := a.s.StartUpload(c.Request.Context(), in)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, u)
}

func (a api) uploadGet(c *gin.Context) {
	u, err := a.s.GetUpload(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (a api) uploadPart(c *gin.Context) {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil {
		httpx.Fail(c, apperr.Invalid("n", "must be a part number"))
		return
	}
	u, err := a.s.PutPart(c.Request.Context(), c.Param("id"), n, c.Request.Body)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (a api) uploadComplete(c *gin.Context) {
	u, err := a.s.CompleteUpload(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (a api) uploadAbort(c *gin.Context) {
	if err := a.s.AbortUpload(c.Request.Context(), c.Param("id")); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a api) linkCheck(c *gin.Context) {
	n, err := a.s.CheckLinksNow(c.Request.Context())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"broken": n})
}
