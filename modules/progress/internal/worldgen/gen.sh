#!/bin/sh
# Regenerates ../../worldmap_data.go from the world-atlas npm package (run by go generate in
# modules/progress). Needs npm and the npm registry.
set -eu
version=2.0.2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "world-atlas@$version" >/dev/null && tar xzf "world-atlas-$version.tgz")
go run ./internal/worldgen -in "$tmp/package/countries-110m.json" -out worldmap_data.go
