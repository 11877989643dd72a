package course

import "context"

// StructureListener is told, after the change is committed, that the lessons of a course
// changed in a way that can move learners' progress: a lesson added or deleted, or a lesson's
// required flag or completion rule changed. The progress module implements it (next to
// ProgressListener) and recomputes the stored progress of the learners still in progress, so
// that reports and dashboards do not show percentages of the old outline.
type StructureListener interface {
	CourseStructureChanged(ctx context.Context, courseID int64)
}

// structureChanged tells the listener, when it wants to know, that courseID's lessons changed.
func (s *Service) structureChanged(ctx context.Context, courseID int64) {
	if l, ok := s.listener.(StructureListener); ok {
		l.CourseStructureChanged(context.WithoutCancel(ctx), courseID)
	}
}

// countsDifferently reports whether a lesson edit changes what the lesson counts for.
func countsDifferently(before, after *Lesson) bool {
	return before.Required != after.Required || before.Completion != after.Completion || before.WatchPercent != after.WatchPercent
}
