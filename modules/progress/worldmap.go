package progress

//go:generate sh internal/worldgen/gen.sh
