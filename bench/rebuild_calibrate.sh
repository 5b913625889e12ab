#!/usr/bin/env bash
# rebuild_calibrate.sh - the estimates of the edit-rebuild loop against
# `btrace experiment --touch`, and what tracing a rebuild costs.
#
# Scenarios (each in a copy of its workload):
#   cli-app main    ../shared/workloads/cli-app, touch src/main.rs
#   cli-app lib     the same with its Summary and count() moved into a
#                   workspace library, scan-core, that the binary depends
#                   on (cli-app itself is one package); touch
#                   scan-core/src/lib.rs
#   synthetic main  gen-synthetic.sh 20 crates x 600 functions, members
#                   app and lib19 (lib0-lib18 are path dependencies
#                   outside the members, so that debuginfo-deps-off has
#                   dependencies to act on); touch app/src/main.rs.  Its
#                   size is chosen so that the savings are resolvable:
#                   at 12 x 150 they were 6-34 ms per rebuild, at 12 x
#                   600 debuginfo-off's was 60 ms, at 20 x 600 it is
#                   above 100 ms (docs/estimation.md, "Rebuilds"); a
#                   full build of it takes about a minute of CPU
#   synthetic lib   the same; touch lib19/src/lib.rs (the binary's
#                   member library)
#
#  1. Accuracy: `btrace experiment --touch FILE --runs R` per scenario: a
#     full build per option in its own target dir, the estimates from one
#     traced rebuild, then R interleaved rounds of touch + rebuild (plain).
#     Table: each estimate's share of its rebuild against the measured
#     saving's share of the baseline's median rebuild (the error
#     `btrace experiment` prints), with the median's 95% interval, and
#     "unresolved" where it is wider than the target; targets +-20% (CPU)
#     and +-25% (wall).  Options the traced rebuild found nothing to do
#     for are listed with its reason.
#  2. Overhead: per scenario, after a full build, -n rounds of touch +
#     rebuild untraced and touch + rebuild under `btrace record` (the
#     order alternates); the median of the per-round ratios traced /
#     untraced of wall and CPU, with the medians' 95% intervals
#     (bench/verdicts.py).  Target: wall <= +3%.
# The per-run experiment.json files stay in build-bench/rebuild/.
# -k DIR keeps the whole run in DIR (made afresh): the workload copies
# with their target dirs, experiment.json per scenario (exp-*/), and the
# trace of every traced overhead round (traces/SCENARIO-ROUND), whose
# link inputs stay where the traces name them, so that
# bench/rebuild_replay.sh DIR can replay the estimates with another
# btrace against this run's measured savings.
# Writes the tables into BENCHMARKS.md (section "rebuild").
#
# usage: bench/rebuild_calibrate.sh [-r RUNS] [-n OVERHEAD_ROUNDS] [-s] [-m] [-o|-a] [-k DIR] [-t TAG]
#   -r  experiment rounds per scenario (default 30)
#   -n  overhead rounds per scenario (default 30)
#   -s  the synthetic scenarios only (a quick run)
#   -m  the main scenarios only (touch the binary's main.rs); the lib
#       scenarios' accuracy rows are kept from the section's earlier run,
#       marked so (bench/run.sh: each experiment's six full builds are
#       most of this script's time, and the budget is 45 minutes)
#   -o  the overhead only (keeps the accuracy table in BENCHMARKS.md)
#   -a  the accuracy only (keeps the overhead table in BENCHMARKS.md)
#   -k  keep the run in DIR (above)
#   -t  write section rebuild-TAG instead of rebuild (a run beside the
#       main one, e.g. -s -a with more rounds for the small savings;
#       with -a it has no overhead table)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$(cd "$repo/.." && pwd)/shared"
source "$repo/bench/lib.sh"
export PATH="$HOME/.cargo/bin:$PATH"
runs=30 ov_rounds=30 only_syn=0 only_overhead=0 only_accuracy=0 only_main=0 keep="" tag=""
while getopts "r:n:smoak:t:" o; do
  case $o in
    r) runs=$OPTARG ;;
    n) ov_rounds=$OPTARG ;;
    s) only_syn=1 ;;
    m) only_main=1 ;;
    o) only_overhead=1 ;;
    a) only_accuracy=1 ;;
    k) keep=$OPTARG ;;
    t) tag=$OPTARG ;;
    *) echo "usage: $0 [-r RUNS] [-n OVERHEAD_ROUNDS] [-s] [-m] [-o|-a] [-k DIR] [-t TAG]" >&2; exit 2 ;;
  esac
