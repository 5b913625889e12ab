#!/usr/bin/env python3
"""plot.py BENCHMARKS_MD OUTDIR: the plots of BENCHMARKS.md, as SVG.

Reads the tables the bench scripts wrote into BENCHMARKS.md (so a plot
shows exactly the figures of its table, never a figure typed here) and
writes into OUTDIR:
  overhead.svg      CPU and wall overhead against untraced, per tool and
                    workload, median with the min-max range (section peers)
  estimates.svg     each recommendation's estimated saving against the
                    measured one, as shares of the build, with the +-20%
                    band (sections calibrate and rebuild)
  report_scale.svg  btrace report's wall time and max RSS against the
                    samples in the trace, one series per process count,
                    on log axes, with the growth exponents (section
                    scale)
A plot whose section is missing or has no rows is not written; the script
says so on stderr and exits 1 only when a section it found cannot be read.

Why a small SVG writer in Python rather than gnuplot or matplotlib (both
in Debian): python3 is already a dependency of the bench scripts, these
are three simple charts, the output is byte-stable and has tooltips
(<title>) for every point, and the ctest check (tests/bench) can run it
on the real tables with nothing more installed.
"""
import math
import os
import re
import sys

W, H = 760, 420
ML, MR, MT, MB = 70, 190, 40, 60
COLORS = ['#4c72b0', '#dd8452', '#55a868', '#c44e52', '#8172b3', '#937860',
          '#da8bc3', '#8c8c8c', '#ccb974', '#64b5cd']


def section(text, name):
    m = re.search(r'<!-- %s:begin -->(.*?)<!-- %s:end -->' % (re.escape(name), re.escape(name)), text, re.S)
    return m.group(1) if m else None


def tables(sec):
    """The markdown tables of a section: lists of dicts keyed by header."""
    out, cur, head = [], None, None
    for line in sec.split('\n') + ['']:
        if line.startswith('|'):
            cells = [c.strip() for c in line.strip().strip('|').split('|')]
            if head is None:
                head = cells
            elif set(line.replace('|', '').strip()) <= set('-: '):
                cur = []
            elif cur is not None:
                cur.append(dict(zip(head, cells)))
        else:
            if cur is not None:
                out.append((head, cur))
            cur, head = None, None
    return out


def num(s, pat=r'([-+]?[0-9]*\.?[0-9]+)'):
    m = re.search(pat, s)
    if not m:
        raise ValueError('no number in %r' % s)
    return float(m.group(1))


def esc(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('`', '')


class Svg:
    def __init__(self, title):
        self.parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
                      'font-family="sans-serif" font-size="11">' % (W, H),
                      '<rect width="100%" height="100%" fill="white"/>',
                      '<text x="%d" y="22" font-size="14" font-weight="bold">%s</text>' % (ML, esc(title))]

    def add(self, s):
        self.parts.append(s)

    def line(self, x1, y1, x2, y2, color='#333', width=1, dash=None):
        d = ' stroke-dasharray="%s"' % dash if dash else ''
        self.add('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%s"%s/>'
                 % (x1, y1, x2, y2, color, width, d))

    def text(self, x, y, s, anchor='start', size=11, rotate=None, color='#000'):
        r = ' transform="rotate(%d %.1f %.1f)"' % (rotate, x, y) if rotate else ''
        self.add('<text x="%.1f" y="%.1f" text-anchor="%s" font-size="%d" fill="%s"%s>%s</text>'
                 % (x, y, anchor, size, color, r, esc(s)))

    def rect(self, x, y, w, h, color, title=None):
        t = '<title>%s</title>' % esc(title) if title else ''
        self.add('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s">%s</rect>'
                 % (x, y, max(w, 0.5), max(h, 0.5), color, t))

    def circle(self, x, y, color, title=None, r=4):
        t = '<title>%s</title>' % esc(title) if title else ''
        self.add('<circle cx="%.1f" cy="%.1f" r="%d" fill="%s" fill-opacity="0.85">%s</circle>' % (x, y, r, color, t))

    def legend(self, items):
        y = MT + 10
        for label, color in items:
            self.rect(W - MR + 15, y - 9, 10, 10, color)
            self.text(W - MR + 30, y, label)
            y += 16

    def write(self, path):
        with open(path, 'w') as f:
            f.write('\n'.join(self.parts + ['</svg>']) + '\n')


