"""overhead_verdict.py - issue 19's verdict on default sampling's overhead,
one function for bench/peers_tables.py and bench/overhead.sh.

The target: <= +2% wall and CPU, as medians of at least 7 rounds of
per-round ratios traced / untraced.  Whether the rounds can tell 2% at
all is the medians' 95% confidence interval, distribution-free as btrace
experiment's (analyzer/advice/measure.c): the order statistics K and
N + 1 - K, K the largest with P(Binomial(N, 1/2) < K) <= 2.5%; at 7
rounds that is the min and the max.  The verdict is resolved when both
intervals lie below +2% (met) or one lies above it (missed); where an
interval reaches across +2%, the rounds were too few to tell."""


def median_ci(xs):
    """(lo, hi) of the median of XS, or None under 6 values"""
    n, k, tail, pmf = len(xs), 0, 0.0, 0.5 ** len(xs)
    while k < n and tail + pmf <= 0.025:
        tail += pmf
        pmf = pmf * (n - k) / (k + 1)
        k += 1
    if not k:
        return None
    s = sorted(xs)
    return s[k - 1], s[n - k]


def verdict(wall_ratios, cpu_ratios):
    """(text, unresolved) for the paired ratios of wall and CPU"""
    import statistics as st
    mw, mc = st.median(wall_ratios), st.median(cpu_ratios)
    text = '<= +2% wall and CPU: ' + ('met' if mw <= 1.02 and mc <= 1.02 else '**missed**')
    if len(wall_ratios) < 7:
        text += ' (%d paired rounds: the target asks at least 7)' % len(wall_ratios)
    cis = [median_ci(wall_ratios), median_ci(cpu_ratios)]
    if not all(cis):
        return text, True
    shown = tuple(100 * (v - 1) for ci in cis for v in ci)
    # resolved: both intervals below +2% (met), or one above it (missed)
    unresolved = not any(lo > 1.02 for lo, _ in cis) and any(lo <= 1.02 < hi for lo, hi in cis)
    if unresolved:
        text += ('; unresolved: the medians\' 95%% intervals, wall [%+.1f%%, %+.1f%%] and CPU '
                 '[%+.1f%%, %+.1f%%], reach across +2%%' % shown)
    else:
        text += ('; resolved: the medians\' 95%% intervals are wall [%+.1f%%, %+.1f%%], CPU '
                 '[%+.1f%%, %+.1f%%]' % shown)
    return text, unresolved
