package cam

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"path"
	"strconv"
	"strings"

	"golang.org/x/net/html/charset"
)

// Standards a package follows.
const (
	StandardSCORM12   = "scorm12"
	StandardSCORM2004 = "scorm2004"
	StandardCMI5      = "cmi5"
)

// Namespaces that tell the SCORM versions apart.
const (
	nsIMSCP12     = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
	nsADLCP12     = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
	nsIMSCP2004   = "http://www.imsglobal.org/xsd/imscp_v1p1"
	nsADLCP2004   = "http://www.adlnet.org/xsd/adlcp_v1p3"
	nsIMSSS       = "http://www.imsglobal.org/xsd/imsss"
	nsADLSeq      = "http://www.adlnet.org/xsd/adlseq_v1p3"
	nsADLNav      = "http://www.adlnet.org/xsd/adlnav_v1p3"
	MaxManifestMB = 16
)

// Manifest is what the player and the importer need from imsmanifest.xml.
type Manifest struct {
	Standard string `json:"standard"`
	// Edition is "2nd", "3rd" or "4th" for SCORM 2004; empty for 1.2.
	Edition       string  `json:"edition,omitempty"`
	SchemaVersion string  `json:"schema_version,omitempty"`
	Title         string  `json:"title"`
	Organization  string  `json:"organization,omitempty"`
	Items         []*Item `json:"items"`
	// Sequencing of the organization (the root activity), SCORM 2004 only.
	Sequencing *Sequencing `json:"sequencing,omitempty"`
	// ObjectivesGlobalToSystem is the organization's adlseq:objectivesGlobalToSystem.
	ObjectivesGlobalToSystem *bool `json:"objectives_global_to_system,omitempty"`
}

// Item is one node of the package's outline. Launchable items reference a resource with a
// launch file (Href, relative to the package root, with the item's parameters applied).
type Item struct {
	Identifier string  `json:"identifier"`
	Title      string  `json:"title"`
	Launchable bool    `json:"launchable"`
	Children   []*Item `json:"children"`

	Href       string `json:"href,omitempty"`
	ScormType  string `json:"scorm_type,omitempty"` // "sco" or "asset"
	ResourceID string `json:"resource,omitempty"`
	Parameters string `json:"parameters,omitempty"`
	Hidden     bool   `json:"hidden,omitempty"`
	// MasteryScore is SCORM 1.2's adlcp:masteryscore (0-100).
	MasteryScore *float64 `json:"mastery_score,omitempty"`
	// CompletionThreshold is SCORM 2004's adlcp:completionThreshold.
	CompletionThreshold *CompletionThreshold `json:"completion_threshold,omitempty"`
	MaxTimeAllowed      string               `json:"max_time_allowed,omitempty"`
	TimeLimitAction     string               `json:"time_limit_action,omitempty"`
	DataFromLMS         string               `json:"data_from_lms,omitempty"`
	// Prerequisites is SCORM 1.2's adlcp:prerequisites (an AICC script).
	Prerequisites string      `json:"prerequisites,omitempty"`
	Sequencing    *Sequencing `json:"sequencing,omitempty"`
	HideLMSUI     []string    `json:"hide_lms_ui,omitempty"`
}

// CompletionThreshold is adlcp:completionThreshold (a number in the 2nd and 3rd editions,
// attributes in the 4th).
type CompletionThreshold struct {
	CompletedByMeasure bool    `json:"completedByMeasure"`
	MinProgressMeasure float64 `json:"minProgressMeasure"`
	ProgressWeight     float64 `json:"progressWeight"`
}

// Walk calls f for every item, depth first, in outline order.
func (m *Manifest) Walk(f func(it *Item, depth int)) {
	var walk func(items []*Item, d int)
	walk = func(items []*Item, d int) {
		for _, it := range items {
			f(it, d)
			walk(it.Children, d+1)
		}
	}
	walk(m.Items, 0)
}

// Launchable returns the launchable items in outline order.
func (m *Manifest) Launchable() []*Item {
	var out []*Item
	m.Walk(func(it *Item, _ int) {
		if it.Launchable {
			out = append(out, it)
		}
	})
	return out
}

