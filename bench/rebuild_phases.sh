#!/usr/bin/env bash
# rebuild_phases.sh - where each debuginfo option's rebuild saving falls:
# before the touched rustc, in it before the link, in the link (rust-lld's
# main thread and its workers), after it.  Evidence for the estimator
# (docs/estimation.md, "Where a rebuild saving falls"), not a target.
#
# cli-app is built once per option in its own target directory (debug =
# 2, debug = false, line-tables-only, split-debuginfo = "unpacked", deps
# without debuginfo); then ROUNDS rounds, each touching src/main.rs and
# rebuilding every option in turn under `perf record -e task-clock` (one
# sample per 0.25 ms of a thread's CPU, no call chains).  The phases are
# read off the samples' time stamps: the first and last sample of cargo,
# of the touched rustc and of rust-lld.  perf's own cost makes every
# figure larger than untraced; the table compares options, measured alike.
#
# usage: bench/rebuild_phases.sh [-r ROUNDS]   (default 8; ~6 min quiet)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/bench/lib.sh"
shared="$(cd "$repo/.." && pwd)/shared"
rounds=8
while getopts "r:" o; do
  case $o in
    r) rounds=$OPTARG ;;
    *) sed -n '2,16p' "$0" >&2; exit 2 ;;
  esac
done
command -v perf >/dev/null || { echo "rebuild_phases.sh: perf is missing (apt-get install linux-perf)" >&2; exit 2; }
work=$(mktemp -d /tmp/btrace-phases.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$shared/workloads/install-debian-crates.sh" >/dev/null
cp -r "$shared/workloads/cli-app" "$work/cli-app" && chmod -R u+w "$work/cli-app"
rm -rf "$work/cli-app/target"

options=(base off lines split deps)
declare -A config=(
  [base]=''
  [off]='profile.dev.debug=false'
  [lines]='profile.dev.debug="line-tables-only"'
  [split]='profile.dev.split-debuginfo="unpacked"'
  [deps]='profile.dev.package."*".debug=false'
)
build() { # OPTION [perf record args...]
  local o=$1; shift
  local cfg=()
  [ -n "${config[$o]}" ] && cfg=(--config "${config[$o]}")
  (cd "$work/cli-app" && CARGO_TARGET_DIR="$work/target-$o" "$@" cargo build -q --offline "${cfg[@]}" >/dev/null 2>&1)
}
for o in "${options[@]}"; do build "$o"; done
for ((r = 1; r <= rounds; r++)); do
  for o in "${options[@]}"; do
    touch "$work/cli-app/src/main.rs"
    build "$o" perf record -q -o "$work/perf-$o-$r.data" -e task-clock -c 250000 --
    perf script -i "$work/perf-$o-$r.data" -F pid,tid,time,comm,period >"$work/samples-$o-$r.txt" 2>/dev/null
    rm -f "$work/perf-$o-$r.data"
  done
  echo "  round $r of $rounds" >&2
done

table=$(python3 - "$work" "$rounds" <<'PY'
import collections, re, statistics as st, sys
work, rounds = sys.argv[1], int(sys.argv[2])
names = {'off': '`debug = false`', 'lines': '`line-tables-only`',
         'split': '`split-debuginfo = "unpacked"`', 'deps': 'deps without debuginfo'}
phases = ['before rustc', 'rustc before the link', 'the link (rust-lld)',
          'rustc after the link', 'cargo after rustc', 'the rebuild']
def measure(path):
    span, comm, cpu = {}, {}, collections.Counter()
    for line in open(path):
        m = re.match(r'\s*(.+?)\s+(\d+)/(\d+)\s+([\d.]+):\s+(\d+)', line)
        if not m:
            continue
        c, pid, tid, t, per = m.group(1), int(m.group(2)), int(m.group(3)), float(m.group(4)), int(m.group(5))
        if tid == pid:
            comm[pid] = c  # the last name: cc, collect2 and ld.lld exec on
        a = span.get(pid, (t, t))
        span[pid] = (min(a[0], t), max(a[1], t))
        cpu[(pid, tid == pid)] += per / 1e6
    def longest(name):
        c = [p for p in span if comm.get(p) == name]
        return max(c, key=lambda p: span[p][1] - span[p][0]) if c else None
    cg, rc, ld = longest('cargo'), longest('rustc'), longest('rust-lld')
    if not (cg and rc and ld):
        return None
    (c0, c1), (r0, r1), (l0, l1) = span[cg], span[rc], span[ld]
    wall = [r0 - c0, l0 - r0, l1 - l0, r1 - l1, c1 - r1, c1 - c0]
    return [w * 1e3 for w in wall] + [cpu[(ld, True)], cpu[(ld, False)]]
m = {o: [measure(f'{work}/samples-{o}-{r}.txt') for r in range(1, rounds + 1)]
     for o in ['base'] + list(names)}
out = ['| option | ' + ' | '.join(phases) + ' | rust-lld main thread (CPU) | rust-lld workers (CPU) | link: wall / CPU saved |',
       '|---|' + '---|' * (len(phases) + 3)]
base = m['base']
out.append('| `debug = 2` (the rebuild, ms) | ' + ' | '.join(
    '%.1f' % st.median(x[i] for x in base if x) for i in range(8)) + ' | |')
for o, label in names.items():
    pairs = [(b, x) for b, x in zip(base, m[o]) if b and x]
    saved = [st.median(b[i] - x[i] for b, x in pairs) for i in range(8)]
    ratio = st.median((b[2] - x[2]) / ((b[6] + b[7]) - (x[6] + x[7])) for b, x in pairs
                      if (b[6] + b[7]) - (x[6] + x[7]) > 0)
    out.append(f'| {label}: saved (ms) | ' + ' | '.join('%.1f' % s for s in saved) + ' | %.2f |' % ratio)
print('\n'.join(out))
print()
print('%d paired rounds a option (medians of the per-round differences from `debug = 2`)' % len(base))
PY
)
echo "$table"
section="$work/section.md"
{
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -sr), $(rustc --version), $(perf --version): cli-app's rebuild after \`touch src/main.rs\`, phases in milliseconds of wall time, rust-lld's threads in milliseconds of CPU, all under \`perf record\` (larger than untraced):"
  echo
  echo "$table"
  echo
  echo "Reproduce: \`bench/rebuild_phases.sh -r $rounds\`"
} >"$section"
bench_write_section "$repo/BENCHMARKS.md" "rebuild-phases" "$section"
echo "wrote $repo/BENCHMARKS.md (rebuild-phases)" >&2
