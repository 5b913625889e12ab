#!/usr/bin/env bash
# The whole report pipeline on a synthetic trace (bench/gen_trace: a cargo
# build of 60 processes with 20000 samples, whose modules are not on this
# machine): btrace dump and btrace report (both groupings) must read it
# and write every output.  Runs in the ASan/UBSan build too, where it is
# the analyzer's end-to-end check under the sanitizers.
set -euo pipefail
btrace=$1 gen=$2
work=$(mktemp -d /tmp/btrace-report-synthetic.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$gen" -o "$work/t" -p 60 -s 20000 --seed 7 >/dev/null
"$btrace" dump "$work/t" >"$work/dump"
grep -q '^60 processes, .* 20000 samples, 0 problems$' "$work/dump" || { echo "FAIL: dump: $(tail -n 1 "$work/dump")" >&2; exit 1; }
for group in crate category; do
  rm -rf "$work/r"
  "$btrace" report -q --group "$group" -o "$work/r" "$work/t" 2>"$work/err"
  for f in summary.txt summary.json trace.json flame.svg stacks.folded; do
    [ -s "$work/r/$f" ] || { echo "FAIL: no $f (--group $group)" >&2; exit 1; }
  done
  grep -q "Where the CPU went" "$work/r/summary.txt" || { echo "FAIL: no CPU split" >&2; exit 1; }
done
echo "ok: dump and report of a synthetic trace"
# A profile too big to keep whole (the node cap lowered to 2000): frames
# are merged, the report says so, and no CPU is lost: the folded counts
# still add up to the categories' total.
rm -rf "$work/r"
BTRACE_PROFILE_NODES=2000 "$btrace" report -q -o "$work/r" "$work/t" 2>/dev/null
grep -q "frames worth less than .* are merged" "$work/r/summary.txt" || { echo "FAIL: merging not reported" >&2; exit 1; }
grep -q "\[small frames, merged\]" "$work/r/stacks.folded" || { echo "FAIL: no merged frames" >&2; exit 1; }
folded=$(awk '{ s += $NF } END { printf "%.6f", s / 1e6 }' "$work/r/stacks.folded")
total=$(tr -d ' \t\n' <"$work/r/summary.json" | sed 's/.*"categories":{\("frontend"[^}]*\)}.*/\1/' | tr ',' '\n' | awk -F: '{ s += $2 } END { printf "%.6f", s }')
awk -v a="$folded" -v b="$total" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d < 0.01) }' ||
  { echo "FAIL: folded stacks hold ${folded}s, the categories ${total}s" >&2; exit 1; }
echo "ok: a pruned profile keeps every CPU second (${folded}s)"
