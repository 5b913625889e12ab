#!/usr/bin/env bash
# graph_ab.sh - issue 17's validation of the schedule replay and of the
# dependency removal estimate.
#
# 1. Replay: clean traced builds of a generated workspace (and of
#    ../shared/workloads/cli-app with -c, as many); the replay of the
#    observed schedule (summary.json critical_path.replay_wall_s) against
#    each build's observed wall time.  Nothing in the replay is fitted to
#    the wall: its capacity is the CPUs the units had while 1..JOBS of
#    them ran (schedule.c, estimation.cpus the one at JOBS).  Median and
#    worst of the per-build differences.
# 2. Removal: a generated workspace (a chain of CRATES libraries, gen-
#    synthetic.sh, on top of `long`: one crate of generic functions that
#    nothing instantiates, nearly all frontend on one thread, which lib0
#    waits for) whose app has two optional dependencies behind features:
#    `offpath` (a small crate with no dependencies, codegen-units = 1: it
#    builds on the core `long` leaves idle, so its wall saving is near
#    zero) and `onpath` (a crate on top of the chain's last library: the
#    app waits for it).  Clean traced
#    builds with both features, without `offpath`, without `onpath`,
#    alternating, -n rounds each (default 3); the estimated removal saving
#    of each (summary.json dependencies[].removal_saves_wall_s and
#    _cpu_s, from the builds with both) against the measured one (the
#    medians' difference).  Target: within +-25%.
#
# With -k DIR the traces and reports stay in DIR (one directory a build),
# to replay them again with another btrace.
#
# usage: bench/graph_ab.sh [-n ROUNDS] [-c] [-k DIR]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$(cd "$repo/.." && pwd)/shared"
source "$repo/bench/lib.sh"
export PATH="$HOME/.cargo/bin:$PATH"
rounds=3 cli=0 crates=6 fns=40 keep=""
while getopts "n:ck:" o; do
  case $o in
    n) rounds=$OPTARG ;;
    c) cli=1 ;;
    k) keep=$OPTARG ;;
    *) echo "usage: $0 [-n ROUNDS] [-c] [-k DIR]" >&2; exit 2 ;;
  esac
done
btrace=$(bench_btrace "$repo")
work=$(mktemp -d /tmp/btrace-bench-graph.XXXXXX)
trap 'rm -rf "$work"' EXIT

