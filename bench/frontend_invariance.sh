#!/usr/bin/env bash
# frontend_invariance.sh - does rustc's frontend do the same work whatever
# the debuginfo level?  Instruction counts (callgrind), so the answer does
# not depend on the machine's speed.
#
# Why: calibrate.sh and `btrace experiment` scale a build's CPU by
# frontend(A) / frontend(B) to take out the machine's speed drift between
# two builds; that is only valid if the frontend's work is the same at
# debug = 2, "line-tables-only" and 0.
#
# The run:
#  1. Generates the synthetic workspace (gen-synthetic.sh, 10 crates of 60
#     generic functions) and builds it once (`cargo build --offline -j1`)
#     with RUSTC_WRAPPER set to a script that saves the working directory
#     and the exact argv of one mid-chain library's rustc (-c, default
#     lib5; its dependencies' rmeta/rlib files stay in target/).
#  2. Runs that rustc command under
#       valgrind --tool=callgrind --separate-threads=no --trace-children=no
#     at -C debuginfo=2, line-tables-only and 0, then at 2 again (the
#     repeat shows run-to-run noise: ASLR-dependent hashing, temp names).
#     Only the debuginfo flag changes; each run gets its own empty
#     --out-dir and -C incremental directory (a clean build's work, as in
#     cargo's dev profile), codegen units as cargo gave them (none given:
#     rustc's default).
#  3. Reads each callgrind.out directly.  callgrind_annotate's inclusive
#     costs are not usable here: callgrind sees spurious self-recursion in
#     some rustc functions (encode_metadata appears to call itself, so its
#     inclusive cost shows twice the real one) and cycles (KnownPanicsLint
#     at 360% of the total).  A root's inclusive cost is therefore taken as
#     the sum of the call arcs entering it from functions that are not the
#     root itself (any recursion level 'N), which is exact as long as the
#     root is entered once per top-level call.  Roots (exact demangled
#     names, recursion suffix stripped):
#       parse            rustc_interface::passes::parse
#       expand + resolve rustc_interface::passes::resolver_for_lowering_raw
#                        (configure_and_expand is inlined into it)
#       analysis         rustc_interface::passes::analysis (type check,
#                        borrowck, MIR building and lints, ...)
#       metadata         rustc_metadata::rmeta::encoder::encode_metadata
#                        (also runs optimized_mir for the exported MIR)
#     frontend = their sum (they do not nest: the script prints where each
#     is entered from).  For contrast: codegen_crate
#     (rustc_codegen_ssa::base::codegen_crate::<..>, the compile thread
#     only: mono item collection, partitioning, LLVM IR and rustc's
#     debuginfo builders; LLVM's passes run on worker threads) and
#     rest = total - frontend (codegen, LLVM threads, incremental save,
#     archiving, start-up).  Costs are per thread, so a root counts only
#     its own thread's instructions; the frontend runs on one thread
#     (-Z threads=1, the default).
#     Also: self (exclusive) Ir by crate over all threads, which needs no
#     call tracking at all (the frontend's own crates, e.g. rustc_parse,
#     rustc_hir_typeck, rustc_borrowck, rustc_mir_transform, should not
#     move; shared ones like rustc_middle also serve codegen).
#
# Takes about 4 minutes on one core (each callgrind run ~1 min).
#
# -w WORKLOAD (e.g. -w cli-app, a directory of ../shared/workloads): the
# dependencies follow the level too, as in a real A/B build
# (`cargo build --config profile.dev.debug=0` against the default).  The
# workload is copied and built three times (`cargo build --offline -j1`),
# each into its own target dir, with --config profile.dev.debug=2,
# "line-tables-only" and 0; the wrapper saves the crate's rustc argv, cwd
# and environment in each build (cargo's CARGO_* variables are needed by
# env!(), e.g. clap's #[command(version)]).  Each command is then run under
# callgrind as it was captured (its own build's rlibs and proc-macro .so's;
# only --out-dir and -C incremental are redirected, the jobserver variables
# dropped), the debug=2 one twice.  Proc macros run in rustc's process and
# thread (the default same-thread execution strategy) during expansion, so
# their instructions count in expand + resolve.  Also listed: each build's
# -C debuginfo per crate, to show which dependencies follow the level
# (cargo builds proc macros and build scripts, and their dependencies that
# are not also runtime dependencies, through profile.dev.build-override,
# whose debuginfo is off unless set there).  The argv differences between
# the three commands are printed (paths and hashes normalised).
# cli-app: three builds ~1 min each, callgrind runs of cli_app a few
# minutes each.
#
# usage: bench/frontend_invariance.sh [-w WORKLOAD] [-c CRATE] [-k]
#   -w  synthetic (default) or a workload directory name (cli-app)
#   -c  the crate whose rustc is measured (--crate-name; default lib5 in
#       the synthetic workspace, else the workload's own package, e.g.
#       cli_app; any dependency works too, e.g. serde_json, clap_builder)
#   -k  keep the work dir (callgrind.out files, logs)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$(cd "$repo/.." && pwd)/shared"
export PATH="$HOME/.cargo/bin:$PATH"
workload=synthetic crate= keep=0
while getopts "w:c:k" o; do
  case $o in
    w) workload=$OPTARG ;;
    c) crate=$OPTARG ;;
    k) keep=1 ;;
    *) echo "usage: $0 [-w WORKLOAD] [-c CRATE] [-k]" >&2; exit 2 ;;
  esac
