#!/usr/bin/env bash
# time_passes.sh - btrace's codegen attribution against rustc's own
# `-Z time-passes`.
#
# The issue's target: the codegen_llvm + debuginfo CPU share agrees with
# rustc's -Z time-passes within +-15% relative on cli-app, for the whole
# build and for each of the ten largest crates; rustc samples in `other`
# or in unknown frames stay at or below 5%.
#
# The runs.  Two clean traced builds of ../shared/workloads/cli-app:
#   default  the workload as it is (dev profile: 16 codegen units, 256 for
#            the incremental workspace crate)
#   cgu1     the same with CARGO_PROFILE_DEV_CODEGEN_UNITS=1
# each `btrace record -- cargo build --offline` with RUSTC_WRAPPER set to a
# small script that adds `-Z time-passes -Z time-passes-format=json` (and
# RUSTC_BOOTSTRAP=1) to cargo's own compilations (those with
# --error-format=json: build-script probes and cargo's target-info probe
# run unchanged, so no probe sees a "nightly" compiler) and execs rustc
# with stderr through `tee`, which copies the time-passes lines to
# TP_DIR/<pid>.tp.  exec keeps the pid, so <pid> is units[].pid in
# summary.json.  cargo itself would print those lines raw and interleaved,
# with no crate to tell them apart.
#
# What time-passes measures: wall time of the thread that runs the pass,
# one JSON line per pass at its end, nested passes first and no nesting
# shown.  The mapping (rustc 1.95):
#   codegen   codegen_crate (monomorphization collection when it runs
#             there, partitioning, codegen_to_LLVM_IR with rustc's
#             debuginfo builders, the allocator module)
#             + finish_ongoing_codegen (the compile thread waiting for the
#             LLVM workers to optimize and emit the object files)
#             + monomorphization_collector_root_collections,
#             monomorphization_collector_graph_walk and
#             partition_and_assert_distinct_symbols when they run outside
#             codegen_crate: in a lib they run inside
#             generate_crate_metadata (the exported symbols in the
#             metadata need the mono items), before codegen_crate; seen as
#             a generate_crate_metadata line between them and codegen_crate
#   link      link (link_crate > link_binary > run_linker / link_rlib:
#             archiving an rlib, or waiting for cc/ld)
#   the rest  total - codegen - link: parsing, expansion, resolution, type
#             and borrow checking, lints, metadata, incremental bookkeeping
#             (frontend; also driver start-up and freeing the global context)
#   LLVM_passes is not counted: it runs on the coordinator thread from the
#   first LLVM work item to the end, overlapping codegen_crate and
#   finish_ongoing_codegen.  time-passes cannot tell debuginfo from the
#   rest of codegen, hence the comparison of codegen_llvm + debuginfo.
#   time-passes share = codegen / total, per unit; summed over units for a
#   crate name shared by several units and for the whole build.
#
# btrace's side, from report/stacks.folded (CPU microseconds by
# category;unit;thread;frames): share = (codegen_llvm + debuginfo) / the
# unit's sampled CPU, where the unit's CPU is its rustc's samples plus its
# link chain (cc, collect2, ld: time-passes' `link` waits for them) and
# leaves out the rustc's unsampled start-up and exit (before main and
# after `total` is printed) and lost samples.
#   Also shown, not judged: btrace "by pass", the share of the same CPU
#   whose stack is inside the codegen passes (a frame `codegen_crate`,
#   `collect_and_partition_mono_items` or `join_codegen` on the compile
#   thread `rustc`, or any sample on LLVM's threads `opt ...` and
#   `coordinator`): the phase time-passes sees, whatever the attribution
#   rules say about the innermost frames.  The two btrace columns differ
#   by the frontend-rule work (MIR optimization, layouts, metadata
#   decoding) that codegen_crate's queries trigger, and by codegen-rule
#   work outside it.
#
# Why two runs: time-passes is wall time of the compile thread; btrace is
# CPU of all threads.  With several codegen units, LLVM's worker threads
# run beside the compile thread's codegen_crate whenever the jobserver has
# a spare token, and then codegen CPU exceeds codegen wall: the default
# run's comparison is biased towards a higher btrace share.  With one
# codegen unit the compile thread builds the one module, hands it to one
# worker and waits: the codegen work runs on one thread at a time, wall
# ~= CPU, and both tools measure the same work.  -Z threads=1 (the
# default) keeps the frontend on one thread in both runs.
#
# Also shown, not judged: time-passes made CPU-equivalent.  The frontend
# runs on one thread (-Z threads=1), so its CPU is about its wall time,
# total - codegen - link; what is left of the rustc's CPU (rusage, from
# summary.json) is codegen's, on every thread it ran on.  Share = that /
# (the rustc's CPU + its link chain's), btrace's denominator.  It leans
# the other way where the frontend waited (I/O, loading): that wait
# counts as frontend wall but is no CPU.
#
# Link time: btrace's link_wall_s of each unit (its link drivers'
# lifetimes, spawn to reap) against the sum of the unit's `run_linker`
# passes (rustc's Command::output of cc: spawn, wait, read its output),
# per unit within max(2%, 20 ms), the bound of report.sh's comparison with
# --timings.
#
# rustc samples in `other` or unknown frames: of the sampled CPU of rustc
# processes (linker samples excluded: a `link` line with no `rustc_`
# frame), the share in category `other` and the share whose leaf frame is
# unnamed (`[module+0x...]`, `[unknown]`).
#
# Writes the tables into BENCHMARKS.md between the time-passes markers.
#
# usage: bench/time_passes.sh [-b BTRACE] [-k]   (-k keeps the work dir)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$(cd "$repo/.." && pwd)/shared"
export PATH="$HOME/.cargo/bin:$PATH"
btrace="" keep=0
while getopts "b:k" o; do
  case $o in
    b) btrace=$OPTARG ;;
    k) keep=1 ;;
    *) echo "usage: $0 [-b BTRACE] [-k]" >&2; exit 2 ;;
  esac
