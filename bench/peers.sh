#!/usr/bin/env bash
# peers.sh - what btrace costs against the tools a Rust developer would
# otherwise use, on the same build, in the same run (issue 19).
#
# Workloads (each in its own copy; -w picks, comma-separated):
#   cli-app            clean build of ../shared/workloads/cli-app
#   example            clean build of examples/hello-workspace
#   synthetic          clean build of a gen-synthetic.sh workspace of -c
#                      crates (default 40) x -f functions (default 20)
#   cli-app-rebuild    touch cli-app's src/main.rs, rebuild
#   synthetic-rebuild  touch the synthetic workspace's app/src/main.rs
#   example-rebuild    touch the example's app/src/main.rs
# Columns (tools); the columns that set RUSTFLAGS (self-profile,
# time-passes) each have their own target directory, so that a tool's
# flags never invalidate another's build in a rebuild; the others share
# one (they build the same artifacts):
#   untraced      cargo build
#   record        btrace record --sample off  (processes only)
#   sample        btrace record               (default: 250 Hz, full stacks)
#   perf-fp       perf record -e cpu-clock -F 250 --call-graph fp
#   perf-dwarf    perf record -e cpu-clock -F 250 --call-graph dwarf
#                 (perf follows every child; 250 Hz is btrace's rate)
#   self-profile  RUSTFLAGS=-Zself-profile=DIR, RUSTC_BOOTSTRAP=1
#   time-passes   RUSTFLAGS=-Ztime-passes, RUSTC_BOOTSTRAP=1 (its data:
#                 the bytes it printed)
#   timings       cargo build --timings
# Every round runs every column once, in an order that rotates from round
# to round; a clean build is `cargo clean` first, a rebuild is a touch
# after a warm-up build with the column's own flags.  With -x ROUNDS
# (more than -n), the rounds after the -n-th run the untraced and sample
# columns only: issue 19 judges default sampling on medians of at least 7
# paired rounds, and asks at least 5 of every column.  Wall is bash's
# `time`, CPU is user+sys of the whole command (perf's and btrace's own
# CPU included).  Ratios against untraced are taken per round; the table
# shows their median with min and max, and the data each tool wrote.
# Default sampling's target cell also says "unresolved" where the medians'
# distribution-free 95% intervals (as experiment's: at 7 rounds, the min
# and the max) reach across +2%: rounds too few to tell the target
# (bench/verdicts.py).
#
# Then, from the last build of each tool and workload: the share of rustc's
# samples whose stack reaches the root (btrace dump; perf script: the
# outermost frame is _start, __libc_start_main, clone or start_thread)
# and the share of perf's frames it could name.
#
# And how btrace's cost grows: -p processes (the toolchain's own rustc -V,
# short and sampled, run from a shell loop) untraced, record and sample, interleaved over the rounds: the
# added wall and CPU per process, at two loop sizes (P/4 and P), to show
# the cost is per process (linear).
#
# Raw figures: build-bench/peers/results.tsv.  Writes the tables into
# BENCHMARKS.md (section "peers").
#
# usage: bench/peers.sh [-n ROUNDS] [-x BTRACE_ROUNDS] [-w WORKLOADS] [-t TOOLS] [-c CRATES] [-f FNS] [-p PROCESSES] [-b BTRACE] [-T TAG]
#   -T  write section peers-TAG (raw figures in build-bench/peers-TAG/)
#       instead of peers: a run beside the main one, e.g. more rounds of
#       untraced and sampling on one workload
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$(cd "$repo/.." && pwd)/shared"
export PATH="$HOME/.cargo/bin:$PATH"
rounds=5 xrounds="" which=cli-app,synthetic,cli-app-rebuild crates=40 fns=20 procs=100 btrace=""
tools=untraced,record,sample,perf-fp,perf-dwarf,self-profile,time-passes,timings tools_arg=""
usage() { echo "usage: $0 [-n ROUNDS] [-x BTRACE_ROUNDS] [-w WORKLOADS] [-t TOOLS] [-c CRATES] [-f FNS] [-p PROCESSES] [-b BTRACE] [-T TAG]" >&2; exit 2; }
tag=""
while getopts "n:x:w:t:c:f:p:b:T:" o; do
  case $o in
    n) rounds=$OPTARG ;;
    x) xrounds=$OPTARG ;;
    w) which=$OPTARG ;;
    t) tools=$OPTARG tools_arg=$OPTARG ;;
    c) crates=$OPTARG ;;
    f) fns=$OPTARG ;;
    p) procs=$OPTARG ;;
    b) btrace=$OPTARG ;;
    T) tag=$OPTARG ;;
    *) usage ;;
  esac
