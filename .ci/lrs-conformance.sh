#!/usr/bin/env bash
# Runs the ADL LRS conformance test suite against a fresh GLC server.
#
#   LRS_SUITE=/path/to/lrs-conformance-test-suite .ci/lrs-conformance.sh [1.0.3] [2.0.0]
#
# The suite (github.com/adlnet/lrs-conformance-test-suite, Node) lives outside this
# repository and must have had `npm install` run in it. This script builds glc, starts it on
# the embedded backend (SQLite + local objects in a temporary data folder) on a free port,
# creates record-store credentials with `glc lrs credential create`, runs the suite for each
# version and prints the summary read from the suite's JSON log. It exits non-zero when any
# test failed. Set GLC_DATABASE_URL (and GLC_S3_*) to run it against PostgreSQL (+ S3).
set -euo pipefail

if [[ -z "${LRS_SUITE:-}" ]]; then
	echo "lrs-conformance: set LRS_SUITE to a checkout of adlnet/lrs-conformance-test-suite (with npm install done)" >&2
	exit 2
fi
suite=$(cd "$LRS_SUITE" && pwd)
[[ -f "$suite/bin/console_runner.js" ]] || { echo "lrs-conformance: $suite is not the conformance suite" >&2; exit 2; }
versions=("$@")
[[ ${#versions[@]} -gt 0 ]] || versions=(1.0.3 2.0.0)

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server_pid=""
cleanup() {
	if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

(cd "$repo" && go build -o "$work/glc" ./cmd/glc)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
export GLC_DATA_DIR="$work/data" GLC_ADDR="127.0.0.1:$port" GLC_BASE_URL="http://127.0.0.1:$port" GLC_AUTO_MIGRATE=true GLC_LOG_LEVEL="${GLC_LOG_LEVEL:-warn}"
creds=$("$work/glc" lrs credential create --name "ADL conformance suite")
user=$(awk '/^username:/ {print $2}' <<<"$creds")
pass=$(awk '/^password:/ {print $2}' <<<"$creds")
"$work/glc" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
	curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done
curl -fs "http://127.0.0.1:$port/xapi/about" >/dev/null || { echo "lrs-conformance: the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }

status=0
for v in "${versions[@]}"; do
	echo "== xAPI $v conformance against http://127.0.0.1:$port/xapi"
	before=$(ls -1 "$suite/logs" 2>/dev/null | sort || true)
	set +e
	(cd "$suite" && node bin/console_runner.js -e "http://127.0.0.1:$port/xapi" -a -u "$user" -p "$pass" -x "$v" -z >"$work/suite-$v.out" 2>&1)
	set -e
	log=$(comm -13 <(echo "$before") <(ls -1 "$suite/logs" 2>/dev/null | sort) | tail -1)
	if [[ -z "$log" ]]; then
		echo "lrs-conformance: the suite wrote no log for $v" >&2
		tail -40 "$work/suite-$v.out" >&2
		status=1
		continue
	fi
	summary=$(node -e '
		const l = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		const s = l.summary || {};
		console.log(`xapi ${process.argv[2]}: ${s.passed} passed, ${s.failed} failed (total ${s.total})`);
		const walk = (n, path) => {
			if (!n) return;
			const here = n.title ? [...path, n.title] : path;
			if (n.status === "failed" && (!n.tests || n.tests.length === 0)) console.log("  FAIL: " + here.join(" > ") + (n.error ? " -- " + String(n.error).split("\n")[0] : ""));
			(n.tests || []).forEach(t => walk(t, here));
		};
		walk(l.log, []);
		process.exit(s.failed > 0 ? 1 : 0);
	' "$suite/logs/$log" "$v") && rc=0 || rc=$?
	echo "$summary"
	echo "   log: $suite/logs/$log"
	[[ $rc -eq 0 ]] || status=1
done
exit $status
