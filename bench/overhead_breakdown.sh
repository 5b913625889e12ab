#!/usr/bin/env bash
# overhead_breakdown.sh - where the time a traced build adds goes.
#
# Paired, interleaved builds (untraced, then `btrace record`, in
# alternating order) of one workload, each under `perf stat` with
# software counters that do not depend on the machine's load as wall
# time does: task-clock (the CPU of every process of the build), system
# calls (raw_syscalls:sys_enter), page faults and context switches.  Then
# a few more rounds under `perf record -F 2000 -g` (cpu-clock), whose
# samples are summed per process name and kernel or user function, and
# the differences traced - untraced printed largest first: that table is
# the breakdown.  Each BTRACE given is measured against the same untraced
# rounds (e.g. one built before a change, to compare).
#
# Workloads:
#   rebuild   ../shared/workloads/cli-app after `touch src/main.rs`
#   example   a clean build of examples/hello-workspace
#   synthetic a clean build of gen-synthetic.sh 40 crates x 20 functions
#   short     `sh` running the toolchain's `rustc -V` COUNT times: the fixed
#             cost of a short sampled process (the table also gives what
#             each process adds: medians of per-round differences / COUNT)
#   proxy     the same through rustup's proxy (~/.cargo/bin/rustc): two
#             images a process, the proxy's and the real rustc's
#   tiny      `sh` running COUNT times an empty C program named rustc,
#             linked with libgcc_s as every Rust program is: a sampled
#             process that ends before its first sample, as rustc's fork
#             child before its exec of cc, or the ld.lld wrapper before
#             its exec of rust-lld: the sampler's fixed cost per process
#             (issue 19)
#   forks     a copy of bash named rustc (so sampled) forking COUNT
#             children that exec /bin/true: the cost of a sampled fork
#             child that execs at once, as rustc's child for cc
#   linkargs  `sh` running /bin/true COUNT times with a link's command
#             line (250 object paths, 22 KB, as cc, collect2, ld.lld and
#             rust-lld get in a cli-app rebuild): the recorder's cost of
#             an argv (unsampled: /bin/true is no compiler)
#
# usage: bench/overhead_breakdown.sh [-n ROUNDS] [-p PERF_ROUNDS] [-c COUNT]
#          [-w rebuild|example|synthetic|short|proxy|tiny|forks|linkargs] [-m sample|off]
#          [-d DIR] [-t TAG] [-s] [BTRACE...]
#   -c  processes of the short, proxy, tiny, forks and linkargs workloads (default 20)
#   -d  write the traces under DIR (default: the work directory in /tmp),
#       e.g. /dev/shm: tmpfs creates a file in microseconds, where ext4
#       here spends 0.3 to 1 ms and more under load (recently_deleted()),
#       so what is left is the shim's own cost
#   -m  the btrace mode: default sampling (sample), or --sample off
#   -t  writes section overhead-breakdown-WORKLOAD-TAG instead
#   -s  do not write BENCHMARKS.md (section overhead-breakdown-WORKLOAD)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$(cd "$repo/.." && pwd)/shared"
source "$repo/bench/lib.sh"
export PATH="$HOME/.cargo/bin:$PATH"
rounds=10 prounds=3 which=rebuild mode=sample write=1 count=20 tag= tdir=
while getopts "n:p:c:w:m:d:t:s" o; do
  case $o in
    n) rounds=$OPTARG ;;
    p) prounds=$OPTARG ;;
    c) count=$OPTARG ;;
    t) tag=$OPTARG ;;
    d) tdir=$OPTARG ;;
    w) which=$OPTARG ;;
    m) mode=$OPTARG ;;
    s) write=0 ;;
    *) echo "usage: $0 [-n ROUNDS] [-p PERF_ROUNDS] [-c COUNT] [-w rebuild|example|synthetic|short|proxy|tiny|forks|linkargs] [-m sample|off] [-d DIR] [-t TAG] [-s] [BTRACE...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
