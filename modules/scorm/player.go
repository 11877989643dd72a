package scorm

import (
	"glc/modules/scorm/cam"

	"context"
)

// Player gathers what the player page shows: the caller's current attempt (started when there
// is none) and the outline with each item's status, lock and navigation rights.
func (s *Service) Player(ctx context.Context, lessonID int64) (*PlayerData, error) {
	acc, err := s.access(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	a, err := s.CurrentAttempt(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	_, m, err := s.packageOf(ctx, lessonID)
	if err != nil {
		return nil, err
	}
	states, err := s.states(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&Attempt{}).Where("lesson_id = ? AND user_id = ?", lessonID, a.UserID).Count(&n).Error; err != nil {
		return nil, err
	}
	d := &PlayerData{LessonID: lessonID, CourseID: acc.CourseID, Title: m.Title, Standard: m.Standard, Attempt: a, Manage: acc.Manage,
		Outline: Outline(m, states), TotalTime: cam.FormatDuration2004(a.TotalCS), AttemptStatusID: statusID(status12(a.CompletionStatus, a.SuccessStatus))}
	d.CanRetry = a.CompletionStatus != "not attempted" && (acc.Settings.MaxAttempts == 0 || int(n) < acc.Settings.MaxAttempts)
	return d, nil
}

// Outline lists the items in order with their status (as a SCORM 1.2 lesson status word),
// whether SCORM 1.2 prerequisites lock them, and the SCORM 2004 control modes of their parent
// (choice: may be opened from the outline; flow: reachable with continue/previous).
func Outline(m *Manifest, states []ItemState) []OutlineRow {
	lookup := statusLookup(states)
	var rows []OutlineRow
	var walk func(items []*Item, depth int, parent *Sequencing)
	walk = func(items []*Item, depth int, parent *Sequencing) {
		choice, flow, fwd := true, true, false
		if m.Standard == StandardSCORM2004 {
			choice, flow = true, false // IMS SS defaults
			if parent != nil && parent.SequencingControls != nil {
				ctl := parent.SequencingControls
				if ctl.Choice != nil {
					choice = *ctl.Choice
				}
				if ctl.Flow != nil {
					flow = *ctl.Flow
				}
				if ctl.ForwardOnly != nil {
					fwd = *ctl.ForwardOnly
				}
			}
		}
		for _, it := range items {
			row := OutlineRow{Identifier: it.Identifier, Title: it.Title, Depth: depth, Launchable: it.Launchable,
				Status: lookup(it.Identifier), StatusID: statusID(lookup(it.Identifier)), Hidden: it.Hidden, Choice: choice, Flow: flow, ForwardOnly: fwd}
			if m.Standard == StandardSCORM12 && it.Prerequisites != "" {
				row.Locked = !cam.EvalPrerequisites(it.Prerequisites, lookup)
			}
			if m.Standard == StandardSCORM2004 && it.Sequencing != nil && it.Sequencing.SequencingRules != nil {
				row.Locked = disabledByRules(it.Sequencing.SequencingRules.PreConditionRules, row.Status)
			}
			rows = append(rows, row)
			walk(it.Children, depth+1, it.Sequencing)
		}
	}
	walk(m.Items, 0, m.Sequencing)
	return rows
}

// disabledByRules evaluates the pre-condition rules the outline can know about from the item's
// own status ("disabled" or "hiddenFromChoice" when always, or when (not) satisfied/completed/
// attempted). Rules on referenced objectives are left to the runtime's sequencer.
func disabledByRules(rules []SequencingRule, status string) bool {
	for _, r := range rules {
		if r.Action != "disabled" && r.Action != "hiddenFromChoice" {
			continue
		}
		all, any := true, false
		for _, c := range r.Conditions {
			if c.ReferencedObjective != "" {
				all = false
				continue
			}
			var v bool
			switch c.Condition {
			case "always":
				v = true
			case "satisfied", "objectiveSatisfied":
				v = status == "passed"
			case "completed", "activityCompleted":
				v = status == "completed" || status == "passed" || status == "failed"
			case "attempted":
				v = status != "not attempted"
			default:
				all = false
				continue
			}
			if c.Operator == "not" {
				v = !v
			}
			all = all && v
			any = any || v
		}
		if len(r.Conditions) > 0 && ((r.ConditionCombination == "any" && any) || (r.ConditionCombination != "any" && all)) {
			return true
		}
	}
	return false
}
