package cam

import (
	"encoding/xml"
	"strconv"
	"strings"
)

// Sequencing is the SCORM 2004 sequencing and navigation data of one activity (IMS SS with the
// ADL extensions), in the shape scorm-again's sequencing engine takes for an activity
// (ActivitySettings), so the player passes it on unchanged.
type Sequencing struct {
	SequencingControls           *SequencingControls `json:"sequencingControls,omitempty"`
	SequencingRules              *SequencingRules    `json:"sequencingRules,omitempty"`
	RollupRules                  *RollupRules        `json:"rollupRules,omitempty"`
	RollupConsiderations         map[string]any      `json:"rollupConsiderations,omitempty"`
	PrimaryObjective             *Objective          `json:"primaryObjective,omitempty"`
	Objectives                   []Objective         `json:"objectives,omitempty"`
	AttemptLimit                 *int                `json:"attemptLimit,omitempty"`
	AttemptAbsoluteDurationLimit string              `json:"attemptAbsoluteDurationLimit,omitempty"`
	DeliveryControls             *DeliveryControls   `json:"deliveryControls,omitempty"`
}

// SequencingControls are the control modes, randomization, constrained choice and rollup
// controls of an activity.
type SequencingControls struct {
	Choice                         *bool    `json:"choice,omitempty"`
	ChoiceExit                     *bool    `json:"choiceExit,omitempty"`
	Flow                           *bool    `json:"flow,omitempty"`
	ForwardOnly                    *bool    `json:"forwardOnly,omitempty"`
	UseCurrentAttemptObjectiveInfo *bool    `json:"useCurrentAttemptObjectiveInfo,omitempty"`
	UseCurrentAttemptProgressInfo  *bool    `json:"useCurrentAttemptProgressInfo,omitempty"`
	PreventActivation              *bool    `json:"preventActivation,omitempty"`
	ConstrainChoice                *bool    `json:"constrainChoice,omitempty"`
	RollupObjectiveSatisfied       *bool    `json:"rollupObjectiveSatisfied,omitempty"`
	RollupProgressCompletion       *bool    `json:"rollupProgressCompletion,omitempty"`
	ObjectiveMeasureWeight         *float64 `json:"objectiveMeasureWeight,omitempty"`
	SelectionTiming                string   `json:"selectionTiming,omitempty"`
	SelectCount                    *int     `json:"selectCount,omitempty"`
	RandomizationTiming            string   `json:"randomizationTiming,omitempty"`
	RandomizeChildren              *bool    `json:"randomizeChildren,omitempty"`
}

// SequencingRules are the pre-, exit- and post-condition rules.
type SequencingRules struct {
	PreConditionRules  []SequencingRule `json:"preConditionRules,omitempty"`
	ExitConditionRules []SequencingRule `json:"exitConditionRules,omitempty"`
	PostConditionRules []SequencingRule `json:"postConditionRules,omitempty"`
}

// SequencingRule is one rule: when its conditions hold, its action applies.
type SequencingRule struct {
	Action               string          `json:"action"`
	ConditionCombination string          `json:"conditionCombination,omitempty"`
	Conditions           []RuleCondition `json:"conditions"`
}

// RuleCondition is one condition of a sequencing rule.
type RuleCondition struct {
	Condition           string         `json:"condition"`
	Operator            string         `json:"operator,omitempty"`
	ReferencedObjective string         `json:"referencedObjective,omitempty"`
	Parameters          map[string]any `json:"parameters,omitempty"`
}

// RollupRules are an activity's rollup rules.
type RollupRules struct {
	Rules []RollupRule `json:"rules"`
}

// RollupRule is one rollup rule.
type RollupRule struct {
	Action               string            `json:"action"`
	Consideration        string            `json:"consideration,omitempty"`
	MinimumCount         *int              `json:"minimumCount,omitempty"`
	MinimumPercent       *float64          `json:"minimumPercent,omitempty"`
	ConditionCombination string            `json:"conditionCombination,omitempty"`
	Conditions           []RollupCondition `json:"conditions"`
}

// RollupCondition is one condition of a rollup rule.
type RollupCondition struct {
	Condition string `json:"condition"`
	Operator  string `json:"operator,omitempty"`
}