command -v perf >/dev/null || { echo "needs perf (Debian: linux-perf)" >&2; exit 1; }
bins=()
for b in "$@"; do bins+=("$(realpath "$b")"); done
[ ${#bins[@]} -gt 0 ] || bins=("$(bench_btrace "$repo")")
work=$(mktemp -d /tmp/btrace-bench-breakdown.XXXXXX)
trace=$work/trace
[ -n "$tdir" ] && trace=$(mktemp -d "$tdir/btrace-bench-trace.XXXXXX")/trace
trap 'rm -rf "$work" "${trace%/trace}"' EXIT
load0=$(cut -d' ' -f1-3 /proc/loadavg)

case $which in
  rebuild)
    "$shared/workloads/install-debian-crates.sh" >/dev/null
    cp -r "$shared/workloads/cli-app" "$work/w" && chmod -R u+w "$work/w"
    (cd "$work/w" && cargo build -q --offline >/dev/null 2>&1)
    prep() { touch "$work/w/src/main.rs"; } ;;
  example)
    cp -r "$repo/examples/hello-workspace" "$work/w"
    prep() { (cd "$work/w" && cargo clean -q); } ;;
  synthetic)
    bash "$shared/workloads/gen-synthetic.sh" "$work/w" 40 20 >/dev/null
    prep() { (cd "$work/w" && cargo clean -q); } ;;
  short | proxy)
    mkdir -p "$work/w"
    rustc_bin=$(rustup which rustc 2>/dev/null || command -v rustc)
    [ "$which" = proxy ] && rustc_bin=$HOME/.cargo/bin/rustc
    [ -x "$rustc_bin" ] || { echo "no $rustc_bin" >&2; exit 1; }
    printf 'for i in $(seq %d); do "%s" -V; done\n' "$count" "$rustc_bin" >"$work/w/short.sh"
    prep() { :; } ;;
  tiny)
    mkdir -p "$work/w/bin"
    echo 'int main(void) { return 0; }' >"$work/w/main.c"
    cc -O2 -o "$work/w/bin/rustc" "$work/w/main.c" -Wl,--no-as-needed -lgcc_s
    printf 'for i in $(seq %d); do "%s"; done\n' "$count" "$work/w/bin/rustc" >"$work/w/short.sh"
    prep() { :; } ;;
  forks)
    mkdir -p "$work/w/bin"
    cp "$(command -v bash)" "$work/w/bin/rustc"
    printf '"%s" -c '"'"'for i in $(seq %d); do /bin/true; done'"'"'\n' "$work/w/bin/rustc" "$count" >"$work/w/short.sh"
    prep() { :; } ;;
  linkargs)
    mkdir -p "$work/w"
    objs=$(for i in $(seq 250); do printf '%s/target/debug/deps/cli_app-7e4eb829af72d0fc.%05dfwmfozaff4tbz97rljjdh5c.0qj8aab.rcgu.o ' "$work/w" "$i"; done)
    printf 'for i in $(seq %d); do /bin/true %s; done\n' "$count" "$objs" >"$work/w/short.sh"
    prep() { :; } ;;
  *) echo "unknown workload $which" >&2; exit 2 ;;
esac
build_cmd=(cargo build -q --offline)
case $which in short | proxy | tiny | forks | linkargs) build_cmd=(sh "$work/w/short.sh") ;; esac
(cd "$work/w" && "${build_cmd[@]}" >/dev/null 2>&1) # warm the caches

