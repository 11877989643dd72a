package storage

import (
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// Names the local backend keeps for itself next to stored files. Keys may not use them on any
// backend, so that objects can move between backends unchanged.
const (
	metaSuffix = ".glc-meta" // sidecar holding an object's content type: "<file>.glc-meta"
	tempPrefix = ".glc-tmp-" // partly written file, renamed into place when complete
)

// cleanKey checks key and returns its canonical form ("a//b/./c" becomes "a/b/c"). It refuses,
// wrapping ErrInvalidKey, keys that are empty, absolute, not UTF-8, contain NUL or a backslash,
// have a ".." element, or use a name reserved by the local backend.
func cleanKey(key string) (string, error) {
	if key == "" {
		return "", invalidKey(key, "empty")
	}
	if strings.HasPrefix(key, "/") {
		return "", invalidKey(key, "absolute")
	}
	if err := checkElements(key); err != nil {
		return "", err
	}
	cleaned := path.Clean(key)
	if cleaned == "." {
		return "", invalidKey(key, "names no object")
	}
	return cleaned, nil
}

// checkPrefix checks a List prefix. Prefixes follow the key rules except that they may be empty
// and may end with "/"; they are not cleaned because "a/" and "a" select different keys.
func checkPrefix(prefix string) error {
	if strings.HasPrefix(prefix, "/") {
		return invalidKey(prefix, "absolute prefix")
	}
	return checkElements(prefix)
}

// checkElements applies the rules shared by keys and prefixes.
func checkElements(key string) error {
	if !utf8.ValidString(key) {
		return invalidKey(key, "not UTF-8")
	}
	if strings.ContainsRune(key, 0) {
		return invalidKey(key, "contains NUL")
	}
	if strings.ContainsRune(key, '\\') {
		return invalidKey(key, "contains a backslash")
	}
	for _, elem := range strings.Split(key, "/") {
		if elem == ".." {
			return invalidKey(key, `contains a ".." element`)
		}
		if isReserved(elem) {
			return invalidKey(key, "uses a reserved name")
		}
	}
	return nil
}

// isReserved reports whether a path element is a sidecar or temp file name.
func isReserved(elem string) bool {
	return strings.HasSuffix(elem, metaSuffix) || strings.HasPrefix(elem, tempPrefix)
}

func invalidKey(key, why string) error {
	return fmt.Errorf("%w %q: %s", ErrInvalidKey, key, why)
}
