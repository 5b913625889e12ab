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
#  3. Trace bytes per CPU-second of the build (the trace directory's size
#     against summary.json's session CPU), for each workload's last trace.
#  4. Sampled CPU against rusage, per kind of sampled process, on the
#     largest trace (cli-app's, else the example's): bench/sample_cover
#     gives each process's rusage CPU, the CPU it used while its timers
#     ran and its samples' weight times the period.
# How report time and memory grow with the build: bench/scale.sh.
# Writes the tables into BENCHMARKS.md.
#
# -w picks the workloads: example, cli-app (default both; `-w example` is
# bench/run.sh --quick's: no cli-app build, so no speed figure).
#
# usage: bench/report.sh [-n EXAMPLE_RUNS] [-w WORKLOADS]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$(cd "$repo/.." && pwd)/shared"
source "$repo/bench/lib.sh"
export PATH="$HOME/.cargo/bin:$PATH"
runs=3 which=example,cli-app
while getopts "n:w:" o; do
  case $o in
    n) runs=$OPTARG ;;
    w) which=$OPTARG ;;
    *) echo "usage: $0 [-n EXAMPLE_RUNS] [-w WORKLOADS]" >&2; exit 2 ;;
  esac
done
wants() { [[ ",$which," == *",$1,"* ]]; }
cmake -S "$repo" -B "$repo/build-bench-tests" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$repo/build-bench-tests" -j"$(nproc)" --target btrace btrace_cli check_timings sample_cover >/dev/null
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
last_ex=""
if wants example; then
  for ((i = 1; i <= runs; i++)); do
    row hello-workspace "$i" "$(timings "$work/example" ex$i)"
  done
  last_ex=ex$runs
fi
cli=""
if wants cli-app && [ -d "$shared/workloads/cli-app" ]; then
  cp -r "$shared/workloads/cli-app" "$work/cli-app" && chmod -R u+w "$work/cli-app"
  row cli-app 1 "$(timings "$work/cli-app" cli)"
  cli=cli
fi
if [ -n "$cli" ]; then
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
else
  printf '\n**Speed:** not measured: this run did not build cli-app (`-w %s`); the target (under 1 s) is for its trace.\n' "$which" >>"$out"
fi

# Trace bytes per CPU-second of the build: the trace files (the report
# the build wrote into the trace directory left out) against the CPU of
# every process of the session.
{
  echo
  echo "**Trace size** (the trace files of a default traced build, 250 Hz; CPU: summary.json's session CPU, every process of the build; target: at most 20 MB for cli-app):"
  echo
  echo "| workload | processes | samples | build CPU | trace size | per CPU-second of build | target |"
  echo "|---|---|---|---|---|---|---|"
} >>"$out"
for tag in $last_ex $cli; do
  bytes=$(du -sb --exclude=report "$work/$tag" | cut -f1)
  python3 - "$work/$tag/report/summary.json" "$bytes" "$tag" >>"$out" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
b, tag = int(sys.argv[2]), sys.argv[3]
cpu = s['session']['cpu_s']
target = ('met' if b <= 20e6 else '**missed**') if tag == 'cli' else '-'
print('| %s | %d | %d | %.1f s | %.2f MB | %.1f kB/s | %s |' % (
    'cli-app' if tag == 'cli' else 'hello-workspace', s['session']['processes'],
    s.get('profile', {}).get('samples', 0), cpu, b / 1e6, b / 1e3 / cpu, target))
PY
done

# Sampled CPU against rusage, per kind of sampled process.
cover=${cli:-$last_ex}
if [ -n "$cover" ]; then
  "$bin/sample_cover" "$work/$cover" >"$work/cover.tsv"
  python3 - "$work/cover.tsv" "$( [ "$cover" = cli ] && echo cli-app || echo hello-workspace)" >>"$out" <<'PY'
import sys
from collections import defaultdict
rows = [l.split('\t') for l in open(sys.argv[1]) if l.strip()]
kinds = defaultdict(list)
for k, pid, ru, win, smp, n in rows:
    kinds[k].append((float(ru), float(win), float(smp), int(n)))
print()
print('**Sampled CPU against rusage** (the %s trace above; per kind of sampled process: the samples\' '
      'weight times the period against the process\'s own rusage CPU, and against the CPU it used while '
      'its timers ran; per process: processes with at least 25 samples, 0.1 s; target (issue 5): samples '
      'x period within 10%% of rusage, judged on the kinds\' sum where a process has 25 samples):' % sys.argv[2])
print()
print('| kind | processes | samples | rusage CPU | CPU while the timers ran | sampled CPU | sampled / rusage, the kind\'s sum '
      '| sampled / rusage per process (>= 25 samples): median [min, max] | sampled / CPU while the timers ran | target |')
print('|---|---|---|---|---|---|---|---|---|---|')
order = sorted(kinds, key=lambda k: -sum(r[0] for r in kinds[k]))
for k in order:
    v = kinds[k]
    ru, win, smp = (sum(r[i] for r in v) for i in range(3))
    n = sum(r[3] for r in v)
    big = sorted(r[2] / r[0] for r in v if r[3] >= 25 and r[0] > 0)
    per = ('%.1f%% [%.1f%%, %.1f%%] (%d)' % (100 * big[(len(big) - 1) // 2], 100 * big[0], 100 * big[-1], len(big))
           if big else '- (none)')
    share = '%.1f%%' % (100 * smp / ru) if ru > 0 else '-'
    wshare = '%.1f%%' % (100 * smp / win) if win > 0 else '-'
    target = ('met' if ru > 0 and abs(smp / ru - 1) <= 0.10 else '**missed**') if big else '- (no process with 25 samples)'
    print('| %s | %d | %d | %.2f s | %.2f s | %.2f s | %s | %s | %s | %s |' % (
        k.replace('-fork-then-', ' fork child, then exec of '), len(v), n, ru, win, smp, share, per, wshare, target))
print()
print('What rusage has that the samples cannot: the CPU before sampling starts (the dynamic loader, rustup\'s '
      'proxy before it execs the real rustc, the constructors) and after it stops; a fork child that execs '
      'another program is sampled only until the exec. A process with less CPU than one period (4 ms) while its '
      'timers ran may get no sample at all.')
PY
fi

echo >>"$out"
echo "Reproduce: \`bench/report.sh -n $runs -w $which\` (growth with the size of the build: bench/scale.sh, below)." >>"$out"
cat "$out"
bench_write_section "$repo/BENCHMARKS.md" report "$out"