done
started=$SECONDS
source "$repo/bench/lib.sh"
[ -n "$btrace" ] || btrace=$(bench_btrace "$repo")
work=$(mktemp -d /tmp/btrace-bench-tp.XXXXXX)
if ((keep)); then echo "work dir: $work" >&2; else trap 'rm -rf "$work"' EXIT; fi

"$shared/workloads/install-debian-crates.sh" >/dev/null
cp -r "$shared/workloads/cli-app" "$work/cli-app"
chmod -R u+w "$work/cli-app"
rm -rf "$work/cli-app/target"

# The wrapper: cargo runs it as `WRAPPER RUSTC ARGS...`.
cat >"$work/tp-wrapper" <<'EOF'
#!/bin/bash
for a; do
  if [ "$a" = --error-format=json ]; then
    f="$TP_DIR/$$.tp"
    export RUSTC_BOOTSTRAP=1
    exec "$@" -Ztime-passes -Ztime-passes-format=json 2> >(exec tee "$f" >&2)
  fi
done
exec "$@"
EOF
chmod +x "$work/tp-wrapper"

run() { # NAME [VAR=VALUE...]: one clean traced build
  local name=$1; shift
  local t0=$SECONDS
  cut -d' ' -f1-3 /proc/loadavg >"$work/load-$name"
  mkdir -p "$work/tp-$name"
  (cd "$work/cli-app" && cargo clean -q && rm -rf btrace.data)
  if ! (cd "$work/cli-app" && env "$@" TP_DIR="$work/tp-$name" RUSTC_WRAPPER="$work/tp-wrapper" \
      "$btrace" record -o "$work/trace-$name" -- cargo build --offline) >"$work/build-$name.log" 2>&1; then
    tail -n 30 "$work/build-$name.log" >&2
    echo "$name: the traced build failed" >&2
    exit 1
  fi
  "$btrace" report -q "$work/trace-$name" >/dev/null
  echo "  $name: build and report in $((SECONDS - t0)) s, $(ls "$work/tp-$name" | wc -l) time-passes logs" >&2
}
run default
run cgu1 CARGO_PROFILE_DEV_CODEGEN_UNITS=1

