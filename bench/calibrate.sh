#!/usr/bin/env bash
# calibrate.sh - fits the recommendation estimator's constants on A/B
# builds, then checks the single-build estimates against `btrace
# experiment`'s measurements.  Re-measures everything it needs, so the
# estimator can be checked against any toolchain.
#
# Workloads: ../shared/workloads/cli-app, and a generated synthetic
# workspace (gen-synthetic.sh, 10 crates x 240 functions: at 60 its
# line-tables-only saving, 0.16 s, was within the rounds' spread, and
# the fit's K ran from 1.00 to 3.03 between the workloads; at 240 it is
# 0.7 s and they agree within 0.7: docs/estimation.md, "The constants
# and their data") whose libraries are path
# dependencies outside the workspace's members, so that
# debuginfo-deps-off has dependencies to act on.
#
#  1. Fit: -n rounds of clean traced builds at debug = 2, 0 and
#     "line-tables-only", interleaved.  From btrace report's summary.json:
#       saved  = back2 - s * backB for each option B (debug = 0,
#                line-tables-only), where back is the codegen + debuginfo
#                categories' CPU and s = frontend2 / frontendB scales out
#                the machine's speed drift between the two builds (the
#                frontend does the same work in both)
#       K_OFF, K_LINES: saved ~ term + K * hidden term (the debuginfo the
#                option drops, and the instruction-level debuginfo it
#                removes), K fitted on the workloads' relative errors
#       LAMBDA = sum(link2 - s * link0) / sum(link term)
#     debuginfo-deps-off is not fitted, so its check is out of sample.
#  2. With -w: writes them into analyzer/advice/estimate_calibration.def and
#     rebuilds btrace.
#  3. Check: `btrace experiment --runs R` on each workload (its own traced
#     baseline gives the estimates; R clean traced builds of each option,
#     interleaved, give the measurements, scaled for the machine's drift by
#     the frontend's CPU).  Table: estimate, measurement, relative error of
#     the shares of the build; targets +-20% (CPU) and +-25% (wall).
#     The per-run figures stay in build-bench/calibrate/.
# Writes the tables into BENCHMARKS.md (section "calibrate").
#
# usage: bench/calibrate.sh [-n FIT_ROUNDS] [-r EXPERIMENT_RUNS] [-R SYNTHETIC_RUNS] [-w] [-s] [-c]
#   -R  experiment runs on the synthetic workspace (default 15: its builds
#       take 6 s, and its line-tables-only saving, 0.7 s, has a spread of
#       about 1 s over 8 runs)
#   -s  the synthetic workspace only (a quick run)
#   -c  the check only, with the constants in use (keeps the last fit's
#       table in BENCHMARKS.md)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$(cd "$repo/.." && pwd)/shared"
source "$repo/bench/lib.sh"
export PATH="$HOME/.cargo/bin:$PATH"
rounds=3 runs=5 syn_runs=15 write=0 only_syn=0 check_only=0
while getopts "n:r:R:wsc" o; do
  case $o in
    n) rounds=$OPTARG ;;
    r) runs=$OPTARG ;;
    R) syn_runs=$OPTARG ;;
    w) write=1 ;;
    s) only_syn=1 ;;
    c) check_only=1 ;;
    *) echo "usage: $0 [-n FIT_ROUNDS] [-r EXPERIMENT_RUNS] [-w] [-s]" >&2; exit 2 ;;
  esac
done
btrace=$(bench_btrace "$repo")
work=$(mktemp -d /tmp/btrace-bench-calibrate.XXXXXX)
trap 'rm -rf "$work"' EXIT
t_start=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# The synthetic workspace: the libraries excluded from the members.
bench_synthetic "$shared" "$work/synthetic" 10 240 app
workloads=(synthetic)
if [ "$only_syn" = 0 ]; then
  cp -r "$shared/workloads/cli-app" "$work/cli-app" && chmod -R u+w "$work/cli-app"
  workloads=(cli-app synthetic)