# the fields of a report's summary.json this script reads
fields() { # DIR [PACKAGE...]: "wall cpu replay cpus" then "pkg save_wall save_cpu" lines
  python3 - "$@" <<'PY'
import json, sys
s = json.load(open(sys.argv[1] + '/report/summary.json'))
# the critical path's units: replayed end against observed end, in % of
# the wall (the fit pins the total only): median and largest |difference|
w = s['session']['wall_s']
e = sorted(abs(u['replay_end_s'] - u['start_s'] - u['wall_s']) / w * 100
           for u in s['critical_path']['units']) or [0]
print(s['session']['wall_s'], s['session']['cpu_s'],
      s['critical_path']['replay_wall_s'], s['estimation']['cpus'],
      s['estimation']['jobs'], s['critical_path']['replay_on_cores_wall_s'],
      s['critical_path']['replay_cores'], e[len(e) // 2], e[-1])
for p in sys.argv[2:]:
    d = [d for d in s['dependencies'] if d['package'] == p]
    print(p, d[0]['removal_saves_wall_s'] if d else 'nan',
          d[0]['removal_saves_cpu_s'] if d else 'nan',
          int(d[0]['critical_path']) if d else 'nan')
PY
}

# ---- the workspace: a chain of libraries, app, two optional deps ----
ws="$work/ws"
bash "$shared/workloads/gen-synthetic.sh" "$ws" "$crates" "$fns" >/dev/null
last=$((crates - 1))
mk_crate() { # NAME FNS DEP
  mkdir -p "$ws/$1/src"
  printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n' "$1" >"$ws/$1/Cargo.toml"
  [ -z "$3" ] || printf '%s = { path = "../%s" }\n' "$3" "$3" >>"$ws/$1/Cargo.toml"
  {
    printf 'use std::fmt::Debug;\n'
    for ((f = 0; f < $2; f++)); do
      printf 'pub fn g%d<T: Debug + Clone>(xs: &[T]) -> String { format!("{:?}-%d", xs.iter().cloned().rev().collect::<Vec<_>>()) }\n' "$f" "$f"
    done
    printf 'pub fn run() -> usize {\n    let mut n = 0;\n'
    for ((f = 0; f < $2; f++)); do
      printf '    n += g%d(&[1u8, 2]).len() + g%d(&["a"]).len() + g%d(&[1.5f64]).len();\n' "$f" "$f" "$f"
    done
    [ -z "$3" ] || printf '    n += %s::run();\n' "$3"
    printf '    n\n}\n'
  } >"$ws/$1/src/lib.rs"
}
mk_crate offpath $((fns * 6)) ""
# long: LONG_FNS generic functions, none instantiated (about 0.9 ms of
# frontend CPU each); lib0 waits for its metadata, so while it builds
# only offpath can run beside it
long_fns=$((fns * 50))
mkdir -p "$ws/long/src"
printf '[package]\nname = "long"\nversion = "0.1.0"\nedition = "2021"\n' >"$ws/long/Cargo.toml"
{
  printf 'use std::fmt::Debug;\n'
  for ((f = 0; f < long_fns; f++)); do
    printf 'pub fn h%d<T: Debug + Clone>(xs: &[T]) -> Vec<String> { let mut v: Vec<String> = xs.iter().map(|x| format!("{:?}-%d", x)).collect(); v.sort(); v.dedup(); v.truncate(%d); v }\n' "$f" "$f" $((f % 5 + 1))
  done
} >"$ws/long/src/lib.rs"
printf 'long = { path = "../long" }\n' >>"$ws/lib0/Cargo.toml"
mk_crate onpath $((fns * 6)) "lib$last"
cat >"$ws/app/Cargo.toml" <<TOML
[package]
name = "app"
version = "0.1.0"
edition = "2021"

[dependencies]
lib$last = { path = "../lib$last" }
offpath = { path = "../offpath", optional = true }
onpath = { path = "../onpath", optional = true }
TOML
cat >"$ws/app/src/main.rs" <<RS
fn main() {
    #[allow(unused_mut)]
    let mut n = lib$last::run();
    #[cfg(feature = "offpath")]
    { n += offpath::run(); }
    #[cfg(feature = "onpath")]
    { n += onpath::run(); }
    println!("{}", n);
}
RS
sed -i 's/^members = \[\(.*\)\]/members = [\1, "offpath", "onpath", "long"]/' "$ws/Cargo.toml"
# offpath on one thread: beside long it takes the idle core only
printf '\n[profile.dev.package.offpath]\ncodegen-units = 1\n' >>"$ws/Cargo.toml"
# the members are app and its libraries' users: only app is primary in
# the build of `-p app` (cargo marks the packages built for the command)
load() { cut -d' ' -f1 /proc/loadavg; }
build() { # NAME FEATURES
  (cd "$ws" && cargo clean -q &&
    nice "$btrace" record -o "$work/$1" -- cargo build -q -p app --features "$2" 2>/dev/null &&
    "$btrace" report -q "$work/$1" 2>/dev/null)
}
: >"$work/rows"
for ((r = 1; r <= rounds; r++)); do
  for cfg in both:offpath,onpath no-off:onpath no-on:offpath; do
    name=${cfg%%:*}
    l0=$(load)
    build "$name-$r" "${cfg#*:}"
    [ -z "$keep" ] || { mkdir -p "$keep" && cp -r "$work/$name-$r" "$keep/"; }
    read -r wall cpu replay cpus jobs rcores ncores pmed pmax < <(fields "$work/$name-$r" | head -1)
    echo "$name $wall $cpu $replay $cpus $jobs $rcores $ncores $l0 $pmed $pmax" >>"$work/rows"
    if [ "$name" = both ]; then
      fields "$work/$name-$r" offpath onpath | tail -n +2 | sed 's/^/est /' >>"$work/rows"
    fi
  done
done
med() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
col() { awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$work/rows" | med; }
ecol() { awk -v p="$1" -v c="$2" '$1 == "est" && $2 == p { print $c }' "$work/rows" | med; }
# the per-build difference of column C (a replayed wall) from the
# observed wall, in %: "median worst" (worst: the largest in size)
pdiff() { awk -v n="$1" -v c="$2" '$1 == n { print 100 * ($c - $2) / $2 }' "$work/rows" |
  sort -g | awk '{ a[NR] = $1; x = $1 < 0 ? -$1 : $1; if (x >= w) { w = x; ws = $1 } }
    END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, ws }'; }
wall_both=$(col both 2) cpu_both=$(col both 3)

# ---- cli-app, ROUNDS clean builds; the time the graph work adds to its report ----
speed=""
if [ "$cli" = 1 ]; then
  cp -r "$shared/workloads/cli-app" "$work/cli" && chmod -R u+w "$work/cli"
  for ((r = 1; r <= rounds; r++)); do
    l0=$(load)
    (cd "$work/cli" && cargo clean -q && nice "$btrace" record -o "$work/cli-t" -- cargo build --offline -q 2>/dev/null &&
      "$btrace" report -q "$work/cli-t" 2>/dev/null)
    [ -z "$keep" ] || { mkdir -p "$keep" && cp -r "$work/cli-t" "$keep/cli-$r"; }
    read -r wall cpu replay cpus jobs rcores ncores pmed pmax < <(fields "$work/cli-t" | head -1)
    echo "cli $wall $cpu $replay $cpus $jobs $rcores $ncores $l0 $pmed $pmax" >>"$work/rows"
    [ "$r" = "$rounds" ] || rm -rf "$work/cli-t"
  done
  # The graph phase (schedule, package graph, critical path with the
  # speed-up replays, dependency costs, idle cores, proc macros) is timed
  # by BTRACE_DEBUG; its outputs are parts of summary.txt, summary.json
  # and trace.json, whose phases are timed whole.  11 reports, medians.
  for ((k = 0; k < 11; k++)); do
    /usr/bin/time -f "total %e" env BTRACE_DEBUG=1 "$btrace" report -q "$work/cli-t" 2>&1 >/dev/null |
      awk '/^btrace report: graph / { g = $4 } /^btrace report: summary.txt/ { t = $4 }
           /^btrace report: summary.json/ { j = $4 } /^btrace report: trace.json/ { c = $4 }
           /^total / { w = $2 } END { print g, t + j + c, w }'
  done >"$work/speed"
  speed="$(awk '{ print $1 }' "$work/speed" | med) $(awk '{ print $2 }' "$work/speed" | med) $(awk '{ print $3 }' "$work/speed" | med) $(load)"
fi

section="$work/section.md"
{
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -sr), $(rustc --version), $rounds clean traced builds of each configuration (alternating)$( [ "$cli" = 1 ] && echo " and of cli-app"), medians. Workspace: gen-synthetic.sh $crates crates x $fns functions (a chain) on top of \`long\` ($((fns * 50)) generic functions nothing instantiates: one thread of frontend that lib0 waits for), app with two optional dependencies (\`offpath\`: no dependencies, codegen-units = 1, builds beside \`long\`; \`onpath\`: on top of the chain's last library)."
  echo
  echo "Nothing in the replay is fitted to the wall: its capacity is what the observed units had while 1, 2, .. JOBS of them ran (schedule.c; the column gives the one at JOBS), which takes in the other load on the machine and the units' own time off the CPU.  Difference: per build, median (worst).  \"On every core\": the same work on min(cores, jobs) CPUs at every count, what the build would take with the cores to itself and no time off the CPU.  Load: the 1-minute load average before each build, median.  The last column: each critical-path unit's replayed end against its observed end, in % of the wall, median (largest) over the path's units."
  echo
  echo "| replay of the observed schedule | observed wall | replayed | difference | on every core | difference | CPUs at -j / cores | load | path units' ends |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for n in both no-off no-on cli; do
    grep -q "^$n " "$work/rows" || continue
    read -r dm dw < <(pdiff "$n" 4)
    read -r cm cw < <(pdiff "$n" 7)
    label="workspace, $n"
    [ "$n" = cli ] && label="cli-app"
    awk -v n="$label" -v w="$(col $n 2)" -v r="$(col $n 4)" -v dm="$dm" -v dw="$dw" -v rc="$(col $n 7)" -v cm="$cm" -v cw="$cw" -v c="$(col $n 5)" -v k="$(col $n 8)" -v l="$(col $n 9)" -v pm="$(col $n 10)" -v px="$(col $n 11)" \
      'BEGIN { printf "| %s | %.2f s | %.2f s | %+.1f%% (%+.1f%%) | %.2f s | %+.1f%% (%+.1f%%) | %.2f / %d | %.1f | %.1f%% (%.1f%%) |\n", n, w, r, dm, dw, rc, cm, cw, c, k, l, pm, px }'
  done
  echo
  echo "| removing | on the critical path | estimated wall saving | measured | estimated CPU saving | measured |"
  echo "|---|---|---|---|---|---|"
  for p in offpath onpath; do
    case $p in offpath) n=no-off ;; onpath) n=no-on ;; esac
    awk -v p="$p" -v cp="$(ecol $p 5)" -v ew="$(ecol $p 3)" -v ec="$(ecol $p 4)" \
      -v mw="$(awk -v a="$wall_both" -v b="$(col $n 2)" 'BEGIN { print a - b }')" \
      -v mc="$(awk -v a="$cpu_both" -v b="$(col $n 3)" 'BEGIN { print a - b }')" \
      'BEGIN { printf "| %s | %s | %.2f s | %.2f s | %.2f s | %.2f s |\n", p, cp == 1 ? "yes" : "no", ew, mw, ec, mc }'
  done
  if [ -n "$speed" ]; then
    echo
    echo "$speed" | awk '{ printf "Speed (target: < 100 ms added to a cli-app report): on the last cli-app trace, the graph phase (schedule, critical path and speed-up replays, dependency costs, idle cores, proc macros) takes %.0f ms, median of 11 reports; the three writers that carry its sections (summary.txt, summary.json, trace.json) %.0f ms in all, graph sections included; the whole report %.2f s (load %.1f).\n", $1 * 1000, $2 * 1000, $3, $4 }'
  fi
  echo
  echo "Reproduce: \`nice bench/graph_ab.sh -n $rounds$( [ "$cli" = 1 ] && echo ' -c')\`."
} >"$section"
cat "$section"
bench_write_section "$repo/BENCHMARKS.md" graph-ab "$section"