section="$work/section.md"
python3 - "$work" >"$work/tables.md" <<'PY'
import json, os, re, sys
from collections import Counter, defaultdict

work = sys.argv[1]
LIMIT = 0.15
MONO = ('monomorphization_collector_root_collections',
        'monomorphization_collector_graph_walk',
        'partition_and_assert_distinct_symbols')


def label(u):  # analyzer/model/build_model.c bt_unit_label
    s = '%s%s%s %s' % (u['package'], ' ' if u['version'] else '', u['version'], u['target'])
    if u['crate'] != u['package'] and u['target'] not in ('build-script', 'build-script-run'):
        s += ' (%s)' % u['crate']
    return s


def time_passes(path):
    """codegen, link, total seconds of one rustc from its time-passes lines."""
    passes = []
    for line in open(path, errors='replace'):
        if line.startswith('time: {'):
            try:
                p = json.loads(line[6:])
            except ValueError:
                continue
            passes.append((p['pass'], float(p['time'])))
    codegen = link = run_linker = 0.0
    total = None
    pending = 0.0  # mono passes seen since the last top-level codegen pass
    for name, t in passes:
        if name in MONO:
            pending += t
        elif name == 'generate_crate_metadata':
            codegen += pending  # they ran inside metadata, outside codegen_crate
            pending = 0.0
        elif name == 'codegen_crate':
            codegen += t  # mono passes since then were inside it
            pending = 0.0
        elif name == 'finish_ongoing_codegen':
            codegen += t
        elif name == 'link':
            link += t
        elif name == 'run_linker':
            run_linker += t  # every attempt, if rustc ran the linker again
        elif name == 'total':
            total = t
    if total is None or not passes:
        return None
    return codegen, link, total, run_linker


CODEGEN_FRAME = re.compile(r'codegen_crate|collect_and_partition_mono_items|join_codegen')


SHARED = re.compile(r'(rustc_[a-z_]+)::')
INFRA = {'rustc_middle', 'rustc_query_system', 'rustc_query_impl', 'rustc_data_structures',
         'rustc_span', 'rustc_type_ir', 'rustc_arena', 'rustc_index', 'rustc_hir',
         'rustc_serialize', 'rustc_session', 'rustc_hash'}


def phase_crate(frames):
    """The innermost rustc crate of a stack that is not shared infrastructure."""
    for x in reversed(frames):
        for m in SHARED.finditer(x):
            if m.group(1) not in INFRA:
                return m.group(1)
    return '(none)'


def folded(path):
    """Per unit label: sampled CPU, codegen_llvm+debuginfo, codegen by pass;
    the rustc-sample totals for the other/unknown check; and what the
    codegen passes hold by category (us)."""
    per = defaultdict(lambda: [0, 0, 0])
    q = defaultdict(int)
    inside = defaultdict(int)
    for line in open(path, errors='replace'):
        path_, _, n = line.rstrip('\n').rpartition(' ')
        f = path_.split(';')
        us = int(n)
        if len(f) < 3:
            continue
        cat, unit, thread, leaf = f[0], f[1], f[2], f[-1]
        if leaf == '[lost samples]' or (len(f) == 3 and leaf.startswith('[not sampled')):
            continue
        u = per[unit]
        u[0] += us
        if cat in ('codegen_llvm', 'debuginfo'):
            u[1] += us
        linker = cat == 'link' and not any('rustc_' in x for x in f[3:])
        if linker or leaf.startswith('[not sampled'):
            continue
        # a rustc sample
        if thread in ('rustc', 'main thread'):
            in_codegen = any(CODEGEN_FRAME.search(x) for x in f[3:])
        else:
            in_codegen = thread.startswith('opt') or thread == 'coordinator'
        if in_codegen:
            u[2] += us
            inside[cat] += us
            if cat == 'frontend':
                inside['frontend:' + phase_crate(f[3:])] += us
        elif cat in ('codegen_llvm', 'debuginfo'):
            inside['outside'] += us
        q[(unit, 'all')] += us
        unknown = leaf.startswith('[') and leaf not in ('[small frames, merged]',)
        q[(unit, 'other')] += us if cat == 'other' else 0
        q[(unit, 'unknown')] += us if unknown else 0
        q[(unit, 'either')] += us if (cat == 'other' or unknown) else 0
    return per, q, inside


