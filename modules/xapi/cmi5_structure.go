package xapi

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"glc/modules/scorm"
)

// The cmi5 course structure (cmi5.xml, section 13 of the cmi5 specification) is parsed into a
// small tree of elements first and then checked against the rules of CourseStructure.xsd by
// hand: element order within each sequence, required elements and attributes, IRIs, unique
// identifiers, enumerations and decimals. Elements and attributes of other namespaces are
// vendor extensions and are ignored. Every refusal is a 422 that says what is wrong and where.

const cmi5NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"

// Limits of a course structure (the specification asks for at least 1000 AUs).
const (
	maxStructureBytes = 16 << 20
	maxStructureNodes = 200000
	maxStructureDepth = 64
	maxAUs            = 10000
)

// moveOn values, launch methods and launch modes.
const (
	MoveOnPassed             = "Passed"
	MoveOnCompleted          = "Completed"
	MoveOnCompletedAndPassed = "CompletedAndPassed"
	MoveOnCompletedOrPassed  = "CompletedOrPassed"
	MoveOnNotApplicable      = "NotApplicable"

	LaunchAnyWindow = "AnyWindow"
	LaunchOwnWindow = "OwnWindow"

	ModeNormal = "Normal"
	ModeBrowse = "Browse"
	ModeReview = "Review"
)

// LangText is one langstring of a title or description.
type LangText struct {
	Lang string `json:"lang,omitempty"`
	Text string `json:"text"`
}

// Structure is an imported course structure with the identifiers GLC generated for it.
type Structure struct {
	// CourseID is the publisher's course id; ActivityID the id GLC generated for the course.
	CourseID    string       `json:"course_id"`
	ActivityID  string       `json:"activity_id"`
	Title       []LangText   `json:"title"`
	Description []LangText   `json:"description"`
	Objectives  []*Objective `json:"objectives,omitempty"`
	Children    []*Node      `json:"children"`

	aus    []*Node
	blocks []*Node
	// parents[au index] lists the blocks that hold the AU, innermost last.
	parents [][]*Node
}

// Objective is a course-level learning objective.
type Objective struct {
	ID          string     `json:"id"`
	Title       []LangText `json:"title"`
	Description []LangText `json:"description"`
}

// Node is a block or an AU.
type Node struct {
	Kind string `json:"kind"` // "block" or "au"
	// ID is the publisher's id; ActivityID the id GLC generated (never the publisher's).
	ID          string     `json:"id"`
	ActivityID  string     `json:"activity_id"`
	Index       int        `json:"index"` // AU index or block index, in document order
	Title       []LangText `json:"title"`
	Description []LangText `json:"description"`
	Objectives  []string   `json:"objectives,omitempty"`
	Children    []*Node    `json:"children,omitempty"`

	URL              string   `json:"url,omitempty"`
	Remote           bool     `json:"remote,omitempty"` // URL is absolute (not in the package)
	LaunchMethod     string   `json:"launch_method,omitempty"`
	MoveOn           string   `json:"move_on,omitempty"`
	MasteryScore     *float64 `json:"mastery_score,omitempty"`
	ActivityType     string   `json:"activity_type,omitempty"`
	LaunchParameters *string  `json:"launch_parameters,omitempty"`
	EntitlementKey   *string  `json:"entitlement_key,omitempty"`
}

// index builds the flat lists of AUs and blocks and each AU's chain of blocks.
func (st *Structure) index() {
	st.aus, st.blocks, st.parents = nil, nil, nil
	var walk func(nodes []*Node, chain []*Node)
	walk = func(nodes []*Node, chain []*Node) {
		for _, n := range nodes {
			if n.Kind == "block" {
				st.blocks = append(st.blocks, n)
				walk(n.Children, append(append([]*Node(nil), chain...), n))
				continue
			}
			st.aus = append(st.aus, n)
			st.parents = append(st.parents, chain)
		}
	}
	walk(st.Children, nil)
}

// AUs lists the assignable units in document order.
func (st *Structure) AUs() []*Node { return st.aus }

// Blocks lists the blocks in document order.
func (st *Structure) Blocks() []*Node { return st.blocks }

// pick returns the text in the preferred language (its primary subtag), else the first one.
func pick(texts []LangText, lang string) string {
	t, _ := pickLang(texts, lang)
	return t
}

