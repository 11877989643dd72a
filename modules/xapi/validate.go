package xapi

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Version is the xAPI version a request speaks.
type Version int

// The supported versions.
const (
	V103 Version = iota + 1
	V200
)

// String is the value of the X-Experience-API-Version response header.
func (v Version) String() string {
	if v == V200 {
		return "2.0.0"
	}
	return "1.0.3"
}

// statementVersion is the version written into statements that carry none.
func (v Version) statementVersion() string {
	if v == V200 {
		return "2.0.0"
	}
	return "1.0.0"
}

var (
	reVersion1  = regexp.MustCompile(`^1\.0(\.\d+)?$`)
	reVersion2  = regexp.MustCompile(`^2\.0(\.\d+)?$`)
	reUUID      = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	reScheme    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]*:\S+$`)
	reLangTag   = regexp.MustCompile(`^(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?|[xX](?:-[A-Za-z0-9]{1,8})+|[iI]-[A-Za-z]+)$`)
	reSHA1      = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)
	reDuration  = regexp.MustCompile(`^P(?:\d+(?:\.\d+)?W|(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?D)?(?:T(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?)$`)
	reTimestamp = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?([Zz]|[+\-]\d{2}(?::?\d{2})?)?$`)
	reMediaType = regexp.MustCompile(`^[A-Za-z0-9!#$&^_.+\-]+/[A-Za-z0-9!#$&^_.+\-]+(\s*;.*)?$`)
)

// VerbVoided is the verb of voiding statements.
const VerbVoided = "http://adlnet.gov/expapi/verbs/voided"

// SignatureUsage is the usageType of a JWS signature attachment.
const SignatureUsage = "http://adlnet.gov/expapi/attachments/signature"

var interactionTypes = map[string]bool{"true-false": true, "choice": true, "fill-in": true, "long-fill-in": true,
	"matching": true, "performance": true, "sequencing": true, "likert": true, "numeric": true, "other": true}

// validator checks one statement against the specification; path names the property in errors.
type validator struct {
	v Version
}

func bad(path, format string, args ...any) error {
	return badRequest(fmt.Sprintf("%s: %s", path, fmt.Sprintf(format, args...)))
}

// obj returns x as a JSON object or an error.
func obj(x any, path string) (map[string]any, error) {
	m, ok := x.(map[string]any)
	if !ok {
		return nil, bad(path, "must be an object")
	}
	return m, nil
}

// allowOnly refuses properties outside allowed.
func allowOnly(m map[string]any, path string, allowed ...string) error {
	for k := range m {
		found := false
		for _, a := range allowed {
			if k == a {
				found = true
				break
			}
		}
		if !found {
			return bad(path, "unknown property %q", k)
		}
	}
	return nil
}

func str(m map[string]any, key, path string, required bool) (string, bool, error) {
	x, ok := m[key]
	if !ok {
		if required {
			return "", false, bad(path+"."+key, "is required")
		}
		return "", false, nil
	}
	s, isStr := x.(string)
	if !isStr {
		return "", true, bad(path+"."+key, "must be a string")
	}
	return s, true, nil
}

func isIRI(s string) bool {
	return reScheme.MatchString(s) && !strings.ContainsAny(s, " \t\n<>\"{}|\\^`")
}

func iri(m map[string]any, key, path string, required bool) (string, error) {
	s, ok, err := str(m, key, path, required)
	if err != nil || !ok {
		return s, err
	}
	if !isIRI(s) {
		return s, bad(path+"."+key, "must be an absolute IRI")
	}
	return s, nil
}

// IsUUID reports whether s is a UUID in its canonical text form.
func IsUUID(s string) bool { return reUUID.MatchString(s) }

func uuidProp(m map[string]any, key, path string, required bool) (string, error) {
	s, ok, err := str(m, key, path, required)
	if err != nil || !ok {
		return s, err
	}
	if !IsUUID(s) {
		return s, bad(path+"."+key, "must be a UUID")
	}
	return s, nil
}

func langMap(x any, path string) error {
	m, err := obj(x, path)
	if err != nil {
		return err
	}
	for k, v := range m {
		if !reLangTag.MatchString(k) {
			return bad(path, "%q is not a language tag", k)
		}
		if _, ok := v.(string); !ok {
			return bad(path+"."+k, "must be a string")
		}
	}
	return nil
}