fi

config_for() { # DEBUG -> cargo --config argument
  case $1 in
    2) echo 'profile.dev.debug=2' ;;
    0) echo 'profile.dev.debug=0' ;;
    lto) echo 'profile.dev.debug="line-tables-only"' ;;
  esac
}

# 1. fit
: >"$work/fit.jsonl"
[ "$check_only" = 1 ] && rounds=0
for w in "${workloads[@]}"; do
  for ((r = 1; r <= rounds; r++)); do
    for d in 2 0 lto; do
      (cd "$work/$w" && rm -rf target &&
        "$btrace" record -o "$work/t-$w-$d-$r" -- cargo build --offline -q \
          --config "$(config_for $d)" >/dev/null 2>&1 &&
        "$btrace" report -q "$work/t-$w-$d-$r" >/dev/null 2>&1)
      python3 - "$work/t-$w-$d-$r/report/summary.json" "$w" "$d" "$r" >>"$work/fit.jsonl" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
est = {r["id"]: r["estimate"] for r in s["recommendations"] + s["considered"]}
print(json.dumps({"workload": sys.argv[2], "debug": sys.argv[3], "round": int(sys.argv[4]),
                  "wall": s["session"]["wall_s"], "cpu": s["session"]["cpu_s"],
                  "link": s["categories"]["link"], "cats": s["categories"],
                  "terms": {k: [v["model_term_s"], v["model_link_term_s"], v["model_hidden_term_s"]]
                            for k, v in est.items()}}))
PY
      rm -rf "$work/t-$w-$d-$r"
    done
  done
done
if [ "$check_only" = 1 ]; then
  python3 - "$repo/BENCHMARKS.md" "$work/fit.md" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"\*\*Fit\*\*.*?\n\n(.*?)\n\n\*\*Check", text, re.S)
open(sys.argv[2], "w").write((m.group(1) if m else "(no earlier fit in BENCHMARKS.md)") + "\n")
PY
  fit_rounds=$(sed -n 's/.*\*\*Fit\*\* (\([0-9]*\) clean.*/\1/p' "$repo/BENCHMARKS.md" | head -1)
  rounds=${fit_rounds:-3}
else
python3 - "$work/fit.jsonl" "$work/fit.md" "$work/fit.def" <<'PY'
import json, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1])]
by = collections.defaultdict(dict)
for r in rows:
    by[(r["workload"], r["round"])][r["debug"]] = r
def back(c):  # codegen and debuginfo CPU
    return c["codegen_llvm"] + c["codegen_cranelift"] + c["debuginfo"]
# Per workload and option, means over the rounds of: the CPU saved, the
# debuginfo the option drops (term) and the instruction-level debuginfo
# work it removes (hidden term).  The machine's speed drifts between
# builds (the same clean cli-app build varies by 4 s of 70 here), and the
# frontend's work does not depend on debuginfo: each B build's categories
# are scaled by frontend(A)/frontend(B) before they are subtracted.
opts = {"debuginfo-off": "0", "debuginfo-line-tables-only": "lto"}
stats = collections.defaultdict(lambda: [0.0, 0.0, 0.0, 0])
link = collections.defaultdict(lambda: [0.0, 0.0])
for (w, r), g in by.items():
    if not all(d in g for d in ("2", "0", "lto")):
        continue
    a = g["2"]
    for opt, d in opts.items():
        b = g[d]
        s = a["cats"]["frontend"] / b["cats"]["frontend"]
        term, link_term, hidden = a["terms"][opt]
        st = stats[(w, opt)]
        st[0] += back(a["cats"]) - s * back(b["cats"]); st[1] += term; st[2] += hidden; st[3] += 1
        if opt == "debuginfo-off":
            link[w][0] += a["link"] - s * b["link"]; link[w][1] += link_term