def pct(x):
    return '%.1f%%' % (100 * x)


def table(name):
    d = os.path.join(work, 'trace-' + name, 'report')
    s = json.load(open(os.path.join(d, 'summary.json')))
    per, q, inside = folded(os.path.join(d, 'stacks.folded'))
    tpdir = os.path.join(work, 'tp-' + name)
    rows = {}  # label -> [units, cpu_s, tp codegen, tp total, n without log,
               #           CPU-equivalent codegen, its CPU]
    nolog = []
    links = []  # (label, target, btrace link_wall_s, time-passes run_linker)
    for u in s['units']:
        if u['kind'] != 'rustc':
            continue
        lab = label(u)
        r = rows.setdefault(lab, [0, 0.0, 0.0, 0.0, 0, 0.0, 0.0])
        r[0] += 1
        r[1] += u['cpu_s']
        f = os.path.join(tpdir, '%d.tp' % u['pid'])
        tp = time_passes(f) if os.path.exists(f) else None
        if tp is None:
            r[4] += 1
            nolog.append(u['crate'])
            continue
        r[2] += tp[0]
        r[3] += tp[2]
        if tp[3] > 0 or u.get('link_wall_s', 0) > 0:
            links.append((lab, u['target'], u.get('link_wall_s', 0.0), tp[3]))
        # CPU-equivalent: the frontend runs on one thread, so its CPU is
        # about its wall time (total - codegen - link); the rest of the
        # rustc's CPU is codegen's, on every thread it used
        fe = tp[2] - tp[0] - tp[1]
        r[5] += max(u['cpu_s'] - fe, 0.0)
        r[6] += u['cpu_s'] + u.get('link_cpu_s', 0.0)
    out = []
    missing = sum(r[4] for r in rows.values())

    def line(title, labs, cpu):
        num = sum(per[l][1] for l in labs)
        den = sum(per[l][0] for l in labs)
        byp = sum(per[l][2] for l in labs)
        tc = sum(rows[l][2] for l in labs)
        tt = sum(rows[l][3] for l in labs)
        ce = sum(rows[l][5] for l in labs)
        cc = sum(rows[l][6] for l in labs)
        if not den or not tt or not tc:
            return '| %s | %.2f | - | - | - | - | - | - |' % (title, cpu)
        b, t = num / den, tc / tt
        rel = (b - t) / t
        ok = 'pass' if abs(rel) <= LIMIT else '**miss**'
        eq = '%s (%+.1f%%)' % (pct(ce / cc), 100 * (b - ce / cc) / (ce / cc)) if ce and cc else '-'
        return '| %s | %.2f | %s | %s | %+.1f%% | %s | %s | %s |' % (
            title, cpu, pct(b), pct(t), 100 * rel, ok, pct(byp / den), eq)

    labs = [l for l, r in rows.items() if r[3] > 0]
    cpu_all = sum(rows[l][1] for l in labs)
    out.append('| unit | rustc CPU (s) | btrace: codegen_llvm + debuginfo, share of sampled CPU '
               '| time-passes: codegen passes, share of total | relative difference '
               '| within ±15% | btrace by pass (not judged) '
               '| time-passes, CPU-equivalent (not judged): (rustc CPU - frontend wall) / CPU, and btrace against it |')
    out.append('|---|---|---|---|---|---|---|---|')
    out.append(line('**whole build** (%d units)' % sum(rows[l][0] for l in labs), labs, cpu_all))
    top = sorted(labs, key=lambda l: -rows[l][1])[:10]
    for l in top:
        title = '`%s`' % l + (' (%d units)' % rows[l][0] if rows[l][0] > 1 else '')
        out.append(line(title, [l], rows[l][1]))
    n_ok = sum(1 for x in out[3:] if '| pass |' in x)
    allq = {k: sum(q[(l, k)] for l in labs) for k in ('all', 'other', 'unknown', 'either')}
    sj = s.get('categories', {})
    whole = (sj.get('codegen_llvm', 0) + sj.get('debuginfo', 0)) / s['session']['cpu_s']
    either = allq['either'] / allq['all']
    whole_ok = '| pass |' in out[2]
    verdict = 'met' if whole_ok and n_ok == len(top) and either <= 0.05 else '**missed**'
    sess = s['session']
    notes = ['',
             '%s: the target is %s: whole build %s, %d of the %d largest units within ±15%%;'
             ' rustc samples in `other` %s, with an unnamed leaf frame %s, either %s'
             ' (at most 5%%: %s).'
             ' The build: %.1f s wall, %.1f s CPU (parallelism %.2f), load average %s before it.'
             ' summary.json: codegen_llvm + debuginfo = %s of the session CPU'
             ' (cargo and build scripts included).%s' % (
                 name, verdict, 'within ±15%' if whole_ok else '**outside ±15%**', n_ok, len(top),
                 pct(allq['other'] / allq['all']), pct(allq['unknown'] / allq['all']),
                 pct(either), 'pass' if either <= 0.05 else '**miss**',
                 sess['wall_s'], sess['cpu_s'], sess['parallelism'],
                 open(os.path.join(work, 'load-' + name)).read().strip(),
                 pct(whole),
                 ' Not compared: %d compilations without a time-passes log (%s: build-script'
                 ' probes, which the wrapper leaves alone).' % (missing, ', '.join(
                     '%s ×%d' % (c, k) if k > 1 else c for c, k in sorted(Counter(nolog).items())))
                 if missing else '')]
    n_in = sum(v for k, v in inside.items() if ':' not in k and k != 'outside')
    fr = sorted(((k[9:], v) for k, v in inside.items() if k.startswith('frontend:')),
                key=lambda x: -x[1])
    diag = '| %s | %.2f s | %s | %s | %s: %s | %s | %.2f s |' % (
        name, n_in / 1e6, pct(inside['codegen_llvm'] / n_in), pct(inside['debuginfo'] / n_in),
        pct(inside['frontend'] / n_in),
        ', '.join('`%s` %s' % (c, pct(v / n_in)) for c, v in fr[:5]),
        pct(inside['other'] / n_in), inside['outside'] / 1e6)
    return '\n'.join(out + notes), diag, link_rows(name, links)