// pickLang is pick with the language of the text it picked.
func pickLang(texts []LangText, lang string) (string, string) {
	for _, t := range texts {
		if lang != "" && strings.EqualFold(primary(t.Lang), primary(lang)) {
			return t.Text, t.Lang
		}
	}
	if len(texts) > 0 {
		return texts[0].Text, texts[0].Lang
	}
	return "", ""
}

func primary(tag string) string {
	p, _, _ := strings.Cut(tag, "-")
	return p
}

// langMapOf turns langstrings into an xAPI language map.
func langMapOf(texts []LangText) map[string]any {
	out := map[string]any{}
	for _, t := range texts {
		l := t.Lang
		if l == "" {
			l = "und"
		}
		if _, dup := out[l]; !dup {
			out[l] = t.Text
		}
	}
	return out
}

// xnode is a parsed XML element.
type xnode struct {
	name  xml.Name
	attrs []xml.Attr
	kids  []*xnode
	text  strings.Builder
	line  int
}

func (n *xnode) attr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

func parseXMLTree(data []byte) (*xnode, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var stack []*xnode
	var root *xnode
	count := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, scorm.Refuse("cmi5.xml is not well-formed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			count++
			if count > maxStructureNodes {
				return nil, scorm.Refuse("cmi5.xml has more than %d elements", maxStructureNodes)
			}
			if len(stack) >= maxStructureDepth {
				return nil, scorm.Refuse("cmi5.xml nests elements more than %d deep", maxStructureDepth)
			}
			line, _ := d.InputPos()
			n := &xnode{name: t.Name, attrs: t.Attr, line: line}
			if len(stack) == 0 {
				if root != nil {
					return nil, scorm.Refuse("cmi5.xml has more than one root element")
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, scorm.Refuse("cmi5.xml has text outside its root element")
			}
		case xml.Directive:
			return nil, scorm.Refuse("cmi5.xml may not hold a document type declaration")
		}
	}
	if root == nil {
		return nil, scorm.Refuse("cmi5.xml is empty")
	}
	return root, nil
}

// structParser checks the element tree and builds the structure.
type structParser struct {
	ids     map[string]string // id -> what holds it
	has     func(string) bool // nil: a cmi5.xml without a package (every URL must be absolute)
	auCount int
	blocks  int
}

func where(n *xnode) string { return fmt.Sprintf("<%s> (line %d)", n.name.Local, n.line) }

func (p *structParser) refuse(n *xnode, format string, args ...any) error {
	return scorm.Refuse("cmi5.xml: %s: %s", where(n), fmt.Sprintf(format, args...))
}

// own returns the element's children in the cmi5 namespace (others are extensions).
func own(n *xnode) []*xnode {
	var out []*xnode
	for _, k := range n.kids {
		if k.name.Space == cmi5NS {
			out = append(out, k)
		}
	}
	return out
}

// checkAttrs refuses attributes in no namespace other than the allowed ones.
func (p *structParser) checkAttrs(n *xnode, allowed ...string) error {
	for _, a := range n.attrs {
		if a.Name.Space != "" || a.Name.Local == "xmlns" {
			continue
		}
		ok := false
		for _, x := range allowed {
			ok = ok || x == a.Name.Local
		}
		if !ok {
			return p.refuse(n, "unknown attribute %q", a.Name.Local)
		}
	}
	return nil
}

// sequence walks the element's cmi5 children in order against names, where a name may be
// optional ("?"), repeated ("+", "*"), or a choice ("au|block+").
type seqItem struct {
	names    []string
	min, max int // max 0: unbounded
}

func parseSeq(spec ...string) []seqItem {
	out := make([]seqItem, 0, len(spec))
	for _, s := range spec {
		it := seqItem{min: 1, max: 1}
		switch {
		case strings.HasSuffix(s, "?"):
			it.min, s = 0, s[:len(s)-1]
		case strings.HasSuffix(s, "+"):
			it.max, s = 0, s[:len(s)-1]
		case strings.HasSuffix(s, "*"):
			it.min, it.max, s = 0, 0, s[:len(s)-1]
		}
		it.names = strings.Split(s, "|")
		out = append(out, it)
	}
	return out
}