// Find returns the item with identifier id, or nil.
func (m *Manifest) Find(id string) *Item {
	var found *Item
	m.Walk(func(it *Item, _ int) {
		if found == nil && it.Identifier == id {
			found = it
		}
	})
	return found
}

// --- XML shapes -------------------------------------------------------------------------

type xManifest struct {
	XMLName       xml.Name
	Attrs         []xml.Attr       `xml:",any,attr"`
	Base          string           `xml:"http://www.w3.org/XML/1998/namespace base,attr"`
	Metadata      xMetadata        `xml:"metadata"`
	Organizations xOrganizations   `xml:"organizations"`
	Resources     xResources       `xml:"resources"`
	Collection    *xSeqCollection  `xml:"sequencingCollection"`
	Nested        []xNestedManifst `xml:"manifest"`
}

type xNestedManifst struct {
	Identifier string `xml:"identifier,attr"`
}

type xMetadata struct {
	Schema        string `xml:"schema"`
	SchemaVersion string `xml:"schemaversion"`
}

type xOrganizations struct {
	Default string  `xml:"default,attr"`
	Orgs    []xItem `xml:"organization"`
}

// xItem is an organization or an item (they share their shape).
type xItem struct {
	XMLName             xml.Name
	Identifier          string       `xml:"identifier,attr"`
	IdentifierRef       string       `xml:"identifierref,attr"`
	IsVisible           string       `xml:"isvisible,attr"`
	Parameters          string       `xml:"parameters,attr"`
	ObjectivesGlobal    string       `xml:"objectivesGlobalToSystem,attr"`
	Title               string       `xml:"title"`
	Items               []xItem      `xml:"item"`
	MasteryScore        string       `xml:"masteryscore"`
	Prerequisites       string       `xml:"prerequisites"`
	MaxTimeAllowed      string       `xml:"maxtimeallowed"`
	TimeLimitAction12   string       `xml:"timelimitaction"`
	TimeLimitAction     string       `xml:"timeLimitAction"`
	DataFromLMS12       string       `xml:"datafromlms"`
	DataFromLMS         string       `xml:"dataFromLMS"`
	CompletionThreshold *xThreshold  `xml:"completionThreshold"`
	Sequencing          *xSequencing `xml:"sequencing"`
	Presentation        *struct {
		Navigation struct {
			Hide []string `xml:"hideLMSUI"`
		} `xml:"navigationInterface"`
	} `xml:"presentation"`
}

type xThreshold struct {
	CompletedByMeasure string `xml:"completedByMeasure,attr"`
	MinProgressMeasure string `xml:"minProgressMeasure,attr"`
	ProgressWeight     string `xml:"progressWeight,attr"`
	Value              string `xml:",chardata"`
}

type xResources struct {
	Base      string      `xml:"http://www.w3.org/XML/1998/namespace base,attr"`
	Resources []xResource `xml:"resource"`
}

type xResource struct {
	Identifier  string `xml:"identifier,attr"`
	Type        string `xml:"type,attr"`
	Href        string `xml:"href,attr"`
	Base        string `xml:"http://www.w3.org/XML/1998/namespace base,attr"`
	ScormType12 string `xml:"scormtype,attr"`
	ScormType   string `xml:"scormType,attr"`
}

type xSeqCollection struct {
	Sequencing []xSequencing `xml:"sequencing"`
}

// --- Parsing -----------------------------------------------------------------------------

