#!/usr/bin/env bash
# Estimates for a rebuild (issue 13): a generated workspace whose app is
# its only member and whose libraries are dependencies outside it
# (../shared/workloads/gen-synthetic.sh), built once, then traced after
# `touch app/src/main.rs`:
#  - the report calls it a rebuild (1 unit compiled, the libraries linked
#    from the earlier build);
#  - the dependencies' rlibs carry debuginfo: debuginfo-deps-off is
#    recommended with a non-zero saving, all of it in the link;
#  - split-debuginfo-unpacked is recommended (Linux, debuginfo on);
#  - the app's own objects, deleted after the link, are read from its
#    incremental cache;
#  - after an edit of the library the app depends on, two units are
#    compiled and deps-off still saves in the link;
#  - built with [profile.dev.package."*"] debug = false, the same rebuild
#    gets no deps-off recommendation and a zero estimate;
#  - built again with nothing changed: a no-op build, nothing recommended.
source "$(dirname "$0")/common.sh" "$@"
gen="$(cd "$EXAMPLES/../.." && pwd)/shared/workloads/gen-synthetic.sh"
[ -f "$gen" ] || { echo "SKIP: no gen-synthetic.sh next to the repository"; exit 77; }
# 240 functions a crate: at 120 the links are so small that split
# debuginfo's saving (of the debuginfo's relocations and strings only,
# docs/estimation.md "What the link pays for") sits at the 2% threshold
bash "$gen" "$work/syn" 6 240 >/dev/null
cd "$work/syn"
libs=$(ls -d lib* | sed 's/.*/"&"/' | paste -sd, -)
printf '[workspace]\nresolver = "2"\nmembers = ["app"]\nexclude = [%s]\n' "$libs" >Cargo.toml

rebuild() { # NAME [CARGO ARGS...]: a full build, then a traced rebuild
  local name=$1; shift
  cargo build --offline -q "$@" 2>/dev/null || fail "build ($name) failed"
  touch app/src/main.rs
  "$BTRACE" record -o "$work/$name" -- cargo build --offline -q "$@" >/dev/null 2>&1 ||
    fail "traced rebuild ($name) failed"
  "$BTRACE" report -q "$work/$name" 2>/dev/null || fail "report ($name) failed"
}
split_file=$(sed -n 's/^CALIBRATION(SPLIT_FILE, \(.*\))$/\1/p' \
  "$(dirname "$0")/../../analyzer/advice/estimate_calibration.def")
check() { # NAME MODE
  # the app's objects: the codegen units in its incremental cache
  local objs
  objs=$(ls -t -d target/debug/incremental/app-*/s-*/ | head -1 | xargs ls | grep -c '\.o$')
  python3 - "$work/$1/report/summary.json" "$2" "$split_file" "$objs" <<'PY' || fail "summary.json check ($1)"
import json, sys
s = json.load(open(sys.argv[1])); mode = sys.argv[2]
split_file, objs = float(sys.argv[3]), int(sys.argv[4])
b = s["build"]
assert b["kind"] == "rebuild", b
assert b["units_compiled"] == 1 and b["crates_reused"] == 6, b
assert b["summary"].startswith("rebuild: 1 of 7 units compiled"), b
rec = {r["id"]: r for r in s["recommendations"]}
con = {r["id"]: r for r in s["considered"]}
every = dict(rec, **con)
dep = every["debuginfo-deps-off"]["estimate"]
if mode == "deps-debug":
    assert "debuginfo-deps-off" in rec, con.get("debuginfo-deps-off")
    # nothing of it is compiled in a rebuild: it is all link time
    assert dep["cpu_s"] > 0 and dep["compile_cpu_s"] == 0, dep
    assert abs(dep["link_cpu_s"] - dep["cpu_s"]) < 1e-6, dep
    assert "once they have been rebuilt" in rec["debuginfo-deps-off"]["reason"]
    sp = rec.get("split-debuginfo-unpacked")
    assert sp, con.get("split-debuginfo-unpacked")
    assert sp["estimate"]["cpu_s"] > 0, sp
    assert sp["snippet"] == '[profile.dev]\nsplit-debuginfo = "unpacked"\n', sp
    assert ".dwo" in sp["caveats"], sp
    # its one cost in a rebuild that generates no DWARF: a .dwo beside
    # each of the app's objects, the codegen units rustc took from its
    # incremental cache
    assert objs > 1 and sp["estimate"]["model_files_s"] < 0, (objs, sp)
    assert round(-sp["estimate"]["model_files_s"] / split_file) == objs, (objs, sp)
    # what the model removes: all debuginfo >= all but the skeleton's
    off = every["debuginfo-off"]["estimate"]["link_cpu_s"]
    assert off >= sp["estimate"]["link_cpu_s"] > 0, (off, sp)
    # rustc deleted the app's own objects after the link; the copies in
    # its incremental cache are read instead, so debug = false removes
    # more than the dependencies' debuginfo, and almost nothing is missing
    assert off > dep["link_cpu_s"], (off, dep)
    est = s["estimation"]
    assert est["link_inputs_missing"] <= 0.1 * est["link_inputs"], est
    print("deps-off %.1f%%, split-debuginfo %.1f%% of the rebuild's CPU"
          % (dep["cpu_pct"], sp["estimate"]["cpu_pct"]))
else:
    assert "debuginfo-deps-off" not in rec, rec["debuginfo-deps-off"]
    assert con["debuginfo-deps-off"]["reason"].startswith("already in force"), con["debuginfo-deps-off"]
    assert dep["cpu_s"] == 0, dep
PY
}
rebuild deps-debug
check deps-debug deps-debug
grep -q "Build kind: rebuild: 1 of 7 units compiled" "$work/deps-debug/report/summary.txt" ||
  fail "summary.txt does not say it was a rebuild"
