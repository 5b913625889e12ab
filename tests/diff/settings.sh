#!/usr/bin/env bash
# Settings change: debug = 2 (cargo's dev default) against debug = 0.
# btrace diff names the change, with the number of compilations, and the
# debuginfo category falls by at least 90%.  With one build a side the
# significance is unknown.  And the toolchain: stable against nightly
# (when the fixture could build with nightly) is a "rustc" change.
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
if [ -d nightly ]; then
	"$BTRACE" diff --format json -o "$out/d" base1 nightly >"$out/tc.json" ||
		fail "btrace diff (nightly) failed"
	python3 - "$out/tc.json" <<'PY' || fail "toolchain check"
import json, sys
d = json.load(open(sys.argv[1]))
t = [x for x in d["settings_changed"] if x["setting"] == "rustc"]
print(t)
assert len(t) == 1 and t[0]["compilations"] == 5, t
assert t[0]["from"].startswith("stable-") and t[0]["to"].startswith("nightly-"), t
PY
else
	echo "no nightly toolchain: the rustc change is not checked"
fi
echo "ok: the settings change is named and debuginfo falls"