// Objective is a learning objective with its mapping to global objectives.
type Objective struct {
	ObjectiveID          string           `json:"objectiveID"`
	IsPrimary            bool             `json:"isPrimary,omitempty"`
	SatisfiedByMeasure   bool             `json:"satisfiedByMeasure,omitempty"`
	MinNormalizedMeasure *float64         `json:"minNormalizedMeasure,omitempty"`
	MapInfo              []map[string]any `json:"mapInfo,omitempty"`
}

// DeliveryControls say whether the activity is tracked and who sets its status.
type DeliveryControls struct {
	Tracked                *bool `json:"tracked,omitempty"`
	CompletionSetByContent *bool `json:"completionSetByContent,omitempty"`
	ObjectiveSetByContent  *bool `json:"objectiveSetByContent,omitempty"`
}

// --- XML --------------------------------------------------------------------------------

// xSequencing is imsss:sequencing. The adlseq:objectives field comes before imsss:objectives
// because encoding/xml gives an element to the first field whose name matches.
type xSequencing struct {
	ID          string     `xml:"ID,attr"`
	IDRef       string     `xml:"IDRef,attr"`
	ADLObjs     *xADLObjs  `xml:"http://www.adlnet.org/xsd/adlseq_v1p3 objectives"`
	ControlMode *xAttrs    `xml:"controlMode"`
	Rules       *xSeqRules `xml:"sequencingRules"`
	Limits      *xAttrs    `xml:"limitConditions"`
	Rollup      *xRollup   `xml:"rollupRules"`
	Objectives  *xObjs     `xml:"objectives"`
	Random      *xAttrs    `xml:"randomizationControls"`
	Delivery    *xAttrs    `xml:"deliveryControls"`
	Constrained *xAttrs    `xml:"constrainedChoiceConsiderations"`
	RollupCons  *xAttrs    `xml:"rollupConsiderations"`
}

// xAttrs keeps an element's attributes.
type xAttrs struct {
	Attrs []xml.Attr `xml:",any,attr"`
}

// get returns the attribute with local name n, and whether it is there.
func (a *xAttrs) get(n string) (string, bool) {
	if a == nil {
		return "", false
	}
	for _, at := range a.Attrs {
		if at.Name.Local == n {
			return strings.TrimSpace(at.Value), true
		}
	}
	return "", false
}

func (a *xAttrs) boolp(n string) *bool {
	v, ok := a.get(n)
	if !ok {
		return nil
	}
	b := parseBool(v, false)
	return &b
}

type xSeqRules struct {
	Pre  []xSeqRule `xml:"preConditionRule"`
	Exit []xSeqRule `xml:"exitConditionRule"`
	Post []xSeqRule `xml:"postConditionRule"`
}

type xSeqRule struct {
	Conditions struct {
		Combination string `xml:"conditionCombination,attr"`
		Conds       []struct {
			Referenced string `xml:"referencedObjective,attr"`
			Threshold  string `xml:"measureThreshold,attr"`
			Operator   string `xml:"operator,attr"`
			Condition  string `xml:"condition,attr"`
		} `xml:"ruleCondition"`
	} `xml:"ruleConditions"`
	Action struct {
		Action string `xml:"action,attr"`
	} `xml:"ruleAction"`
}

type xRollup struct {
	ObjectiveSatisfied string `xml:"rollupObjectiveSatisfied,attr"`
	ProgressCompletion string `xml:"rollupProgressCompletion,attr"`
	MeasureWeight      string `xml:"objectiveMeasureWeight,attr"`
	Rules              []struct {
		ChildActivitySet string `xml:"childActivitySet,attr"`
		MinimumCount     string `xml:"minimumCount,attr"`
		MinimumPercent   string `xml:"minimumPercent,attr"`
		Conditions       struct {
			Combination string `xml:"conditionCombination,attr"`
			Conds       []struct {
				Operator  string `xml:"operator,attr"`
				Condition string `xml:"condition,attr"`
			} `xml:"rollupCondition"`
		} `xml:"rollupConditions"`
		Action struct {
			Action string `xml:"action,attr"`
		} `xml:"rollupAction"`
	} `xml:"rollupRule"`
}

type xObjs struct {
	Primary *xObjective  `xml:"primaryObjective"`
	Others  []xObjective `xml:"objective"`
}

type xObjective struct {
	ObjectiveID        string   `xml:"objectiveID,attr"`
	SatisfiedByMeasure string   `xml:"satisfiedByMeasure,attr"`
	MinNormalized      string   `xml:"minNormalizedMeasure"`
	MapInfo            []xAttrs `xml:"mapInfo"`
}