done
btrace=$(bench_btrace "$repo")
commit=$(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- analyzer common preload || echo "+changes")
if [ -n "$keep" ]; then
  rm -rf "$keep" && mkdir -p "$keep/traces" && work=$(cd "$keep" && pwd)
else
  work=$(mktemp -d /tmp/btrace-bench-rebuild.XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi
t_start=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$repo/build-bench/rebuild"

# The workloads.
bench_synthetic "$shared" "$work/synthetic" 20 600 app lib19
scenarios=("synthetic main synthetic app/src/main.rs" "synthetic lib synthetic lib19/src/lib.rs")
if [ "$only_syn" = 0 ]; then
  "$shared/workloads/install-debian-crates.sh" >/dev/null
  cp -r "$shared/workloads/cli-app" "$work/cli-app" && chmod -R u+w "$work/cli-app"
  cp -r "$work/cli-app" "$work/cli-app-lib"
  # cli-app with a workspace library: Summary and count() move to scan-core
  python3 - "$work/cli-app-lib" <<'PY'
import re, sys
d = sys.argv[1]
main = open(f"{d}/src/main.rs").read()
summary = re.search(r"#\[derive\(Serialize, Deserialize, Debug, Default\)\]\nstruct Summary \{.*?\n\}\n", main, re.S).group(0)
count = re.search(r"fn count\(.*?\n\}\n", main, re.S).group(0)
main = main.replace(summary, "").replace(count, "")
main = main.replace("use tokio::io::AsyncReadExt;\n", "use tokio::io::AsyncReadExt;\nuse scan_core::{count, Summary};\n")
lib = ("//! Counting matches: the library half of cli-app.\n\nuse std::collections::BTreeMap;\n\n"
       "use rayon::prelude::*;\nuse regex::Regex;\nuse serde::{Deserialize, Serialize};\n\n"
       + summary.replace("struct Summary {", "pub struct Summary {")
                .replace("    pattern:", "    pub pattern:").replace("    matches:", "    pub matches:").replace("    total:", "    pub total:")
       + "\n" + count.replace("fn count(", "pub fn count("))
import os
os.makedirs(f"{d}/scan-core/src", exist_ok=True)
open(f"{d}/scan-core/src/lib.rs", "w").write(lib)
open(f"{d}/src/main.rs", "w").write(main)
open(f"{d}/scan-core/Cargo.toml", "w").write(
    '[package]\nname = "scan-core"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n'
    '[dependencies]\nrayon = "1"\nregex = "1"\nserde = { version = "1", features = ["derive"] }\n')
toml = open(f"{d}/Cargo.toml").read()
toml = toml.replace("[dependencies]\n", '[dependencies]\nscan-core = { path = "scan-core" }\n', 1)
toml += '\n[workspace]\nmembers = [".", "scan-core"]\n'
open(f"{d}/Cargo.toml", "w").write(toml)
PY
  scenarios=("cli-app main cli-app src/main.rs" "cli-app lib cli-app-lib scan-core/src/lib.rs" "${scenarios[@]}")
fi
if [ "$only_main" = 1 ]; then
  kept=()
  for s in "${scenarios[@]}"; do
    [[ $s == *" main "* ]] && kept+=("$s")
  done
  scenarios=("${kept[@]}")
fi
# the overhead rounds rebuild in the workload's own target/: build it
# (btrace experiment builds in target dirs of its own, so -a needs none)
for s in "${scenarios[@]}"; do
  [ "$only_accuracy" = 1 ] && break
  read -r _ _ dir _ <<<"$s"
  [ -e "$work/$dir/target/.built" ] && continue
  (cd "$work/$dir" && cargo build --offline -q >/dev/null 2>&1) || { echo "$dir does not build" >&2; exit 1; }
  touch "$work/$dir/target/.built"
done

# 1. accuracy
: >"$work/check.jsonl"
for s in "${scenarios[@]}"; do
  [ "$only_overhead" = 1 ] && break
  read -r w kind dir file <<<"$s"
  echo "experiment: $w $kind (touch $file, $runs rounds)" >&2
  (cd "$work/$dir" && "$btrace" experiment --touch "$file" --runs "$runs" -o "$work/exp-$w-$kind" \
    -- cargo build --offline -q >"$work/exp-$w-$kind.out" 2>&1) ||
    { echo "experiment failed:" >&2; tail -5 "$work/exp-$w-$kind.out" >&2; exit 1; }
  cp "$work/exp-$w-$kind/experiment.json" "$repo/build-bench/rebuild/experiment-$w-$kind.json"
  python3 -c 'import json,sys; x=json.load(open(sys.argv[1])); x["scenario"]=sys.argv[2]; print(json.dumps(x))' \
    "$work/exp-$w-$kind/experiment.json" "$w, touch $file" >>"$work/check.jsonl"
done
python3 - "$work/check.jsonl" "$work/check.md" "$repo/bench" <<'PY'
import json, sys, statistics
sys.path.insert(0, sys.argv[3])
from verdicts import estimate_verdict
def ci_cell(m, key):
    ci = m.get(key + "_ci")
    return f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "(under 6 rounds)"
out = ["| scenario | option | CPU: estimate | CPU: measured [95% CI] | error | wall: estimate | wall: measured [95% CI] | error | within +-20% CPU / +-25% wall |",
       "|---|---|---|---|---|---|---|---|---|"]
for line in open(sys.argv[1]):
    x = json.loads(line)
    sc = x["scenario"]
    base = x["configs"][0]
    bc, bw = statistics.median(base["cpu_s"]), statistics.median(base["wall_s"])
    for c in x["configs"][1:]:
        if c["failed"]:
            out.append(f"| {sc} | `{c['id']}` | not measured: {c.get('failure', 'a build failed')} | | | | | | |")
            continue
        e, m = c["estimate"], c["measured"]
        ec, ew = c["error_pct"].get("cpu", float("inf")), c["error_pct"].get("wall", float("inf"))
        ok = estimate_verdict(ec, m, "cpu_s", 20) + " / " + estimate_verdict(ew, m, "wall_s", 25)
        if c["id"].startswith("linker-"):
            ok = "(not a target)"
        out.append(f"| {sc} | `{c['id']}` | {e['cpu_s']:.3f} s ({e['cpu_pct']:.1f}%) "
                   f"| {m['cpu_s']:.3f} s ({m['cpu_pct']:.1f}%) {ci_cell(m, 'cpu_s')} | {ec:+.0f}% "
                   f"| {e['wall_s']:.3f} s ({e['wall_pct']:.1f}%) | {m['wall_s']:.3f} s ({m['wall_pct']:.1f}%) {ci_cell(m, 'wall_s')} | {ew:+.0f}% | {ok} |")
    for n in x.get("not_measured", []):
        if n["id"].startswith("debuginfo") or n["id"].startswith("split"):
            out.append(f"| {sc} | `{n['id']}` | not measured: {n['reason']} | | | | | | **miss** |")
    out.append(f"| {sc} | baseline rebuild (median of {x['runs']}) | {bc:.3f} s CPU | [{min(base['cpu_s']):.3f}, {max(base['cpu_s']):.3f}] | | {bw:.3f} s wall | [{min(base['wall_s']):.3f}, {max(base['wall_s']):.3f}] | | |")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
if [ "$only_main" = 1 ] && [ "$only_overhead" = 0 ]; then
  # the lib scenarios' rows of the earlier table, marked
  python3 - "$repo/BENCHMARKS.md" "$work/check.md" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"<!-- rebuild:begin -->.*?\*\*Accuracy\*\*.*?\n\n(\|.*?)\n\n", text, re.S)