def nice_ticks(lo, hi, n=6):
    span = hi - lo or 1
    step = 10 ** math.floor(math.log10(span / n))
    for m in (1, 2, 5, 10):
        if span / (step * m) <= n:
            step *= m
            break
    t = math.floor(lo / step) * step
    out = []
    while t <= hi + step * 1e-9:
        out.append(round(t, 10))
        t += step
    return out


def axes(svg, xlo, xhi, ylo, yhi, xlabel, ylabel, xlog=False, ylog=False, xticks=True):
    """Returns (fx, fy) mapping data to pixels, after drawing the axes."""
    def mk(lo, hi, a, b, log):
        if log:
            lo, hi = math.log10(lo), math.log10(hi)
            return lambda v: a + (math.log10(v) - lo) / (hi - lo) * (b - a)
        return lambda v: a + (v - lo) / (hi - lo) * (b - a)
    fx = mk(xlo, xhi, ML, W - MR, xlog)
    fy = mk(ylo, yhi, H - MB, MT, ylog)
    svg.line(ML, H - MB, W - MR, H - MB)
    svg.line(ML, H - MB, ML, MT)
    yt = [10 ** e for e in range(math.ceil(math.log10(ylo)), math.floor(math.log10(yhi)) + 1)] if ylog else nice_ticks(ylo, yhi)
    for t in yt:
        if ylo <= t <= yhi:
            svg.line(ML - 4, fy(t), W - MR, fy(t), color='#ddd')
            svg.text(ML - 6, fy(t) + 4, ('%g' % t), anchor='end')
    if xticks:
        xt = [10 ** e for e in range(math.ceil(math.log10(xlo)), math.floor(math.log10(xhi)) + 1)] if xlog else nice_ticks(xlo, xhi)
        for t in xt:
            if xlo <= t <= xhi:
                svg.line(fx(t), H - MB, fx(t), H - MB + 4)
                svg.text(fx(t), H - MB + 16, ('%g' % t), anchor='middle')
    svg.text((ML + W - MR) / 2, H - 15, xlabel, anchor='middle')
    svg.text(18, (MT + H - MB) / 2, ylabel, anchor='middle', rotate=-90)
    return fx, fy


def plot_overhead(text, out):
    sec = section(text, 'peers')
    if not sec:
        return None
    rows = []
    for head, t in tables(sec):
        if 'CPU vs untraced' in head:
            rows = t
    if not rows:
        return None
    pat = r'([-+][0-9.]+)% \[([-+][0-9.]+)%, ([-+][0-9.]+)%\]'
    data, tools, works = {}, [], []
    for r in rows:
        if r['tool'] == 'untraced':
            continue
        w = re.sub(r' \(.*\)$', '', r['workload'])
        for kind, col in (('CPU', 'CPU vs untraced'), ('wall', 'wall vs untraced: median [min, max]')):
            m = re.search(pat, r[col])
            if not m:
                raise ValueError('peers: cannot read %r' % r[col])
            data[(kind, w, r['tool'])] = tuple(float(x) for x in m.groups())
        if r['tool'] not in tools:
            tools.append(r['tool'])
        if w not in works:
            works.append(w)
    svg = Svg('Overhead against untraced builds: median, min-max (bench/peers.sh)')
    vals = [v for k in data.values() for v in k]
    lo, hi = min(0, min(vals)), max(vals)
    fx, fy = axes(svg, 0, 1, lo, hi * 1.05, '', 'overhead vs untraced (%)', xticks=False)
    groups = [(kind, w) for w in works for kind in ('CPU', 'wall')]
    gw = (W - MR - ML) / len(groups)
    bw = gw * 0.8 / len(tools)
    for gi, (kind, w) in enumerate(groups):
        x0 = ML + gi * gw + gw * 0.1
        for ti, tool in enumerate(tools):
            v = data.get((kind, w, tool))
            if not v:
                continue
            x = x0 + ti * bw
            y0, y1 = fy(0), fy(v[0])
            svg.rect(x, min(y0, y1), bw * 0.9, abs(y1 - y0), COLORS[ti % len(COLORS)],
                     '%s, %s %s: %+.1f%% [%+.1f%%, %+.1f%%]' % (w, tool, kind, *v))
            svg.line(x + bw * 0.45, fy(v[1]), x + bw * 0.45, fy(v[2]), color='#222')
        svg.text(x0 + gw * 0.4, H - MB + 14, kind, anchor='middle', size=10)
        if kind == 'CPU':
            svg.text(x0 + gw * 0.9, H - MB + 28, w, anchor='middle', size=11)
    svg.line(ML, fy(0), W - MR, fy(0), color='#000')
    if lo <= 2 <= hi * 1.05:
        svg.line(ML, fy(2), W - MR, fy(2), color='#c00', dash='4,3')
        svg.text(W - MR - 2, fy(2) - 3, 'target +2%', anchor='end', color='#c00', size=10)
    svg.legend([(t, COLORS[i % len(COLORS)]) for i, t in enumerate(tools)])
    svg.write(out)
    return len(data)


