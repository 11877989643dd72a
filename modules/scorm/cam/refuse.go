// Package cam reads SCORM packages' manifests (imsmanifest.xml, the Content Aggregation
// Model of SCORM 1.2 and SCORM 2004) and the run-time notations the LMS must understand (time
// spans, SCORM 1.2 prerequisites). It depends on nothing heavier than encoding/xml, so that it
// fuzzes fast: go test ./modules/scorm/cam -run '^$' -fuzz FuzzManifest.
package cam

import (
	"errors"
	"fmt"

	"glc/internal/apperr"
)

// Refuse returns the 422 error that refuses a package, saying why.
func Refuse(format string, args ...any) error {
	why := fmt.Sprintf(format, args...)
	return &apperr.Validation{Message: "The package was refused: " + why + ".", Fields: map[string]string{"file": why}}
}

// IsRefusal reports whether err refuses a package (as opposed to failing on our side).
func IsRefusal(err error) bool {
	var v *apperr.Validation
	return errors.As(err, &v)
}
