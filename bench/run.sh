#!/usr/bin/env bash
# run.sh - every figure of BENCHMARKS.md from one command (issue 19).
#
# Runs the section scripts of bench/ in turn, each of which rewrites its
# own section of BENCHMARKS.md (bench_write_section in lib.sh), then
# writes the header (section "run": date, machine, toolchains, workloads,
# load average at the start and the end, what each section script did
# and how long it took) and the plots (bench/plot.py, from the tables
# just written, into bench/plots/; section "plots").
#
# The plan below is the one place that says which script runs with which
# options, and how long each is expected to take.  Issue 19's budget:
# the full run within 45 minutes on 2 cores, --quick within 5 (fewer
# rounds, smaller workloads, sections marked as quick; sections it does
# not run keep their earlier figures, and the header says so).  The
# sections that need a clean cli-app build or many of them (time-passes,
# debuginfo-ab, calibrate, rebuild) and robustness (fuzzing for a set
# time) cannot be quick and are not run.  A section whose tool is
# missing, or whose script fails, keeps its earlier figures and the
# header says why; the script then exits 1.
#
# The budget guard: each section's time is printed as it ends, with the
# time so far and, when the estimates of the sections still to run would
# take the run past the budget, a warning; the header gives the total
# against the budget and says so when it is missed.  --list prints the
# estimates and their sum.  The build of btrace itself (cmake, before the
# first section) counts in the total and has its own row.
#
# Dependencies: scripts/deps.sh bench installs what the sections use
# (perf from Debian's linux-perf, GNU time, clang for the fuzzers, mold);
# when that is not possible (no root, no network) the run goes on and the
# sections whose tools are missing are skipped with a note.  hyperfine
# (in Debian) is not used: it runs each command's rounds back to back,
# and these figures need the tools interleaved within each round.
#
# usage: bench/run.sh [--quick] [--only S,...] [--skip S,...] [--no-deps]
#        bench/run.sh --list [--quick]   the plan, one section a line,
#                                        with its estimated time and
#                                        their total against the budget
#        bench/run.sh --check            checks the plan against the
#                                        scripts (exists, parses, takes
#                                        the options given, writes its
#                                        section) and plot.py against
#                                        BENCHMARKS.md; exit 1 on a problem
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

