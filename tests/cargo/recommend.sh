#!/usr/bin/env bash
# Recommendations on real builds of examples/hello-workspace:
#  - at the default dev profile, every option is considered once, each
#    estimate is non-negative but split debuginfo's (its compile-side
#    cost can outweigh its link saving: then the reason says it costs and
#    it is not recommended), the debuginfo snippets are exact, what is
#    recommended reaches the threshold and comes in order of saving, and
#    the schedule replay reproduces the build's wall time;
#  - at debug = 0, no debuginfo option is recommended ("already in force");
#  - btrace experiment measures an option in a private target dir (the
#    workspace's target/ is never created) and writes experiment.json;
#    it refuses a build that fails at baseline, and cleans up on Ctrl-C.
source "$(dirname "$0")/common.sh" "$@"
check() { # SUMMARY_JSON MODE
  python3 - "$1" "$2" <<'PY' || fail "summary.json check ($2)"
import json, sys
s = json.load(open(sys.argv[1])); mode = sys.argv[2]
rec, con = s["recommendations"], s["considered"]
ids = sorted(r["id"] for r in rec + con)
want = sorted(["debuginfo-line-tables-only", "debuginfo-off", "debuginfo-deps-off",
               "codegen-backend-cranelift", "linker-lld", "linker-mold",
               "split-debuginfo-unpacked"])
assert ids == want, ids
thr = s["estimation"]["threshold_pct"]
for r in rec + con:
    e = r["estimate"]
    if r["id"] == "split-debuginfo-unpacked":
        # a cost: K_SPLIT of the DWARF generation and a .dwo file per
        # object made, never a saving there
        assert e["compile_cpu_s"] <= 0 and e["model_files_s"] <= 0, r
        assert (e["compile_cpu_s"] < 0) == (e["model_hidden_term_s"] > 0 or e["model_files_s"] < 0), r
        if e["cpu_s"] < 0:
            assert "costs about" in r["reason"] and r not in rec, r
            assert e["wall_s"] <= 0, r
    else:
        assert e["cpu_s"] >= 0 and e["wall_s"] >= 0, r
        assert e["model_files_s"] == 0, r
    assert e["method"] in ("calibrated-model", "published-ratio", "measured-ratio", "measured-here"), e
    assert r["reason"] and "\n" not in r["reason"], r
for r in rec:
    assert r["estimate"]["cpu_pct"] >= thr or r["estimate"]["wall_pct"] >= thr, r
cpus = [r["estimate"]["cpu_s"] for r in rec]
assert cpus == sorted(cpus, reverse=True), cpus
by = {r["id"]: r for r in rec + con}
assert by["debuginfo-off"]["snippet"] == "[profile.dev]\ndebug = false\n", by["debuginfo-off"]
assert by["debuginfo-line-tables-only"]["snippet"] == '[profile.dev]\ndebug = "line-tables-only"\n'
assert by["debuginfo-deps-off"]["snippet"] == '[profile.dev.package."*"]\ndebug = false\n'
wall, replay = s["session"]["wall_s"], s["estimation"]["replay_wall_s"]
assert abs(replay - wall) <= 0.15 * wall, (replay, wall)
est = s["estimation"]
assert est["jobs"] >= 1 and 0 < est["cpus"] <= est["jobs"], est
if mode == "debug2":
    assert by["debuginfo-off"]["estimate"]["cpu_s"] > 0, by["debuginfo-off"]
    assert by["debuginfo-off"]["estimate"]["cpu_s"] >= by["debuginfo-line-tables-only"]["estimate"]["cpu_s"]
else:
    for i in ("debuginfo-off", "debuginfo-line-tables-only", "debuginfo-deps-off"):
        assert i not in [r["id"] for r in rec], i
        assert by[i]["reason"].startswith(("already in force", "cannot tell", "nothing to do")), by[i]
    assert by["debuginfo-off"]["estimate"]["cpu_s"] == 0
PY
}
"$BTRACE" record -o "$work/t2" -- cargo build --offline -q >/dev/null 2>&1 || fail "traced build failed"
"$BTRACE" report -q "$work/t2" 2>/dev/null || fail "report failed"
check "$work/t2/report/summary.json" debug2
grep -q "^Recommendations" "$work/t2/report/summary.txt" || fail "no Recommendations section"
cargo clean -q
CARGO_PROFILE_DEV_DEBUG=0 "$BTRACE" record -o "$work/t0" -- cargo build --offline -q >/dev/null 2>&1 || fail "traced debug=0 build failed"
"$BTRACE" report -q "$work/t0" 2>/dev/null || fail "report failed"
check "$work/t0/report/summary.json" debug0
cargo clean -q
rm -rf target
"$BTRACE" experiment --runs 1 --only debuginfo-off -- cargo build --offline -q >"$work/exp.out" 2>"$work/exp.err" ||
  fail "experiment failed: $(cat "$work/exp.err")"
