#!/usr/bin/env bash
# A build killed half-way (SIGKILL to the whole process group, as a CI
# timeout does): btrace report still writes every output, marks the gap in
# each, warns on stderr, and exits 0.
source "$(dirname "$0")/common.sh" "$@"
CHECKS=$4
setsid "$BTRACE" record -o "$work/trace" -- cargo build --offline -q >/dev/null 2>&1 &
leader=$!
# Kill once a compilation has started and before the build can end: when
# the stats crate (the longest compile) is running.
for _ in $(seq 1 600); do
  if grep -laqs "stats/src/lib.rs" "$work/trace"/*.btr 2>/dev/null; then break; fi
  sleep 0.05
done
grep -laqs "stats/src/lib.rs" "$work/trace"/*.btr || fail "the stats compile never started"
kill -KILL -- "-$leader" 2>/dev/null || fail "the build had already ended"
wait "$leader" 2>/dev/null || true
rc=0
"$BTRACE" report -q "$work/trace" 2>"$work/err" || rc=$?
[ "$rc" = 0 ] || fail "btrace report exited $rc: $(cat "$work/err")"
grep -q "warning: .*has no end" "$work/err" || fail "no warning line: $(cat "$work/err")"
"$CHECKS/check_report" killed "$work/trace/report"
echo "ok: a killed build is reported with its gaps"
