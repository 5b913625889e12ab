#!/usr/bin/env bash
# report.sh - btrace report's accuracy against cargo's own clock, and its
# speed and memory.
#
#  1. Accuracy: clean `cargo build --timings` of examples/hello-workspace
#     (-n runs) and of ../shared/workloads/cli-app (one run), traced; every
#     unit of cargo-timing.html must be in summary.json; reports the share
#     of units whose wall_s is within max(2%, 20 ms) of cargo's duration
#     (the issue's bound, strict) and the worst difference.
#  2. Speed: btrace report on the cli-app trace (median of 5 runs, max RSS).
#  3. Scale: synthetic traces from bench/gen_trace (1000 processes):
#     without samples (the process part), and with 500k and 5M samples.
# Writes the tables into BENCHMARKS.md.
#
# usage: bench/report.sh [-n EXAMPLE_RUNS] [-s BIG_SAMPLES]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$(cd "$repo/.." && pwd)/shared"
source "$repo/bench/lib.sh"
export PATH="$HOME/.cargo/bin:$PATH"
runs=3 big=5000000
while getopts "n:s:" o; do
  case $o in
    n) runs=$OPTARG ;;
    s) big=$OPTARG ;;
    *) echo "usage: $0 [-n EXAMPLE_RUNS] [-s BIG_SAMPLES]" >&2; exit 2 ;;
  esac
done
cmake -S "$repo" -B "$repo/build-bench-tests" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$repo/build-bench-tests" -j"$(nproc)" >/dev/null
bin="$repo/build-bench-tests/bin"
work=$(mktemp -d /tmp/btrace-bench-report.XXXXXX)
trap 'rm -rf "$work"' EXIT
out="$work/section.md"

# timings WORKLOAD_DIR TAG: one traced --timings build, prints the
# check_timings summary line.
timings() {
  (cd "$1" && cargo clean -q && rm -rf btrace.data &&
    "$bin/btrace" record -o "$work/$2" -- cargo build --offline -q --timings 2>/dev/null &&
    "$bin/btrace" report -q "$work/$2" 2>/dev/null &&
    "$bin/check_timings" target/cargo-timings/cargo-timing.html "$work/$2/report/summary.json" 0 20 2 | tail -n 1)
}

cp -r "$repo/examples/hello-workspace" "$work/example"
{
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -sr), $(rustc --version)."
  echo
  echo "**Accuracy against \`cargo build --timings\`** (bound: max(2%, 20 ms) of cargo's duration, which cargo rounds to 10 ms):"
  echo
  echo "| workload | run | units in cargo-timing.html | missing in summary.json | within the bound | worst difference |"
  echo "|---|---|---|---|---|---|"
} >"$out"
row() { # WORKLOAD RUN LINE
  local n within worst missing
  n=$(echo "$3" | sed -n 's/^timings: \([0-9]*\) units.*/\1/p')
  within=$(echo "$3" | sed -n 's/.* \([0-9]*\) within .*fraction \([0-9.]*\).*/\1 (\2)/p')
  worst=$(echo "$3" | sed -n 's/.*worst \([0-9]*\) ms.*/\1 ms/p')
  missing=$(echo "$3" | sed -n 's/.* \([0-9]*\) missing$/\1/p')
  echo "| $1 | $2 | $n | $missing | $within | $worst |" >>"$out"
}
for ((i = 1; i <= runs; i++)); do
  row hello-workspace "$i" "$(timings "$work/example" ex$i)"
done
if [ -d "$shared/workloads/cli-app" ]; then
  cp -r "$shared/workloads/cli-app" "$work/cli-app" && chmod -R u+w "$work/cli-app"
  row cli-app 1 "$(timings "$work/cli-app" cli)"
  # Speed on the cli-app trace.
  times=()
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f "%e %M" -o "$work/time" "$bin/btrace" report -q "$work/cli" 2>/dev/null
    times+=("$(cat "$work/time")")
  done
  med=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
  procs=$(sed -n 's/.*"processes":[[:space:]]*\([0-9]*\).*/\1/p' "$work/cli/report/summary.json" | head -n 1)
  samples=$(sed -n 's/.*"samples":[[:space:]]*\([0-9]*\).*/\1/p' "$work/cli/report/summary.json" | head -n 1)
  {
    echo
    echo "**Speed:** \`btrace report\` on the cli-app trace ($procs processes, $samples samples), median of 5: ${med% *} s, max RSS $(( ${med#* } / 1024 )) MiB (target: under 1 s: $(awk -v t="${med% *}" 'BEGIN { print (t < 1) ? "met" : "**missed**" }'))."
  } >>"$out"
