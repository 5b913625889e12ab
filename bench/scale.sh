#!/usr/bin/env bash
# scale.sh - how `btrace report`'s time and memory grow with the size of
# the build (issue 19, "Scale").
#
# The grid: synthetic traces from bench/gen_trace (--stacks real: shaped
# on the cli-app trace, see gen_trace/main.c) of -p process counts
# (default 100, 1,000 and 10,000) times -s sample counts (default 0.5, 5
# and 50 million), each generated, measured and deleted in turn, smallest
# first.  A cell: `btrace report` (two threads, the default; no history,
# BTRACE_HISTORY=0) run -n times, wall, CPU (user + sys: less sensitive
# to the load of a shared machine than wall) and max RSS from GNU time;
# the table gives the median wall with min and max, the median CPU and
# the median max RSS.  A cell whose first run takes more than -T seconds
# (default 60) is run once (the table says how many runs each has):
# bench/run.sh gives 20, so that the 50 M-sample cells (10 GB traces,
# 30 s and more a report) are run once and the smaller ones -n times.
#
# What cannot be measured is said in the table, never left out: a trace
# that would not fit on the disk (its size estimated from the smaller
# cells) is not generated; a report that runs longer than -t seconds is
# stopped, and one that needs more than -m GiB of address space beyond
# its trace's size (ulimit -v: btrace maps the larger trace files; the
# limit keeps the shared machine out of swap and the OOM killer) fails;
# either way, the larger cells of that process count are not tried.
#
# Max RSS is GNU time's: it counts the pages of the mapped trace files
# that were resident at the peak (btrace drops each file's pages once it
# has read it), not only the heap.
#
# The growth exponent: per process count, the least-squares slope of
# log(wall), log(CPU) and log(max RSS) against log(samples) over the
# cells that finished (k = 1 is linear); and per sample count, the slope
# of log(CPU) and log(max RSS) against log(processes).  The targets beside the figures (issue 19):
# 5M samples in at most 10 s and 1 GiB, with linear growth (k <= 1.1,
# the bound bench/report.sh used before the grid).
#
# Variants (-v SAMPLES, 0 for none): 1,000 processes with SAMPLES samples
# with one thread (BTRACE_THREADS=1) and with --stacks diverse (the older,
# far more varied stack model: a worst case).
#
# Writes the tables into BENCHMARKS.md (section "scale"); raw figures in
# build-bench/scale/results.tsv.
#
# usage: bench/scale.sh [-p PROCS,...] [-s SAMPLES,...] [-n RUNS]
#                       [-v SAMPLES] [-t SECONDS] [-m GIB] [-T SECONDS]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/bench/lib.sh"
procs_list=100,1000,10000 samples_list=500000,5000000,50000000 runs=3
variant=5000000 limit_s=900 limit_gib=12 once_s=60
usage() { echo "usage: $0 [-p PROCS,...] [-s SAMPLES,...] [-n RUNS] [-v SAMPLES] [-t SECONDS] [-m GIB] [-T SECONDS]" >&2; exit 2; }
while getopts "p:s:n:v:t:m:T:" o; do
  case $o in
    p) procs_list=$OPTARG ;;
    s) samples_list=$OPTARG ;;
    n) runs=$OPTARG ;;
    v) variant=$OPTARG ;;
    t) limit_s=$OPTARG ;;
    m) limit_gib=$OPTARG ;;
    T) once_s=$OPTARG ;;
    *) usage ;;
  esac
done
IFS=, read -r -a P <<<"$procs_list"
IFS=, read -r -a S <<<"$samples_list"
mapfile -t S < <(printf '%s\n' "${S[@]}" | sort -n)
for v in "${P[@]}" "${S[@]}" "$runs" "$variant" "$limit_s" "$limit_gib" "$once_s"; do
  [[ $v =~ ^[0-9]+$ ]] || { echo "scale.sh: not a number: $v" >&2; usage; }
