#!/usr/bin/env bash
# --fail-above PCT on synthetic traces whose figures are exact: gen_trace
# with the same seed writes the same build, and with twice the samples
# a build of nearly twice the CPU (+83.0%) and wall (+81.8%).
#  - 1 vs 1: the plain change is judged (noise unknown): exit 3 past the
#    threshold, 0 below it, 0 for a build that got faster, 0 for none;
#  - 3 vs 3 identical builds a side: no spread, so no noise: the same.
#  - the JSON says what it judged.
set -euo pipefail
BTRACE=$1
GEN=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
d=$(mktemp -d /tmp/btrace-diff-fail.XXXXXX)
trap 'rm -rf "$d"' EXIT
for i in 1 2 3; do
	"$GEN" -o "$d/a$i" -p 40 -s 1000 --seed 15 >/dev/null
	"$GEN" -o "$d/b$i" -p 40 -s 2000 --seed 15 >/dev/null
done
expect() { # WANT_RC ARGS...
	local want=$1 rc=0
	shift
	"$BTRACE" diff -o "$d/out" "$@" >"$d/stdout" 2>"$d/err" || rc=$?
	[ "$rc" = "$want" ] || { cat "$d/err"; fail "diff $*: exit $rc, want $want"; }
	echo "ok: exit $rc: diff ${*//$d\//}"
}
expect 3 --fail-above 5 "$d/a1" "$d/b1"
grep -q "the build's cpu grew 83.0% (+4.03s) (one build a side: noise unknown), past --fail-above 5%" "$d/err" ||
	fail "no line for the CPU: $(cat "$d/err")"
grep -q "the build's wall grew" "$d/err" || fail "no line for the wall"
expect 3 --fail-above 82.5 "$d/a1" "$d/b1" # CPU +83.0% still past
grep -q "cpu grew" "$d/err" && ! grep -q "wall grew" "$d/err" ||
	fail "at 82.5%: only the CPU (+83.0%) is past, not the wall (+81.8%)"
expect 0 --fail-above 90 "$d/a1" "$d/b1"
expect 0 --fail-above 5 "$d/b1" "$d/a1"
expect 0 --fail-above 0 "$d/a1" "$d/a2"
expect 0 "$d/a1" "$d/b1" # no --fail-above: no judgement
expect 3 --fail-above 5 "$d/a1" "$d/a2" "$d/a3" -- "$d/b1" "$d/b2" "$d/b3"
grep -q "beyond the noise, past" "$d/err" || fail "3 vs 3: $(cat "$d/err")"
expect 0 --fail-above 5 --format json "$d/a1" "$d/a2" "$d/a3" -- \
	"$d/a3" "$d/a2" "$d/a1"
python3 - "$d/stdout" <<'PY' || fail "json of identical sides"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["significance"] == "student-t-99"
c = d["build"]["cpu"]
assert c["delta"] == 0 and c["noise"] == 0 and c["verdict"] == "within noise", c
assert all(u["status"] == "both" for u in d["units"])
PY
echo "ok: --fail-above exits 3 exactly past the threshold"