echo "ok: rebuild with the dependencies' debuginfo: deps-off and split-debuginfo recommended"
# An edit of a library the app depends on: it and the app are compiled,
# the other five linked from the earlier build, and deps-off still takes
# the dependencies' debuginfo out of the link.  (The libraries are
# generic code: recompiling one generates almost nothing, so its compile
# saving is not asserted.)
last=$(ls -d lib* | sort -V | tail -n 1)
touch "$last/src/lib.rs"
"$BTRACE" record -o "$work/lib-edit" -- cargo build --offline -q >/dev/null 2>&1 || fail "traced rebuild (lib-edit) failed"
"$BTRACE" report -q "$work/lib-edit" 2>/dev/null || fail "report (lib-edit) failed"
python3 - "$work/lib-edit/report/summary.json" <<'PY' || fail "summary.json check (lib-edit)"
import json, sys
s = json.load(open(sys.argv[1]))
b = s["build"]
assert b["kind"] == "rebuild" and b["units_compiled"] == 2 and b["crates_reused"] == 5, b
every = {r["id"]: r for r in s["recommendations"] + s["considered"]}
dep = every["debuginfo-deps-off"]["estimate"]
assert dep["link_cpu_s"] > 0 and dep["compile_cpu_s"] >= 0, dep
assert every["debuginfo-deps-off"]["reason"].startswith("dependencies' debuginfo took"), every["debuginfo-deps-off"]
PY
echo "ok: rebuild after a library edit: 2 of 7 units compiled, deps-off saves in the link"
rebuild deps-nodebug --config 'profile.dev.package."*".debug=false'
check deps-nodebug deps-nodebug
echo "ok: rebuild with dependencies built without debuginfo: deps-off not recommended"
# Nothing changed: a no-op build, for which nothing is recommended.
"$BTRACE" record -o "$work/noop" -- cargo build --offline -q --config 'profile.dev.package."*".debug=false' >/dev/null 2>&1 ||
  fail "traced no-op build failed"
"$BTRACE" report -q "$work/noop" 2>/dev/null || fail "report (no-op) failed"
python3 - "$work/noop/report/summary.json" <<'PY' || fail "summary.json check (no-op)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["build"]["kind"] == "no-op" and s["build"]["units_compiled"] == 0, s["build"]
assert s["recommendations"] == [], s["recommendations"]
assert all(r["reason"].startswith("nothing to do: a no-op build") for r in s["considered"]), s["considered"]
PY
echo "ok: a no-op build is one, and nothing is recommended for it"
