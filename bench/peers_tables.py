#!/usr/bin/env python3
"""peers_tables.py RESULTS DEPTH GROWTH PROCS NOTES: the tables of
bench/peers.sh (markdown on stdout) from its raw files in
build-bench/peers/: results.tsv (workload, tool, round, wall, CPU, bytes),
depth.tsv (workload, tool, rustc samples, % to the root, % of perf's
frames named), growth.tsv (processes, mode, round, wall, CPU), procs.tsv
(workload, processes of the build) and notes.txt (one skipped tool a
line)."""
import sys, statistics as st, collections, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verdicts import verdict
res, depth_f, growth_f, procs_f, notes_f = sys.argv[1:6]
rows = [l.split('\t') for l in open(res).read().split('\n') if l]
d = collections.defaultdict(dict)
order_w, order_c = [], []
for w, c, r, wall, cpu, b in rows:
    d[(w, c)][int(r)] = (float(wall), float(cpu), int(b))
    if w not in order_w: order_w.append(w)
    if c not in order_c: order_c.append(c)
canon = ['untraced', 'record', 'sample', 'perf-fp', 'perf-dwarf', 'self-profile', 'time-passes', 'timings']
order_c = [c for c in canon if c in order_c]
label = {'untraced': 'untraced', 'record': 'btrace, record only', 'sample': 'btrace, default sampling',
         'perf-fp': '`perf record` fp', 'perf-dwarf': '`perf record` dwarf', 'self-profile': '`-Z self-profile`',
         'time-passes': '`-Z time-passes`', 'timings': '`cargo build --timings`'}
procs = {}
if os.path.exists(procs_f):
    for l in open(procs_f):
        w, p = l.split()
        procs[w] = p
def size(b):
    if b == 0: return '-'
    if b >= 1e9: return '%.2f GB' % (b / 1e9)
    return '%.1f MB' % (b / 1e6) if b >= 1e5 else '%.1f kB' % (b / 1e3)
def ratio(xs):
    m = st.median(xs)
    return '%+.1f%% [%+.1f%%, %+.1f%%]' % ((m - 1) * 100, (min(xs) - 1) * 100, (max(xs) - 1) * 100), m
out = ['| workload | tool | rounds | wall median [min, max] | CPU median [min, max] | wall vs untraced: median [min, max] | CPU vs untraced | data written (median) | data per CPU-second of the untraced build | target |',
       '|---|---|---|---|---|---|---|---|---|---|']
perf_dwarf = {}
btrace_s = {}
unresolved = {}
for w in order_w:
    base = d[(w, 'untraced')]
    for c in order_c:
        runs = d.get((w, c))
        if not runs: continue
        walls = [v[0] for v in runs.values()]; cpus = [v[1] for v in runs.values()]
        wt = '%.2f s [%.2f, %.2f]' % (st.median(walls), min(walls), max(walls))
        ct = '%.2f s [%.2f, %.2f]' % (st.median(cpus), min(cpus), max(cpus))
        target = ''
        if c == 'untraced':
            rw = rc = 'reference'
        else:
            wr = [runs[r][0] / base[r][0] for r in runs if r in base]
            cr = [runs[r][1] / base[r][1] for r in runs if r in base]
            rw, mw = ratio(wr)
            rc, mc = ratio(cr)
            if c == 'sample':
                btrace_s[w] = (mw, mc)
                target, unresolved[w] = verdict(wr, cr)
            if c == 'perf-dwarf':
                perf_dwarf[w] = (mw, mc)
        b = st.median(v[2] for v in runs.values())
        if c == 'sample' and w.startswith('cli-app') and not w.endswith('rebuild'):
            target += '; trace <= 20 MB: ' + ('met' if b <= 20e6 else '**missed**')
        name = w + (' (%s processes)' % procs[w] if w in procs else '')
        per = size(b / st.median(v[1] for v in base.values())) + '/s' if b else '-'
        out.append('| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |' % (name, label[c], len(runs), wt, ct, rw, rc, size(b), per, target))
