#!/usr/bin/env bash
# No regression: 3 against 3 builds of the same workspace.  Every change
# of the build is within the noise, and --fail-above 5 exits 0.  The diff
# tests each quantity at 99% (the build's wall, CPU and categories, and
# each unit's), so between identical builds about one in a hundred is
# flagged by chance alone: of the 70-odd quantities, at most the count
# that independent tests exceed less than 0.5% of the time may be (4 for
# 72; the binomial tail is computed below).  Requiring none at the build
# level failed about one run in ten, as its 12 quantities predict (CI,
# 2026-12-05: the build's debuginfo, 0.147 s against 0.123 s, about 35
# samples a side).
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
    if c["verdict"] != "within noise":
        bad += 1; print("not within noise:", name, c)
for u in d["units"]:
    assert u["status"] == "both", u["unit"]
    for name, c in changes(u, u["unit"]):
        seen += 1
        if c["verdict"] != "within noise":
            bad += 1; print("not within noise:", name, c)
# the most that 99% tests of SEEN null quantities flag with probability
# above 0.5%: the smallest K with P(Binomial(SEEN, 0.01) > K) < 0.005
k, tail, pmf = 0, 1.0, 0.99 ** seen
while True:
    tail -= pmf
    if tail < 0.005:
        break
    k += 1
    pmf = pmf * (seen - k + 1) / k * 0.01 / 0.99
print(seen, "changes,", bad, "beyond the noise, at most", k, "allowed")
assert seen > 50 and bad <= k and k <= 5, (seen, bad, k)
assert d["settings_changed"] == [] and d["unit_counts"]["added"] == 0
PY
echo "ok: identical builds differ only within the noise"