// xADLObjs is the 4th edition's adlseq:objectives (extended map info per objective).
type xADLObjs struct {
	Objs []struct {
		ObjectiveID string   `xml:"objectiveID,attr"`
		MapInfo     []xAttrs `xml:"mapInfo"`
	} `xml:"objective"`
}

// merge returns s with the elements it lacks taken from base (a sequencingCollection entry
// named by IDRef): the item's own elements override the collection's, element by element.
func (s *xSequencing) merge(base *xSequencing) *xSequencing {
	out := *base
	out.ID, out.IDRef = s.ID, s.IDRef
	if s.ControlMode != nil {
		out.ControlMode = s.ControlMode
	}
	if s.Rules != nil {
		out.Rules = s.Rules
	}
	if s.Limits != nil {
		out.Limits = s.Limits
	}
	if s.Rollup != nil {
		out.Rollup = s.Rollup
	}
	if s.Objectives != nil {
		out.Objectives = s.Objectives
	}
	if s.Random != nil {
		out.Random = s.Random
	}
	if s.Delivery != nil {
		out.Delivery = s.Delivery
	}
	if s.Constrained != nil {
		out.Constrained = s.Constrained
	}
	if s.RollupCons != nil {
		out.RollupCons = s.RollupCons
	}
	if s.ADLObjs != nil {
		out.ADLObjs = s.ADLObjs
	}
	return &out
}

// sequencing resolves an activity's IDRef against the sequencing collection and converts it.
func (p *parser) sequencing(x *xSequencing, owner string) (*Sequencing, error) {
	if x == nil {
		return nil, nil
	}
	if x.IDRef != "" {
		base, ok := p.collection[x.IDRef]
		if !ok {
			return nil, Refuse("the sequencing of %q refers to %q, which the sequencingCollection does not define", owner, x.IDRef)
		}
		x = x.merge(base)
	}
	return convertSequencing(x), nil
}

func convertSequencing(x *xSequencing) *Sequencing {
	s := &Sequencing{}
	ctl := &SequencingControls{
		Choice: x.ControlMode.boolp("choice"), ChoiceExit: x.ControlMode.boolp("choiceExit"),
		Flow: x.ControlMode.boolp("flow"), ForwardOnly: x.ControlMode.boolp("forwardOnly"),
		UseCurrentAttemptObjectiveInfo: x.ControlMode.boolp("useCurrentAttemptObjectiveInfo"),
		UseCurrentAttemptProgressInfo:  x.ControlMode.boolp("useCurrentAttemptProgressInfo"),
		PreventActivation:              x.Constrained.boolp("preventActivation"),
		ConstrainChoice:                x.Constrained.boolp("constrainChoice"),
		RandomizeChildren:              x.Random.boolp("reorderChildren"),
	}
	if v, ok := x.Random.get("selectionTiming"); ok {
		ctl.SelectionTiming = v
	}
	if v, ok := x.Random.get("randomizationTiming"); ok {
		ctl.RandomizationTiming = v
	}
	if v, ok := x.Random.get("selectCount"); ok {
		ctl.SelectCount = intp(v)
	}
	if r := x.Rollup; r != nil {
		if r.ObjectiveSatisfied != "" {
			b := parseBool(r.ObjectiveSatisfied, true)
			ctl.RollupObjectiveSatisfied = &b
		}
		if r.ProgressCompletion != "" {
			b := parseBool(r.ProgressCompletion, true)
			ctl.RollupProgressCompletion = &b
		}
		if r.MeasureWeight != "" {
			w := parseUnit(r.MeasureWeight, 1)
			ctl.ObjectiveMeasureWeight = &w
		}
		s.RollupRules = convertRollup(r)
	}
	if *ctl != (SequencingControls{}) {
		s.SequencingControls = ctl
	}
	if x.Rules != nil {
		s.SequencingRules = &SequencingRules{PreConditionRules: convertRules(x.Rules.Pre),
			ExitConditionRules: convertRules(x.Rules.Exit), PostConditionRules: convertRules(x.Rules.Post)}
	}
	if v, ok := x.Limits.get("attemptLimit"); ok {
		s.AttemptLimit = intp(v)
	}
	if v, ok := x.Limits.get("attemptAbsoluteDurationLimit"); ok {
		s.AttemptAbsoluteDurationLimit = v
	}
	if x.Delivery != nil {
		s.DeliveryControls = &DeliveryControls{Tracked: x.Delivery.boolp("tracked"),
			CompletionSetByContent: x.Delivery.boolp("completionSetByContent"),
			ObjectiveSetByContent:  x.Delivery.boolp("objectiveSetByContent")}
	}
	if x.RollupCons != nil {
		s.RollupConsiderations = map[string]any{}
		for _, a := range x.RollupCons.Attrs {
			if a.Name.Local == "measureSatisfactionIfActive" {
				s.RollupConsiderations[a.Name.Local] = parseBool(a.Value, true)
			} else {
				s.RollupConsiderations[a.Name.Local] = strings.TrimSpace(a.Value)
			}
		}
	}
	convertObjectives(x, s)
	return s
}

