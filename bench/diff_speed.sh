#!/usr/bin/env bash
# diff_speed.sh - btrace diff's speed on cli-app traces (issue 16: "btrace
# diff of two cli-app traces takes < 1 s").
#
# The trace is tests/golden's cli-app.tar.xz (a clean debug build of
# ../shared/workloads/cli-app, 51 packages, 89 units), unpacked twice:
# 1 vs 1 and 3 vs 3 (the same trace repeated) diffs, each timed -n times
# (default 10) with all outputs written (stdout's text, diff.svg, the two
# folded files).  Prints the median and the largest wall time, the median
# CPU time (user + system: what the machine's load changes least) and the
# largest max RSS.  A quiet machine gives the figure; on a shared one run
# more rounds.  Writes the table into BENCHMARKS.md (section
# "diff-speed"), with the load average before and after.
#
# BTRACE defaults to build-bench's (bench_btrace in lib.sh: built from
# this tree, optimized).
#
# usage: bench/diff_speed.sh [-n ROUNDS] [BTRACE]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/bench/lib.sh"
rounds=10
while getopts "n:" o; do
  case $o in
    n) rounds=$OPTARG ;;
    *) echo "usage: $0 [-n ROUNDS] [BTRACE]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
btrace=${1:-}
[ -n "$btrace" ] || btrace=$(bench_btrace "$repo") # the benchmark build, up to date
work=$(mktemp -d /tmp/btrace-bench-diff.XXXXXX)
trap 'rm -rf "$work"' EXIT
tar -xJf "$repo/tests/golden/cli-app.tar.xz" -C "$work"
for i in 2 3 4 5 6; do cp -r "$work/cli-app" "$work/c$i"; done

measure() { # NAME ARGS...
  local name=$1
  shift
  : >"$work/times"
  for ((r = 0; r < rounds; r++)); do
    /usr/bin/time -f "%e %M %U %S" -o "$work/t" "$btrace" diff -o "$work/out" "$@" \
      >/dev/null 2>&1
    cat "$work/t" >>"$work/times"
  done
  median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
  printf "| %s | %s s (%s s) | %s s | %s MiB | %d |\n" \
    "$name" "$(awk '{ print $1 }' "$work/times" | median)" \
    "$(awk '{ print $1 }' "$work/times" | sort -n | tail -1)" \
    "$(awk '{ printf "%.2f\n", $3 + $4 }' "$work/times" | median)" \
    "$(awk '{ print int($2 / 1024) }' "$work/times" | sort -n | tail -1)" "$rounds"
}
load0=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "| diff | wall median (max) | CPU median | max RSS | rounds |"
  echo "|---|---|---|---|---|"
  measure "1 vs 1 cli-app" "$work/cli-app" "$work/c2"
  measure "3 vs 3 cli-app" "$work/cli-app" "$work/c2" "$work/c3" -- \
    "$work/c4" "$work/c5" "$work/c6"
} >"$work/table"
load1=$(cut -d' ' -f1-3 /proc/loadavg)
one=$(awk -F'|' 'NR == 3 { split($3, w, " "); print w[1] }' "$work/table")
{
  echo "Measured $(date -u +%F) with btrace $(git -C "$repo" rev-parse --short HEAD) on $(nproc) cores, $(uname -sr); load average $load0 before, $load1 after."
  echo
  cat "$work/table"
  echo
  if awk -v w="$one" 'BEGIN { exit !(w < 1) }'; then
    echo "Target (issue 16): a diff of two cli-app traces in under 1 s: **met** (${one} s)."
  else
    echo "Target (issue 16): a diff of two cli-app traces in under 1 s: **missed** (${one} s)."
  fi
  echo
  echo "Reproduce: \`bench/diff_speed.sh -n $rounds\`."
} >"$work/section"
cat "$work/section"
bench_write_section "$repo/BENCHMARKS.md" diff-speed "$work/section"