done
[ -n "$xrounds" ] || xrounds=$rounds
for v in "$rounds" "$xrounds"; do [[ $v =~ ^[1-9][0-9]*$ ]] || usage; done
((xrounds >= rounds)) || { echo "peers: -x $xrounds is fewer than -n $rounds" >&2; exit 2; }
source "$repo/bench/lib.sh"
[ -n "$btrace" ] || btrace=$(bench_btrace "$repo")
IFS=, read -r -a workloads <<<"$which"
IFS=, read -r -a columns <<<"$tools"
[[ " ${columns[*]} " == *" untraced "* ]] || { echo "peers: the untraced column is the reference: keep it in -t" >&2; exit 2; }
work=$(mktemp -d /tmp/btrace-bench-peers.XXXXXX)
trap 'rm -rf "$work"' EXIT
raw="$repo/build-bench/peers${tag:+-$tag}"
mkdir -p "$raw"
results="$raw/results.tsv" notes="$raw/notes.txt"
: >"$results"
: >"$notes"
: >"$raw/procs.tsv"
load0=$(cut -d' ' -f1-3 /proc/loadavg)

# Columns whose tool is missing are skipped, with a note.
have_perf=1
if ! command -v perf >/dev/null 2>&1; then
  have_perf=0
  echo "perf is missing (Debian: linux-perf): the perf columns are skipped" >>"$notes"
elif ! perf record -q -e cpu-clock -o "$work/probe.data" -- true >/dev/null 2>&1; then
  have_perf=0
  echo "perf record does not work here (perf_event_paranoid $(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null)): the perf columns are skipped" >>"$notes"
fi
active=()
for c in "${columns[@]}"; do
  case $c in
    untraced | record | sample | self-profile | time-passes | timings) active+=("$c") ;;
    perf-fp | perf-dwarf) ((have_perf)) && active+=("$c") ;;
    *) echo "peers: unknown tool $c" >&2; exit 2 ;;
  esac
done

# prepare WORKLOAD: its source in $work/src-NAME, prints "DIR TOUCHFILE"
prepare() {
  case $1 in
    example | example-rebuild)
      [ -d "$work/src-example" ] || cp -r "$repo/examples/hello-workspace" "$work/src-example"
      echo "$work/src-example app/src/main.rs" ;;
    cli-app | cli-app-rebuild)
      if [ ! -d "$work/src-cli-app" ]; then
        "$shared/workloads/install-debian-crates.sh" >/dev/null
        cp -r "$shared/workloads/cli-app" "$work/src-cli-app" && chmod -R u+w "$work/src-cli-app"
      fi
      echo "$work/src-cli-app src/main.rs" ;;
    synthetic | synthetic-rebuild)
      [ -d "$work/src-synthetic" ] || bash "$shared/workloads/gen-synthetic.sh" "$work/src-synthetic" "$crates" "$fns" >/dev/null
      echo "$work/src-synthetic app/src/main.rs" ;;
    *) echo "peers: unknown workload $1" >&2; exit 2 ;;
  esac
}