# The plan: section|script|full options|quick options ("-": not run with
# --quick)|commands it needs (Debian package in parentheses)|estimated
# seconds, full run|estimated seconds, --quick.
#
# The estimates, in seconds on 2 quiet cores, come from each section's
# own figures (its "N min for the script" in BENCHMARKS.md and the
# history of that file, its rounds and build times) and single builds
# timed on 2026-12-05: a clean cli-app build is 13.2 s wall, 24.3 s CPU
# quiet; at load 3 it was 16.9 s / 25.3 s untraced, with CPU +12% under
# perf fp, +4% perf dwarf, +8% -Z self-profile (408 MB); `cargo clean`
# 0.6 s; the 40-crate workspace 4.5 s wall at load 15 (a chain of
# crates: wall about CPU); perf script on the last build's data 2 s;
# gen_trace 5 M samples 4.4 s quiet (50 M: about 45 s), sync 1 s.
# "before" is the plan as it was (never run in full), for comparison;
# "after" was then set to each section's time in the first full run
# (87a7531, 39.0 min quiet: BENCHMARKS.md's header) with a little over,
# where that run found the first estimate far off.
# --quick's estimates: its sections took 42 to 84 s in all at load 3 to
# 4 on 2026-12-05 (peers 15 s), 3 min at load 30.
#
#   section       before  after  the after figure
#   (build)            -     45  build-bench 17 s and build-bench-tests'
#                                programs 17 s from scratch; before, in
#                                the sections (robustness: every test)
#   peers           1030    830  cli-app: 44 clean builds (5 rounds of 8
#                                tools, 2 more of untraced and sampled),
#                                ~15 s each with cargo clean: 660; the
#                                40-crate workspace, 44 x ~4.5 s: 210; the
#                                cli-app rebuild, 44 x ~0.6 s, warm from
#                                the clean builds' dirs: 30 (before: 8
#                                full builds, 140); growth 30; depth 10
#   overhead          20     20  the example: 21 clean builds x ~0.8 s
#   report            45     30  3 example and 1 cli-app traced --timings
#                                builds, 5 reports
#   scale            795    560  the 0.5 and 5 M grid and the variants:
#                                3 min (2822f58); the 50 M cells: about
#                                45 s to generate, 50 s a report, run
#                                once (-T 20; before, 3 times each)
#   time-passes       60     40  2 clean traced cli-app builds
#   debuginfo-ab      30     30  2 clean traced cli-app builds
#   calibrate        480    560  cli-app: 31 traced clean builds (-r 5,
#                                issue 19's 5 of each; -r 3 took 19 and 4
#                                min of 6.8 in 87a7531's run), 6.5 min;
#                                the 10 x 240 workspace: 6 s a build, 6 x
#                                -R + 1 of them (-R 5; 8 before: the
#                                check took 8 of the 11 min of 1f68e8b's
#                                run with the fit)
#   rebuild          590    290  -m: 2 scenarios x (6 full builds + 10
#                                rounds x 6 rebuilds; synthetic main
#                                alone, -r 2 at load 3: 217 s); before: 4
#                                scenarios (10 min at -r 15), 3 builds of
#                                its own and 4 x 10 overhead rounds
#                                (peers measures cli-app's)
#   stress            20     15  10 traced example builds (ctest: 14 s)
#   robustness       270    150  storm 8 s, 10 concurrent builds 15, 20
#                                kills 14, damaged traces 17, 4 fuzzers x
#                                20 s, their build (all of it at -t 2: 41
#                                s; before: the whole test tree built too)
#   history           20     70  SQLite fill 16 s; -p: PostgreSQL's 35 s
#   diff-speed        45     25  15 x (1 vs 1 and 3 vs 3 diffs)
#   total           3405   2665  57 min before (and its builds); 44.4 after
plan=(
  "peers|peers.sh|-n 5 -x 7 -w cli-app,synthetic,cli-app-rebuild -c 40 -f 10 -p 100|-n 3 -w synthetic-rebuild -c 8 -f 2 -p 10|cargo|830|30"
  "overhead|overhead.sh|-n 7 -w example|-n 3 -w example|cargo|20|12"
  "report|report.sh|-n 3|-n 1 -w example|cargo /usr/bin/time(time)|30|5"
  "scale|scale.sh|-n 3 -v 5000000 -T 20|-p 100,1000 -s 100000,500000 -n 1 -v 0|/usr/bin/time(time)|560|15"
  "time-passes|time_passes.sh||-|cargo|40|0"
  "debuginfo-ab|debuginfo_ab.sh|-n 1|-|cargo|30|0"
  "calibrate|calibrate.sh|-c -r 5 -R 5|-|cargo mold(mold)|560|0"
  "rebuild|rebuild_calibrate.sh|-r 10 -m -a|-|cargo mold(mold)|290|0"
  "stress|stress.sh|-n 10|-n 2|cargo|15|5"
  "robustness|robustness.sh|-t 20 -k 20 -c 10 -s 1|-|cargo clang(clang)|150|0"
  "history|history.sh|-b 10000 -u 50 -n 7 -p|-b 500 -u 20 -n 3||70|3"
  "diff-speed|diff_speed.sh|-n 15|-n 3|/usr/bin/time(time)|25|8"
)
# the build of btrace before the first section (cmake), estimated seconds
# full and quick: incremental after a change to the shim or the analyzer
build_est=(45 45)
budget_min=(45 5) # issue 19

quick=0 mode=run only="" skip="" deps=1
while (($#)); do
  case $1 in
    --quick) quick=1 ;;
    --list) mode=list ;;
    --check) mode=check ;;
    --only) only=${2:?--only needs a list}; shift ;;
    --skip) skip=${2:?--skip needs a list}; shift ;;
    --no-deps) deps=0 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [--quick] [--only S,...] [--skip S,...] [--no-deps] | --list [--quick] | --check" >&2; exit 2 ;;
  esac
  shift
done

# field N ENTRY
field() { echo "$2" | cut -d'|' -f"$1"; }
opts_of() { # ENTRY: the options of this run, or "-"
  if ((quick)); then field 4 "$1"; else field 3 "$1"; fi
}
est_of() { # ENTRY: its estimated seconds in this run (0: not run)
  [ "$(opts_of "$1")" = - ] && { echo 0; return; }
  field $((6 + quick)) "$1"
}
dur() { # SECONDS: "N s" under two minutes, else "N.N min"
  awk -v s="$1" 'BEGIN { if (s < 120) printf "%d s", s; else printf "%.1f min", s / 60 }'
}
budget=${budget_min[quick]}
selected() { # NAME
  [ -z "$only" ] || [[ ",$only," == *",$1,"* ]] || return 1
  [[ ",$skip," != *",$1,"* ]]
}