[ ! -e target ] || fail "experiment wrote into the workspace's target/"
python3 - btrace.data/experiment/experiment.json <<'PY' || fail "experiment.json check"
import json, sys
x = json.load(open(sys.argv[1]))
assert x["format"] == "btrace-experiment" and x["runs"] == 1
ids = [c["id"] for c in x["configs"]]
assert ids == ["baseline", "debuginfo-off"], ids
off = x["configs"][1]
assert off["config"] == ["profile.dev.debug=false"], off
assert len(off["wall_s"]) == 1 and off["wall_s"][0] > 0 and off["cpu_s"][0] > 0
assert "measured" in off and "estimate" in off and not off["failed"]
# every build traced: the saving is scaled by the frontend's CPU ratio
base = x["configs"][0]
assert x["scaled"] is True
assert base["frontend_s"][0] > 0 and off["frontend_s"][0] > 0, (base, off)
m, p = off["measured"], off["measured_plain"]
assert m["method"] == "frontend-scaled" and m["rounds"] == 1 and p["method"] == "plain"
scale = base["frontend_s"][0] / off["frontend_s"][0]
want = base["cpu_s"][0] - scale * off["cpu_s"][0]
assert abs(m["cpu_s"] - want) < 0.01, (m, want)
assert abs(p["cpu_s"] - (base["cpu_s"][0] - off["cpu_s"][0])) < 0.002, p
# cpu_s is rounded to 0.001 s and cpu_pct to 0.01: the share recomputed
# from them is off by up to 100 * 0.0005 / base + 0.005
assert abs(m["cpu_pct"] - 100 * m["cpu_s"] / base["cpu_s"][0]) <= 0.05 / base["cpu_s"][0] + 0.0051, (m, base["cpu_s"])
est = off["estimate"]
# The shares are rounded to 0.01, so the error recomputed from them is off
# by up to 100*0.005/|m| + 100*|e|*0.005/(|m|-0.005)^2 (it grows as the
# measured share nears 0); beyond that bound the arithmetic is wrong.
if abs(m["cpu_pct"]) > 0.01:
    e, mp = est["cpu_pct"], m["cpu_pct"]
    err = 100 * (e - mp) / abs(mp)
    tol = 0.01 + 0.5 / abs(mp) + 0.5 * (abs(e) + 0.005) / (abs(mp) - 0.005) ** 2
    assert abs(off["error_pct"]["cpu"] - err) <= tol, (off["error_pct"], err, tol)
PY
grep -q "debuginfo-off" "$work/exp.out" || fail "no table row"
# --untraced: plain builds, no scaling
"$BTRACE" experiment --untraced --runs 1 --only debuginfo-off -o "$work/plain" -- cargo build --offline -q >/dev/null 2>"$work/exp.err" ||
  fail "experiment --untraced failed: $(cat "$work/exp.err")"
python3 - "$work/plain/experiment.json" <<'PY' || fail "experiment --untraced: experiment.json check"
import json, sys
x = json.load(open(sys.argv[1]))
off = x["configs"][1]
assert x["scaled"] is False and "frontend_s" not in off and "measured_plain" not in off, x
assert off["measured"]["method"] == "plain", off
base = x["configs"][0]
assert abs(off["measured"]["cpu_s"] - (base["cpu_s"][0] - off["cpu_s"][0])) < 0.002, off
PY
# Ctrl-C during the measured builds: the build is stopped, the private
# target dir removed, exit 130.  (Other experiments may run on the
# machine: the private directory checked is this one's, the --target-dir
# of a build running in this workspace; TMPDIR=/tmp: experiment works
# under $TMPDIR.)
TMPDIR=/tmp "$BTRACE" experiment --runs 3 -- cargo build --offline -q >/dev/null 2>"$work/int.err" &
pid=$!
for _ in $(seq 1 1200); do
  grep -q "run 1/3" "$work/int.err" 2>/dev/null && break
  sleep 0.05
done
grep -q "run 1/3" "$work/int.err" || fail "experiment never reached its measured builds: $(cat "$work/int.err")"
mine=""
for _ in $(seq 1 200); do
  for p in $(pgrep -f "target-dir /tmp/btrace-experiment" || true); do
    [ "$(readlink "/proc/$p/cwd" 2>/dev/null)" = "$PWD" ] || continue
    mine=$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null |
      sed -n 's|^\(/tmp/btrace-experiment\.[^/]*\)/.*|\1|p' | head -n 1) || true
    [ -z "$mine" ] || break 2
  done
  sleep 0.05
done
[ -n "$mine" ] || fail "no build of the experiment's running in its private directory"
sleep 0.3
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 130 ] || fail "interrupted experiment exited $rc: $(cat "$work/int.err")"
grep -q "interrupted; cleaned up" "$work/int.err" || fail "no clean-up message"
[ ! -e "$mine" ] || fail "left $mine"
! pgrep -f "target-dir $mine" >/dev/null || fail "a build survived the interrupt"
echo "fn broken( {" >>app/src/main.rs
rc=0
TMPDIR=/tmp "$BTRACE" experiment --runs 1 -- cargo build --offline -q >/dev/null 2>"$work/err" || rc=$?
[ "$rc" = 1 ] || fail "a failing baseline gave exit $rc"
grep -q "fails at the current settings" "$work/err" || fail "no refusal message: $(cat "$work/err")"
# it keeps the log it points at, and nothing else
logdir=$(sed -n 's|.*(see \(/tmp/btrace-experiment\.[^/]*\)/log).*|\1|p' "$work/err")
[ -f "$logdir/log" ] || fail "the log it names is missing: $(cat "$work/err")"
[ "$(ls "$logdir")" = log ] || fail "left more than the log: $(ls "$logdir")"
rm -rf "$logdir"
echo "ok: recommendations and experiment"