def plot_estimates(text, out):
    pts = []
    for name in ('calibrate', 'rebuild'):
        sec = section(text, name)
        if not sec:
            continue
        for head, t in tables(sec):
            if 'CPU: estimate' not in head:
                continue
            mcol = [h for h in head if h.startswith('CPU: measured')][0]
            wcol = 'workload' if 'workload' in head else 'scenario'
            for r in t:
                if not r.get('option', '').startswith('`'):
                    continue  # the baseline rows
                e = num(r['CPU: estimate'], r'\(([-+]?[0-9.]+)%\)')
                m = num(r[mcol], r'\(([-+]?[0-9.]+)%\)')
                pts.append((m, e, r[wcol], r['option'].strip('`'), name))
    if not pts:
        return None
    svg = Svg('Estimated against measured CPU saving, share of the build')
    lo = min(0, min(min(p[0], p[1]) for p in pts))
    hi = max(max(p[0], p[1]) for p in pts) * 1.05
    fx, fy = axes(svg, lo, hi, lo, hi, 'measured saving (% of the build CPU; btrace experiment)',
                  'estimate (% of the build CPU)')
    # the +-20% band around y = x
    band = ' '.join('%.1f,%.1f' % (fx(x), fy(max(lo, min(hi, x * k)))) for k, xs in
                    ((1.2, (0, hi / 1.2)), (0.8, (hi, 0))) for x in xs)
    svg.add('<polygon points="%s" fill="#4c72b0" fill-opacity="0.12"/>' % band)
    svg.line(fx(max(lo, 0)), fy(max(lo, 0)), fx(hi), fy(hi), color='#4c72b0', dash='4,3')
    options = []
    for p in pts:
        if p[3] not in options:
            options.append(p[3])
    for m, e, w, opt, sec in pts:
        svg.circle(fx(m), fy(e), COLORS[options.index(opt) % len(COLORS)],
                   '%s, %s (%s): estimate %.1f%%, measured %.1f%%' % (w, opt, sec, e, m))
    inside = sum(1 for m, e, *_ in pts if m > 0 and abs(e - m) <= 0.2 * m)
    svg.legend([(o, COLORS[i % len(COLORS)]) for i, o in enumerate(options)] +
               [('band: within +-20%', '#c8d4e8')])
    svg.text(W - MR - 6, H - MB - 8, '%d of %d points within +-20%% of the measurement' % (inside, len(pts)), anchor='end')
    svg.write(out)
    return len(pts)