func convertRules(xs []xSeqRule) []SequencingRule {
	var out []SequencingRule
	for _, r := range xs {
		rule := SequencingRule{Action: strings.TrimSpace(r.Action.Action), ConditionCombination: r.Conditions.Combination, Conditions: []RuleCondition{}}
		for _, c := range r.Conditions.Conds {
			rc := RuleCondition{Condition: strings.TrimSpace(c.Condition), ReferencedObjective: c.Referenced}
			if op := strings.TrimSpace(c.Operator); op != "" && op != "noOp" {
				rc.Operator = op
			}
			if c.Threshold != "" {
				rc.Parameters = map[string]any{"threshold": parseUnit(c.Threshold, 0)}
			}
			rule.Conditions = append(rule.Conditions, rc)
		}
		out = append(out, rule)
	}
	return out
}

func convertRollup(r *xRollup) *RollupRules {
	if len(r.Rules) == 0 {
		return nil
	}
	out := &RollupRules{}
	for _, x := range r.Rules {
		rule := RollupRule{Action: strings.TrimSpace(x.Action.Action), Consideration: strings.TrimSpace(x.ChildActivitySet),
			ConditionCombination: x.Conditions.Combination, Conditions: []RollupCondition{}}
		if rule.Consideration == "" {
			rule.Consideration = "all"
		}
		if x.MinimumCount != "" {
			rule.MinimumCount = intp(x.MinimumCount)
		}
		if x.MinimumPercent != "" {
			v := parseUnit(x.MinimumPercent, 0)
			rule.MinimumPercent = &v
		}
		for _, c := range x.Conditions.Conds {
			rc := RollupCondition{Condition: strings.TrimSpace(c.Condition)}
			if op := strings.TrimSpace(c.Operator); op != "" {
				rc.Operator = op
			}
			rule.Conditions = append(rule.Conditions, rc)
		}
		out.Rules = append(out.Rules, rule)
	}
	return out
}

func convertObjectives(x *xSequencing, s *Sequencing) {
	extra := map[string][]map[string]any{}
	if x.ADLObjs != nil {
		for _, o := range x.ADLObjs.Objs {
			for _, mi := range o.MapInfo {
				extra[o.ObjectiveID] = append(extra[o.ObjectiveID], mapInfo(mi))
			}
		}
	}
	conv := func(o xObjective, primary bool) Objective {
		obj := Objective{ObjectiveID: o.ObjectiveID, IsPrimary: primary, SatisfiedByMeasure: parseBool(o.SatisfiedByMeasure, false)}
		if v := strings.TrimSpace(o.MinNormalized); v != "" {
			f := parseUnit(v, 1)
			obj.MinNormalizedMeasure = &f
		}
		for _, mi := range o.MapInfo {
			obj.MapInfo = append(obj.MapInfo, mapInfo(mi))
		}
		obj.MapInfo = append(obj.MapInfo, extra[o.ObjectiveID]...)
		return obj
	}
	if x.Objectives == nil {
		return
	}
	if x.Objectives.Primary != nil {
		p := conv(*x.Objectives.Primary, true)
		s.PrimaryObjective = &p
	}
	for _, o := range x.Objectives.Others {
		s.Objectives = append(s.Objectives, conv(o, false))
	}
}

func mapInfo(a xAttrs) map[string]any {
	m := map[string]any{}
	for _, at := range a.Attrs {
		if at.Name.Local == "targetObjectiveID" {
			m[at.Name.Local] = strings.TrimSpace(at.Value)
		} else if at.Name.Space != "xmlns" {
			m[at.Name.Local] = parseBool(at.Value, false)
		}
	}
	return m
}

func intp(s string) *int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return nil
	}
	return &n
}