sflag=()
[ "$mode" = off ] && sflag=(--sample off)
# build MODE ROUND [PERF...]: one build under perf; MODE u or the index of
# a btrace in bins.
build() {
  local m=$1 r=$2; shift 2
  local cmd=("${build_cmd[@]}")
  [ "$m" = u ] || cmd=("${bins[$m]}" record -o "$trace" "${sflag[@]}" -- "${cmd[@]}")
  prep
  rm -rf "$trace"
  (cd "$work/w" && "$@" -- "${cmd[@]}" >/dev/null 2>&1)
}
modes=(u)
for ((i = 0; i < ${#bins[@]}; i++)); do modes+=("$i"); done
nm=${#modes[@]}
for ((r = 1; r <= rounds; r++)); do
  for ((k = 0; k < nm; k++)); do
    m=${modes[(r + k) % nm]}
    build "$m" "$r" perf stat -x, -o "$work/stat.$m.$r" \
      -e task-clock,raw_syscalls:sys_enter,page-faults,context-switches,duration_time
  done
done
for ((r = 1; r <= prounds; r++)); do
  for ((k = 0; k < nm; k++)); do
    m=${modes[(r + k) % nm]}
    build "$m" "$r" perf record -q -F 2000 -g -o "$work/perf.$m.$r.data"
    # what the build was: processes, images, samples (dump's last line)
    [ "$m" = u ] || "${bins[$m]}" dump "$trace" 2>/dev/null | tail -n 1 >"$work/dump.$m.$r" || true
  done
done
for f in "$work"/perf.*.data; do
  [ -e "$f" ] || continue
  perf report -i "$f" --no-children -g none -n --sort comm,sym --stdio -q \
    2>/dev/null >"$f.txt" || true
  perf script -i "$f" -F comm,period,ip,sym,dso 2>/dev/null >"$f.script" || true
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

out="$work/section.md"
python3 - "$work" "$rounds" "$prounds" "$which" "$mode" "$load0" "$load1" "$count" "${tdir:-}" "${bins[@]}" >"$out" <<'PY'
import sys, os, glob, statistics as st, collections, re
work, rounds, prounds, which, mode, load0, load1, count, tdir = sys.argv[1:10]
bins = sys.argv[10:]
count = int(count) if which in ('short', 'proxy', 'tiny', 'forks', 'linkargs') else 0
rounds, prounds = int(rounds), int(prounds)
def stat(m, r):
    d = {}
    for l in open(f"{work}/stat.{m}.{r}"):
        p = l.strip().split(',')
        if len(p) > 3 and p[0] and p[0][0].isdigit():
            d[p[2]] = float(p[0])
    return d
names = {'task-clock': 'CPU (task-clock, ms)', 'raw_syscalls:sys_enter': 'system calls',
         'page-faults': 'page faults', 'context-switches': 'context switches',
         'duration_time': 'wall (ms)'}
scale = {'duration_time': 1e-6}
home = os.path.expanduser('~')
print(f"Workload **{which}**{f' ({count} processes)' if count else ''}, btrace mode `{'--sample off' if mode == 'off' else 'default sampling'}`; "
      f"{rounds} paired rounds under `perf stat`, {prounds} under `perf record -F 2000 -g`; "
      f"{f'traces under {tdir}; ' if tdir else ''}"
      f"load average {load0} at the start, {load1} at the end.\n")
cols = ['untraced'] + [f"btrace {i + 1}" for i in range(len(bins))]
for i, b in enumerate(bins):
    print(f"- btrace {i + 1}: `{b.replace(home, '~')}`")
print()
print('| counter (median of rounds) | ' + ' | '.join(cols) + ' |')
print('|---|' + '---:|' * len(cols))
for key, name in names.items():
    row = []
    base = [stat('u', r).get(key) for r in range(1, rounds + 1)]
    for m in ['u'] + [str(i) for i in range(len(bins))]:
        vals = [stat(m, r).get(key) for r in range(1, rounds + 1)]
        if None in vals:
            row.append('-'); continue
        med = st.median(vals) * scale.get(key, 1)
        if m == 'u':
            row.append(f"{med:.0f}")
        else:
            ratio = st.median(v / b for v, b in zip(vals, base) if b)
            row.append(f"{med:.0f} ({(ratio - 1) * 100:+.1f}%)")
    print(f"| {name} | " + ' | '.join(row) + ' |')
print('\n(per-round ratios against the untraced build of the same round, medians.)\n')
if count:
    print(f"Added per process (median of the per-round differences from untraced, / {count}):\n")
    print('| per process | ' + ' | '.join(cols[1:]) + ' |')
    print('|---|' + '---:|' * (len(cols) - 1))
    for key, name, unit in (('task-clock', 'CPU', 'ms'), ('raw_syscalls:sys_enter', 'system calls', ''),
                            ('page-faults', 'page faults', ''), ('duration_time', 'wall', 'ms')):
        row = []
        base = [stat('u', r).get(key) for r in range(1, rounds + 1)]
        for m in [str(i) for i in range(len(bins))]:
            vals = [stat(m, r).get(key) for r in range(1, rounds + 1)]
            if None in vals or None in base:
                row.append('-'); continue
            d = st.median(v - b for v, b in zip(vals, base)) * scale.get(key, 1) / count
            row.append(f"{d:+.3f} {unit}".strip() if unit else f"{d:+.1f}")
        print(f"| {name} | " + ' | '.join(row) + ' |')
    print()

def samples(m):
    tot = collections.Counter(); n = 0
    for f in glob.glob(f"{work}/perf.{m}.*.data.txt"):
        n += 1
        for l in open(f):
            p = l.split()
            if len(p) < 4 or not p[0].endswith('%'):
                continue
            comm = p[2]
            sym = ' '.join(p[3:])
            kind = 'kernel' if sym.startswith('[k]') else 'user'
            sym = re.sub(r'^\[[k.]\] ', '', sym)
            if kind == 'user' and ('btrace' in sym or sym.startswith(('on_sigprof', 'unwind_cb', 'drain', '_Unwind', 'uw_', 'execute_cfa', 'search_object', '_Unwind_Find'))):
                pass
            tot[(comm, kind, sym[:70])] += int(p[1])
    return {k: v / max(n, 1) for k, v in tot.items()}, n
# The shim's own cost, read from the call chains rather than as the
# difference of two large totals (which moves with the load): each sample
# whose chain holds a frame of libbtrace.so goes to the outermost such
# frame (the hook or handler that ran: do_exec, on_sigprof, bt_init...);
# one in libgcc_s (the unwinder, whose frames have no frame pointers, so
# the chain stops before our handler) to "unwinding"; one in the kernel's
# signal delivery to "signal delivery"; btrace record's own process to
# itself.  The untraced builds give the same categories' baseline (rustc
# uses libgcc_s itself now and then).
SIGK = ('arch_do_signal_or_restart', '__x64_sys_rt_sigreturn', 'posix_cpu_timers_work',
        'handle_posix_cpu_timers', 'posixtimer_send_sigqueue', 'send_sigqueue')
def fsym(x):
    return re.sub(r'^[0-9a-f]+ ', '', x).split('+')[0].split(' (')[0]
def shim_cost(m):
    c = collections.Counter(); n = 0
    for f in glob.glob(f"{work}/perf.{m}.*.data.script"):
        n += 1
        cur = None
        def take(cur):
            if not cur:
                return
            comm, per, fr = cur
            k = None
            sh = [x for x in fr if 'libbtrace.so' in x]
            if comm == 'btrace':
                k = '`btrace record` (its own process)'
            elif sh:
                k = f"shim: `{fsym(sh[-1])}`"
            elif any('libgcc_s' in x for x in fr):
                k = 'unwinding (libgcc_s)'
            elif any(any(s in x for s in SIGK) for x in fr):
                k = 'kernel: signal delivery and timers'
            if k:
                c[k] += per / 1e6
        for l in open(f, errors='replace'):
            if not l.strip():
                take(cur); cur = None
            elif not l[0].isspace():
                p = l.split()
                cur = (p[0], int(p[-1]) if p[-1].isdigit() else 0, [])
            elif cur:
                cur[2].append(l.strip())
        take(cur)
    return {k: v / max(n, 1) for k, v in c.items()}, n
cu, _ = shim_cost('u')
cs = [shim_cost(str(i)) for i in range(len(bins))]
if any(n for _, n in cs):
    print("**The shim's own CPU, from the call chains** (ms per build, means over the `perf record` "
          "builds: samples with a frame of libbtrace.so go to its outermost one, the hook or handler that ran):\n")
    print('| where | untraced | ' + ' | '.join(cols[1:]) + ' |')
    print('|---|' + '---:|' * len(cols))
    keys = set(cu)
    for c, _ in cs:
        keys |= set(c)
    keys = sorted(keys, key=lambda k: -max(c.get(k, 0) for c, _ in cs))
    tot = ['%.2f' % sum(cu.values())] + ['%.2f' % sum(c.values()) for c, _ in cs]
    for k in keys[:14]:
        print(f"| {k} | {cu.get(k, 0):.2f} | " + ' | '.join(f"{c.get(k, 0):.2f}" for c, _ in cs) + ' |')
    print('| **all of the above** | ' + ' | '.join(tot) + ' |')
    print()
    for i in range(len(bins)):
        lines = [open(f).read().strip() for f in sorted(glob.glob(f"{work}/dump.{i}.*"))]
        lines = [l for l in lines if l]
        if lines:
            print(f"- btrace {i + 1}'s trace of the last build: {lines[-1]}")
    print()

u, nu = samples('u')
ms = 1000 / 2000  # ms per sample at 2000 Hz
for i in range(len(bins)):
    s, ns = samples(str(i))
    if not nu or not ns:
        continue
    tu, ts = sum(u.values()) * ms, sum(s.values()) * ms
    print(f"**Where btrace {i + 1} adds CPU** (`perf record` cpu-clock samples per build, 0.5 ms each, "
          f"mean of {ns} traced against {nu} untraced builds: {tu:.0f} ms untraced, {ts:.0f} ms traced, {ts - tu:+.0f} ms). "
          f"By process, then the largest differences by process and function:\n")
    bycomm = collections.Counter(); bycu = collections.Counter()
    for (c, k, sy), v in s.items(): bycomm[c] += v
    for (c, k, sy), v in u.items(): bycu[c] += v
    print('| process | untraced (ms) | traced (ms) | added (ms) |')
    print('|---|---:|---:|---:|')
    for c in sorted(set(bycomm) | set(bycu), key=lambda c: -(bycomm[c] - bycu[c]))[:8]:
        print(f"| {c} | {bycu[c] * ms:.1f} | {bycomm[c] * ms:.1f} | {(bycomm[c] - bycu[c]) * ms:+.1f} |")
    print()
    print('| process | kernel/user | function | added (ms) |')
    print('|---|---|---|---:|')
    keys = sorted(set(s) | set(u), key=lambda k: -(s.get(k, 0) - u.get(k, 0)))
    for k in keys[:15]:
        print(f"| {k[0]} | {k[1]} | `{k[2]}` | {(s.get(k, 0) - u.get(k, 0)) * ms:+.1f} |")
    print()
PY
cat "$out"
args="-n $rounds -p $prounds -w $which"
case $which in short | proxy | tiny | forks | linkargs) args+=" -c $count" ;; esac
[ -n "$tdir" ] && args+=" -d $tdir"
[ "$mode" = off ] && args+=" -m off"
[ -n "$tag" ] && args+=" -t $tag"
printf '\nReproduce: `bench/overhead_breakdown.sh %s`.\n' "$args" >>"$out"
[ "$write" = 1 ] && bench_write_section "$repo/BENCHMARKS.md" "overhead-breakdown-$which${tag:+-$tag}" "$out"
exit 0