done
if [ "$workload" = synthetic ]; then
  crate=${crate:-lib5}
else
  wsrc=$shared/workloads/$workload
  [ -f "$wsrc/Cargo.toml" ] || { echo "$0: no workload $wsrc" >&2; exit 2; }
  if [ -z "$crate" ]; then
    crate=$(sed -n 's/^name *= *"\(.*\)".*/\1/p' "$wsrc/Cargo.toml" | head -n 1)
    crate=${crate//-/_}
  fi
fi
for t in valgrind cargo python3; do
  command -v "$t" >/dev/null || { echo "$0: $t not found" >&2; exit 1; }
done
started=$SECONDS
work=$(mktemp -d /tmp/btrace-bench-fi.XXXXXX)
if ((keep)); then echo "work dir: $work" >&2; else trap 'rm -rf "$work"' EXIT; fi

# 1. The workspace, built once (per level with -w); the wrapper saves the
# crate's rustc argv (and environment, and every crate's debuginfo flag).
cat >"$work/wrapper" <<'EOF'
#!/bin/bash
# cargo runs RUSTC_WRAPPER as `WRAPPER RUSTC ARGS...`
prev= name= type=- dbg=- strip=-
for a; do
  if [ "$prev" = --crate-name ] && [ "$a" = "$FI_CRATE" ]; then
    printf '%s\0' "$PWD" "$@" >"$FI_ARGV"
    env -0 >"$FI_ARGV.env"
  fi
  case "$prev|$a" in
    "--crate-name|"*) name=$a ;;
    "--crate-type|"*) type=$a ;;
    "-C|debuginfo="*) dbg=${a#debuginfo=} ;;
    "-C|strip="*) strip=${a#strip=} ;;
  esac
  prev=$a
done
[ -n "${FI_LOG:-}" ] && echo "$name $type $dbg $strip" >>"$FI_LOG"
exec "$@"
EOF
chmod +x "$work/wrapper"
load_argv() { # FILE: sets cwd, argv, envv
  [ -s "$1" ] || { echo "$0: no rustc command seen for crate $crate" >&2; exit 1; }
  mapfile -d '' argv <"$1"
  cwd=${argv[0]}
  argv=("${argv[@]:1}")
  envv=()
  local e
  while IFS= read -r -d '' e; do
    case $e in
      CARGO_MAKEFLAGS=* | MAKEFLAGS=* | MFLAGS=* | RUSTC_WRAPPER=* | FI_*=* | _=*) ;;
      *) envv+=("$e") ;;
    esac
  done <"$1.env"
}
if [ "$workload" = synthetic ]; then
  bash "$shared/workloads/gen-synthetic.sh" "$work/ws" 10 60 >/dev/null
  (cd "$work/ws" && FI_CRATE="$crate" FI_ARGV="$work/argv" RUSTC_WRAPPER="$work/wrapper" \
    cargo build --offline -q -j1)
  load_argv "$work/argv"
else
  cp -r "$wsrc" "$work/ws"
  chmod -R u+w "$work/ws"
  for b in 'd2|profile.dev.debug=2' 'lines|profile.dev.debug="line-tables-only"' \
      'd0|profile.dev.debug=0'; do
    t0=$SECONDS
    (cd "$work/ws" && FI_CRATE="$crate" FI_ARGV="$work/argv-${b%%|*}" \
      FI_LOG="$work/rustc-${b%%|*}.log" RUSTC_WRAPPER="$work/wrapper" \
      cargo build --offline -q -j1 --target-dir "$work/t-${b%%|*}" --config "${b#*|}")
    load_argv "$work/argv-${b%%|*}"
    echo "  build --config ${b#*|}: $((SECONDS - t0)) s" >&2
  done
