package scorm

import (
	"path"
	"strings"
)

// contentTypes are the types of the files e-learning packages are made of. The table is ours
// (not the system's mime.types) so the same package is served the same way on every machine.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8", ".xhtml": "application/xhtml+xml",
	".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8", ".json": "application/json", ".xml": "application/xml",
	".xsd": "application/xml", ".dtd": "application/xml-dtd", ".txt": "text/plain; charset=utf-8",
	".csv": "text/csv; charset=utf-8", ".vtt": "text/vtt; charset=utf-8", ".srt": "text/plain; charset=utf-8",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".svg": "image/svg+xml", ".webp": "image/webp", ".ico": "image/x-icon", ".bmp": "image/bmp", ".avif": "image/avif",
	".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".ogv": "video/ogg", ".mov": "video/quicktime",
	".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".wav": "audio/wav", ".ogg": "audio/ogg", ".oga": "audio/ogg", ".aac": "audio/aac",
	".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf", ".eot": "application/vnd.ms-fontobject",
	".pdf": "application/pdf", ".swf": "application/x-shockwave-flash", ".wasm": "application/wasm",
	".zip": "application/zip",
}

// TypeByExtension returns the content type for a package file name, or "" when unknown.
func TypeByExtension(name string) string {
	return contentTypes[strings.ToLower(path.Ext(name))]
}
