#!/usr/bin/env bash
# btrace experiment says what failed, and a failure under load does not
# cost an option its measurement (issue 13: a calibration run reported
# "build failed" for two options whose manual builds worked, with no
# reason and no log).  The "build" is a script that stands in for cargo
# and misbehaves on the Nth build of the experiment (no timing asserted):
#  A. killed by SIGKILL once (as by the OOM killer): that build is built
#     again and the round measured; the first failure is kept with its
#     reason ("killed by signal 9") and its log, never "build failed";
#  B. an option whose every build fails (exit 101, "error: ..."): not
#     measured, with the exit status and the error line in the table and
#     in experiment.json (failure_kind "build"), its rounds null, its log
#     kept;
#  C. a build that succeeded but whose trace cannot be read (every trace
#     file overwritten): the round is measured and the analysis failure
#     reported as such, with the reader's reason, left out of the scaled
#     saving only; the option is not failed.
# Builds of the experiment, --only debuginfo-off --runs 2: 1 the traced
# baseline, then round 1: baseline 2, option 3; round 2: option 4,
# baseline 5 (one more for each build done again).
source "$(dirname "$0")/common.sh" "$@"
cat >"$work/build.sh" <<'SH'
#!/usr/bin/env bash
# build.sh MODE N ARGS...: the Nth call misbehaves as MODE says
# (kill, corrupt), or with MODE fail-off every call with debug=false
mode=$1 at=$2
shift 2
n=$(($(cat "$COUNTER" 2>/dev/null || echo 0) + 1))
echo "$n" >"$COUNTER"
echo "build $n: $*"
case "$mode:$n:$*" in
  kill:$at:*) echo "compiling..."; kill -KILL $$ ;;
  corrupt:$at:*)
    for f in "$BTRACE_DIR"/*.btr; do printf 'not a trace' >"$f"; done ;;
  fail-off:*:*profile.dev.debug=false*)
    echo "error: simulated failure of the option's build" >&2; exit 101 ;;
esac
exit 0
SH
chmod +x "$work/build.sh"
run() { # NAME MODE N: experiment into $work/NAME
  COUNTER="$work/$1.count" "$BTRACE" experiment --only debuginfo-off --runs 2 -o "$work/$1" \
    -- "$work/build.sh" "$2" "$3" >"$work/$1.out" 2>"$work/$1.err" ||
    fail "experiment $1 failed: $(cat "$work/$1.err")"
}
export COUNTER

# A. killed once, built again
run killed kill 3
python3 - "$work/killed/experiment.json" <<'PY' || fail "A: a build killed once: $(cat "$work/killed.err")"
import json, sys
x = json.load(open(sys.argv[1]))
assert x["version"] == 4, x["version"]
off = x["configs"][1]
assert off["id"] == "debuginfo-off" and off["failed"] is False, off
assert off["retried_runs"] == [1], off
assert off["retry_failure"].startswith("run 1: the build was killed by signal 9 (Killed): compiling..."), off
assert "debuginfo-off-run1-first.log" in off["retry_failure"], off
assert all(v is not None and v > 0 for v in off["wall_s"] + off["cpu_s"]), off
assert "measured" in off and off["measured"]["rounds"] == 2, off
PY
grep -q "compiling" "$work/killed/debuginfo-off-run1-first.log" || fail "A: the killed build's log was not kept"
grep -q "built again in 1 run whose first build failed" "$work/killed.out" || fail "A: no table note: $(cat "$work/killed.out")"
! grep -q "not measured\|build failed (see" "$work/killed.out" || fail "A: reported as a failed build: $(cat "$work/killed.out")"

# B. the option's build always fails
run broken fail-off 0
python3 - "$work/broken/experiment.json" <<'PY' || fail "B: an option whose build fails: $(cat "$work/broken.err")"
import json, sys
x = json.load(open(sys.argv[1]))
base, off = x["configs"]
assert not base["failed"] and all(v > 0 for v in base["wall_s"]), base
assert off["failed"] is True and off["failure_kind"] == "build", off
f = off["failure"]
assert f.startswith("run 1, tried twice: the build failed: exit status 101: "
                    "error: simulated failure of the option's build"), f
assert "(log: " in f and "debuginfo-off-run1.log" in f, f
assert off["wall_s"] == [None, None] and off["cpu_s"] == [None, None], off
assert "measured" not in off, off
PY
grep -q "^debuginfo-off .*not measured: run 1, tried twice: the build failed: exit status 101: error: simulated" \
  "$work/broken.out" || fail "B: no table line: $(cat "$work/broken.out")"
grep -q "simulated failure" "$work/broken/debuginfo-off-run1.log" || fail "B: the failed build's log was not kept"

# C. built, but its trace unreadable
run unreadable corrupt 3
python3 - "$work/unreadable/experiment.json" <<'PY' || fail "C: a trace that cannot be analyzed: $(cat "$work/unreadable.err")"
import json, sys
x = json.load(open(sys.argv[1]))
off = x["configs"][1]
assert off["failed"] is False and "failure" not in off, off
assert "retried_runs" not in off, off
assert off["unanalyzed_runs"] == [1], off
a = off["analysis_failure"]
assert a.startswith("run 1: ") and "no usable trace file" in a, a
assert all(v is not None and v > 0 for v in off["wall_s"] + off["cpu_s"]), off
PY
grep -q "debuginfo-off, run 1: the build succeeded, but its trace could not be analyzed (tried twice): no usable trace file" \
  "$work/unreadable.err" || fail "C: no message on stderr: $(cat "$work/unreadable.err")"
grep -q "1 run measured, but its trace not analyzed" "$work/unreadable.out" || fail "C: no table note: $(cat "$work/unreadable.out")"
echo "ok: experiment failures: killed and built again, a failing option with its reason, an unreadable trace"