func optLangMap(m map[string]any, key, path string) error {
	if x, ok := m[key]; ok {
		return langMap(x, path+"."+key)
	}
	return nil
}

func extensions(m map[string]any, path string) error {
	x, ok := m["extensions"]
	if !ok {
		return nil
	}
	e, err := obj(x, path+".extensions")
	if err != nil {
		return err
	}
	for k := range e {
		if !isIRI(k) {
			return bad(path+".extensions", "key %q must be an IRI", k)
		}
	}
	return nil
}

// noNulls refuses null anywhere except inside extensions.
func noNulls(x any, path string) error {
	switch t := x.(type) {
	case nil:
		return bad(path, "must not be null")
	case map[string]any:
		for k, v := range t {
			if k == "extensions" {
				if v == nil {
					return bad(path+"."+k, "must not be null")
				}
				continue
			}
			if err := noNulls(v, path+"."+k); err != nil {
				return err
			}
		}
	case []any:
		for i, v := range t {
			if err := noNulls(v, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

var ifiKeys = []string{"mbox", "mbox_sha1sum", "openid", "account"}

func (val validator) ifis(m map[string]any, path string) (int, error) {
	n := 0
	for _, k := range ifiKeys {
		x, ok := m[k]
		if !ok {
			continue
		}
		n++
		p := path + "." + k
		switch k {
		case "mbox":
			s, isStr := x.(string)
			if !isStr || !strings.HasPrefix(s, "mailto:") || !strings.Contains(s, "@") || strings.ContainsAny(s, " \t") {
				return n, bad(p, "must be a mailto: IRI")
			}
		case "mbox_sha1sum":
			s, isStr := x.(string)
			if !isStr || !reSHA1.MatchString(s) {
				return n, bad(p, "must be a hex SHA-1 sum")
			}
		case "openid":
			s, isStr := x.(string)
			if !isStr || !isIRI(s) {
				return n, bad(p, "must be a URI")
			}
		case "account":
			a, err := obj(x, p)
			if err != nil {
				return n, err
			}
			if err := allowOnly(a, p, "homePage", "name"); err != nil {
				return n, err
			}
			if _, err := iri(a, "homePage", p, true); err != nil {
				return n, err
			}
			if _, _, err := str(a, "name", p, true); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// agent validates an Agent (objectType optional unless requireType).
func (val validator) agent(x any, path string, requireType bool) error {
	m, err := obj(x, path)
	if err != nil {
		return err
	}
	if err := allowOnly(m, path, "objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"); err != nil {
		return err
	}
	ot, has, err := str(m, "objectType", path, requireType)
	if err != nil {
		return err
	}
	if has && ot != "Agent" {
		return bad(path+".objectType", "must be \"Agent\"")
	}
	if _, _, err := str(m, "name", path, false); err != nil {
		return err
	}
	n, err := val.ifis(m, path)
	if err != nil {
		return err
	}
	if n != 1 {
		return bad(path, "an Agent needs exactly one inverse functional identifier")
	}
	return nil
}

func (val validator) group(x any, path string) error {
	m, err := obj(x, path)
	if err != nil {
		return err
	}
	if err := allowOnly(m, path, "objectType", "name", "member", "mbox", "mbox_sha1sum", "openid", "account"); err != nil {
		return err
	}
	if ot, _, err := str(m, "objectType", path, true); err != nil {
		return err
	} else if ot != "Group" {
		return bad(path+".objectType", "must be \"Group\"")
	}
	if _, _, err := str(m, "name", path, false); err != nil {
		return err
	}
	n, err := val.ifis(m, path)
	if err != nil {
		return err
	}
	if n > 1 {
		return bad(path, "a Group has at most one inverse functional identifier")
	}
	members, has := m["member"]
	if n == 0 && !has {
		return bad(path, "an anonymous Group needs members")
	}
	if has {
		arr, ok := members.([]any)
		if !ok {
			return bad(path+".member", "must be an array")
		}
		if n == 0 && len(arr) == 0 {
			return bad(path+".member", "an anonymous Group needs members")
		}
		for i, a := range arr {
			if err := val.agent(a, fmt.Sprintf("%s.member[%d]", path, i), false); err != nil {
				return err
			}
		}
	}
	return nil
}

// actor validates an Agent or a Group.
func (val validator) actor(x any, path string) error {
	m, err := obj(x, path)
	if err != nil {
		return err
	}
	if m["objectType"] == "Group" {
		return val.group(m, path)
	}
	return val.agent(m, path, false)
}

func (val validator) verb(x any, path string) (string, error) {
	m, err := obj(x, path)
	if err != nil {
		return "", err
	}
	if err := allowOnly(m, path, "id", "display"); err != nil {
		return "", err
	}
	id, err := iri(m, "id", path, true)
	if err != nil {
		return "", err
	}
	return id, optLangMap(m, "display", path)
}

func (val validator) components(d map[string]any, key, path string) error {
	x, ok := d[key]
	if !ok {
		return nil
	}
	p := path + "." + key
	arr, isArr := x.([]any)
	if !isArr {
		return bad(p, "must be an array")
	}
	seen := map[string]bool{}
	for i, c := range arr {
		cp := fmt.Sprintf("%s[%d]", p, i)
		m, err := obj(c, cp)
		if err != nil {
			return err
		}
		if err := allowOnly(m, cp, "id", "description"); err != nil {
			return err
		}
		id, _, err := str(m, "id", cp, true)
		if err != nil {
			return err
		}
		if seen[id] {
			return bad(cp+".id", "interaction component ids must be distinct")
		}
		seen[id] = true
		if err := optLangMap(m, "description", cp); err != nil {
			return err
		}
	}
	return nil
}

func (val validator) definition(x any, path string) error {
	d, err := obj(x, path)
	if err != nil {
		return err
	}
	if err := allowOnly(d, path, "name", "description", "type", "moreInfo", "extensions", "interactionType",
		"correctResponsesPattern", "choices", "scale", "source", "target", "steps"); err != nil {
		return err
	}
	if err := optLangMap(d, "name", path); err != nil {
		return err
	}
	if err := optLangMap(d, "description", path); err != nil {
		return err
	}
	if _, err := iri(d, "type", path, false); err != nil {
		return err
	}
	if _, err := iri(d, "moreInfo", path, false); err != nil {
		return err
	}
	if err := extensions(d, path); err != nil {
		return err
	}
	it, hasIT, err := str(d, "interactionType", path, false)
	if err != nil {
		return err
	}
	if hasIT && !interactionTypes[it] {
		return bad(path+".interactionType", "%q is not an interaction type", it)
	}
	if crp, ok := d["correctResponsesPattern"]; ok {
		arr, isArr := crp.([]any)
		if !isArr {
			return bad(path+".correctResponsesPattern", "must be an array of strings")
		}
		for _, s := range arr {
			if _, isStr := s.(string); !isStr {
				return bad(path+".correctResponsesPattern", "must be an array of strings")
			}
		}
	}
	for _, k := range []string{"choices", "scale", "source", "target", "steps"} {
		if err := val.components(d, k, path); err != nil {
			return err
		}
	}
	for _, k := range []string{"correctResponsesPattern", "choices", "scale", "source", "target", "steps"} {
		if _, ok := d[k]; ok && !hasIT {
			return bad(path, "%s needs an interactionType", k)
		}
	}
	return nil
}

func (val validator) activity(x any, path string) (string, error) {
	m, err := obj(x, path)
	if err != nil {
		return "", err
	}
	if err := allowOnly(m, path, "objectType", "id", "definition"); err != nil {
		return "", err
	}
	if ot, has, err := str(m, "objectType", path, false); err != nil {
		return "", err
	} else if has && ot != "Activity" {
		return "", bad(path+".objectType", "must be \"Activity\"")
	}
	id, err := iri(m, "id", path, true)
	if err != nil {
		return "", err
	}
	if d, ok := m["definition"]; ok {
		if err := val.definition(d, path+".definition"); err != nil {
			return "", err
		}
	}
	return id, nil
}

func (val validator) statementRef(x any, path string) error {
	m, err := obj(x, path)
	if err != nil {
		return err
	}
	if err := allowOnly(m, path, "objectType", "id"); err != nil {
		return err
	}
	if ot, _, err := str(m, "objectType", path, true); err != nil {
		return err
	} else if ot != "StatementRef" {
		return bad(path+".objectType", "must be \"StatementRef\"")
	}
	_, err = uuidProp(m, "id", path, true)
	return err
}

// object validates the object; sub is true inside a SubStatement.
func (val validator) object(x any, path string, sub bool) error {
	m, err := obj(x, path)
	if err != nil {
		return err
	}
	ot, _, err := str(m, "objectType", path, false)
	if err != nil {
		return err
	}
	switch ot {
	case "", "Activity":
		_, err = val.activity(m, path)
	case "Agent":
		err = val.agent(m, path, true)
	case "Group":
		err = val.group(m, path)
	case "StatementRef":
		err = val.statementRef(m, path)
	case "SubStatement":
		if sub {
			return bad(path, "a SubStatement cannot contain a SubStatement")
		}
		err = val.statement(m, path, true)
	default:
		err = bad(path+".objectType", "%q is not an object type", ot)
	}
	return err
}

func number(x any) (float64, bool) {
	n, ok := x.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func (val validator) result(x any, path string) error {
	m, err := obj(x, path)
	if err != nil {
		return err
	}
	if err := allowOnly(m, path, "score", "success", "completion", "response", "duration", "extensions"); err != nil {
		return err
	}
	for _, k := range []string{"success", "completion"} {
		if b, ok := m[k]; ok {
			if _, isBool := b.(bool); !isBool {
				return bad(path+"."+k, "must be true or false")
			}
		}
	}
	if _, _, err := str(m, "response", path, false); err != nil {
		return err
	}
	if d, has, err := str(m, "duration", path, false); err != nil {
		return err
	} else if has && (!reDuration.MatchString(d) || d == "P" || strings.HasSuffix(d, "T")) {
		return bad(path+".duration", "must be an ISO 8601 duration")
	}
	if err := extensions(m, path); err != nil {
		return err
	}
	sx, ok := m["score"]
	if !ok {
		return nil
	}
	sp := path + ".score"
	s, err := obj(sx, sp)
	if err != nil {
		return err
	}
	if err := allowOnly(s, sp, "scaled", "raw", "min", "max"); err != nil {
		return err
	}
	vals := map[string]float64{}
	for k, v := range s {
		f, isNum := number(v)
		if !isNum {
			return bad(sp+"."+k, "must be a number")
		}
		vals[k] = f
	}
	if sc, ok := vals["scaled"]; ok && (sc < -1 || sc > 1) {
		return bad(sp+".scaled", "must be between -1 and 1")
	}
	lo, hasMin := vals["min"]
	hi, hasMax := vals["max"]
	if hasMin && hasMax && lo >= hi {
		return bad(sp, "min must be less than max")
	}
	if raw, ok := vals["raw"]; ok {
		if (hasMin && raw < lo) || (hasMax && raw > hi) {
			return bad(sp+".raw", "must be between min and max")
		}
	}
	return nil
}

func (val validator) activityList(x any, path string) error {
	if arr, ok := x.([]any); ok {
		for i, a := range arr {
			if _, err := val.activity(a, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	_, err := val.activity(x, path)
	return err
}

func (val validator) relevantTypes(m map[string]any, path string) error {
	x, ok := m["relevantTypes"]
	if !ok {
		return nil
	}
	arr, isArr := x.([]any)
	if !isArr || len(arr) == 0 {
		return bad(path+".relevantTypes", "must be a non-empty array of IRIs")
	}
	for _, t := range arr {
		if s, isStr := t.(string); !isStr || !isIRI(s) {
			return bad(path+".relevantTypes", "must be a non-empty array of IRIs")
		}
	}
	return nil
}

func (val validator) contextAgents(x any, path string, group bool) error {
	arr, ok := x.([]any)
	if !ok {
		return bad(path, "must be an array")
	}
	for i, e := range arr {
		p := fmt.Sprintf("%s[%d]", path, i)
		m, err := obj(e, p)
		if err != nil {
			return err
		}
		key, ot := "agent", "contextAgent"
		if group {
			key, ot = "group", "contextGroup"
		}
		if err := allowOnly(m, p, "objectType", key, "relevantTypes"); err != nil {
			return err
		}
		if s, _, err := str(m, "objectType", p, true); err != nil {
			return err
		} else if s != ot {
			return bad(p+".objectType", "must be %q", ot)
		}
		a, has := m[key]
		if !has {
			return bad(p+"."+key, "is required")
		}
		if group {
			err = val.group(a, p+".group")
		} else {
			err = val.agent(a, p+".agent", false)
		}
		if err != nil {
			return err
		}
		if err := val.relevantTypes(m, p); err != nil {
			return err
		}
	}
	return nil
}

func (val validator) context(x any, path string, objectIsActivity bool) error {
	m, err := obj(x, path)
	if err != nil {
		return err
	}
	allowed := []string{"registration", "instructor", "team", "contextActivities", "revision", "platform", "language", "statement", "extensions"}
	if val.v == V200 {
		allowed = append(allowed, "contextAgents", "contextGroups")
	}
	if err := allowOnly(m, path, allowed...); err != nil {
		return err
	}
	if _, err := uuidProp(m, "registration", path, false); err != nil {
		return err
	}
	if i, ok := m["instructor"]; ok {
		if err := val.actor(i, path+".instructor"); err != nil {
			return err
		}
	}
	if t, ok := m["team"]; ok {
		if err := val.group(t, path+".team"); err != nil {
			return err
		}
	}
	if ca, ok := m["contextActivities"]; ok {
		p := path + ".contextActivities"
		cm, err := obj(ca, p)
		if err != nil {
			return err
		}
		if err := allowOnly(cm, p, "parent", "grouping", "category", "other"); err != nil {
			return err
		}
		for k, v := range cm {
			if err := val.activityList(v, p+"."+k); err != nil {
				return err
			}
		}
	}
	for _, k := range []string{"revision", "platform"} {
		if _, has, err := str(m, k, path, false); err != nil {
			return err
		} else if has && !objectIsActivity {
			return bad(path+"."+k, "is only allowed when the object is an Activity")
		}
	}
	if l, has, err := str(m, "language", path, false); err != nil {
		return err
	} else if has && !reLangTag.MatchString(l) {
		return bad(path+".language", "must be a language tag")
	}
	if s, ok := m["statement"]; ok {
		if err := val.statementRef(s, path+".statement"); err != nil {
			return err
		}
	}
	if x, ok := m["contextAgents"]; ok {
		if err := val.contextAgents(x, path+".contextAgents", false); err != nil {
			return err
		}
	}
	if x, ok := m["contextGroups"]; ok {
		if err := val.contextAgents(x, path+".contextGroups", true); err != nil {
			return err
		}
	}
	return extensions(m, path)
}

// parseTimestamp reads an ISO 8601 / RFC 3339 timestamp.
func (val validator) parseTimestamp(s string) (time.Time, error) {
	g := reTimestamp.FindStringSubmatch(s)
	if g == nil {
		return time.Time{}, fmt.Errorf("not an ISO 8601 timestamp")
	}
	tz := g[8]
	if tz == "-00:00" || tz == "-0000" || tz == "-00" {
		return time.Time{}, fmt.Errorf("the offset -00:00 is not allowed")
	}
	norm := fmt.Sprintf("%s-%s-%sT%s:%s", g[1], g[2], g[3], g[4], g[5])
	if g[6] != "" {
		norm += ":" + g[6]
	} else {
		norm += ":00"
	}
	if g[7] != "" {
		norm += "." + g[7]
	}
	switch {
	case tz == "" || tz == "Z" || tz == "z":
		norm += "Z"
	case len(tz) == 3:
		norm += tz + ":00"
	case len(tz) == 5:
		norm += tz[:3] + ":" + tz[3:]
	default:
		norm += tz
	}
	t, err := time.Parse(time.RFC3339Nano, norm)
	if err != nil {
		return time.Time{}, fmt.Errorf("not a valid date and time")
	}
	return t.UTC(), nil
}

func (val validator) timestamp(m map[string]any, key, path string) error {
	s, has, err := str(m, key, path, false)
	if err != nil || !has {
		return err
	}
	if _, err := val.parseTimestamp(s); err != nil {
		return bad(path+"."+key, "%v", err)
	}
	return nil
}

func (val validator) attachments(x any, path string) error {
	arr, ok := x.([]any)
	if !ok {
		return bad(path, "must be an array")
	}
	for i, a := range arr {
		p := fmt.Sprintf("%s[%d]", path, i)
		m, err := obj(a, p)
		if err != nil {
			return err
		}
		if err := allowOnly(m, p, "usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"); err != nil {
			return err
		}
		if _, err := iri(m, "usageType", p, true); err != nil {
			return err
		}
		d, has := m["display"]
		if !has {
			return bad(p+".display", "is required")
		}
		if err := langMap(d, p+".display"); err != nil {
			return err
		}
		if err := optLangMap(m, "description", p); err != nil {
			return err
		}
		ct, _, err := str(m, "contentType", p, true)
		if err != nil {
			return err
		}
		if !reMediaType.MatchString(ct) {
			return bad(p+".contentType", "must be an Internet media type")
		}
		l, has := m["length"]
		if !has {
			return bad(p+".length", "is required")
		}
		n, isNum := l.(json.Number)
		if _, err := n.Int64(); !isNum || err != nil {
			return bad(p+".length", "must be a whole number")
		}
		sha, _, err := str(m, "sha2", p, true)
		if err != nil {
			return err
		}
		if _, err := hex.DecodeString(sha); err != nil || len(sha) < 56 {
			return bad(p+".sha2", "must be a hex SHA-2 hash")
		}
		if _, err := iri(m, "fileUrl", p, false); err != nil {
			return err
		}
	}
	return nil
}

// statement validates a statement (or a SubStatement when sub).
func (val validator) statement(m map[string]any, path string, sub bool) error {
	allowed := []string{"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version", "attachments"}
	if sub {
		allowed = []string{"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
	}
	if err := allowOnly(m, path, allowed...); err != nil {
		return err
	}
	if !sub {
		if _, err := uuidProp(m, "id", path, false); err != nil {
			return err
		}
		if err := noNulls(m, path); err != nil {
			return err
		}
	}
	for _, k := range []string{"actor", "verb", "object"} {
		if _, ok := m[k]; !ok {
			return bad(path+"."+k, "is required")
		}
	}
	if err := val.actor(m["actor"], path+".actor"); err != nil {
		return err
	}
	verbID, err := val.verb(m["verb"], path+".verb")
	if err != nil {
		return err
	}
	if err := val.object(m["object"], path+".object", sub); err != nil {
		return err
	}
	om := m["object"].(map[string]any)
	ot, _ := om["objectType"].(string)
	if verbID == VerbVoided && ot != "StatementRef" {
		return bad(path+".object", "a voiding statement's object must be a StatementRef")
	}
	if r, ok := m["result"]; ok {
		if err := val.result(r, path+".result"); err != nil {
			return err
		}
	}
	if c, ok := m["context"]; ok {
		if err := val.context(c, path+".context", ot == "" || ot == "Activity"); err != nil {
			return err
		}
	}
	if err := val.timestamp(m, "timestamp", path); err != nil {
		return err
	}
	if err := val.timestamp(m, "stored", path); err != nil {
		return err
	}
	if a, ok := m["authority"]; ok {
		if err := val.actor(a, path+".authority"); err != nil {
			return err
		}
		if am := a.(map[string]any); am["objectType"] == "Group" {
			if members, _ := am["member"].([]any); len(members) != 2 || IFI(am) != "" {
				return bad(path+".authority", "a Group authority is an anonymous Group of exactly two Agents (OAuth consumer and user)")
			}
		}
	}
	if ver, has, err := str(m, "version", path, false); err != nil {
		return err
	} else if has {
		ok := reVersion1.MatchString(ver) || (val.v == V200 && reVersion2.MatchString(ver))
		if !ok {
			return bad(path+".version", "%q is not a supported version", ver)
		}
	}
	if a, ok := m["attachments"]; ok {
		if err := val.attachments(a, path+".attachments"); err != nil {
			return err
		}
	}
	return nil
}

// ValidateStatement checks one statement (decoded with json.Decoder.UseNumber) for version v.
func ValidateStatement(m map[string]any, v Version) error {
	return validator{v: v}.statement(m, "statement", false)
}