fi

# Scale: synthetic traces.  --stacks real is shaped on the cli-app trace
# (see gen_trace/main.c); --stacks diverse is the older, much more varied model,
# a worst case.  The profile is built by two threads; BTRACE_THREADS=1
# shows what one gives.
{
  echo
  echo "**Scale** (synthetic traces from \`bench/gen_trace\`, 1000 processes shaped like a cargo build; targets for 5M samples: at most 10 s and 1 GiB; median of 3 for the 5M rows):"
  echo
  echo "| samples | stacks | threads | trace size | \`btrace report\` wall | max RSS | what it covers | target (5M samples: at most 10 s and 1 GiB) |"
  echo "|---|---|---|---|---|---|---|---|"
} >>"$out"
scale_row() { # SAMPLES STACKS THREADS RUNS
  local s=$1 kind=$2 threads=$3 runs=$4 size times=() med wall rss what
  if [ ! -e "$work/syn-$s-$kind/.done" ]; then
    rm -rf "$work/syn-$s-$kind"
    "$bin/gen_trace" -o "$work/syn-$s-$kind" -p 1000 -s "$s" --stacks "$kind" >/dev/null
    touch "$work/syn-$s-$kind/.done"
    sync # the generator's gigabyte goes to disk now, not during the report
  fi
  size=$(du -sm "$work/syn-$s-$kind" | cut -f1)
  for ((r = 0; r < runs; r++)); do
    BTRACE_THREADS=$threads /usr/bin/time -f "%e %M" -o "$work/time" \
      "$bin/btrace" report -q -o "$work/rep" "$work/syn-$s-$kind" >/dev/null 2>&1 || true
    times+=("$(cat "$work/time")")
  done
  med=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
  read -r wall rss <<<"$med"
  if [ "$s" = 0 ]; then what="the process part: tree, units, summaries, Chrome trace"; else what="everything, with symbolization and the flame graph"; fi
  local target=-
  if [ "$s" -ge 5000000 ] && [ "$kind" = real ]; then
    target=$(awk -v t="$wall" -v r="$rss" 'BEGIN { print (t <= 10 && r <= 1048576) ? "met" : "**missed**" }')
  fi
  echo "| $s | $kind | $threads | ${size} MB | ${wall} s | $((rss / 1024)) MiB | $what | $target |" >>"$out"
  echo "$s $kind $threads $wall" >>"$work/scale"
}
scale_row 0 real 2 1
scale_row 500000 real 2 1
scale_row "$big" real 2 3
scale_row "$big" real 1 1
rm -rf "$work/syn-$big-real"
scale_row "$big" diverse 2 3
rm -rf "$work/syn-$big-diverse"
# Growth: the exponent k of wall ~ samples^k between 500k and the big
# trace (real stacks, 2 threads); linear is 1.
k=$(awk -v big="$big" '$2 == "real" && $3 == 2 { w[$1] = $4 }
  END { if (w[500000] > 0 && w[big] > 0 && big != 500000) printf "%.2f", log(w[big] / w[500000]) / log(big / 500000) }' "$work/scale")
if [ -n "$k" ]; then
  echo >>"$out"
  echo "Growth from 500000 to $big samples (real stacks, 2 threads): wall ~ samples^$k (linear: 1; target: linear growth, $(awk -v k="$k" 'BEGIN { print (k <= 1.1) ? "met" : "**missed**" }'))." >>"$out"
fi
echo >>"$out"
echo "Reproduce: \`bench/report.sh -n $runs -s $big\`." >>"$out"
cat "$out"
bench_write_section "$repo/BENCHMARKS.md" report "$out"