mark = " (earlier run)"
rows = []
for line in (m.group(1).split("\n") if m else []):
    cells = line.split("|")
    if len(cells) > 2 and "touch" in cells[1] and "/lib.rs" in cells[1]:
        cells[1] = " " + cells[1].strip().replace(mark, "") + mark + " "
        rows.append("|".join(cells))
with open(sys.argv[2], "a") as f:
    f.write("".join(r + "\n" for r in rows))
PY
fi
[ "$only_overhead" = 1 ] || cat "$work/check.md"

# 2. overhead of tracing a rebuild: paired rounds, order alternating
: >"$work/overhead.tsv"
TIMEFORMAT='%3R %3U %3S'
for s in "${scenarios[@]}"; do
  [ "$only_accuracy" = 1 ] && break
  read -r w kind dir file <<<"$s"
  echo "overhead: $w $kind ($ov_rounds rounds)" >&2
  for ((r = 1; r <= ov_rounds; r++)); do
    modes=(plain traced)
    ((r % 2)) || modes=(traced plain)
    for m in "${modes[@]}"; do
      cmd=(cargo build --offline -q)
      [ "$m" = traced ] && cmd=("$btrace" record -o "$work/ot" -- "${cmd[@]}")
      touch "$work/$dir/$file"
      t=$( { time (cd "$work/$dir" && "${cmd[@]}" >/dev/null 2>&1); } 2>&1)
      if [ -n "$keep" ] && [ "$m" = traced ]; then
        mv "$work/ot" "$work/traces/$w-$kind-$r"
      else
        rm -rf "$work/ot"
      fi
      printf '%s\t%s\t%d\t%s\t%s\n' "$w $kind" "$m" "$r" "$file" "$t" >>"$work/overhead.tsv"
    done
  done