def plot_scale(text, out):
    sec = section(text, 'scale')
    if not sec:
        return None
    series, exps = {}, {}
    for head, t in tables(sec):
        if 'processes' in head and 'max RSS (median)' in head and 'stacks' not in head:
            wcol = [h for h in head if 'wall' in h][0]
            for r in t:
                try:
                    wall = num(r[wcol], r'^([0-9]*\.?[0-9]+) s')
                except ValueError:
                    continue  # a cell that was not measured: said in the table
                series.setdefault(int(num(r['processes'])), []).append(
                    (num(r['samples']), wall, num(r['max RSS (median)'])))
        elif 'wall ~ samples^k' in head:
            for r in t:
                if r['wall ~ samples^k'] != '-':
                    exps[int(num(r['processes']))] = (num(r['wall ~ samples^k']),
                                                      num(r['max RSS ~ samples^k']))
    if not series:
        return None
    svg = Svg('btrace report: wall time and max RSS against samples (bench/scale.sh)')
    allp = [p for v in series.values() for p in v]
    xlo, xhi = min(p[0] for p in allp) / 2, max(p[0] for p in allp) * 2
    ylo = min(min(p[1] for p in allp), min(p[2] / 1024 for p in allp)) / 2
    yhi = max(max(p[1] for p in allp), max(p[2] / 1024 for p in allp), 10) * 2
    fx, fy = axes(svg, xlo, xhi, ylo, yhi, 'samples in the trace',
                  'wall (s, filled, solid) / max RSS (GiB, hollow, dashed)', xlog=True, ylog=True)
    legend, notes = [], []
    for i, (procs, ps) in enumerate(sorted(series.items())):
        c = COLORS[i % len(COLORS)]
        key = '%d processes' % procs
        ps.sort()
        for s, wall, rss in ps:
            svg.circle(fx(s), fy(wall), c, '%s: %d samples, %.2f s' % (key, s, wall))
            svg.add('<circle cx="%.1f" cy="%.1f" r="4" fill="none" stroke="%s"><title>%s</title></circle>'
                    % (fx(s), fy(rss / 1024), c, esc('%s: %d samples, %d MiB' % (key, s, rss))))
        if len(ps) > 1:
            svg.add('<polyline points="%s" fill="none" stroke="%s"/>'
                    % (' '.join('%.1f,%.1f' % (fx(p[0]), fy(p[1])) for p in ps), c))
            svg.add('<polyline points="%s" fill="none" stroke="%s" stroke-dasharray="4,3"/>'
                    % (' '.join('%.1f,%.1f' % (fx(p[0]), fy(p[2] / 1024)) for p in ps), c))
        if procs in exps:
            notes.append('%s: wall ~ samples^%.2f, RSS ~ samples^%.2f' % (key, *exps[procs]))
        legend.append((key, c))
    for lim, label in ((10, 'target at 5M samples: 10 s'), (1, 'target at 5M samples: 1 GiB')):
        if ylo <= lim <= yhi:
            svg.line(ML, fy(lim), W - MR, fy(lim), color='#c00', dash='4,3')
            svg.text(W - MR - 2, fy(lim) - 3, label, anchor='end', color='#c00', size=10)
    if xlo <= 5e6 <= xhi:
        svg.line(fx(5e6), H - MB, fx(5e6), MT, color='#c00', dash='2,4')
    for j, e in enumerate(notes):
        svg.text(W - MR - 6, H - MB - 8 - 14 * j, 'growth, ' + e, anchor='end')
    svg.legend(legend)
    svg.write(out)
    return len(allp)


def main():
    if len(sys.argv) != 3:
        print('usage: plot.py BENCHMARKS_MD OUTDIR', file=sys.stderr)
        return 2
    text = open(sys.argv[1]).read()
    os.makedirs(sys.argv[2], exist_ok=True)
    rc = 0
    for name, fn in (('overhead.svg', plot_overhead), ('estimates.svg', plot_estimates),
                     ('report_scale.svg', plot_scale)):
        try:
            n = fn(text, os.path.join(sys.argv[2], name))
        except (ValueError, KeyError, IndexError) as e:
            print('plot.py: %s: cannot read its table: %s' % (name, e), file=sys.stderr)
            rc = 1
            continue
        if n is None:
            print('plot.py: %s not written: its section has no table yet' % name, file=sys.stderr)
        else:
            print('plot.py: wrote %s (%d points)' % (name, n))
    return rc


if __name__ == '__main__':
    sys.exit(main())