fi
vg=$(command -v valgrind)

# 2. One callgrind run per level.
run() { # TAG LEVEL (synthetic: the level to set) | TAG ARGV-TAG (-w: as captured)
  local tag=$1 level=$2 args=() i a prev="" seen=0 t0=$SECONDS
  if [ "$workload" != synthetic ]; then
    load_argv "$work/argv-$2"
    seen=1
  fi
  for ((i = 0; i < ${#argv[@]}; i++)); do
    a=${argv[$i]}
    case "$workload|$prev|$a" in
      synthetic"|-C|debuginfo="*) a="debuginfo=$level" seen=1 ;;
      synthetic"|"*"|-Cdebuginfo="*) a="-Cdebuginfo=$level" seen=1 ;;
    esac
    case "$prev|$a" in
      "-C|incremental="*) a="incremental=$work/inc-$tag" ;;
      "--out-dir|"*) a="$work/out-$tag" ;;
    esac
    args+=("$a")
    prev=$a
  done
  ((seen)) || args+=(-C "debuginfo=$level")
  rm -rf "$work/out-$tag" "$work/inc-$tag"
  mkdir -p "$work/out-$tag"
  local envcmd=()
  [ "$workload" = synthetic ] || envcmd=(env -i "${envv[@]}")
  if ! (cd "$cwd" && "${envcmd[@]}" "$vg" --tool=callgrind --separate-threads=no \
      --trace-children=no --callgrind-out-file="$work/cg-$tag.out" -- "${args[@]}") \
      >"$work/log-$tag" 2>&1; then
    tail -n 20 "$work/log-$tag" >&2
    echo "$0: rustc under callgrind failed ($tag)" >&2
    exit 1
  fi
  if [ "$workload" = synthetic ]; then
    ls "$work/out-$tag"/*.rlib >/dev/null 2>&1 || { echo "$0: no rlib written ($tag)" >&2; exit 1; }
    echo "  $tag (-C debuginfo=$level): $((SECONDS - t0)) s" >&2
  else  # rlib, rmeta, executable or proc-macro .so; not only the .d
    [ -n "$(find "$work/out-$tag" -type f ! -name '*.d')" ] ||
      { echo "$0: no output written ($tag)" >&2; exit 1; }
    echo "  $tag (command of the $level build): $((SECONDS - t0)) s" >&2
  fi
}
if [ "$workload" = synthetic ]; then
  run d2 2
  run lines line-tables-only
  run d0 0
  run d2r 2
else
  run d2 d2
  run lines lines
  run d0 d0
  run d2r d2
fi

# 3. The table.
python3 - "$work" "$crate" "$(rustc -V)" "$workload" <<'PY'
import collections, re, sys
work, crate, version, workload = sys.argv[1:5]

def load(path):
    """self cost by (object, function), inclusive cost by call arc, total
    (Ir).  Self costs are keyed by object too: a proc macro's .so holds
    functions named like rustc's own (proc_macro::bridge::...)."""
    names = {'fn': {}, 'ob': {}}
    selfc, arcs = collections.Counter(), collections.Counter()
    fn = cfn = ob = None
    in_call = False
    total = None
    def name(kind, v):  # name compression: "(id) name" once, then "(id)"
        m = re.match(r'\((\d+)\)(?: (.*))?$', v)
        if not m:
            return v
        if m.group(2) is not None:
            names[kind][m.group(1)] = m.group(2)
        return names[kind][m.group(1)]
    for line in open(path, errors='replace'):
        c0 = line[0]
        if c0.isdigit() or c0 in '+-*':
            parts = line.split()
            cost = int(parts[1]) if len(parts) > 1 else 0
            if in_call:
                arcs[(fn, cfn)] += cost
                in_call = False
            else:
                selfc[(fob, fn)] += cost
        elif line.startswith('fn='):
            fn = name('fn', line[3:].rstrip('\n'))
            fob = ob
        elif line.startswith('cfn='):
            cfn = name('fn', line[4:].rstrip('\n'))
        elif line.startswith('ob='):
            ob = name('ob', line[3:].rstrip('\n'))
        elif line.startswith('cob='):
            name('ob', line[4:].rstrip('\n'))
        elif line.startswith('calls='):
            in_call = True
        elif line.startswith(('totals:', 'summary:')):
            total = int(line.split()[1])
    return selfc, arcs, total or sum(selfc.values())

def base(f):
    return re.sub(r"'\d+$", '', f)

ROOTS = [  # label, exact demangled name (a regex, anchored)
    ('parse', r'rustc_interface::passes::parse'),
    ('expand + resolve', r'rustc_interface::passes::resolver_for_lowering_raw'),
    ('analysis', r'rustc_interface::passes::analysis'),
    ('metadata (encode_metadata)', r'rustc_metadata::rmeta::encoder::encode_metadata'),
]
CODEGEN = ('codegen_crate (compile thread)', r'rustc_codegen_ssa::base::codegen_crate::<.*>')
QUERY = re.compile(r'^rustc_query_impl::|__rust_(begin|end)_short_backtrace|^rustc_middle::query::')

def root_cost(arcs, rx):
    rx = re.compile(rx + '$')
    inc, entered = 0, collections.Counter()
    for (f, g), v in arcs.items():
        if rx.match(base(g)) and not rx.match(base(f)):
            inc += v
            entered[f] += v
    return inc, entered

def entry(arcs, callers):
    """the first caller outside the query system, walking up from the root."""
    seen = set()
    f = callers.most_common(1)[0][0] if callers else '?'
    while QUERY.search(f) and f not in seen:
        seen.add(f)
        up = collections.Counter({a: v for (a, b), v in arcs.items() if b == f})
        if not up:
            break
        f = up.most_common(1)[0][0]
    return f

def crate_of(f, ob):
    """the Rust crate of a function in librustc_driver, else its object
    (file name, cargo's -HASH dropped: a proc macro's .so is named after its
    build).  callgrind leaves the object of some functions unknown (???):
    those go by their name."""
    ob = re.sub(r'-[0-9a-f]{16}(?=\.so$)', '', (ob or '???').rsplit('/', 1)[-1])
    m = re.match(r'[<&*]*([a-z_][a-z0-9_]*)::', f)
    if ob == '???' and re.match(r'(llvm::|\(anonymous namespace\)::|LLVM)', f):
        ob = 'libLLVM'
    if ob.startswith(('librustc_driver', '???')) and m:
        return m.group(1)
    if ob.startswith('libLLVM'):
        return 'libLLVM (all)'
    if ob == 'rustc':
        return 'rustc binary (jemalloc)'
    return ob

runs = [('d2', 'debug=2'), ('lines', 'line-tables-only'), ('d0', 'debug=0'), ('d2r', 'debug=2 again')]
data = {}
for tag, _ in runs:
    selfc, arcs, total = load(f'{work}/cg-{tag}.out')
    row, notes = {}, {}
    for label, rx in ROOTS + [CODEGEN]:
        row[label], callers = root_cost(arcs, rx)
        notes[label] = (len(callers), entry(arcs, callers))
    row['frontend'] = sum(row[l] for l, _ in ROOTS)
    row['rest (total - frontend)'] = total - row['frontend']
    row['total'] = total
    bycrate = collections.Counter()
    for (o, f), v in selfc.items():
        bycrate[crate_of(f, o)] += v
    data[tag] = (row, notes, bycrate)

def fmt(n):
    return f'{n:,}'
def ratio(a, b):
    return f'{a / b:.5f}' if b else '-'

order = [l for l, _ in ROOTS] + ['frontend', CODEGEN[0], 'rest (total - frontend)', 'total']
if workload == 'synthetic':
    print(f'Crate {crate} of the synthetic workspace (10 crates, 60 fns), {version}; '
          'instructions (Ir) from callgrind, inclusive, per root.\n')
else:
    print(f'Crate {crate} of workload {workload}, {version}: the rustc command of each '
          'build (--config profile.dev.debug=2, "line-tables-only", 0; dependencies '
          'built by that build); instructions (Ir) from callgrind, inclusive, per root.\n')
print('| phase | Ir at debug=2 | line-tables-only | debug=0 | ratio 2/0 | ratio 2/lines | repeat: 2/2 |')
print('|---|---:|---:|---:|---:|---:|---:|')
for label in order:
    a, l, z, r = (data[t][0][label] for t in ('d2', 'lines', 'd0', 'd2r'))
    name = f'**{label}**' if label == 'frontend' else label
    print(f'| {name} | {fmt(a)} | {fmt(l)} | {fmt(z)} | {ratio(a, z)} | {ratio(a, l)} | {ratio(a, r)} |')

print('\nRoots matched (debug=2 run): distinct callers entering the root, first caller '
      'outside the query system:')
for label, rx in ROOTS + [CODEGEN]:
    n, e = data['d2'][1][label]
    print(f'- {label}: `{rx}`, {n} caller(s), entered from `{e[:110]}`')

tot = data['d2'][0]['total']
crates = sorted((c for c in data['d2'][2] if data['d2'][2][c] >= 0.004 * tot),
                key=lambda c: -data['d2'][2][c])
print('\nSelf (exclusive) Ir by crate, all threads, no call tracking (crates with '
      '>= 0.4% of the total; non-Rust code by object):\n')
print('| crate | debug=2 | line-tables-only | debug=0 | ratio 2/0 | repeat: 2/2 |')
print('|---|---:|---:|---:|---:|---:|')
for c in crates:
    a, l, z, r = (data[t][2][c] for t in ('d2', 'lines', 'd0', 'd2r'))
    print(f'| {c} | {fmt(a)} | {fmt(l)} | {fmt(z)} | {ratio(a, z)} | {ratio(a, r)} |')

if workload != 'synthetic':
    def norm(tag):
        a = open(f'{work}/argv-{tag}', 'rb').read().decode().split('\0')[:-1]
        a = [x.replace(f'{work}/t-{tag}', 'TARGET') for x in a]
        return [re.sub(r'([-=])[0-9a-f]{16}\b', r'\1HASH', x) for x in a]
    base_argv = norm('d2')
    print('\nCaptured commands, against the debug=2 one (target dir and hashes normalised):')
    for tag, label in (('lines', 'line-tables-only'), ('d0', 'debug=0')):
        o = norm(tag)
        plus = [x for x in o if x not in base_argv]
        minus = [x for x in base_argv if x not in o]
        print(f'- {label}: only in it {plus or "nothing"}; only in debug=2 {minus or "nothing"}')

    def levels(tag):
        out = {}
        for line in open(f'{work}/rustc-{tag}.log'):
            if len(line.split()) != 4 or line.startswith('___ '):
                continue  # cargo's rustc -vV and --print probes
            name, typ, dbg, strip = line.split()
            out.setdefault((name, typ), set()).add((dbg, strip))
        return out
    lv = {t: levels(t) for t in ('d2', 'lines', 'd0')}
    keys = sorted(set().union(*lv.values()))
    def cell(t, k, strip=True):
        v = lv[t].get(k)
        if not v:
            return '(not built)'
        return '/'.join(sorted(d + (f' strip={s}' if strip and s != '-' else '')
                               for d, s in v))
    follow = [k for k in keys if len({cell(t, k, False) for t in lv}) > 1]
    same = [k for k in keys if k not in follow]
    print(f'\nrustc invocations by crate, -C debuginfo (and -C strip) in each build '
          f'(- = none given, rustc default 0); the debuginfo of {len(follow)} follows '
          f'the level, of {len(same)} does not (build-override: proc macros, build '
          f'scripts and their dependencies):\n')
    print('| crate (type) | debug=2 build | line-tables-only build | debug=0 build |')
    print('|---|---|---|---|')
    for k in same + follow:
        print(f'| {k[0]} ({k[1]}) | ' + ' | '.join(cell(t, k) for t in ('d2', 'lines', 'd0')) + ' |')

    pms = sorted(k[0] for k in keys if k[1] == 'proc-macro')
    print('\nProc macros run by this rustc (self Ir in their .so, all threads; they run '
          'in expand + resolve):\n')
    print('| proc macro | debug=2 | line-tables-only | debug=0 | ratio 2/0 | repeat: 2/2 |')
    print('|---|---:|---:|---:|---:|---:|')
    for pm in pms:
        a, l, z, r = (data[t][2].get(f'lib{pm}.so', 0) for t in ('d2', 'lines', 'd0', 'd2r'))
        if a or l or z or r:
            print(f'| {pm} | {fmt(a)} | {fmt(l)} | {fmt(z)} | {ratio(a, z)} | {ratio(a, r)} |')
PY
echo "frontend_invariance.sh: $((SECONDS - started)) s" >&2
