package scorm_test

import (
	"testing"

	"glc/modules/scorm/scormtest"
)

// The package builders live in scormtest (shared with the browser tests of the real binary).

type zipEntry = scormtest.Entry

func buildZip(t testing.TB, entries ...zipEntry) []byte { return scormtest.BuildZip(t, entries...) }

const (
	scoPage   = scormtest.SCOPage
	scoScript = scormtest.SCOScript
)

func scoWith(src string) string { return scormtest.SCOWith(src) }

var (
	manifest12Multi = scormtest.Manifest12Multi()
	manifest2004    = scormtest.Manifest2004()
)

func package12Multi(t testing.TB) []byte { return scormtest.Package12Multi(t) }

func package2004(t testing.TB) []byte { return scormtest.Package2004(t) }

func package2004With(t testing.TB, manifest string) []byte {
	return scormtest.Package2004With(t, manifest)
}