done
started=$SECONDS
cmake -S "$repo" -B "$repo/build-bench-tests" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$repo/build-bench-tests" -j"$(nproc)" --target btrace_cli gen_trace >/dev/null
bin="$repo/build-bench-tests/bin"
work=$(mktemp -d /tmp/btrace-bench-scale.XXXXXX)
trap 'rm -rf "$work"' EXIT
raw="$repo/build-bench/scale"
mkdir -p "$raw"
results="$raw/results.tsv"
: >"$results"
load0=$(cut -d' ' -f1-3 /proc/loadavg)

# measure TAG DIR THREADS: runs the report, appends
# "TAG status runs wall_med wall_min wall_max rss_kib cpu_med" to
# $work/cell (status: ok, timeout, memory, failed EXIT).
measure() {
  local tag=$1 dir=$2 threads=$3 walls=() rsss=() cpus=() r rc status=ok wall rss usr sys trace_kib
  # the trace files of 1 MiB and more are mapped, not read: the address
  # space they take comes on top of the budget
  trace_kib=$(du -sk "$dir" | cut -f1)
  for ((r = 0; r < runs; r++)); do
    rc=0
    (ulimit -v $((trace_kib + limit_gib * 1048576))
      BTRACE_HISTORY=0 BTRACE_THREADS=$threads exec timeout "$limit_s" /usr/bin/time -f "%e %M %U %S" -o "$work/time" \
        "$bin/btrace" report -q -o "$work/rep" "$dir") >/dev/null 2>"$work/err" || rc=$?
    if [ "$rc" != 0 ]; then
      if [ "$rc" = 124 ]; then status=timeout
      elif grep -qi 'memory\|alloc' "$work/err"; then status=memory
      else status="failed $rc"; fi
      echo "scale.sh: $tag: report exit $rc: $(grep -v '^Command' "$work/err" | tail -n 1)" >&2
      break
    fi
    read -r wall rss usr sys <"$work/time"
    walls+=("$wall") rsss+=("$rss")
    cpus+=("$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')")
    awk -v w="$wall" -v t="$once_s" 'BEGIN { exit !(w > t) }' && break
  done
  rm -rf "$work/rep"
  if [ "${#walls[@]}" = 0 ]; then
    printf '%s\t%s\t0\t-\t-\t-\t-\t-\n' "$tag" "$status" >>"$work/cell"
    return
  fi
  printf '%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n' "$tag" "$status" "${#walls[@]}" \
    "$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(((${#walls[@]} + 1) / 2))p")" \
    "$(printf '%s\n' "${walls[@]}" | sort -n | head -n 1)" \
    "$(printf '%s\n' "${walls[@]}" | sort -n | tail -n 1)" \
    "$(printf '%s\n' "${rsss[@]}" | sort -n | sed -n "$(((${#rsss[@]} + 1) / 2))p")" \
    "$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "$(((${#cpus[@]} + 1) / 2))p")" >>"$work/cell"
}

# bytes per sample and per process, from the cells written so far (for
# the disk check); before the first: 230 B a sample, 12 kB a process
est_bytes() { # PROCS SAMPLES
  awk -v p="$1" -v s="$2" -F'\t' 'BEGIN { bs = 230; bp = 12000 }
    $11 > 0 && $2 >= 100000 { b = ($11 * 1e6 - $1 * bp) / $2; if (b > bs) bs = b }
    END { printf "%.0f", s * bs * 1.1 + p * bp }' "$results"
}