wls = sorted({w for w, _ in stats})
def mean(w, opt):
    S, t, x, n = stats[(w, opt)]
    return S / n, t / n, x / n
def fit_k(opt):
    """K minimizing the workloads' squared relative errors of
    term + K * hidden against the measured saving (each workload counts
    alike, whatever its size); never negative."""
    num = den = 0.0
    for w in wls:
        S, t, x = mean(w, opt)
        if S <= 0:
            continue
        num += (x / S) * ((S - t) / S); den += (x / S) ** 2
    return max(0.0, num / den) if den else 0.0
k = {opt: fit_k(opt) for opt in opts}
lam = sum(v[0] for v in link.values()) / max(1e-9, sum(v[1] for v in link.values()))
lam = min(max(lam, 0.0), 1.0)
out = ["| workload | option | CPU saved (codegen + debuginfo, frontend-scaled) | debuginfo it drops | instruction-level debuginfo it removes | K implied | K fitted | model | error |",
       "|---|---|---|---|---|---|---|---|---|"]
for w in wls:
    for opt in opts:
        S, t, x = mean(w, opt)
        m = t + k[opt] * x
        out.append(f"| {w} | `{opt}` | {S:.2f} s | {t:.2f} s | {x:.2f} s | {(S - t) / x if x else float('nan'):.2f} "
                   f"| {k[opt]:.2f} | {m:.2f} s | {100 * (m - S) / S:+.0f}% |")
out.append("")
out.append(f"Link: LAMBDA = {lam:.2f} (link CPU saved at debug = 0, frontend-scaled, per second of link CPU times the removed share of input bytes; clamped to [0, 1]).")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
open(sys.argv[3], "w").write(f"{k['debuginfo-off']:.2f} {k['debuginfo-line-tables-only']:.2f} {lam:.2f}\n")
PY
fi
cat "$work/fit.md"
if [ "$check_only" = 0 ] && [ "$write" = 1 ]; then
  read -r k_off k_lines lambda <"$work/fit.def"
  def="$repo/analyzer/advice/estimate_calibration.def"
  sed -i -e "s/^CALIBRATION(K_OFF, .*)/CALIBRATION(K_OFF, $k_off)/" \
    -e "s/^CALIBRATION(K_LINES, .*)/CALIBRATION(K_LINES, $k_lines)/" \
    -e "s/^CALIBRATION(LAMBDA, .*)/CALIBRATION(LAMBDA, $lambda)/" "$def"
  echo "wrote $def: K_OFF=$k_off K_LINES=$k_lines LAMBDA=$lambda"
  btrace=$(bench_btrace "$repo")
fi

