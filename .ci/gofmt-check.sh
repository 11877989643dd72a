#!/usr/bin/env bash
# Fails, listing the files, when any tracked or untracked (not ignored) .go file
# outside vendor/ and node_modules/ is not gofmt-formatted. Used by `make lint`
# and .ci/test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

list_go_files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -z --cached --others --exclude-standard -- '*.go'
	else
		find . -name '*.go' -not -path './.git/*' -print0
	fi
}

files=()
while IFS= read -r -d '' f; do
	case "/$f" in
	*/vendor/* | */node_modules/* | */testdata/*) continue ;;
	esac
	[[ -f $f ]] && files+=("$f")
done < <(list_go_files)

if ((${#files[@]} == 0)); then
	echo "gofmt: no Go files"
	exit 0
fi

unformatted=$(gofmt -l "${files[@]}")
if [[ -n $unformatted ]]; then
	echo "gofmt: these files are not formatted (fix with: gofmt -w <file>):"
	while IFS= read -r f; do echo "  $f"; done <<<"$unformatted"
	exit 1
fi
echo "gofmt: ${#files[@]} files OK"