def link_rows(name, links):
    """btrace's link wall (the link driver's lifetime, spawn to reap)
    against time-passes' run_linker, per kind of linked target and in all;
    bound per unit: max(2%, 20 ms), the bound of the --timings comparison."""
    out = []
    groups = [(k, [l for l in links if l[1] == k]) for k in sorted({l[1] for l in links})]
    for kind, ls in groups + [('**all**', links)]:
        if not ls:
            continue
        b = sum(l[2] for l in ls)
        t = sum(l[3] for l in ls)
        within = sum(1 for l in ls if abs(l[2] - l[3]) <= max(0.02 * l[3], 0.020))
        worst = max(ls, key=lambda l: abs(l[2] - l[3]))
        verdict = 'met' if within == len(ls) else '**missed**'
        out.append('| %s | %s | %d | %.3f s | %.3f s | %s | %d of %d | %+.1f ms (`%s`) | %s |' % (
            name, kind, len(ls), b, t, '%+.1f%%' % (100 * (b - t) / t) if t else '-',
            within, len(ls), 1000 * (worst[2] - worst[3]), worst[0], verdict))
    return '\n'.join(out)


t1, d1, l1 = table('default')
t2, d2, l2 = table('cgu1')
print('**default** (cli-app as it is: dev profile, 16 codegen units, 256 for the incremental `cli-app`):')
print()
print(t1)
print()
print('**cgu1** (`CARGO_PROFILE_DEV_CODEGEN_UNITS=1`: codegen on one thread at a time, wall ≈ CPU):')
print()
print(t2)
print()
print('**What btrace finds inside the codegen passes** (rustc samples whose stack is in'
      ' codegen_crate, the mono collection or join_codegen, or on LLVM\'s threads), by category;'
      ' the frontend part by the innermost rustc crate that is not shared infrastructure;'
      ' and the codegen_llvm + debuginfo CPU outside those passes:')