# 3. check
: >"$work/check.jsonl"
for w in "${workloads[@]}"; do
  (cd "$work/$w" && rm -rf target btrace.data &&
    "$btrace" experiment --runs "$([ "$w" = synthetic ] && echo "$syn_runs" || echo "$runs")" \
      -o "$work/exp-$w" -- cargo build --offline -q >"$work/exp-$w.out" 2>"$work/exp-$w.err") ||
    { echo "experiment on $w failed:" >&2; tail -5 "$work/exp-$w.err" >&2; exit 1; }
  python3 -c 'import json,sys; x=json.load(open(sys.argv[1])); x["workload"]=sys.argv[2]; print(json.dumps(x))' \
    "$work/exp-$w/experiment.json" "$w" >>"$work/check.jsonl"
  # the per-run figures, for a closer look (build-bench/ is not committed)
  mkdir -p "$repo/build-bench/calibrate"
  cp "$work/exp-$w/experiment.json" "$repo/build-bench/calibrate/experiment-$w.json"
  cp "$work/exp-$w.err" "$repo/build-bench/calibrate/experiment-$w.err"
  for l in "$work/exp-$w"/*.log; do # the logs of failed builds
    [ -e "$l" ] && cp "$l" "$repo/build-bench/calibrate/$w-$(basename "$l")"
  done
done
python3 - "$work/check.jsonl" "$work/check.md" <<'PY'
import json, sys, statistics
# The estimate is a share of its own (traced) build, the measurement a
# share of the baseline's median: the error compares the shares, so that
# the speed of the one traced build does not count as estimator error.
out = ["| workload | option | CPU: estimate | CPU: measured (drift-scaled) [min, max] | error | (plain differences) | wall: estimate | wall: measured (drift-scaled) [min, max] | error | within +-20% CPU / +-25% wall |",
       "|---|---|---|---|---|---|---|---|---|---|"]
for line in open(sys.argv[1]):
    x = json.loads(line)
    base = x["configs"][0]
    bc, bw = statistics.median(base["cpu_s"]), statistics.median(base["wall_s"])
    for c in x["configs"][1:]:
        if c["failed"]:  # what failed, as experiment.json says (its log in build-bench/calibrate/)
            why = c.get("failure", "failed").replace("|", "\\|")
            out.append(f"| {x['workload']} | `{c['id']}` | not measured ({c.get('failure_kind', '?')}): {why} | | | | | | | |")
            continue
        notes = [f"{k}: {c[k]}" for k in ("retry_failure", "analysis_failure") if k in c]
        if notes:  # measured, but a build was done again or a trace not analyzed
            print(f"note: {x['workload']} {c['id']}: " + "; ".join(notes), file=sys.stderr)
        e, m, p = c["estimate"], c["measured"], c.get("measured_plain", c["measured"])
        ec, ew = c["error_pct"].get("cpu", float("inf")), c["error_pct"].get("wall", float("inf"))
        ok = ("pass" if abs(ec) <= 20 else "**miss**") + " / " + ("pass" if abs(ew) <= 25 else "**miss**")
        out.append(f"| {x['workload']} | `{c['id']}` | {e['cpu_s']:.2f} s ({e['cpu_pct']:.1f}%) "
                   f"| {m['cpu_s']:.2f} s ({m['cpu_pct']:.1f}%) [{m['cpu_s_min']:.2f}, {m['cpu_s_max']:.2f}] | {ec:+.0f}% "
                   f"| {p['cpu_s']:.2f} s [{p['cpu_s_min']:.2f}, {p['cpu_s_max']:.2f}] "
                   f"| {e['wall_s']:.2f} s ({e['wall_pct']:.1f}%) | {m['wall_s']:.2f} s ({m['wall_pct']:.1f}%) [{m['wall_s_min']:.2f}, {m['wall_s_max']:.2f}] | {ew:+.0f}% | {ok} |")
    out.append(f"| {x['workload']} | baseline (median) | {bc:.2f} s CPU | | | | {bw:.2f} s wall | | | |")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
cat "$work/check.md"
section="$work/section.md"
{
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -sr), $(rustc --version); $(( ($(date +%s) - t_start) / 60 )) min for the script; load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  echo
  echo "**Fit** ($rounds clean traced builds each of debug = 2, 0 and line-tables-only per workload; constants in use: \`analyzer/advice/estimate_calibration.def\`):"
  echo
  cat "$work/fit.md"
  echo
  echo "**Check** (\`btrace experiment --runs $runs\` on cli-app, \`--runs $syn_runs\` on the synthetic workspace: estimates from its traced baseline build; measured savings are medians of per-round paired differences from the baseline, each option build scaled by the baseline's frontend CPU over its own to take out the machine's speed drift; the plain differences beside; errors compare the shares of the build, estimate against measurement):"
  echo
  cat "$work/check.md"
  echo
  echo "Reproduce: \`bench/calibrate.sh -n $rounds -r $runs -R $syn_runs$([ "$write" = 1 ] && echo " -w")$([ "$only_syn" = 1 ] && echo " -s")\` (the check alone: \`bench/calibrate.sh -c -r $runs -R $syn_runs\`)."
} >"$section"
bench_write_section "$repo/BENCHMARKS.md" calibrate "$section"