print('\n'.join(out))
stretch = []
for w in btrace_s:
    if w in perf_dwarf:
        bw, bc = btrace_s[w]; pw, pc = perf_dwarf[w]
        if pc > 1:
            f = (bc - 1) / (pc - 1)
            v = 'stretch goal <= 0.20 met' if f <= 0.2 else 'stretch goal <= 0.20 **missed**'
            if unresolved.get(w):
                v = 'not judged: btrace\'s own median is unresolved, above'
            stretch.append('%s: btrace default sampling costs %.2f of perf dwarf\'s CPU overhead (%s)' % (w, f, v))
if stretch:
    print('\nStretch goal (at most 1/5 of perf\'s own overhead at the same rate with full-depth stacks): ' + '; '.join(stretch) + '.')
dep = [l.rstrip('\n').split('\t') for l in open(depth_f) if l.strip()]
if dep:
    print('\n**Stack depth of rustc\'s samples** (the last build of each tool and workload; to the root: the outermost frame is the program\'s or thread\'s entry):\n')
    print('| workload | tool | rustc samples | reaching the root | frames perf could name |')
    print('|---|---|---|---|---|')
    for w, c, n, root, named in dep:
        print('| %s | %s | %s | %s%% | %s |' % (w, label[c], n, root, named if named == '-' else named + '%'))
g = [l.split('\t') for l in open(growth_f).read().split('\n') if l]
if g:
    gd = collections.defaultdict(dict)
    for np, m, r, wall, cpu in g:
        gd[(int(np), m)][int(r)] = (float(wall), float(cpu))
    sizes = sorted({k[0] for k in gd})
    lo, hi = sizes[0], sizes[-1]
    print('\n**How the cost grows with the number of processes** (`sh -c` running the toolchain\'s `rustc -V` N times, a short process the sampler starts in; the added time is the per-round difference from the untraced run of the same N; per process: the slope between N = %d and N = %d, median over the rounds; fixed: what is left at N = %d, mostly `btrace record` itself):\n' % (lo, hi, lo))
    print('| mode | untraced, N = %d: wall / CPU | added at N = %d: wall / CPU | added at N = %d: wall / CPU | added per process: wall / CPU | fixed: wall / CPU |' % (hi, lo, hi))
    print('|---|---|---|---|---|---|')
    for m in ('record', 'sample'):
        add = {}
        for np in (lo, hi):
            base, runs = gd[(np, 'untraced')], gd[(np, m)]
            add[np] = {r: (runs[r][0] - base[r][0], runs[r][1] - base[r][1]) for r in runs if r in base}
        rr = [r for r in add[lo] if r in add[hi]]
        slope = [tuple((add[hi][r][i] - add[lo][r][i]) / (hi - lo) for i in (0, 1)) for r in rr]
        sw = st.median(x[0] for x in slope); sc = st.median(x[1] for x in slope)
        fw = st.median(add[lo][r][0] for r in rr) - sw * lo
        fc = st.median(add[lo][r][1] for r in rr) - sc * lo
        bh = gd[(hi, 'untraced')]
        med = lambda np, i: st.median(v[i] for v in add[np].values())
        print('| %s | %.3f s / %.3f s | %.1f ms / %.1f ms | %.1f ms / %.1f ms | %.3f ms / %.3f ms | %.1f ms / %.1f ms |' % (
            {'record': 'btrace, record only', 'sample': 'btrace, default sampling'}[m],
            st.median(v[0] for v in bh.values()), st.median(v[1] for v in bh.values()),
            med(lo, 0) * 1e3, med(lo, 1) * 1e3, med(hi, 0) * 1e3, med(hi, 1) * 1e3,
            sw * 1e3, sc * 1e3, fw * 1e3, fc * 1e3))
notes = open(notes_f).read().strip()
if notes:
    print('\nSkipped: ' + '; '.join(notes.split('\n')) + '.')