print()
print('| run | CPU in the codegen passes | codegen_llvm | debuginfo | frontend: the largest crates'
      ' | other | codegen_llvm + debuginfo outside |')
print('|---|---|---|---|---|---|---|')
print(d1)
print(d2)
print()
print('**Link time against time-passes\' `run_linker`** (units that ran a linker; btrace: the link driver\'s'
      ' lifetime, from the rustc\'s spawn of `cc` to its reap, summed over a unit\'s links (`link_wall_s`);'
      ' time-passes: the wall of its `run_linker` passes, rustc waiting for `cc` and reading its output;'
      ' bound per unit: max(2%, 20 ms), the bound of the `--timings` comparison; target: every unit within it):')
print()
print('| run | target kind | units | btrace link wall (sum) | time-passes `run_linker` (sum) | difference of the sums'
      ' | units within max(2%, 20 ms) | largest difference | target |')
print('|---|---|---|---|---|---|---|---|---|')
print(l1)
print(l2)
PY
cat "$work/tables.md"
runtime=$((SECONDS - started))
{
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -sr), $(rustc --version), clean \`cargo build\` of cli-app, traced, with \`-Z time-passes\` through a RUSTC_WRAPPER ($runtime s for the script):"
  echo
  cat "$work/tables.md"
  cat <<'TEXT'

How to read it:

- **The two clocks.** `-Z time-passes` gives the wall time of the thread
  that runs each pass; btrace gives CPU by category from 250 Hz stacks.
  time-passes' codegen is `codegen_crate` + `finish_ongoing_codegen` (plus
  the monomorphization collection when it runs inside
  `generate_crate_metadata`, as it does in libs), as a share of `total`;
  `LLVM_passes` is left out (it runs on the coordinator thread, overlapping
  both). btrace's share is codegen_llvm + debuginfo of the unit's sampled
  CPU: its rustc and its link chain (time-passes' `link` waits for the
  linker), without the unsampled start-up before `main`.
- **cgu1 is the like-for-like run.** With one codegen unit the compile
  thread builds the module, hands it to one LLVM worker and waits, so
  codegen runs on one thread at a time and its wall is its CPU. In the
  default run LLVM workers run beside `codegen_crate` whenever the
  jobserver has a token to spare: codegen CPU then exceeds codegen wall,
  which pushes btrace's share up against time-passes'. Wall also counts
  time a thread waits for a core: on a loaded machine (see the load
  average) the shares stay comparable only as far as the load is even.
- **Definitions differ inside `codegen_crate`.** time-passes counts all
  the work done inside a pass. btrace attributes a stack by its innermost
  frame with a rule, so the queries codegen triggers whose crates have a
  frontend rule are frontend: the optimized MIR of each collected instance
  (`rustc_mir_transform`, and `rustc_metadata` decoding it for upstream
  generics, with their signatures and impl headers), trait selection and
  normalization for `codegen_select_candidate` (`rustc_trait_selection`,
  `rustc_infer`), ABIs, layouts and instance resolution
  (`rustc_ty_utils`), constant evaluation of statics and allocations
  (`rustc_const_eval`). "btrace by pass" counts the
  same samples by whether their stack is inside the codegen passes (the
  phase time-passes sees); the last table measures what btrace's rules
  call frontend in there.
- **Small shares.** ±15% relative of a 3% share (serde: generic code, so
  little is generated in its own crate) is half a point.
TEXT
  echo
  echo "Reproduce: \`bench/time_passes.sh\` (its header comment gives the pass mapping and the method)."
} >"$section"
bench_write_section "$repo/BENCHMARKS.md" time-passes "$section"
echo "time_passes.sh: $runtime s" >&2
