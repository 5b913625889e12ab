#!/usr/bin/env bash
# Injected regression: lib1 made heavier (twice the generic functions:
# make_traces.sh), 3 builds a side.  btrace diff must put lib1 first, mark its
# CPU's change as beyond the noise, and show that what grew is its
# frontend and codegen, not the link.
source "$(dirname "$0")/common.sh" "$@"
cd "$T"
"$BTRACE" diff --format json -o "$out/d" base1 base2 base3 -- \
	heavy1 heavy2 heavy3 >"$out/diff.json" || fail "btrace diff failed"
python3 - "$out/diff.json" <<'PY' || fail "diff.json check"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["builds"] == {"base": 3, "new": 3}, d["builds"]
assert d["significance"] == "student-t-99"
u = d["units"][0]
print("first unit:", u["unit"], "cpu", u["cpu"])
assert u["crate"] == "lib1" and u["target"] == "lib", u["unit"]
assert u["status"] == "both"
assert u["cpu"]["verdict"] == "changed", u["cpu"]
assert 25 <= u["cpu"]["pct"] <= 150, u["cpu"]["pct"]
c = u["categories"]
for k in ("frontend", "codegen_llvm"):
    print(k, c[k])
    assert c[k]["delta"] > 0 and c[k]["pct"] >= 10, (k, c[k])
# Not the link: lib1's (writing its rlib, a few ms) and the build's did
# not grow beyond the noise.
print("lib1 link", c["link"])
assert c["link"]["verdict"] != "changed", c["link"]
bl = d["build"]["categories"]["link"]
print("build link", bl)
assert not (bl["verdict"] == "changed" and bl["delta"] > 0), bl
# The other units' CPU changed less than lib1's.
for o in d["units"][1:]:
    assert abs(o["cpu"]["delta"]) <= abs(u["cpu"]["delta"]), o["unit"]
assert d["settings_changed"] == [], d["settings_changed"]
PY
# The text says the same, lib1 on the first unit line.
"$BTRACE" diff -o "$out/d" base1 base2 base3 -- heavy1 heavy2 heavy3 \
	>"$out/diff.txt" 2>/dev/null
grep -A1 '^  cpu change' "$out/diff.txt" | tail -1 | tee /dev/stderr |
	grep -q 'changed .*lib1 0.1.0 lib$' || fail "lib1 not first in the text"
# And the files: diff.svg with lib1 red, both sides' folded stacks.
for f in diff.svg base.folded new.folded; do
	[ -s "$out/d/$f" ] || fail "no $f"
done
grep -q '^lib1 0.1.0 lib;' "$out/d/new.folded" || fail "new.folded: no lib1"
echo "ok: the injected regression is found"
