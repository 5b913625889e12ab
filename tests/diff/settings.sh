#!/usr/bin/env bash
# Settings change: debug = 2 (cargo's dev default) against debug = 0.
# btrace diff names the change, with the number of compilations, and the
# debuginfo category falls by at least 90%.  With one build a side the
# significance is unknown, and --fail-above compares the plain change:
# going back to debug = 2 grows the CPU, so --fail-above 5 exits 3.
source "$(dirname "$0")/common.sh" "$@"
cd "$T"
"$BTRACE" diff --format json -o "$out/d" base1 debug0 >"$out/diff.json" ||
	fail "btrace diff failed"
python3 - "$out/diff.json" <<'PY' || fail "diff.json check"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["settings_changed"]
print(s)
assert {"setting": "debuginfo", "from": "2", "to": "0",
        "compilations": 5} in s, s
assert all(x["setting"] == "debuginfo" for x in s), s
di = d["build"]["categories"]["debuginfo"]
print("debuginfo", di)
assert di["base"] > 0.02 and di["pct"] <= -90, di
assert di["verdict"] == "significance unknown" and di["noise"] is None
assert d["significance"] == "unknown"
PY
"$BTRACE" diff -o "$out/d" base1 debug0 >"$out/diff.txt" 2>/dev/null
grep -q '^  debuginfo 2 -> 0 in 5 compilations$' "$out/diff.txt" ||
	fail "the text does not name the change"
grep -q 'Significance unknown' "$out/diff.txt" || fail "no unknown mark"
"$BTRACE" diff --format markdown -o "$out/d" base1 debug0 >"$out/diff.md" \
	2>/dev/null
grep -q '^- debuginfo 2 -> 0 in 5 compilations$' "$out/diff.md" ||
	fail "the markdown does not name the change"
rc=0
"$BTRACE" diff --fail-above 5 -o "$out/d" debug0 base1 >/dev/null \
	2>"$out/err" || rc=$?
cat "$out/err"
[ "$rc" = 3 ] || fail "--fail-above 5 exited $rc, not 3, on a CPU growth"
grep -q "the build's cpu grew .*one build a side" "$out/err" ||
	fail "no line says what grew"
rc=0
"$BTRACE" diff --fail-above 5 -o "$out/d" base1 debug0 >/dev/null \
	2>/dev/null || rc=$?
[ "$rc" = 0 ] || fail "--fail-above exited $rc on a build that got faster"
echo "ok: the settings change is named and debuginfo falls"