# run WORKLOAD COLUMN ROUND DIR TOUCH: one build, appends a row
run() {
  local w=$1 c=$2 r=$3 dir=$4 touchf=$5
  # A target dir per source and set of RUSTFLAGS: self-profile and
  # time-passes set their own (a shared dir would rebuild everything after
  # each change of flags), the other columns build the same artifacts and
  # share one.  A clean build leaves its dir built, so the rebuild of the
  # same source after it (cli-app-rebuild after cli-app) starts warm;
  # otherwise a rebuild's first build with its flags is a full one,
  # untimed.  self-profile's directory is in its RUSTFLAGS, so it is the
  # same for a source's clean builds and rebuilds.
  local src=${w%-rebuild} class=plain t
  case $c in self-profile | time-passes) class=$c ;; esac
  local target="$work/target-$src-$class" data="$work/data-$w-$c"
  [ "$c" = self-profile ] && data="$work/data-$src-$c"
  local cmd=(cargo build -q --offline) env=(CARGO_TARGET_DIR="$target")
  # the last round's data is moved aside, not deleted (bench_set_aside),
  # and goes with the workload's other data
  if [ -e "$data" ]; then bench_set_aside "$data" "$work/old" "$w-$c-$r"; fi
  case $c in
    record) cmd=("$btrace" record -o "$data" --sample off -- "${cmd[@]}") ;;
    sample) cmd=("$btrace" record -o "$data" -- "${cmd[@]}") ;;
    perf-fp) cmd=(perf record -q -e cpu-clock -F 250 --call-graph fp -o "$data" -- "${cmd[@]}") ;;
    perf-dwarf) cmd=(perf record -q -e cpu-clock -F 250 --call-graph dwarf -o "$data" -- "${cmd[@]}") ;;
    self-profile) mkdir -p "$data"; env+=(RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zself-profile=$data") ;;
    time-passes) env+=(RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Ztime-passes") ;;
    timings) cmd+=(--timings); rm -rf "$target/cargo-timings" ;;
  esac
  if [[ $w == *-rebuild ]]; then
    if [ ! -e "$target/.warm" ]; then # a full build with these flags first
      (cd "$dir" && env "${env[@]}" cargo build -q --offline >/dev/null 2>&1)
      touch "$target/.warm"
      [ "$c" = self-profile ] && rm -rf "$data" && mkdir -p "$data" # its profiles are not the rebuild's
    fi
    touch "$dir/$touchf"
  else
    (cd "$dir" && env "${env[@]}" cargo clean -q 2>/dev/null || true)
  fi
  sync
  TIMEFORMAT='%3R %3U %3S'
  local rc=0
  t=$( { time (cd "$dir" && env "${env[@]}" "${cmd[@]}" >/dev/null 2>"$work/stderr") ; } 2>&1 ) || rc=$?
  if [ "$rc" != 0 ]; then
    echo "peers: $w $c round $r failed (exit $rc):" >&2
    tail -n 5 "$work/stderr" >&2
    exit 1
  fi
  touch "$target/.warm"
  local bytes=0
  case $c in
    record | sample | perf-fp | perf-dwarf | self-profile) bytes=$(du -sb "$data" | cut -f1) ;;
    time-passes) bytes=$(wc -c <"$work/stderr") ;;
    timings) bytes=$(du -sb "$target/cargo-timings" | cut -f1) ;;
  esac
  read -r wall user sys <<<"$t"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$c" "$r" "$wall" "$(awk "BEGIN { print $user + $sys }")" "$bytes" >>"$results"
  echo "  $w $c round $r: wall $wall s, cpu $(awk "BEGIN { print $user + $sys }") s, $bytes bytes" >&2
}

# depth WORKLOAD: the share of rustc samples reaching the root, from the
# data of the last build of btrace (dump) and of perf (script)
depth() {
  local w=$1 d
  d="$work/data-$w-sample"
  if [ -d "$d" ]; then
    "$btrace" dump "$d" 2>/dev/null | grep 'rustc' | grep -o '\[[0-9]* samples = [0-9.]*s CPU, [0-9.]*% to root' |
      awk -v w="$w" '{ gsub(/\[/, ""); n += $1; root += $1 * $6 / 100 }
        END { if (n) printf "%s\tsample\t%d\t%.1f\t-\n", w, n, 100 * root / n }' >>"$raw/depth.tsv"
  fi
  for c in perf-fp perf-dwarf; do
    d="$work/data-$w-$c"
    [ -f "$d" ] || continue
    # --no-inline: inline resolution runs addr2line per address (minutes)
    timeout 900 perf script --no-inline -i "$d" -F comm,pid,ip,sym 2>/dev/null | python3 -c '
import sys
w, c = sys.argv[1], sys.argv[2]
roots = ("_start", "__libc_start_main", "__libc_start_call_main", "clone", "clone3", "__clone", "__clone3", "start_thread")
samples, cur = [], None  # [pid, comm, [symbols, innermost first]]
for line in sys.stdin:
    line = line.rstrip("\n")
    if not line.strip():
        if cur: samples.append(cur)
        cur = None
    elif line.startswith("\t"):
        f = line.split(None, 1)
        if cur is not None: cur[2].append(f[1] if len(f) > 1 else "[unknown]")
    else:
        f = line.rsplit(None, 1)
        cur = [f[-1], f[0].strip() if len(f) > 1 else "", []]
if cur: samples.append(cur)
pids = {s[0] for s in samples if s[1] == "rustc"}
rs = [s for s in samples if s[0] in pids]
n = len(rs)
root = sum(1 for s in rs if s[2] and any(s[2][-1].startswith(r) for r in roots))
frames = sum(len(s[2]) for s in rs)
named = sum(1 for s in rs for f in s[2] if not f.startswith("[unknown]"))
if n: print("%s\t%s\t%d\t%.1f\t%.1f" % (w, c, n, 100 * root / n, 100 * named / max(frames, 1)))
' "$w" "$c" >>"$raw/depth.tsv" || true
  done
}

: >"$raw/depth.tsv"
# the columns of the rounds after the -n-th (-x): those the overhead
# target is judged on
extra=()
for c in "${active[@]}"; do
  case $c in untraced | sample) extra+=("$c") ;; esac