# cell PROCS SAMPLES STACKS THREADS: one line of results.tsv:
# procs samples stacks threads status runs wall_med wall_min wall_max
# rss_kib trace_mb gen_s cpu_med
cell() {
  local p=$1 s=$2 kind=$3 threads=$4 dir=$work/trace need free t0 gen_s mb line
  rm -rf "$dir"
  need=$(est_bytes "$p" "$s")
  free=$(df -B1 --output=avail "$work" | tail -n 1)
  if ((need + 2 * 1024 ** 3 > free)); then
    printf '%s\t%s\t%s\t%s\tdisk\t0\t-\t-\t-\t-\t%d\t-\t-\n' "$p" "$s" "$kind" "$threads" $((need / 1000000)) >>"$results"
    echo "scale.sh: $p processes, $s samples: the trace (about $((need / 1000000)) MB) would not fit on the disk" >&2
    return
  fi
  t0=$(date +%s.%N)
  "$bin/gen_trace" -o "$dir" -p "$p" -s "$s" --stacks "$kind" >/dev/null
  gen_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  sync # the generator's gigabytes go to disk now, not during the report
  mb=$(du -sm "$dir" | cut -f1)
  : >"$work/cell"
  measure "$p/$s/$kind/$threads" "$dir" "$threads"
  line=$(cut -f2-7 "$work/cell")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$p" "$s" "$kind" "$threads" "$line" "$mb" "$gen_s" "$(cut -f8 "$work/cell")" >>"$results"
  echo "scale.sh: $p processes, $s samples, $kind, $threads threads: $line, $mb MB, generated in $gen_s s" >&2
  rm -rf "$dir"
}

# The grid, smallest samples first; a process count whose report did not
# finish is not tried with more samples.
declare -A stop=()
for s in "${S[@]}"; do
  for p in "${P[@]}"; do
    if [ -n "${stop[$p]:-}" ]; then
      printf '%s\t%s\treal\t2\tskipped\t0\t-\t-\t-\t-\t-\t-\t-\n' "$p" "$s" >>"$results"
      continue
    fi
    cell "$p" "$s" real 2
    st=$(tail -n 1 "$results" | cut -f5)
    [ "$st" = ok ] || stop[$p]=$st
  done
done
if [ "$variant" != 0 ]; then
  cell 1000 "$variant" real 1
  cell 1000 "$variant" diverse 2
fi

section="$work/section.md"
python3 - "$results" "$limit_s" "$limit_gib" >"$work/tables.md" <<'PY'
import math, sys
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1]) if l.strip()]
limit_s, limit_gib = sys.argv[2], sys.argv[3]


def what(r):
    st = r[4]
    if st == 'ok':
        return None
    if st == 'disk':
        return '**not measured**: the trace (about %s MB) would not fit on the disk' % r[10]
    if st == 'skipped':
        return '**not measured**: fewer samples did not finish'
    if st == 'timeout':
        return '**did not finish** in %s s' % limit_s
    if st == 'memory':
        return '**did not fit** in %s GiB of address space beyond the trace' % limit_gib
    return '**failed** (%s)' % st


