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
# options: the full run fits in about 45 minutes on 2 quiet cores, --quick
# in about 5 (fewer rounds, smaller workloads, sections marked as quick;
# sections it does not run keep their earlier figures, and the header
# says so).  --quick took 3 min on 2026-12-05 under a load average of 33
# falling to 14 (peers 66 s: the rebuild of an 8-crate workspace only;
# report 9 s: the example only, no cli-app build; scale 37 s: 0.1 and
# 0.5 M samples).  The sections that need a clean cli-app build or many
# of them (overhead, time-passes, debuginfo-ab, calibrate, rebuild) and
# robustness (fuzzing for a set time) cannot be quick and are not run.  A section whose tool is missing, or whose script fails, keeps
# its earlier figures and the header says why; the script then exits 1.
#
# Dependencies: scripts/deps.sh bench installs what the sections use
# (perf from Debian's linux-perf, GNU time, clang for the fuzzers, mold);
# when that is not possible (no root, no network) the run goes on and the
# sections whose tools are missing are skipped with a note.  hyperfine
# (in Debian) is not used: it runs each command's rounds back to back,
# and these figures need the tools interleaved within each round.
#
# usage: bench/run.sh [--quick] [--only S,...] [--skip S,...] [--no-deps]
#        bench/run.sh --list [--quick]   the plan, one section a line
#        bench/run.sh --check            checks the plan against the
#                                        scripts (exists, parses, takes
#                                        the options given, writes its
#                                        section) and plot.py against
#                                        BENCHMARKS.md; exit 1 on a problem
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

# The plan: section|script|full options|quick options ("-": not run with
# --quick)|commands it needs (Debian package in parentheses).
plan=(
  "peers|peers.sh|-n 5 -w cli-app,synthetic,cli-app-rebuild -c 40 -f 10 -p 100|-n 3 -w synthetic-rebuild -c 8 -f 2 -p 10|cargo"
  "overhead|overhead.sh|-n 5 -w example|-|cargo"
  "report|report.sh|-n 3|-n 1 -w example|cargo /usr/bin/time(time)"
  "scale|scale.sh|-n 3 -v 5000000|-p 100,1000 -s 100000,500000 -n 1 -v 0|/usr/bin/time(time)"
  "time-passes|time_passes.sh||-|cargo"
  "debuginfo-ab|debuginfo_ab.sh|-n 1|-|cargo"
  "calibrate|calibrate.sh|-c -r 3 -R 8|-|cargo mold(mold)"
  "rebuild|rebuild_calibrate.sh|-r 10 -n 10|-|cargo mold(mold)"
  "stress|stress.sh|-n 10|-n 2|cargo"
  "robustness|robustness.sh|-t 20 -k 20 -c 10 -s 1|-|cargo clang(clang)"
  "history|history.sh|-b 10000 -u 50 -n 7|-b 500 -u 20 -n 3|"
  "diff-speed|diff_speed.sh|-n 15|-n 3|/usr/bin/time(time)"
)

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
selected() { # NAME
  [ -z "$only" ] || [[ ",$only," == *",$1,"* ]] || return 1
  [[ ",$skip," != *",$1,"* ]]
}

if [ "$mode" = list ]; then
  for e in "${plan[@]}"; do
    o=$(opts_of "$e")
    if [ "$o" = - ]; then
      printf '%-13s (not run with --quick)\n' "$(field 1 "$e")"
    else
      printf '%-13s bench/%s\n' "$(field 1 "$e")" "$(field 2 "$e")${o:+ $o}"
    fi
  done
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
    grep -qF "bench_write_section \"\$repo/BENCHMARKS.md\" $name " "$script" ||
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

