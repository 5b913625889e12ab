#!/usr/bin/env bash
# overhead.sh - what tracing costs a real build.
#
# Paired, interleaved clean builds of examples/hello-workspace and of
# ../shared/workloads/cli-app, in three modes per round (the order rotates
# every round so that no mode always runs first):
#   untraced          cargo build
#   record            btrace record --sample off   (processes only)
#   record+sample     btrace record                 (default: 250 Hz stacks
#                                                    in rustc and linkers)
# Reports medians of wall and CPU (user+sys of the whole build), the median
# of the per-round ratios against the untraced build of the same round with
# their min and max, the trace size, and issue 19's target for default
# sampling (at most +2% wall and CPU, on at least 7 paired rounds); writes
# the table into BENCHMARKS.md.  bench/run.sh runs it on the example only:
# the other workloads of issue 19's target are bench/peers.sh's.
#
# usage: bench/overhead.sh [-n ROUNDS] [-b BTRACE] [-w example|cli-app|all] [-d DIR] [-t TAG]
#   -d  write the traces under DIR (default: the work directory in /tmp),
#       e.g. /dev/shm: creating a file costs this machine's ext4 0.3 to 1
#       ms (no journal: recently_deleted()), tmpfs microseconds, and the
#       shim creates one a process
#   -t  write section overhead-TAG instead of overhead
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$(cd "$repo/.." && pwd)/shared"
export PATH="$HOME/.cargo/bin:$PATH"
rounds=5 btrace="" which=all tdir="" tag=""
while getopts "n:b:w:d:t:" o; do
  case $o in
    n) rounds=$OPTARG ;;
    b) btrace=$OPTARG ;;
    w) which=$OPTARG ;;
    d) tdir=$OPTARG ;;
    t) tag=$OPTARG ;;
    *) echo "usage: $0 [-n ROUNDS] [-b BTRACE] [-w example|cli-app|all] [-d DIR] [-t TAG]" >&2; exit 2 ;;
  esac
done
source "$repo/bench/lib.sh"
[ -n "$btrace" ] || btrace=$(bench_btrace "$repo")
work=$(mktemp -d /tmp/btrace-bench.XXXXXX)
traces=$work
[ -n "$tdir" ] && traces=$(mktemp -d "$tdir/btrace-bench-trace.XXXXXX")
trap 'rm -rf "$work" "$traces"' EXIT
results="$work/results.tsv"

prepare() { # NAME -> copies the workload to $work/NAME
  case $1 in
    example) cp -r "$repo/examples/hello-workspace" "$work/example" ;;
    cli-app)
      "$shared/workloads/install-debian-crates.sh" >/dev/null
      cp -r "$shared/workloads/cli-app" "$work/cli-app"
      chmod -R u+w "$work/cli-app" ;;
  esac
  rm -rf "$work/$1/target"
  (cd "$work/$1" && cargo fetch -q --offline 2>/dev/null || true)
}

run() { # WORKLOAD MODE ROUND
  local dir="$work/$1" trace="$traces/trace-$1-$2-$3" t
  (cd "$dir" && cargo clean -q)
  sync
  local cmd=(cargo build -q --offline)
  case $2 in
    record) cmd=("$btrace" record -o "$trace" --sample off -- "${cmd[@]}") ;;
    record+sample) cmd=("$btrace" record -o "$trace" -- "${cmd[@]}") ;;
  esac
  TIMEFORMAT='%3R %3U %3S'
  t=$( { time (cd "$dir" && "${cmd[@]}" >/dev/null 2>&1) ; } 2>&1 )
  local size=0
  # moved aside, not deleted (bench_set_aside); all go with $traces at exit
  if [ -d "$trace" ]; then
    size=$(du -sb "$trace" | cut -f1)
    bench_set_aside "$trace" "$traces/old"
  fi
  set -- "$1" "$2" "$3" $t "$size"
  local cpu
  cpu=$(awk "BEGIN { print $5 + $6 }")
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$cpu" >>"$results"
  echo "$7" >>"$results.size.$1.$2"
  echo "  $1 $2 round $3: wall $4 s, cpu $cpu s, trace $7 bytes" >&2
}

workloads=(example cli-app)
[ "$which" = all ] || workloads=("$which")
modes=(untraced record record+sample)
for w in "${workloads[@]}"; do
  prepare "$w"
  (cd "$work/$w" && cargo build -q --offline >/dev/null 2>&1) # warm the caches
  for ((r = 1; r <= rounds; r++)); do
    for ((k = 0; k < 3; k++)); do
      run "$w" "${modes[(r + k) % 3]}" "$r"
    done
  done
done

table=$(python3 - "$results" "$work" "$repo/bench" <<'PY'
import sys, statistics as st, collections, glob, os
sys.path.insert(0, sys.argv[3])
from verdicts import verdict
rows = [l.split('\t') for l in open(sys.argv[1]).read().split('\n') if l]
d = collections.defaultdict(dict)
for w, m, r, wall, cpu in rows:
    d[(w, m)][int(r)] = (float(wall), float(cpu))
out = ["| workload | mode | runs | wall median (s) | CPU median (s) | wall vs untraced: median [min, max] | CPU vs untraced: median [min, max] | trace size (median) | target |",
       "|---|---|---|---|---|---|---|---|---|"]
def ratio(xs):
    m = st.median(xs)
    return m, '%.3f (%+.1f%%) [%+.1f%%, %+.1f%%]' % (m, (m - 1) * 100, (min(xs) - 1) * 100, (max(xs) - 1) * 100)
for w in dict.fromkeys(k[0] for k in d):
    base = d[(w, 'untraced')]
    for m in ('untraced', 'record', 'record+sample'):
        runs = d[(w, m)]
        wall = st.median(v[0] for v in runs.values())
        cpu = st.median(v[1] for v in runs.values())
        target = ''
        if m == 'untraced':
            rw = rc = '1 (reference)'
        else:
            pairs = [r for r in runs if r in base]
            wr = [runs[r][0] / base[r][0] for r in pairs]
            cr = [runs[r][1] / base[r][1] for r in pairs]
            mw, rw = ratio(wr)
            mc, rc = ratio(cr)
            if m == 'record+sample':  # issue 19: medians of at least 7 paired rounds
                target = verdict(wr, cr)[0]
        f = os.path.join(sys.argv[2], 'results.tsv.size.%s.%s' % (w, m))
        sizes = [int(x) for x in open(f).read().split()] if os.path.exists(f) else []
        size = '%.2f MB' % (st.median(sizes) / 1e6) if sizes and max(sizes) else '-'
        out.append('| %s | %s | %d | %.2f | %.2f | %s | %s | %s | %s |' % (w, m, len(runs), wall, cpu, rw, rc, size, target))
print('\n'.join(out))
PY
)
echo "$table"

# Write the table into BENCHMARKS.md between the markers.
section="$work/section.md"
{
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -sr), $(rustc --version), $rounds rounds$([ -n "$tdir" ] && echo ", traces under $tdir"):"
  echo
  echo "$table"
  echo
  echo "Reproduce: \`bench/overhead.sh -n $rounds$([ "$which" = all ] || echo " -w $which")$([ -n "$tdir" ] && echo " -d $tdir")$([ -n "$tag" ] && echo " -t $tag")\` (ratios are medians of the per-round ratios; rounds interleave the modes in rotating order)."
} >"$section"
bench_write_section "$repo/BENCHMARKS.md" "overhead${tag:+-$tag}" "$section"
