#!/usr/bin/env bash
# A library closed and another loaded in its place (reload.c): the
# sampler writes the second one's module record although its address
# range was seen before, so each library's samples symbolize to its own
# function.
set -euo pipefail
export BTRACE_HISTORY=0 # no test writes into the user's history (docs/history.md)
btrace=$1 reload=$2 one=$3 two=$4
work=$(mktemp -d /tmp/btrace-reload.XXXXXX)
trap 'rm -rf "$work"' EXIT
where=$("$btrace" record -o "$work/trace" --sample all -- "$reload" "$one" "$two" 0.4)
"$btrace" report -q -o "$work/report" "$work/trace"
us() { # FUNCTION: microseconds of samples with FUNCTION in the stack
  awk -v f="$1" '{ n = split($0, a, " "); if (index($0, ";" f)) s += a[n] } END { print s + 0 }' \
    "$work/report/stacks.folded"
}
one_us=$(us spin_one) two_us=$(us spin_two)
echo "reload: second library $where, spin_one ${one_us} us, spin_two ${two_us} us (0.4 s of CPU each)"
# Each spun 0.4 s of its thread's CPU clock: within 15% (sampling is
# within 10% on hot.c).  Before the fix, a quarter of spin_one's samples
# were named spin_two (300000 against 500000 us).
for f in spin_one:$one_us spin_two:$two_us; do
  v=${f#*:}
  [ "$v" -ge 340000 ] && [ "$v" -le 460000 ] ||
    { echo "FAIL: ${f%%:*} has $v us of samples, not 0.4 s +- 15%" >&2; exit 1; }
done
