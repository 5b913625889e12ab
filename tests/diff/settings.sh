#!/usr/bin/env bash
# Settings change: debug = 2 (cargo's dev default) against debug = 0.
# btrace diff names the change, with the number of compilations, and the
# debuginfo category falls by at least 90%.  With one build a side the
# significance is unknown.  And the toolchain: stable against nightly
# (when the fixture could build with nightly) is a "rustc" change named by
# version ("rustc 1.95.0 (59807616e 2026-04-14) -> 1.97.0-nightly (...)"),
# in the diff's three formats and in the nightly report's settings.
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
	# The versions as rustc -V prints them: the test may run rustc, btrace
	# never does (it reads them from the compiler library the sampler saw
	# loaded, model/toolchain.h).
	export PATH="$HOME/.cargo/bin:$PATH"
	v_base=$(rustc -V | sed 's/^rustc //')
	v_new=$(rustup run nightly rustc -V | sed 's/^rustc //')
	echo "rustc: $v_base -> $v_new"
	"$BTRACE" diff --format json -o "$out/d" base1 nightly >"$out/tc.json" ||
		fail "btrace diff (nightly) failed"
	python3 - "$out/tc.json" "$v_base" "$v_new" <<'PY' || fail "toolchain check"
import json, sys
d = json.load(open(sys.argv[1]))
t = [x for x in d["settings_changed"] if x["setting"] == "rustc"]
print(t)
assert len(t) == 1 and t[0]["compilations"] == 5, t
assert t[0]["from"] == sys.argv[2] and t[0]["to"] == sys.argv[3], t
PY
	"$BTRACE" diff -o "$out/d" base1 nightly >"$out/tc.txt" 2>/dev/null
	grep -qxF "  rustc $v_base -> $v_new in 5 compilations" "$out/tc.txt" ||
		fail "the text does not name the versions: $(grep rustc "$out/tc.txt")"
	"$BTRACE" diff --format markdown -o "$out/d" base1 nightly \
		>"$out/tc.md" 2>/dev/null
	grep -qxF -- "- rustc $v_base -> $v_new in 5 compilations" "$out/tc.md" ||
		fail "the markdown does not name the versions"
	# the report's settings name it too, read from the compiler library
	"$BTRACE" report -q -o "$out/r" nightly >/dev/null 2>&1 ||
		fail "btrace report (nightly) failed"
	python3 - "$out/r/summary.json" "$v_new" <<'PY' || fail "summary.json rustc"
import json, sys
d = json.load(open(sys.argv[1]))
print(d["settings"]["rustc"], d["toolchains"])
assert list(d["settings"]["rustc"]) == [sys.argv[2]], d["settings"]["rustc"]
t = d["toolchains"][0]
assert t["version"] == sys.argv[2] and t["version_from"] == "librustc_driver", t
assert t["name"].startswith("nightly-") and t["driver"].startswith("librustc_driver-"), t
PY
	awk -v v="$v_new" '$1 == "rustc" && substr($0, 19) == v { ok = 1 }
		END { exit !ok }' "$out/r/summary.txt" ||
		fail "summary.txt does not name the version: $(grep '^  rustc' "$out/r/summary.txt")"
else
	echo "no nightly toolchain: the rustc change is not checked"
fi
echo "ok: the settings change is named and debuginfo falls"
