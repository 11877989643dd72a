package scorm

import "glc/modules/scorm/cam"

// The manifest model lives in package cam (pure parsing, fuzzed on its own); these names keep
// it at hand here.
type (
	// Manifest is a parsed imsmanifest.xml.
	Manifest = cam.Manifest
	// Item is one node of a package's outline.
	Item = cam.Item
	// Sequencing is an activity's SCORM 2004 sequencing data.
	Sequencing = cam.Sequencing
	// SequencingRule is one sequencing rule.
	SequencingRule = cam.SequencingRule
)

// Standards a package follows.
const (
	StandardSCORM12   = cam.StandardSCORM12
	StandardSCORM2004 = cam.StandardSCORM2004
	StandardCMI5      = cam.StandardCMI5
)

// Refuse returns the 422 error that refuses a package, saying why.
func Refuse(format string, args ...any) error { return cam.Refuse(format, args...) }

// IsRefusal reports whether err refuses a package.
func IsRefusal(err error) bool { return cam.IsRefusal(err) }

// ParseManifest parses imsmanifest.xml (see cam.ParseManifest).
func ParseManifest(data []byte, has func(string) bool) (*Manifest, error) {
	return cam.ParseManifest(data, has)
}
