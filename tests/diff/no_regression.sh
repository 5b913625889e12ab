#!/usr/bin/env bash
# No regression: 3 against 3 builds of the same workspace.  Every change
# of the build is within the noise, and --fail-above 5 exits 0.  Each
# unit's quantities are tested at 99% too, so of the 70-odd of them about
# one in a hundred is flagged by chance alone: at most 3 may be (with 72
# quantities and independent tests, more than 3 has a 0.6% chance).
# A run of the suite at load 15 had one.
source "$(dirname "$0")/common.sh" "$@"
cd "$T"
rc=0
"$BTRACE" diff --format json --fail-above 5 -o "$out/d" base1 base2 base3 \
	-- same1 same2 same3 >"$out/diff.json" || rc=$?
[ "$rc" = 0 ] || fail "--fail-above 5 exited $rc between identical builds"
python3 - "$out/diff.json" <<'PY' || fail "diff.json check"
import json, sys
d = json.load(open(sys.argv[1]))
def changes(o, where):
    yield where + " wall", o["wall"]
    yield where + " cpu", o["cpu"]
    for k, v in o["categories"].items():
        yield where + " " + k, v
seen = bad = 0
for name, c in changes(d["build"], "build"):
    seen += 1
    assert c["verdict"] == "within noise", (name, c)
for u in d["units"]:
    assert u["status"] == "both", u["unit"]
    for name, c in changes(u, u["unit"]):
        seen += 1
        if c["verdict"] != "within noise":
            bad += 1; print("not within noise:", name, c)
print(seen, "changes,", bad, "beyond the noise")
assert seen > 50 and bad <= 3
assert d["settings_changed"] == [] and d["unit_counts"]["added"] == 0
PY
echo "ok: identical builds differ only within the noise"