# Each section: run it, note what happened.
status="$raw/status.tsv"
: >"$status"
failed=0
for e in "${plan[@]}"; do
  name=$(field 1 "$e") script=$(field 2 "$e") o=$(opts_of "$e") needs=$(field 5 "$e")
  shown=$o
  [ "$o" = - ] && shown=$(field 3 "$e")
  cmdline="bench/$script${shown:+ $shown}"
  if ! selected "$name"; then
    printf '%s\t%s\tnot selected (--only/--skip): earlier figures kept\t-\n' "$name" "$cmdline" >>"$status"
    continue
  fi
  if [ "$o" = - ]; then
    printf '%s\t%s\tnot run with --quick: earlier figures kept\t-\n' "$name" "$cmdline" >>"$status"
    continue
  fi
  missing=""
  for n in $needs; do
    c=${n%%(*}
    command -v "$c" >/dev/null 2>&1 || missing+=" $c${n#"$c"}"
  done
  if [ -n "$missing" ]; then
    printf '%s\t%s\tskipped, missing:%s: earlier figures kept\t-\n' "$name" "$cmdline" "$missing" >>"$status"
    echo "run.sh: $name skipped, missing:$missing" >&2
    continue
  fi
  echo "run.sh: $name: $cmdline" >&2
  t0=$(date +%s) rc=0
  # shellcheck disable=SC2086
  nice bash "$repo/bench/$script" $o >"$raw/$name.log" 2>&1 || rc=$?
  t1=$(date +%s)
  took=$(awk -v s=$((t1 - t0)) 'BEGIN { printf(s >= 120 ? "%.0f min" : "%d s", s >= 120 ? s / 60 : s) }')
  if [ "$rc" = 0 ]; then
    printf '%s\t%s\trewritten%s\t%s\n' "$name" "$cmdline" "$( ((quick)) && echo ' (quick)')" "$took" >>"$status"
  else
    failed=1
    printf '%s\t%s\t**FAILED** (exit %s; build-bench/run/%s.log): earlier figures kept\t%s\n' "$name" "$cmdline" "$rc" "$name" "$took" >>"$status"
    echo "run.sh: $name failed (exit $rc), last lines of build-bench/run/$name.log:" >&2
    tail -n 5 "$raw/$name.log" >&2
  fi
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
section="$raw/run.md"
{
  echo "Written by \`bench/run.sh$( ((quick)) && echo ' --quick')\` on $date0 in $(((t_end - t_start + 59) / 60)) min, btrace $commit (at the start)."
  ((quick)) && echo "**A quick run**: fewer rounds and smaller workloads than the full run (\`bench/run.sh\`), for checking the script, not for the figures."
  echo
  echo "- **Machine:** $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory, $(uname -sr)."
  echo "- **Load average** (1, 5, 15 min): $load0 at the start, $load1 at the end. The machine may be shared; ratios are taken per round to cancel slow phases, but a high load widens every [min, max]."
  echo "- **Toolchains:** $(ver rustc --version); $(ver cargo --version)${nightly:+; nightly $nightly}; $(ver cc --version); $(command -v perf >/dev/null && ver perf --version || echo 'no perf'); $(ver python3 --version); $(ver cmake --version)."
  echo "- **Workloads:** \`cli-app\` (../shared/workloads/cli-app, $cli_pkgs packages from Debian's crate sources, offline); \`synthetic\` (../shared/workloads/gen-synthetic.sh: generated workspaces, sizes in each section); \`example\` (examples/hello-workspace)."
  [ -n "$dep_note" ] && echo "- **Dependencies:** $dep_note."
  echo
  echo "| section | command | this run | time |"
  echo "|---|---|---|---|"
  awk -F'\t' '{ printf "| %s | `%s` | %s | %s |\n", $1, $2, $3, $4 }' "$status"
  echo
  echo "Every figure below comes from the command of its section; a section not rewritten by this run keeps the date of its own run."
} >"$section"
BENCH_QUICK=0 bench_write_section "$repo/BENCHMARKS.md" run "$section" >/dev/null
cat "$section"
exit "$failed"