// sequence groups the children by the spec and refuses what is out of order or missing.
func (p *structParser) sequence(n *xnode, spec ...string) (map[string][]*xnode, error) {
	items := parseSeq(spec...)
	got := map[string][]*xnode{}
	kids := own(n)
	i := 0
	for _, it := range items {
		count := 0
		for i < len(kids) && (it.max == 0 || count < it.max) && contains(it.names, kids[i].name.Local) {
			got[kids[i].name.Local] = append(got[kids[i].name.Local], kids[i])
			count++
			i++
		}
		if count < it.min {
			if i < len(kids) {
				return nil, p.refuse(kids[i], "expected <%s> here (inside %s)", strings.Join(it.names, "> or <"), where(n))
			}
			return nil, p.refuse(n, "<%s> is missing", strings.Join(it.names, "> or <"))
		}
	}
	if i < len(kids) {
		return nil, p.refuse(kids[i], "this element is not allowed here (inside %s)", where(n))
	}
	return got, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// text reads a textType element: one or more langstrings.
func (p *structParser) text(n *xnode) ([]LangText, error) {
	if err := p.checkAttrs(n); err != nil {
		return nil, err
	}
	g, err := p.sequence(n, "langstring+")
	if err != nil {
		return nil, err
	}
	var out []LangText
	for _, ls := range g["langstring"] {
		if err := p.checkAttrs(ls, "lang"); err != nil {
			return nil, err
		}
		lang, _ := ls.attr("lang")
		lang = strings.TrimSpace(lang)
		if lang != "" && !reLangTag.MatchString(lang) {
			return nil, p.refuse(ls, "lang %q is not a language tag", lang)
		}
		if len(own(ls)) > 0 {
			return nil, p.refuse(ls, "a langstring holds text only")
		}
		out = append(out, LangText{Lang: lang, Text: collapse(ls.text.String())})
	}
	return out, nil
}

// collapse trims the text and folds its inner runs of white space (titles and descriptions
// are indented in the file).
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func (p *structParser) id(n *xnode, kind string) (string, error) {
	v, ok := n.attr("id")
	v = strings.TrimSpace(v)
	if !ok || v == "" {
		return "", p.refuse(n, "the id attribute is required")
	}
	if !isIRI(v) {
		return "", p.refuse(n, "id %q is not an absolute IRI", v)
	}
	if len(v) > maxIndexed {
		return "", p.refuse(n, "id is longer than %d characters", maxIndexed)
	}
	if prev, dup := p.ids[v]; dup {
		return "", p.refuse(n, "id %q is used twice (already by a %s)", v, prev)
	}
	p.ids[v] = kind
	return v, nil
}

// ParseStructure reads and checks a course structure. has reports whether the package holds
// a file (nil for a cmi5.xml uploaded alone, whose AUs must all be at absolute URLs).
func ParseStructure(data []byte, has func(string) bool) (*Structure, error) {
	if len(data) > maxStructureBytes {
		return nil, scorm.Refuse("cmi5.xml is larger than %d MiB", maxStructureBytes>>20)
	}
	root, err := parseXMLTree(data)
	if err != nil {
		return nil, err
	}
	if root.name.Local != "courseStructure" || root.name.Space != cmi5NS {
		return nil, scorm.Refuse("cmi5.xml: the root element must be <courseStructure> in the namespace %s", cmi5NS)
	}
	p := &structParser{ids: map[string]string{}, has: has}
	if err := p.checkAttrs(root); err != nil {
		return nil, err
	}
	g, err := p.sequence(root, "course", "objectives?", "au|block+")
	if err != nil {
		return nil, err
	}
	st := &Structure{}
	course := g["course"][0]
	if err := p.checkAttrs(course, "id"); err != nil {
		return nil, err
	}
	if st.CourseID, err = p.id(course, "course"); err != nil {
		return nil, err
	}
	cg, err := p.sequence(course, "title", "description")
	if err != nil {
		return nil, err
	}
	if st.Title, err = p.text(cg["title"][0]); err != nil {
		return nil, err
	}
	if st.Description, err = p.text(cg["description"][0]); err != nil {
		return nil, err
	}
	if obj := g["objectives"]; len(obj) == 1 {
		if st.Objectives, err = p.objectives(obj[0]); err != nil {
			return nil, err
		}
	}
	if st.Children, err = p.members(root); err != nil {
		return nil, err
	}
	st.index()
	return st, nil
}

func (p *structParser) objectives(n *xnode) ([]*Objective, error) {
	if err := p.checkAttrs(n); err != nil {
		return nil, err
	}
	g, err := p.sequence(n, "objective+")
	if err != nil {
		return nil, err
	}
	var out []*Objective
	for _, o := range g["objective"] {
		if err := p.checkAttrs(o, "id"); err != nil {
			return nil, err
		}
		id, err := p.id(o, "objective")
		if err != nil {
			return nil, err
		}
		ob := &Objective{ID: id}
		// xs:all: a title and a description, in either order.
		var titles, descs []*xnode
		for _, k := range own(o) {
			switch k.name.Local {
			case "title":
				titles = append(titles, k)
			case "description":
				descs = append(descs, k)
			default:
				return nil, p.refuse(k, "this element is not allowed in an objective")
			}
		}
		if len(titles) != 1 || len(descs) != 1 {
			return nil, p.refuse(o, "an objective has exactly one <title> and one <description>")
		}
		if ob.Title, err = p.text(titles[0]); err != nil {
			return nil, err
		}
		if ob.Description, err = p.text(descs[0]); err != nil {
			return nil, err
		}
		out = append(out, ob)
	}
	return out, nil
}

// members reads the blocks and AUs of the course or of a block, in order.
func (p *structParser) members(n *xnode) ([]*Node, error) {
	var out []*Node
	for _, k := range own(n) {
		switch k.name.Local {
		case "au":
			au, err := p.au(k)
			if err != nil {
				return nil, err
			}
			out = append(out, au)
		case "block":
			b, err := p.block(k)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
	}
	return out, nil
}

func (p *structParser) refs(n *xnode) ([]string, error) {
	if err := p.checkAttrs(n); err != nil {
		return nil, err
	}
	g, err := p.sequence(n, "objective+")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, o := range g["objective"] {
		if err := p.checkAttrs(o, "idref"); err != nil {
			return nil, err
		}
		ref, _ := o.attr("idref")
		ref = strings.TrimSpace(ref)
		if !isIRI(ref) {
			return nil, p.refuse(o, "idref %q is not an absolute IRI", ref)
		}
		out = append(out, ref)
	}
	return out, nil
}

func (p *structParser) block(n *xnode) (*Node, error) {
	if err := p.checkAttrs(n, "id"); err != nil {
		return nil, err
	}
	b := &Node{Kind: "block", Index: p.blocks}
	p.blocks++
	var err error
	if b.ID, err = p.id(n, "block"); err != nil {
		return nil, err
	}
	g, err := p.sequence(n, "title", "description", "objectives?", "au|block+")
	if err != nil {
		return nil, err
	}
	if b.Title, err = p.text(g["title"][0]); err != nil {
		return nil, err
	}
	if b.Description, err = p.text(g["description"][0]); err != nil {
		return nil, err
	}
	if o := g["objectives"]; len(o) == 1 {
		if b.Objectives, err = p.refs(o[0]); err != nil {
			return nil, err
		}
	}
	if b.Children, err = p.members(n); err != nil {
		return nil, err
	}
	return b, nil
}

var reDecimal = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)$`)

// launchParams are the names cmi5 puts in the launch URL's query.
var launchParams = []string{"endpoint", "fetch", "actor", "registration", "activityId"}

func (p *structParser) au(n *xnode) (*Node, error) {
	if err := p.checkAttrs(n, "id", "moveOn", "masteryScore", "launchMethod", "activityType"); err != nil {
		return nil, err
	}
	if p.auCount >= maxAUs {
		return nil, p.refuse(n, "a course may hold at most %d AUs", maxAUs)
	}
	au := &Node{Kind: "au", Index: p.auCount, MoveOn: MoveOnNotApplicable, LaunchMethod: LaunchAnyWindow}
	p.auCount++
	var err error
	if au.ID, err = p.id(n, "AU"); err != nil {
		return nil, err
	}
	if v, ok := n.attr("moveOn"); ok {
		switch v = strings.TrimSpace(v); v {
		case MoveOnPassed, MoveOnCompleted, MoveOnCompletedAndPassed, MoveOnCompletedOrPassed, MoveOnNotApplicable:
			au.MoveOn = v
		default:
			return nil, p.refuse(n, "moveOn %q is not one of Passed, Completed, CompletedAndPassed, CompletedOrPassed, NotApplicable", v)
		}
	}
	if v, ok := n.attr("launchMethod"); ok {
		switch v = strings.TrimSpace(v); v {
		case LaunchAnyWindow, LaunchOwnWindow:
			au.LaunchMethod = v
		default:
			return nil, p.refuse(n, "launchMethod %q is not AnyWindow or OwnWindow", v)
		}
	}
	if v, ok := n.attr("masteryScore"); ok {
		v = strings.TrimSpace(v)
		f, err := strconv.ParseFloat(v, 64)
		if !reDecimal.MatchString(v) || err != nil || f < 0 || f > 1 {
			return nil, p.refuse(n, "masteryScore %q is not a decimal between 0 and 1", v)
		}
		au.MasteryScore = &f
	}
	if v, ok := n.attr("activityType"); ok {
		au.ActivityType = strings.TrimSpace(v)
	}
	g, err := p.sequence(n, "title", "description", "objectives?", "url", "launchParameters?", "entitlementKey?")
	if err != nil {
		return nil, err
	}
	if au.Title, err = p.text(g["title"][0]); err != nil {
		return nil, err
	}
	if au.Description, err = p.text(g["description"][0]); err != nil {
		return nil, err
	}
	if o := g["objectives"]; len(o) == 1 {
		if au.Objectives, err = p.refs(o[0]); err != nil {
			return nil, err
		}
	}
	for _, name := range []string{"launchParameters", "entitlementKey"} {
		if x := g[name]; len(x) == 1 {
			if len(own(x[0])) > 0 {
				return nil, p.refuse(x[0], "<%s> holds text only", name)
			}
			v := strings.TrimSpace(x[0].text.String())
			if name == "launchParameters" {
				au.LaunchParameters = &v
			} else {
				au.EntitlementKey = &v
			}
		}
	}
	u := g["url"][0]
	if err := p.checkAttrs(u); err != nil {
		return nil, err
	}
	if au.URL, au.Remote, err = p.auURL(u, strings.TrimSpace(u.text.String())); err != nil {
		return nil, err
	}
	return au, nil
}

// auURL checks an AU's launch URL: absolute http(s), or a file of the package.
func (p *structParser) auURL(n *xnode, raw string) (string, bool, error) {
	if raw == "" {
		return "", false, p.refuse(n, "the AU's url is empty")
	}
	for _, r := range raw {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return "", false, p.refuse(n, "the url %q holds white space or control characters", raw)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false, p.refuse(n, "the url %q is not a valid URL", raw)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", false, p.refuse(n, "the query of the url %q cannot be read", raw)
	}
	for _, k := range launchParams {
		if q.Has(k) {
			return "", false, p.refuse(n, "the url's query uses %q, a name cmi5 reserves for the launch parameters", k)
		}
	}
	if u.Scheme != "" {
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", false, p.refuse(n, "the url %q is neither an http(s) URL nor a file of the package", raw)
		}
		return raw, true, nil
	}
	if p.has == nil {
		return "", false, p.refuse(n, "the url %q is relative: a cmi5.xml uploaded without a zip must give every AU a fully qualified URL", raw)
	}
	if u.Host != "" || strings.HasPrefix(u.Path, "/") || u.Opaque != "" {
		return "", false, p.refuse(n, "the url %q must be relative to the package root", raw)
	}
	clean := path.Clean(u.Path)
	if u.Path == "" || clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", false, p.refuse(n, "the url %q does not name a file of the package", raw)
	}
	if !p.has(clean) {
		return "", false, p.refuse(n, "the url %q names %s, which is not in the package", raw, clean)
	}
	return raw, false, nil
}

// assignIDs gives the course, its blocks and AUs the activity ids GLC uses in statements
// (never the publisher's ids, as the specification requires).
func (st *Structure) assignIDs(base string) {
	st.ActivityID = base
	for _, b := range st.blocks {
		b.ActivityID = fmt.Sprintf("%s/blocks/%d", base, b.Index)
	}
	for _, au := range st.aus {
		au.ActivityID = fmt.Sprintf("%s/aus/%d", base, au.Index)
	}
}

// itemsOf describes the structure for the package endpoint's answer.
func itemsOf(nodes []*Node) []scorm.ItemInfo {
	out := make([]scorm.ItemInfo, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, scorm.ItemInfo{Identifier: n.ID, Title: pick(n.Title, ""), Launchable: n.Kind == "au", Children: itemsOf(n.Children)})
	}
	return out
}