// ParseManifest parses imsmanifest.xml. has reports whether the package holds a file (a
// cleaned relative path); launch files must be in the package. Problems are refusals (422).
func ParseManifest(data []byte, has func(name string) bool) (*Manifest, error) {
	var x xManifest
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.CharsetReader = charsetReader
	if err := dec.Decode(&x); err != nil {
		return nil, Refuse("imsmanifest.xml is not well-formed XML (%s)", xmlProblem(err))
	}
	if x.XMLName.Local != "manifest" {
		return nil, Refuse("imsmanifest.xml does not start with a <manifest> element")
	}
	m := &Manifest{SchemaVersion: strings.TrimSpace(x.Metadata.SchemaVersion)}
	if err := detectVersion(&x, m); err != nil {
		return nil, err
	}
	p := &parser{m: m, has: has, resources: map[string]xResource{}, collection: map[string]*xSequencing{},
		base: joinBase(x.Base, x.Resources.Base), seen: map[string]bool{}}
	for _, r := range x.Resources.Resources {
		p.resources[r.Identifier] = r
	}
	if x.Collection != nil {
		for i := range x.Collection.Sequencing {
			s := &x.Collection.Sequencing[i]
			if s.ID != "" {
				p.collection[s.ID] = s
			}
		}
	}
	if err := p.organization(&x); err != nil {
		return nil, err
	}
	if len(m.Launchable()) == 0 {
		return nil, Refuse("the manifest has no launchable item (no item references a resource with a launch file)")
	}
	return m, nil
}

// detectVersion tells SCORM 1.2 from 2004 and the 2004 editions apart: by the metadata's
// schemaversion when it is one of the known values, else by the namespaces in use.
func detectVersion(x *xManifest, m *Manifest) error {
	ns := map[string]bool{x.XMLName.Space: true}
	for _, a := range x.Attrs {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
			ns[strings.TrimSpace(a.Value)] = true
		}
	}
	sv := strings.ToLower(m.SchemaVersion)
	switch {
	case sv == "1.2":
		m.Standard = StandardSCORM12
	case sv == "cam 1.3" || sv == "1.3":
		m.Standard, m.Edition = StandardSCORM2004, "2nd"
	case strings.Contains(sv, "2004") && strings.Contains(sv, "3rd"):
		m.Standard, m.Edition = StandardSCORM2004, "3rd"
	case strings.Contains(sv, "2004") && strings.Contains(sv, "4th"):
		m.Standard, m.Edition = StandardSCORM2004, "4th"
	case ns[nsADLCP2004] || ns[nsIMSSS] || ns[nsADLSeq] || ns[nsADLNav] || ns[nsIMSCP2004]:
		m.Standard, m.Edition = StandardSCORM2004, "3rd"
		if ns[nsADLCP2004] && (ns[nsADLSeq] || ns[nsIMSSS]) && !ns[nsADLNav] && sv == "" {
			m.Edition = "3rd"
		}
	case ns[nsADLCP12] || ns[nsIMSCP12]:
		m.Standard = StandardSCORM12
	default:
		return Refuse("imsmanifest.xml is neither SCORM 1.2 nor SCORM 2004 (unknown schema version %q and namespaces)", m.SchemaVersion)
	}
	return nil
}

type parser struct {
	m          *Manifest
	has        func(string) bool
	resources  map[string]xResource
	collection map[string]*xSequencing
	base       string
	seen       map[string]bool
}

func (p *parser) organization(x *xManifest) error {
	orgs := x.Organizations.Orgs
	if len(orgs) == 0 {
		return p.fromResources(x)
	}
	org := &orgs[0]
	for i := range orgs {
		if orgs[i].Identifier == x.Organizations.Default {
			org = &orgs[i]
		}
	}
	p.m.Organization = org.Identifier
	p.m.Title = clean(org.Title)
	if org.ObjectivesGlobal != "" {
		b := parseBool(org.ObjectivesGlobal, true)
		p.m.ObjectivesGlobalToSystem = &b
	}
	if p.m.Standard == StandardSCORM2004 {
		seq, err := p.sequencing(org.Sequencing, org.Identifier)
		if err != nil {
			return err
		}
		p.m.Sequencing = seq
	}
	items, err := p.items(org.Items, 0)
	if err != nil {
		return err
	}
	p.m.Items = items
	if p.m.Title == "" && len(items) > 0 {
		p.m.Title = items[0].Title
	}
	return nil
}

