#!/usr/bin/env bash
# Debuginfo attribution must respond to the setting: the same synthetic
# workspace (../shared/workloads/gen-synthetic.sh), traced clean at
# debug = 2 and at debug = 0, must give a debuginfo category at debug = 0
# below 10% of the debug = 2 build's, and a clearly non-zero one at 2.
source "$(dirname "$0")/common.sh" "$@"
gen="$(cd "$EXAMPLES/../.." && pwd)/shared/workloads/gen-synthetic.sh"
[ -f "$gen" ] || { echo "SKIP: no gen-synthetic.sh next to the repository"; exit 77; }
bash "$gen" "$work/syn" 6 40 >/dev/null
cd "$work/syn"
debuginfo_s() { # DEBUG -> the debuginfo category's CPU seconds
  cargo clean -q
  CARGO_PROFILE_DEV_DEBUG=$1 "$BTRACE" record -o "$work/t$1" -- cargo build --offline -q 2>/dev/null
  "$BTRACE" report -q "$work/t$1" 2>/dev/null
  sed -n 's/^  debuginfo *\([0-9.]*\)s.*/\1/p' "$work/t$1/report/summary.txt"
}
d2=$(debuginfo_s 2)
d0=$(debuginfo_s 0)
echo "debuginfo CPU: debug=2 ${d2}s, debug=0 ${d0}s"
[ -n "$d2" ] && [ -n "$d0" ] || fail "no debuginfo line in summary.txt"
awk -v a="$d2" -v b="$d0" 'BEGIN { exit !(a >= 0.05 && b < 0.10 * a) }' ||
  fail "debuginfo at debug=0 (${d0}s) is not below 10% of debug=2 (${d2}s)"
echo "ok: debuginfo follows the setting"
