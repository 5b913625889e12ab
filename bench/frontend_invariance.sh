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
# usage: bench/frontend_invariance.sh [-c CRATE] [-k]
#   -c  the workspace crate whose rustc is measured (default lib5)
#   -k  keep the work dir (callgrind.out files, logs)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$(cd "$repo/.." && pwd)/shared"
export PATH="$HOME/.cargo/bin:$PATH"
crate=lib5 keep=0
while getopts "c:k" o; do
  case $o in
    c) crate=$OPTARG ;;
    k) keep=1 ;;
    *) echo "usage: $0 [-c CRATE] [-k]" >&2; exit 2 ;;
  esac
done
for t in valgrind cargo python3; do
  command -v "$t" >/dev/null || { echo "$0: $t not found" >&2; exit 1; }
done
started=$SECONDS
work=$(mktemp -d /tmp/btrace-bench-fi.XXXXXX)
if ((keep)); then echo "work dir: $work" >&2; else trap 'rm -rf "$work"' EXIT; fi

# 1. The workspace, built once; the wrapper saves the crate's rustc argv.
bash "$shared/workloads/gen-synthetic.sh" "$work/ws" 10 60 >/dev/null
cat >"$work/wrapper" <<'EOF'
#!/bin/bash
# cargo runs RUSTC_WRAPPER as `WRAPPER RUSTC ARGS...`
prev=
for a; do
  if [ "$prev" = --crate-name ] && [ "$a" = "$FI_CRATE" ]; then
    printf '%s\0' "$PWD" "$@" >"$FI_ARGV"
  fi
  prev=$a
done
exec "$@"
EOF
chmod +x "$work/wrapper"
(cd "$work/ws" && FI_CRATE="$crate" FI_ARGV="$work/argv" RUSTC_WRAPPER="$work/wrapper" \
  cargo build --offline -q -j1)
[ -s "$work/argv" ] || { echo "$0: no rustc command seen for crate $crate" >&2; exit 1; }
mapfile -d '' argv <"$work/argv"
cwd=${argv[0]}
argv=("${argv[@]:1}")

# 2. One callgrind run per level.
run() { # TAG LEVEL
  local tag=$1 level=$2 args=() i a prev="" seen=0 t0=$SECONDS
  for ((i = 0; i < ${#argv[@]}; i++)); do
    a=${argv[$i]}
    case "$prev|$a" in
      "-C|debuginfo="*) a="debuginfo=$level" seen=1 ;;
      *"|-Cdebuginfo="*) a="-Cdebuginfo=$level" seen=1 ;;
      "-C|incremental="*) a="incremental=$work/inc-$tag" ;;
      "--out-dir|"*) a="$work/out-$tag" ;;
    esac
    args+=("$a")
    prev=$a
  done
  ((seen)) || args+=(-C "debuginfo=$level")
  rm -rf "$work/out-$tag" "$work/inc-$tag"
  mkdir -p "$work/out-$tag"
  if ! (cd "$cwd" && valgrind --tool=callgrind --separate-threads=no --trace-children=no \
      --callgrind-out-file="$work/cg-$tag.out" -- "${args[@]}") >"$work/log-$tag" 2>&1; then
    tail -n 20 "$work/log-$tag" >&2
    echo "$0: rustc under callgrind failed ($tag)" >&2
    exit 1
  fi
  ls "$work/out-$tag"/*.rlib >/dev/null 2>&1 || { echo "$0: no rlib written ($tag)" >&2; exit 1; }
  echo "  $tag (-C debuginfo=$level): $((SECONDS - t0)) s" >&2
}
run d2 2
run lines line-tables-only
run d0 0
run d2r 2

# 3. The table.
python3 - "$work" "$crate" "$(rustc -V)" <<'PY'
import collections, re, sys
work, crate, version = sys.argv[1:4]

def load(path):
    """self cost by function, inclusive cost by call arc, object by
    function, total (Ir)."""
    names = {'fn': {}, 'ob': {}}
    selfc, arcs, obj = collections.Counter(), collections.Counter(), {}
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
                selfc[fn] += cost
        elif line.startswith('fn='):
            fn = name('fn', line[3:].rstrip('\n'))
            obj.setdefault(fn, ob)
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
    return selfc, arcs, obj, total or sum(selfc.values())

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
    """the Rust crate of a function in librustc_driver, else its object.
    callgrind leaves the object of some functions unknown (???): those go
    by their name."""
    ob = (ob or '???').rsplit('/', 1)[-1]
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
    selfc, arcs, obj, total = load(f'{work}/cg-{tag}.out')
    row, notes = {}, {}
    for label, rx in ROOTS + [CODEGEN]:
        row[label], callers = root_cost(arcs, rx)
        notes[label] = (len(callers), entry(arcs, callers))
    row['frontend'] = sum(row[l] for l, _ in ROOTS)
    row['rest (total - frontend)'] = total - row['frontend']
    row['total'] = total
    bycrate = collections.Counter()
    for f, v in selfc.items():
        bycrate[crate_of(f, obj.get(f))] += v
    data[tag] = (row, notes, bycrate)

def fmt(n):
    return f'{n:,}'
def ratio(a, b):
    return f'{a / b:.5f}' if b else '-'

order = [l for l, _ in ROOTS] + ['frontend', CODEGEN[0], 'rest (total - frontend)', 'total']
print(f'Crate {crate} of the synthetic workspace (10 crates, 60 fns), {version}; '
      'instructions (Ir) from callgrind, inclusive, per root.\n')
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
PY
echo "frontend_invariance.sh: $((SECONDS - started)) s" >&2