done
[ "$only_accuracy" = 1 ] || python3 - "$work/overhead.tsv" "$work/overhead.md" "$repo/bench" <<'PY'
import sys, statistics, collections
sys.path.insert(0, sys.argv[3])
from verdicts import median_ci, rebuild_overhead_verdict
rows = collections.defaultdict(dict)
files = {}
for line in open(sys.argv[1]):
    sc, m, r, f, t = line.rstrip("\n").split("\t")
    real, user, sys_ = map(float, t.split())
    rows[(sc, int(r))][m] = (real, user + sys_)
    files[sc] = f
def ci(xs):
    c = median_ci(xs)
    return f"[{100 * (c[0] - 1):+.1f}%, {100 * (c[1] - 1):+.1f}%]" if c else "(under 6 rounds)"
out = ["| scenario | rounds | untraced rebuild: wall / CPU (medians) | traced: wall / CPU | wall ratio traced / untraced: median [95% CI] | CPU ratio: median [95% CI] | within +3% wall |",
       "|---|---|---|---|---|---|---|"]
for sc in dict.fromkeys(k[0] for k in rows):
    pairs = [v for (s, _), v in rows.items() if s == sc and len(v) == 2]
    wr = [p["traced"][0] / p["plain"][0] for p in pairs]
    cr = [p["traced"][1] / p["plain"][1] for p in pairs if p["plain"][1] > 0]
    med = lambda i, m: statistics.median(p[m][i] for p in pairs)
    w = statistics.median(wr)
    out.append(f"| {sc}, touch {files[sc]} | {len(pairs)} | {med(0, 'plain'):.3f} s / {med(1, 'plain'):.3f} s "
               f"| {med(0, 'traced'):.3f} s / {med(1, 'traced'):.3f} s "
               f"| {100 * (w - 1):+.1f}% {ci(wr)} "
               f"| {100 * (statistics.median(cr) - 1):+.1f}% {ci(cr)} "
               f"| {rebuild_overhead_verdict(wr)} |")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