// fromResources builds a flat outline from the resources when the manifest has no
// organization (a resource package): each resource with a launch file becomes an item.
func (p *parser) fromResources(x *xManifest) error {
	for _, r := range x.Resources.Resources {
		if r.Href == "" || r.Identifier == "" {
			continue
		}
		it := &Item{Identifier: r.Identifier, Title: r.Identifier, Children: []*Item{}}
		if err := p.launch(it, r.Identifier, ""); err != nil {
			return err
		}
		p.m.Items = append(p.m.Items, it)
	}
	if len(p.m.Items) > 0 {
		p.m.Title = p.m.Items[0].Title
	}
	return nil
}

const maxDepth = 64

func (p *parser) items(xs []xItem, depth int) ([]*Item, error) {
	if depth > maxDepth {
		return nil, Refuse("the manifest's items are nested more than %d levels deep", maxDepth)
	}
	out := make([]*Item, 0, len(xs))
	for i := range xs {
		x := &xs[i]
		if x.Identifier == "" {
			return nil, Refuse("an item has no identifier")
		}
		if p.seen[x.Identifier] {
			return nil, Refuse("the item identifier %q is used twice", x.Identifier)
		}
		p.seen[x.Identifier] = true
		it := &Item{Identifier: x.Identifier, Title: clean(x.Title), Parameters: x.Parameters,
			Hidden: x.IsVisible != "" && !parseBool(x.IsVisible, true), Prerequisites: clean(x.Prerequisites),
			MaxTimeAllowed: clean(x.MaxTimeAllowed), TimeLimitAction: clean(first(x.TimeLimitAction12, x.TimeLimitAction)),
			DataFromLMS: strings.TrimSpace(first(x.DataFromLMS12, x.DataFromLMS))}
		if it.Title == "" {
			it.Title = it.Identifier
		}
		if err := p.itemData(x, it); err != nil {
			return nil, err
		}
		if x.IdentifierRef != "" {
			if err := p.launch(it, x.IdentifierRef, x.Parameters); err != nil {
				return nil, err
			}
		}
		children, err := p.items(x.Items, depth+1)
		if err != nil {
			return nil, err
		}
		it.Children = children
		out = append(out, it)
	}
	return out, nil
}

// itemData reads the version-specific data of an item.
func (p *parser) itemData(x *xItem, it *Item) error {
	if s := strings.TrimSpace(x.MasteryScore); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v < 0 || v > 100 {
			return Refuse("the mastery score %q of item %q is not a number from 0 to 100", s, it.Identifier)
		}
		it.MasteryScore = &v
	}
	if t := x.CompletionThreshold; t != nil {
		ct := &CompletionThreshold{ProgressWeight: 1}
		if v := strings.TrimSpace(t.Value); v != "" { // 2nd and 3rd editions
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				return Refuse("the completion threshold %q of item %q is not a number from 0 to 1", v, it.Identifier)
			}
			ct.CompletedByMeasure, ct.MinProgressMeasure = true, f
		}
		if t.CompletedByMeasure != "" {
			ct.CompletedByMeasure = parseBool(t.CompletedByMeasure, false)
		}
		if t.MinProgressMeasure != "" {
			ct.MinProgressMeasure = parseUnit(t.MinProgressMeasure, 1)
		}
		if t.ProgressWeight != "" {
			ct.ProgressWeight = parseUnit(t.ProgressWeight, 1)
		}
		it.CompletionThreshold = ct
	}
	if x.Presentation != nil {
		for _, h := range x.Presentation.Navigation.Hide {
			if h = strings.TrimSpace(h); h != "" {
				it.HideLMSUI = append(it.HideLMSUI, h)
			}
		}
	}
	if p.m.Standard == StandardSCORM2004 {
		seq, err := p.sequencing(x.Sequencing, it.Identifier)
		if err != nil {
			return err
		}
		it.Sequencing = seq
	}
	return nil
}