done
declare -A warmed=()
for ((i = 0; i < ${#workloads[@]}; i++)); do
  w=${workloads[i]}
  read -r dir touchf <<<"$(prepare "$w")"
  # the page cache, once per source: a rebuild's first full build is
  # untimed and warms it anyway
  if [[ $w != *-rebuild ]] && [ -z "${warmed[$dir]:-}" ]; then
    (cd "$dir" && CARGO_TARGET_DIR="$work/warm" cargo build -q --offline >/dev/null 2>&1)
    rm -rf "$work/warm"
  fi
  warmed[$dir]=1
  for ((r = 1; r <= xrounds; r++)); do
    cols=("${active[@]}")
    ((r <= rounds)) || cols=("${extra[@]}")
    n=${#cols[@]}
    for ((k = 0; k < n; k++)); do
      run "$w" "${cols[(r + k) % n]}" "$r" "$dir" "$touchf"
    done
  done
  # processes per build, from the last sampled trace
  if [ -d "$work/data-$w-sample" ]; then
    "$btrace" report -q -o "$work/rep-$w" "$work/data-$w-sample" >/dev/null 2>&1 &&
      printf '%s\t%s\n' "$w" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["session"]["processes"])' "$work/rep-$w/summary.json" 2>/dev/null || echo '?')" >>"$raw/procs.tsv"
  fi
  depth "$w"
  rm -rf "$work"/data-"$w"-* "$work/old"
  # a source's target dirs go once no later workload builds it
  later=0
  for x in "${workloads[@]:i+1}"; do [ "${x%-rebuild}" = "${w%-rebuild}" ] && later=1; done
  ((later)) || rm -rf "$work"/target-"${w%-rebuild}"-* "$work/data-${w%-rebuild}-self-profile"
done

# Growth: processes from a shell loop, untraced / record / sample.
growth_modes=(untraced record sample)
rustc_real="$(rustc --print sysroot)/bin/rustc" # not rustup's proxy: one process each
: >"$raw/growth.tsv"
for ((r = 1; r <= rounds; r++)); do
  for np in $((procs / 4)) "$procs"; do
    for ((k = 0; k < 3; k++)); do
      m=${growth_modes[(r + k) % 3]}
      cmd=(sh -c "i=0; while [ \$i -lt $np ]; do '$rustc_real' -V; i=\$((i+1)); done")
      case $m in
        record) cmd=("$btrace" record -o "$work/g" --sample off -- "${cmd[@]}") ;;
        sample) cmd=("$btrace" record -o "$work/g" -- "${cmd[@]}") ;;
      esac
      rm -rf "$work/g"
      TIMEFORMAT='%3R %3U %3S'
      t=$( { time "${cmd[@]}" >/dev/null 2>&1 ; } 2>&1 )
      read -r wall user sys <<<"$t"
      printf '%s\t%s\t%s\t%s\t%s\n' "$np" "$m" "$r" "$wall" "$(awk "BEGIN { print $user + $sys }")" >>"$raw/growth.tsv"
    done
  done
done
rm -rf "$work/g"
load1=$(cut -d' ' -f1-3 /proc/loadavg)

section="$work/section.md"
python3 "$repo/bench/peers_tables.py" "$results" "$raw/depth.tsv" "$raw/growth.tsv" "$raw/procs.tsv" "$notes" >"$work/tables.md"
{
  if ((xrounds > rounds)); then
    how="$xrounds rounds: every tool once per round in rotating order in the first $rounds, untraced and default sampling in the other $((xrounds - rounds))"
  else
    how="$rounds rounds, every tool once per round in rotating order"
  fi
  echo "Measured $(date -u +%Y-%m-%d) with btrace $(git -C "$repo" rev-parse --short HEAD) on $(nproc) cores, $(uname -sr), $(rustc --version), $(perf --version 2>/dev/null || echo 'no perf'); $how; $(awk -v s="$SECONDS" 'BEGIN { if (s < 120) printf "%d s", s; else printf "%.0f min", s / 60 }') for the script; load average $load0 at the start, $load1 at the end."
  echo
  cat "$work/tables.md"
  echo
  echo "Reproduce: \`bench/peers.sh -n $rounds$( ((xrounds > rounds)) && echo " -x $xrounds") -w $which$([ -n "$tools_arg" ] && echo " -t $tools_arg") -c $crates -f $fns -p $procs$([ -n "$tag" ] && echo " -T $tag")\` (raw figures in build-bench/peers${tag:+-$tag}/)."
} >"$section"
cat "$section"
bench_write_section "$repo/BENCHMARKS.md" "peers${tag:+-$tag}" "$section"
