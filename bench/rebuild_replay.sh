#!/usr/bin/env bash
# rebuild_replay.sh - a rebuild estimate model against a kept run of
# bench/rebuild_calibrate.sh -k DIR, without building anything.
#
# Each kept trace (DIR/traces/SCENARIO-ROUND: the traced overhead rounds,
# their link inputs still in DIR's workload copies) is reported again
# with BTRACE (default: build-bench's, rebuilt from the working tree);
# each option's estimated share of its rebuild, CPU and wall, is compared
# with the share experiment measured in the same run
# (DIR/exp-SCENARIO/experiment.json).  Prints one table: per scenario and
# option the median estimate over the traces, the measured share, the
# error (as experiment's), and the spread of the errors over the traces;
# a verdict is marked unresolved where the measurement's 95% interval is
# wider than its target (runs kept from 979917b on).
# It measures the model only: the measured savings are the run's.
#
# usage: bench/rebuild_replay.sh DIR [BTRACE]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/bench/lib.sh"
dir=${1:?usage: $0 DIR [BTRACE]}
btrace=${2:-$(bench_btrace "$repo")}
[ -d "$dir/traces" ] || { echo "rebuild_replay.sh: $dir has no traces/ (run rebuild_calibrate.sh -k $dir)" >&2; exit 2; }
out=$(mktemp -d /tmp/btrace-replay.XXXXXX)
trap 'rm -rf "$out"' EXIT
for t in "$dir"/traces/*; do
  n=$(basename "$t")
  "$btrace" report -q --no-history -o "$out/$n" "$t" >/dev/null 2>"$out/$n.err" ||
    { echo "rebuild_replay.sh: report on $t failed: $(head -1 "$out/$n.err")" >&2; exit 1; }
done
python3 - "$dir" "$out" "$repo/bench" <<'PY'
import glob, json, os, statistics, sys
sys.path.insert(0, sys.argv[3])
from verdicts import estimate_verdict
d, out = sys.argv[1], sys.argv[2]
print("| scenario | option | traces | CPU: estimate (median) | measured | error [min, max] | wall: estimate | measured | error [min, max] | within +-20% / +-25% |")
print("|---|---|---|---|---|---|---|---|---|---|")
for exp in sorted(glob.glob(f"{d}/exp-*/experiment.json")):
    sc = os.path.basename(os.path.dirname(exp))[4:]
    x = json.load(open(exp))
    est = {}
    for rep in sorted(glob.glob(f"{out}/{sc}-*/summary.json")):
        s = json.load(open(rep))
        for r in s["recommendations"] + s["considered"]:
            if r.get("estimate"):
                est.setdefault(r["id"], []).append(r["estimate"])
    for c in x["configs"][1:]:
        if c["failed"] or c["id"].startswith("linker-") or c["id"] not in est:
            continue
        m, es = c["measured"], est[c["id"]]
        cells, ok = [], []
        for key, tol in (("cpu", 20), ("wall", 25)):
            errs = sorted(100 * (e[key + "_pct"] - m[key + "_pct"]) / abs(m[key + "_pct"]) for e in es)
            med = statistics.median(errs)
            cells.append(f"{statistics.median(e[key + '_pct'] for e in es):.1f}% | {m[key + '_pct']:.1f}% | {med:+.0f}% [{errs[0]:+.0f}, {errs[-1]:+.0f}]")
            ok.append(estimate_verdict(med, m, key + "_s", tol))
        print(f"| {sc} | `{c['id']}` | {len(es)} | {cells[0]} | {cells[1]} | {' / '.join(ok)} |")
PY
