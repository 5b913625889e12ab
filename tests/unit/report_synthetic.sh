#!/usr/bin/env bash
# The whole report pipeline on a synthetic trace (bench/gen_trace: a cargo
# build of 60 processes with 20000 samples, whose modules are not on this
# machine): btrace dump and btrace report (both groupings) must read it
# and write every output.  Runs in the ASan/UBSan build too, where it is
# the analyzer's end-to-end check under the sanitizers.
set -euo pipefail
export BTRACE_HISTORY=0 # no test writes into the user's history (docs/history.md)
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
# The profile is built by two threads (one reads and symbolizes, one
# builds the trees): the same report, byte for byte, as with one.
rm -rf "$work/r1" "$work/r2"
BTRACE_THREADS=1 "$btrace" report -q -o "$work/r1" "$work/t" 2>/dev/null
"$btrace" report -q -o "$work/r2" "$work/t" 2>/dev/null
for f in summary.txt summary.json trace.json flame.svg stacks.folded; do
  cmp -s "$work/r1/$f" "$work/r2/$f" || { echo "FAIL: $f differs between one thread and two" >&2; exit 1; }
done
echo "ok: one thread or two, the same report"
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
# Pre-merging (big builds merge each process's small frames before making
# them) must give the tree that merging the whole tree at the same
# threshold gives: compared against prune_folded.awk run on an unmerged
# profile, at 20 ms (5 samples), stack by stack.  Leaves for unsampled or
# lost CPU are not frames, and the processes outside any unit are not
# pre-merged: those must come out whole.
here=$(cd "$(dirname "$0")" && pwd)
# the groups of the processes outside any unit: cargo, probes, others
outside='^\(cargo;\[cargo\]\|probe;\[rustc probes\]\|other;\[other processes\]\)'
agg() { awk '{ v = $NF; p = substr($0, 1, length($0) - length(v) - 1); a[p] += v } END { for (o in a) print o " " a[o] }'; }
rm -rf "$work/full" "$work/pm"
BTRACE_PROFILE_PREMERGE=0 BTRACE_PROFILE_NODES=100000000 "$btrace" report -q -o "$work/full" "$work/t" 2>/dev/null
BTRACE_PROFILE_PREMERGE=1 BTRACE_PROFILE_NODES=100000000 BTRACE_PROFILE_MERGE_US=20000 "$btrace" report -q -o "$work/pm" "$work/t" 2>/dev/null
grep -q '"merged_below_s":[[:space:]]*0.02[,}]' "$work/pm/summary.json" || { echo "FAIL: pre-merged profile does not report its threshold" >&2; exit 1; }
grep -v '\[not sampled\|\[lost' "$work/full/stacks.folded" >"$work/full.f"
awk -v t=0.02 -f "$here/prune_folded.awk" "$work/full.f" | grep -v "$outside" | sort >"$work/expect"
grep -v '\[not sampled\|\[lost' "$work/pm/stacks.folded" | agg | grep -v "$outside" | sort >"$work/got"
grep "$outside" "$work/full.f" | agg | sort >"$work/expect.other"
grep -v '\[not sampled\|\[lost' "$work/pm/stacks.folded" | grep "$outside" | agg | sort >"$work/got.other"
lines=$(wc -l <"$work/got")
merged=$(grep -c 'small frames, merged' "$work/got" || true)
[ "$merged" -gt 10 ] || { echo "FAIL: pre-merging merged only $merged paths" >&2; exit 1; }
cmp -s "$work/expect" "$work/got" || { echo "FAIL: pre-merged profile differs from the merged whole tree:" >&2; diff "$work/expect" "$work/got" | cut -c1-200 | head -n 6 >&2; exit 1; }
cmp -s "$work/expect.other" "$work/got.other" || { echo "FAIL: the processes outside units were merged" >&2; exit 1; }
echo "ok: pre-merging gives the merged whole tree ($lines paths, $merged merged)"
# The Cranelift path, which cannot be installed here: a synthetic build
# whose compilations ask for -Zcodegen-backend=cranelift and whose codegen
# samples fall in rustc_codegen_cranelift's library.  The flags, the
# settings and the attribution must all say Cranelift.
"$gen" -o "$work/cl" -p 40 -s 10000 --seed 3 --backend cranelift >/dev/null
"$btrace" report -q "$work/cl" 2>/dev/null
grep -q '"codegen_backend":[[:space:]]*"cranelift"' "$work/cl/report/summary.json" || { echo "FAIL: no unit with the cranelift backend" >&2; exit 1; }
grep -q '^  codegen-backend *cranelift$' "$work/cl/report/summary.txt" || { echo "FAIL: settings do not say cranelift" >&2; exit 1; }
cl=$(sed -n 's/^  codegen_cranelift *\([0-9.]*\)s.*/\1/p' "$work/cl/report/summary.txt")
ll=$(sed -n 's/^  codegen_llvm *\([0-9.]*\)s.*/\1/p' "$work/cl/report/summary.txt")
awk -v c="${cl:-0}" -v l="${ll:-0}" 'BEGIN { exit !(c > 1 && c > 5 * l) }' ||
  { echo "FAIL: codegen_cranelift ${cl}s, codegen_llvm ${ll}s" >&2; exit 1; }
grep -q '^codegen_cranelift;' "$work/cl/report/stacks.folded" || { echo "FAIL: no codegen_cranelift stacks" >&2; exit 1; }
echo "ok: a Cranelift build is attributed to codegen_cranelift (${cl}s; llvm ${ll}s)"
