package course

import "time"

// CatalogueSQL exposes the catalogue query for the EXPLAIN test.
func (s *Service) CatalogueSQL(q CatalogueQuery, userID int64) (string, []any) {
	sel, args, _, _ := s.catalogueSQL(q, userID, "en")
	return sel, append(args, 20, 0)
}

// MyCoursesSQL exposes the My learning query for the EXPLAIN test.
func (s *Service) MyCoursesSQL(userID int64, filter string) (string, []any) {
	q, args, _ := s.myCoursesSQL(userID, filter, time.Now().UTC())
	return q + " ORDER BY " + myCoursesOrder + " LIMIT 20", append(args, time.Now().UTC())
}