def fmt_row(r, grid):
    p, s, kind, th = r[0], int(r[1]), r[2], r[3]
    why = what(r)
    size = '%s MB' % r[10] if r[10] != '-' and r[4] != 'disk' else '-'
    head = '| %s | %d | %s ' % (p, s, size) if grid else '| %s | %d | %s | %s | %s ' % (p, s, kind, th, size)
    if why and r[5] == '0':
        return head + '| %s | - | - | 0 | %s |' % (why, '**missed**' if s == 5000000 and grid else '-')
    wall, lo, hi, rss = float(r[6]), float(r[7]), float(r[8]), int(r[9])
    cpu = '%.2f s' % float(r[12]) if len(r) > 12 and r[12] != '-' else '-'
    w = '%.2f s [%.2f, %.2f]' % (wall, lo, hi) if r[5] != '1' else '%.2f s' % wall
    if why:
        w += ' (then %s)' % why
    target = '-'
    if s == 5000000 and grid:
        target = 'met' if wall <= 10 and rss <= 1048576 and not why else '**missed**'
    return head + '| %s | %s | %d MiB | %s | %s |' % (w, cpu, rss // 1024, r[5], target)


grid = [r for r in rows if r[2] == 'real' and r[3] == '2']
var = [r for r in rows if not (r[2] == 'real' and r[3] == '2')]
print('| processes | samples | trace size | `btrace report` wall: median [min, max] | CPU, user + sys (median) | max RSS (median) | runs | target (5M samples: at most 10 s and 1 GiB) |')
print('|---|---|---|---|---|---|---|---|')
for r in sorted(grid, key=lambda r: (int(r[0]), int(r[1]))):
    print(fmt_row(r, True))


def fit(pts):
    """least-squares slope of log y against log x"""
    if len(pts) < 2:
        return None
    xs = [math.log(x) for x, _ in pts]
    ys = [math.log(y) for _, y in pts]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else None


print()
print('**Growth** (per process count, the least-squares slope k of log(wall), log(CPU) and log(max RSS) against log(samples), over the cells that finished; linear growth is k = 1; target: linear, k <= 1.1):')
print()
print('| processes | cells fitted | samples | wall ~ samples^k | CPU ~ samples^k | max RSS ~ samples^k | target (linear growth) |')
print('|---|---|---|---|---|---|---|')


def cpu_of(r):
    return float(r[12]) if len(r) > 12 and r[12] != '-' else None


for p in sorted({r[0] for r in grid}, key=int):
    ok = sorted((int(r[1]), float(r[6]), int(r[9]), cpu_of(r)) for r in grid if r[0] == p and r[4] == 'ok')
    kw = fit([(s, w) for s, w, _, _ in ok])
    km = fit([(s, m) for s, _, m, _ in ok])
    kc = fit([(s, c) for s, _, _, c in ok if c])
    if kw is None:
        print('| %s | %d | - | - | - | - | not enough cells |' % (p, len(ok)))
        continue
    verdict = 'met' if kw <= 1.1 and km <= 1.1 and (kc is None or kc <= 1.1) else '**missed**'
    print('| %s | %d | %d to %d | %.2f | %s | %.2f | %s |' % (p, len(ok), ok[0][0], ok[-1][0], kw,
                                                   '%.2f' % kc if kc is not None else '-', km, verdict))
print()
print('And per sample count, the slope k of log(CPU) and log(max RSS) against log(processes) (not judged: the issue states linear growth in the samples; the processes bring units, and the dependency costs replay the build once per dependency):')
print()
print('| samples | cells fitted | processes | CPU ~ processes^k | max RSS ~ processes^k |')
print('|---|---|---|---|---|')
for s in sorted({int(r[1]) for r in grid}):
    ok = sorted((int(r[0]), cpu_of(r), int(r[9])) for r in grid if int(r[1]) == s and r[4] == 'ok' and cpu_of(r))
    kc = fit([(p, c) for p, c, _ in ok])
    km = fit([(p, m) for p, _, m in ok])
    if kc is None:
        print('| %d | %d | - | - | - |' % (s, len(ok)))
        continue
    print('| %d | %d | %d to %d | %.2f | %.2f |' % (s, len(ok), ok[0][0], ok[-1][0], kc, km))
if var:
    print()
    print('**Variants** (the same report with one thread, `BTRACE_THREADS=1`, and on `--stacks diverse`, the older, far more varied stack model: a worst case; not judged):')
    print()
    print('| processes | samples | stacks | threads | trace size | `btrace report` wall: median [min, max] | CPU, user + sys (median) | max RSS (median) | runs | target |')
    print('|---|---|---|---|---|---|---|---|---|---|')
    for r in var:
        print(fmt_row(r, False))
PY
cat "$work/tables.md"
{
  echo "Measured $(date -u +%Y-%m-%d) with btrace $(git -C "$repo" rev-parse --short HEAD) on $(nproc) cores, $(uname -sr), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory; synthetic traces from \`bench/gen_trace --stacks real\` (shaped like cli-app's: see bench/gen_trace/main.c), each report limited to $limit_s s and $limit_gib GiB of address space beyond its trace's size (max RSS includes the resident pages of the trace files btrace maps); load average $load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end ($(((SECONDS - started + 59) / 60)) min for the script)."
  echo
  cat "$work/tables.md"
  echo
  echo "The report is everything \`btrace report\` writes (summary, Chrome trace, symbolized flame graph, HTML), with two threads unless said. Trace bytes per CPU-second of a real build: the section above (bench/report.sh, \"Trace size\")."
  echo
  echo "Reproduce: \`bench/scale.sh -p $procs_list -s $samples_list -n $runs -v $variant -t $limit_s -m $limit_gib -T $once_s\` (raw figures in build-bench/scale/results.tsv)."
} >"$section"
bench_write_section "$repo/BENCHMARKS.md" scale "$section"