[ "$only_accuracy" = 1 ] || cat "$work/overhead.md"

section="$work/section.md"
old_check="$work/old_check.md"
if [ "$only_overhead" = 1 ]; then
  python3 - "$repo/BENCHMARKS.md" "$old_check" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"<!-- rebuild:begin -->.*?(\*\*Accuracy\*\*.*?)\n\n(\(The overhead table.*?\n\n)?\*\*Overhead", text, re.S)
open(sys.argv[2], "w").write((m.group(1) if m else "**Accuracy**: (not measured yet)") + "\n")
PY
fi
old_overhead="$work/old_overhead.md"
if [ "$only_accuracy" = 1 ]; then
  python3 - "$repo/BENCHMARKS.md" "$old_overhead" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"<!-- rebuild:begin -->.*?(\*\*Overhead\*\*.*?)\n\nReproduce", text, re.S)
open(sys.argv[2], "w").write((m.group(1) if m else "**Overhead**: (not measured yet)") + "\n")
PY
fi
{
  echo "Measured $(date -u +%Y-%m-%d) with btrace $commit on $(nproc) cores, $(uname -sr), $(rustc --version), linker of the baseline: $(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline()).get("baseline_linker"))' "$work/check.jsonl" 2>/dev/null || echo "?"); $(( ($(date +%s) - t_start) / 60 )) min for the script; load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  echo
  if [ "$only_overhead" = 1 ]; then
    echo "(The accuracy table below is from an earlier run of this script, whose command and workloads its commit in the history of this file gives; \`-o\` kept it.)"
    echo
    cat "$old_check"
  else
    [ "$only_main" = 1 ] && echo "(\`-m\`: the scenarios that touch a library were not run this time; their rows, marked (earlier run), are from an earlier run of this script, which the history of this file dates.)" && echo
    echo "**Accuracy** (\`btrace experiment --touch FILE --runs $runs\` per scenario: a full build per option in its own target dir; estimates from one traced rebuild of the baseline; measured savings are medians of the per-round paired differences from the baseline over $runs interleaved rounds of touch + rebuild, plain (no drift scaling: docs/estimation.md), with the median's 95% confidence interval beside; errors compare the shares of the rebuild, estimate against measurement; a verdict is marked unresolved where that interval is wider than its target, too few rounds to tell: docs/estimation.md, \"Whether a run resolves the target\"):"
    echo
    cat "$work/check.md"
  fi
  echo
  if [ "$only_accuracy" = 1 ] && [ -n "$tag" ]; then
    echo "(No overhead measured: \`-a\`; the rebuild section has it.)"
  elif [ "$only_accuracy" = 1 ]; then
    echo "(The overhead table below is from the previous full run of this script; \`-a\` kept it. \`bench/run.sh\` measures the overhead of cli-app's rebuild in the peers section instead.)"
    echo
    cat "$old_overhead"
  else
    echo "**Overhead** of tracing a rebuild (\`btrace record\`, default sampling; $ov_rounds paired rounds per scenario of touch + rebuild untraced and traced, the order alternating; ratios per round; wall from bash's time, CPU user+sys of the whole build):"
    echo
    cat "$work/overhead.md"
  fi
  echo
  echo "Reproduce: \`bench/rebuild_calibrate.sh -r $runs -n $ov_rounds$([ "$only_syn" = 1 ] && echo " -s")$([ "$only_main" = 1 ] && echo " -m")$([ "$only_overhead" = 1 ] && echo " -o")$([ "$only_accuracy" = 1 ] && echo " -a")$([ -n "$tag" ] && echo " -t $tag")\`."
} >"$section"
bench_write_section "$repo/BENCHMARKS.md" "rebuild${tag:+-$tag}" "$section"
