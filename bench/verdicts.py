"""verdicts.py - the benchmarks' verdicts against their targets, and
whether the rounds resolve them: one place for bench/peers_tables.py,
bench/overhead.sh, bench/rebuild_calibrate.sh and bench/rebuild_replay.sh.

Whether the rounds can tell a target at all is a median's 95% confidence
interval, distribution-free as btrace experiment's
(analyzer/advice/measure.c): the order statistics K and N + 1 - K, K the
largest with P(Binomial(N, 1/2) < K) <= 2.5%; at 7 rounds that is the
min and the max.

- An overhead (ratios traced / untraced, at most BOUND) is resolved when
  every interval lies below the bound (met) or one lies above it
  (missed); where an interval reaches across it, the rounds were too few
  to tell.
- An estimate (within +-TOL% of a measured saving) is resolved when the
  measurement's interval is no wider than +-TOL% of the saving itself."""
import statistics


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


def reaches_across(cis, bound):
    """whether intervals CIS leave an upper BOUND undecided: none lies
    wholly above it, and one reaches across it"""
    return not any(lo > bound for lo, _ in cis) and any(lo <= bound < hi for lo, hi in cis)


def verdict(wall_ratios, cpu_ratios):
    """(text, unresolved) for issue 19's 2% target on the paired ratios of
    wall and CPU (medians of at least 7 rounds)"""
    mw, mc = statistics.median(wall_ratios), statistics.median(cpu_ratios)
    text = '<= +2% wall and CPU: ' + ('met' if mw <= 1.02 and mc <= 1.02 else '**missed**')
    if len(wall_ratios) < 7:
        text += ' (%d paired rounds: the target asks at least 7)' % len(wall_ratios)
    cis = [median_ci(wall_ratios), median_ci(cpu_ratios)]
    if not all(cis):
        return text, True
    shown = tuple(100 * (v - 1) for ci in cis for v in ci)
    unresolved = reaches_across(cis, 1.02)
    if unresolved:
        text += ('; unresolved: the medians\' 95%% intervals, wall [%+.1f%%, %+.1f%%] and CPU '
                 '[%+.1f%%, %+.1f%%], reach across +2%%' % shown)
    else:
        text += ('; resolved: the medians\' 95%% intervals are wall [%+.1f%%, %+.1f%%], CPU '
                 '[%+.1f%%, %+.1f%%]' % shown)
    return text, unresolved


def rebuild_overhead_verdict(wall_ratios):
    """pass or miss for tracing a rebuild (<= +3% wall, on the median),
    marked unresolved where the median's interval reaches across +3%"""
    v = 'pass' if statistics.median(wall_ratios) <= 1.03 else '**miss**'
    c = median_ci(wall_ratios)
    if c and reaches_across([c], 1.03):
        v += ' (unresolved: the interval reaches across +3%)'
    return v


def estimate_verdict(err_pct, measured, key, tol):
    """pass or miss for an estimate's error ERR_PCT against +-TOL%,
    marked unresolved where the measurement's 95% interval (MEASURED's
    KEY_ci, experiment.json) is wider than +-TOL% of the saving"""
    v = 'pass' if abs(err_pct) <= tol else '**miss**'
    ci, m = measured.get(key + '_ci'), measured[key]
    if ci and m:
        h = max(m - ci[0], ci[1] - m) / abs(m)
        if h > tol / 100:
            v += ' (unresolved: CI +-%.0f%%)' % (100 * h)
    return v