if [ "$mode" = list ]; then
  total=${build_est[quick]}
  printf '%-13s %9s  %s\n' "(build)" "$(dur "$total")" "cmake: build-bench, build-bench-tests"
  for e in "${plan[@]}"; do
    o=$(opts_of "$e") t=$(est_of "$e")
    total=$((total + t))
    if [ "$o" = - ]; then
      printf '%-13s %9s  (not run with --quick)\n' "$(field 1 "$e")" -
    else
      printf '%-13s %9s  bench/%s\n' "$(field 1 "$e")" "$(dur "$t")" "$(field 2 "$e")${o:+ $o}"
    fi
  done
  printf '%-13s %9s  estimated, against a budget of %d min on 2 quiet cores (issue 19)\n' total "$(dur "$total")" "$budget"
  exit 0
fi

if [ "$mode" = check ]; then
  bad=0
  problem() { echo "run.sh --check: $*" >&2; bad=1; }
  for n in $(echo "$only,$skip" | tr , ' '); do
    printf '%s\n' "${plan[@]}" | cut -d'|' -f1 | grep -qxF "$n" || problem "--only/--skip: no section $n"
  done
  for e in "${plan[@]}"; do
    name=$(field 1 "$e") script="$repo/bench/$(field 2 "$e")"
    [ -f "$script" ] || { problem "$name: bench/$(field 2 "$e") does not exist"; continue; }
    bash -n "$script" 2>/dev/null || problem "$name: bench/$(field 2 "$e") does not parse (bash -n)"
    # the section NAME, or NAME-TAG with the script's -t TAG
    grep -qF -e "bench_write_section \"\$repo/BENCHMARKS.md\" $name " \
      -e "bench_write_section \"\$repo/BENCHMARKS.md\" \"$name\${tag:+-\$tag}\" " "$script" ||
      problem "$name: bench/$(field 2 "$e") does not write section $name"
    grep -q "<!-- $name:begin -->" "$repo/BENCHMARKS.md" || problem "$name: BENCHMARKS.md has no section $name"
    letters=$(sed -n 's/.*while getopts "\([^"]*\)".*/\1/p' "$script" | head -n 1)
    for o in "$(field 3 "$e")" "$(field 4 "$e")"; do
      [ "$o" = - ] && continue
      set -- $o
      while (($#)); do
        case $1 in
          -?)
            l=${1#-}
            if [[ $letters != *"$l"* ]]; then
              problem "$name: bench/$(field 2 "$e") has no option -$l (its getopts: \"$letters\")"
            elif [[ $letters == *"$l:"* ]]; then
              [ $# -ge 2 ] || problem "$name: -$l needs a value"
              shift
            fi ;;
          *) problem "$name: option word '$1' is not a single-letter option" ;;
        esac
        shift
      done
    done
  done
  for s in run plots; do
    grep -q "<!-- $s:begin -->" "$repo/BENCHMARKS.md" || problem "BENCHMARKS.md has no section $s"
  done
  # the estimates: a number for each section, and their sum in the budget
  for q in 0 1; do
    sum=${build_est[q]}
    for e in "${plan[@]}"; do
      t=$(field $((6 + q)) "$e")
      [[ $t =~ ^[0-9]+$ ]] || { problem "$(field 1 "$e"): no estimated seconds in field $((6 + q)) of its plan entry"; continue; }
      [ "$(field $((3 + q)) "$e")" = - ] || sum=$((sum + t))
    done
    ((sum <= budget_min[q] * 60)) ||
      problem "the plan's estimates$( ((q)) && echo ' for --quick') add up to $(dur "$sum"): over the budget of ${budget_min[q]} min"
  done
  tmp=$(mktemp -d)
  python3 "$repo/bench/plot.py" "$repo/BENCHMARKS.md" "$tmp" >/dev/null || problem "plot.py cannot read BENCHMARKS.md's tables"
  rm -rf "$tmp"
  ((bad == 0)) && echo "run.sh --check: ${#plan[@]} sections, every script, option and section in place; plot.py reads BENCHMARKS.md"
  exit "$bad"
fi

source "$repo/bench/lib.sh"
raw="$repo/build-bench/run"
mkdir -p "$raw"
t_start=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
date0=$(date -u '+%Y-%m-%d %H:%M UTC')
commit=$(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- analyzer common preload bench || echo ' (with uncommitted changes)')
dep_note=""
if ((deps)); then
  bash "$repo/scripts/deps.sh" bench >"$raw/deps.log" 2>&1 ||
    dep_note="scripts/deps.sh bench failed ($(tail -n 1 "$raw/deps.log")): sections whose tools are missing are skipped"
fi
((quick)) && export BENCH_QUICK=1
status="$raw/status.tsv"
: >"$status"
failed=0
partial=0
[ -n "$only$skip" ] && partial=1

# progress NAME SECONDS ESTIMATE REMAINING: the section's time, the run's
# so far, and a warning when the estimates of the sections still to run
# would take it past the budget
progress() {
  local so_far=$(($(date +%s) - t_start))
  echo "run.sh: $1 took $(dur "$2") (estimated $(dur "$3")); $(dur "$so_far") of the ${budget}-min budget so far" >&2
  if ((partial == 0 && so_far + $4 > budget * 60)); then
    echo "run.sh: with the estimates of the sections still to run ($(dur "$4")), the run will take about $(dur $((so_far + $4))): over the ${budget}-min budget" >&2
  fi
}
# remaining_after NAME: the estimated seconds of the sections after NAME
# that this run will run
remaining_after() {
  local e after=0 sum=0
  [ "$1" = "(build)" ] && after=1
  for e in "${plan[@]}"; do
    if ((after)) && selected "$(field 1 "$e")"; then sum=$((sum + $(est_of "$e"))); fi
    [ "$(field 1 "$e")" = "$1" ] && after=1
  done
  echo "$sum"
}

# The build of btrace (cmake), before the first section, so that each
# section's time is its measurement; the scripts' own cmake calls then
# find nothing to do: build-bench (bench_btrace) and the programs of
# build-bench-tests the sections run (report, scale, stress, robustness;
# robustness builds its fuzzers in build-bench-fuzz itself).
targets=(btrace btrace_cli check_timings sample_cover gen_trace check_samples)
((quick)) || targets+=(storm check_trace trace_peak trace_peaks trace_tiny trace_damage)
echo "run.sh: building btrace (build-bench, build-bench-tests)" >&2
t0=$(date +%s) rc=0
{
  bench_btrace "$repo" &&
    cmake -S "$repo" -B "$repo/build-bench-tests" -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
    cmake --build "$repo/build-bench-tests" -j"$(nproc)" --target "${targets[@]}"
} >"$raw/build.log" 2>&1 || rc=$?
took=$(($(date +%s) - t0))
if [ "$rc" = 0 ]; then
  printf '%s\t%s\t%s\t%s\t%s\n' "(build)" "cmake --build build-bench, build-bench-tests" "built" "$(dur "$took")" "$(dur "${build_est[quick]}")" >>"$status"
else
  failed=1
  printf '%s\t%s\t**FAILED** (exit %s; build-bench/run/build.log)\t%s\t%s\n' "(build)" "cmake --build build-bench, build-bench-tests" "$rc" "$(dur "$took")" "$(dur "${build_est[quick]}")" >>"$status"
  echo "run.sh: the build failed (exit $rc), last lines of build-bench/run/build.log:" >&2
  tail -n 5 "$raw/build.log" >&2
fi
progress "the build" "$took" "${build_est[quick]}" "$(remaining_after "(build)")"

# Each section: run it, note what happened.
for e in "${plan[@]}"; do
  name=$(field 1 "$e") script=$(field 2 "$e") o=$(opts_of "$e") needs=$(field 5 "$e")
  est=$(dur "$(est_of "$e")")
  [ "$o" = - ] && est=-
  shown=$o
  [ "$o" = - ] && shown=$(field 3 "$e")
  cmdline="bench/$script${shown:+ $shown}"
  if ! selected "$name"; then
    printf '%s\t%s\tnot selected (--only/--skip): earlier figures kept\t-\t%s\n' "$name" "$cmdline" "$est" >>"$status"
    continue
  fi
  if [ "$o" = - ]; then
    printf '%s\t%s\tnot run with --quick: earlier figures kept\t-\t-\n' "$name" "$cmdline" >>"$status"
    continue
  fi
  missing=""
  for n in $needs; do
    c=${n%%(*}
    command -v "$c" >/dev/null 2>&1 || missing+=" $c${n#"$c"}"
  done
  if [ -n "$missing" ]; then
    printf '%s\t%s\tskipped, missing:%s: earlier figures kept\t-\t%s\n' "$name" "$cmdline" "$missing" "$est" >>"$status"
    echo "run.sh: $name skipped, missing:$missing" >&2
    continue
  fi
  echo "run.sh: $name: $cmdline" >&2
  t0=$(date +%s) rc=0
  # shellcheck disable=SC2086
  nice bash "$repo/bench/$script" $o >"$raw/$name.log" 2>&1 || rc=$?
  t1=$(date +%s)
  took=$(dur $((t1 - t0)))
  if [ "$rc" = 0 ]; then
    printf '%s\t%s\trewritten%s\t%s\t%s\n' "$name" "$cmdline" "$( ((quick)) && echo ' (quick)')" "$took" "$est" >>"$status"
  else
    failed=1
    printf '%s\t%s\t**FAILED** (exit %s; build-bench/run/%s.log): earlier figures kept\t%s\t%s\n' "$name" "$cmdline" "$rc" "$name" "$took" "$est" >>"$status"
    echo "run.sh: $name failed (exit $rc), last lines of build-bench/run/$name.log:" >&2
    tail -n 5 "$raw/$name.log" >&2
  fi
  progress "$name" $((t1 - t0)) "$(est_of "$e")" "$(remaining_after "$name")"
done

# The plots, from the tables now in BENCHMARKS.md.
plots_rc=0
python3 "$repo/bench/plot.py" "$repo/BENCHMARKS.md" "$repo/bench/plots" >"$raw/plots.log" 2>&1 || plots_rc=$?
section="$raw/plots.md"
{
  echo "Drawn by \`bench/plot.py\` from the tables of this file (open a plot on its own to see each point's figures on hover):"
  echo
  for p in overhead estimates report_scale; do
    [ -f "$repo/bench/plots/$p.svg" ] && echo "![$p](bench/plots/$p.svg)"
  done
  ((plots_rc == 0)) || echo "**plot.py failed:** $(tail -n 1 "$raw/plots.log")"
} >"$section"
BENCH_QUICK=0 bench_write_section "$repo/BENCHMARKS.md" plots "$section" >/dev/null
((plots_rc == 0)) || failed=1

# The header.
t_end=$(date +%s)
load1=$(cut -d' ' -f1-3 /proc/loadavg)
ver() { "$@" 2>/dev/null | head -n 1 || true; }
nightly=$(ver rustc +nightly --version)
cli_pkgs=$(cd "$repo/../shared/workloads/cli-app" 2>/dev/null &&
  cargo metadata --offline --format-version 1 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["packages"]))' 2>/dev/null || echo '?')
# the budget: the whole run (dependencies, build, sections, plots)
total=$((t_end - t_start)) est_total=${build_est[quick]}
for e in "${plan[@]}"; do
  selected "$(field 1 "$e")" && est_total=$((est_total + $(est_of "$e")))
done
if ((partial)); then
  verdict="a partial run (--only/--skip): the budget of $budget min is the whole run's"
elif ((total <= budget * 60)); then
  verdict="within the budget of $budget min on 2 cores (issue 19; estimated $(dur "$est_total"))"
else
  verdict="**over the budget** of $budget min on 2 cores (issue 19; estimated $(dur "$est_total"))"
fi
echo "run.sh: $(dur "$total") in all: $verdict" >&2
section="$raw/run.md"
{
  echo "Written by \`bench/run.sh$( ((quick)) && echo ' --quick')$( ((partial)) && echo "${only:+ --only $only}${skip:+ --skip $skip}")\` on $date0 in $(dur "$total"), $verdict; btrace $commit (at the start)."
  ((quick)) && echo "**A quick run**: fewer rounds and smaller workloads than the full run (\`bench/run.sh\`), for checking the script, not for the figures."
  echo
  echo "- **Machine:** $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory, $(uname -sr)."
  echo "- **Load average** (1, 5, 15 min): $load0 at the start, $load1 at the end. The machine may be shared; ratios are taken per round to cancel slow phases, but a high load widens every [min, max]."
  echo "- **Toolchains:** $(ver rustc --version); $(ver cargo --version)${nightly:+; nightly $nightly}; $(ver cc --version); $(command -v perf >/dev/null && ver perf --version || echo 'no perf'); $(ver python3 --version); $(ver cmake --version)."
  echo "- **Workloads:** \`cli-app\` (../shared/workloads/cli-app, $cli_pkgs packages from Debian's crate sources, offline); \`synthetic\` (../shared/workloads/gen-synthetic.sh: generated workspaces, sizes in each section); \`example\` (examples/hello-workspace)."
  [ -n "$dep_note" ] && echo "- **Dependencies:** $dep_note."
  echo
  echo "| section | command | this run | time | estimated (bench/run.sh --list) |"
  echo "|---|---|---|---|---|"
  awk -F'\t' '{ printf "| %s | `%s` | %s | %s | %s |\n", $1, $2, $3, $4, $5 }' "$status"
  echo
  echo "Every figure below comes from the command of its section; a section not rewritten by this run keeps the date of its own run."
} >"$section"
BENCH_QUICK=0 bench_write_section "$repo/BENCHMARKS.md" run "$section" >/dev/null
cat "$section"
exit "$failed"