// launch resolves the item's resource and launch file.
func (p *parser) launch(it *Item, ref, params string) error {
	r, ok := p.resources[ref]
	if !ok {
		return Refuse("the item %q references the resource %q, which the manifest does not define", it.Identifier, ref)
	}
	it.ResourceID = r.Identifier
	it.ScormType = strings.ToLower(first(r.ScormType12, r.ScormType))
	if it.ScormType == "" {
		it.ScormType = "asset"
	}
	if strings.TrimSpace(r.Href) == "" {
		return nil // a resource without a launch file: the item is a container
	}
	href, err := resolveHref(joinBase(p.base, r.Base), strings.TrimSpace(r.Href))
	if err != nil {
		return Refuse("the launch file of item %q (%s) is not in the package", it.Identifier, r.Href)
	}
	file := href
	if i := strings.IndexAny(file, "?#"); i >= 0 {
		file = file[:i]
	}
	if !p.hasFile(file) {
		return Refuse("the launch file %s of item %q is not in the package", file, it.Identifier)
	}
	it.Href = applyParameters(href, params)
	it.Launchable = true
	return nil
}

// hasFile accepts the path as written or percent-decoded.
func (p *parser) hasFile(file string) bool {
	if p.has(file) {
		return true
	}
	if dec, err := url.PathUnescape(file); err == nil && dec != file {
		return p.has(path.Clean(dec))
	}
	return false
}

// resolveHref joins base and href into a path relative to the package root, keeping the
// query and fragment as written. Absolute URLs and paths that leave the package are errors.
func resolveHref(base, href string) (string, error) {
	full := strings.ReplaceAll(href, `\`, "/")
	if base != "" {
		full = strings.TrimSuffix(strings.ReplaceAll(base, `\`, "/"), "/") + "/" + full
	}
	u, err := url.Parse(full)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" {
		return "", fmt.Errorf("href %q is not a relative path", full)
	}
	rawPath, rest := full, ""
	if i := strings.IndexAny(full, "?#"); i >= 0 {
		rawPath, rest = full[:i], full[i:]
	}
	if rawPath == "" || strings.HasPrefix(rawPath, "/") || strings.HasPrefix(u.Path, "/") {
		return "", fmt.Errorf("href %q is not a relative path", full)
	}
	for _, p := range []string{rawPath, u.Path} {
		for _, el := range strings.Split(p, "/") {
			if el == ".." {
				return "", fmt.Errorf("href %q leaves the package", full)
			}
		}
	}
	return path.Clean(rawPath) + rest, nil
}

// applyParameters appends an item's parameters to a launch href as SCORM CAM says: a fragment
// is added only when the href has none; leading "?" or "&" are dropped; the rest joins the
// query with "&" or starts one with "?".
func applyParameters(href, params string) string {
	params = strings.TrimSpace(params)
	if params == "" {
		return href
	}
	if strings.HasPrefix(params, "#") {
		if strings.Contains(href, "#") {
			return href
		}
		return href + params
	}
	params = strings.TrimLeft(params, "?&")
	if params == "" {
		return href
	}
	frag := ""
	if i := strings.Index(href, "#"); i >= 0 {
		href, frag = href[:i], href[i:]
	}
	if strings.Contains(href, "?") {
		return href + "&" + params + frag
	}
	return href + "?" + params + frag
}

func joinBase(parts ...string) string {
	out := ""
	for _, b := range parts {
		b = strings.TrimSpace(b)
		if b == "" {
			continue
		}
		if out == "" {
			out = b
		} else {
			out = strings.TrimSuffix(out, "/") + "/" + b
		}
	}
	return out
}

func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

func first(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func parseBool(s string, def bool) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1":
		return true
	case "false", "0":
		return false
	}
	return def
}

// parseUnit parses a number in [-1, 1] (measures, weights); def when it is not one.
func parseUnit(s string, def float64) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < -1 || f > 1 {
		return def
	}
	return f
}

// charsetReader decodes manifests declared in another encoding than UTF-8 (ISO-8859-1 and
// windows-1252 are common in older authoring tools).
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	return charset.NewReaderLabel(label, input)
}

// xmlProblem shortens a decoder error for the refusal message.
func xmlProblem(err error) string {
	s := err.Error()
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
