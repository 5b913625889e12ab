#!/usr/bin/env bash
# robustness.sh - the robustness figures of issue 14, from the tests that
# guard them (tests/robustness/trace) run at full size, and the fuzzers:
#
#  1. Storm: traced processes started at once (storm10k.sh), the largest
#     process's memory and the storm parent's descriptors traced and
#     untraced, and btrace report's memory and time on the trace.
#  2. Concurrent traced builds of examples/hello-workspace (concurrent.sh).
#  3. Kills: SIGINT/SIGKILL rounds survived (kills.sh).
#  4. Damaged traces: cases checked, failures (damaged.sh, all seeds given).
#  5. Fuzzing: executions and crashes per target (-t seconds each).
# Writes the table into BENCHMARKS.md ("robustness" section).
#
# usage: bench/robustness.sh [-t FUZZ_SECONDS] [-k KILL_ROUNDS] [-c BUILDS] [-s SEEDS]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/bench/lib.sh"
export PATH="$HOME/.cargo/bin:$PATH"
fuzz_s=60 kills=50 builds=20 seeds=3
while getopts "t:k:c:s:" o; do
  case $o in
    t) fuzz_s=$OPTARG ;;
    k) kills=$OPTARG ;;
    c) builds=$OPTARG ;;
    s) seeds=$OPTARG ;;
    *) echo "usage: $0 [-t FUZZ_SECONDS] [-k KILL_ROUNDS] [-c BUILDS] [-s SEEDS]" >&2; exit 2 ;;
  esac
done
cmake -S "$repo" -B "$repo/build-bench-tests" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# what the tests below run (not the whole test suite)
cmake --build "$repo/build-bench-tests" -j"$(nproc)" --target btrace btrace_cli storm check_trace \
  trace_peak trace_peaks trace_tiny trace_damage >/dev/null
cmake -S "$repo" -B "$repo/build-bench-fuzz" -DCMAKE_C_COMPILER=clang -DBTRACE_FUZZ=ON \
  -DBTRACE_SANITIZE=ON >/dev/null
cmake --build "$repo/build-bench-fuzz" -j"$(nproc)" \
  --target fuzz_trace_reader fuzz_symbolize fuzz_rustc_flags fuzz_toolchain make_seeds fuzz_seed_lib fuzz_seed_lib_id >/dev/null
bin="$repo/build-bench-tests/bin" fbin="$repo/build-bench-fuzz/bin"
t="$repo/tests/robustness/trace"
work=$(mktemp -d /tmp/btrace-bench-robust.XXXXXX)
trap 'rm -rf "$work"' EXIT
out="$work/section.md"
ok() { grep '^ok: ' "$1" | tail -n 1 | sed 's/^ok: //'; }

echo "storm..." >&2
bash "$t/storm10k.sh" "$bin/btrace" "$bin/libbtrace.so" "$bin" >"$work/storm" 2>&1 ||
  { cat "$work/storm"; exit 1; }
echo "concurrent builds..." >&2
bash "$t/concurrent.sh" "$bin/btrace" "$bin/libbtrace.so" "$repo/examples" "$builds" >"$work/conc" 2>&1 ||
  { cat "$work/conc"; exit 1; }
echo "kills..." >&2
bash "$t/kills.sh" "$bin/btrace" "$bin/libbtrace.so" "$repo/examples" "$kills" 1414 >"$work/kills" 2>&1 ||
  { grep -v Killed "$work/kills"; exit 1; }
echo "damaged traces..." >&2
cases=0 dfail=0
for ((s = 1; s <= seeds; s++)); do
  rc=0
  bash "$t/damaged.sh" "$bin/btrace" "$bin/libbtrace.so" "$bin/trace_tiny" "$bin/trace_damage" "$s" >"$work/dmg" 2>&1 || rc=$?
  line=$(grep '^damage: ' "$work/dmg" | tail -n 1)
  [ -n "$line" ] || { cat "$work/dmg"; exit 1; }
  cases=$((cases + $(echo "$line" | sed 's/^damage: \([0-9]*\) cases.*/\1/')))
  dfail=$((dfail + $(echo "$line" | sed 's/.*: \([0-9]*\) failures$/\1/')))
done

fuzz() { # TARGET CORPUS [ARGS...]: prints "executions crashes"
  local target=$1 corpus=$2 rc=0
  shift 2
  bash "$repo/tests/fuzz/run_fuzz.sh" "$fbin/$target" "$fuzz_s" "$corpus" "$@" >"$work/fz-$target" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fz-$target" | tail -n 1)
  echo "${execs:-?} $([ "$rc" = 0 ] && echo 0 || echo 1)"
}
echo "fuzzing..." >&2
read -r fr_x fr_c <<<"$(fuzz fuzz_trace_reader "$repo/tests/fuzz/corpus/trace_reader" --seeds-tool "$fbin/make_seeds")"
read -r fs_x fs_c <<<"$(fuzz fuzz_symbolize "$repo/tests/fuzz/corpus/symbolize" "$fbin/libfuzz_seed_lib.so" "$fbin/libfuzz_seed_lib_id.so")"
read -r ff_x ff_c <<<"$(fuzz fuzz_rustc_flags "$repo/tests/fuzz/corpus/rustc_flags")"
read -r ft_x ft_c <<<"$(fuzz fuzz_toolchain "$repo/tests/fuzz/corpus/toolchain")"

storm=$(ok "$work/storm") conc=$(ok "$work/conc") kl=$(ok "$work/kills")
n_storm=$(echo "$storm" | sed -n 's/^storm of \([0-9]*\) processes.*/\1/p')
rss=$(echo "$storm" | sed -n 's/.*largest process \([0-9]*\) KiB traced, \([0-9]*\) KiB untraced.*/\1 KiB traced, \2 KiB untraced/p')
fds=$(echo "$storm" | sed -n 's/.*descriptors at most \([0-9]*\) traced, \([0-9]*\) untraced.*/\1 traced, \2 untraced/p')
rep=$(echo "$storm" | sed -n 's/.*btrace report: \([0-9]*\) KiB, \([0-9.]*\) s.*/\1 \2/p')
read -r rep_kib rep_s <<<"$rep"
n_conc=$(echo "$conc" | sed -n 's/^\([0-9]*\) concurrent.*/\1/p')
k_rounds=$(echo "$kl" | sed -n 's/^\([0-9]*\) rounds.*/\1/p')
k_detail=$(echo "$kl" | sed -n 's/^[0-9]* rounds: \(.*\); the next.*/\1/p')
{
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores (shared with other work), $(uname -sr), $(rustc --version)."
  echo "Every figure comes from a test of \`tests/robustness/trace\` run at full size, or from the fuzzers."
  echo
  echo "| what | figure | passed |"
  echo "|---|---|---|"
  echo "| processes in the storm (4 threads, posix_spawn, posix_spawnp, fork+exec) | $n_storm: none lost or duplicated, 0 problems | yes |"
  echo "| largest process of the storm (traced: its own rusage at its end, from the trace; untraced: the waiter's RUSAGE_CHILDREN) | $rss | yes (bound: +4 MiB) |"
  echo "| storm parent's open descriptors, most at once | $fds | yes (bound: +1 per thread) |"
  echo "| btrace report on the storm's trace | $((rep_kib / 1024)) MiB, $rep_s s | - |"
  echo "| concurrent traced builds of hello-workspace | $n_conc: every trace whole, with a lone build's processes | yes |"
  echo "| kills survived (SIGINT to the group, SIGKILL to cargo or the group) | $k_rounds rounds: $k_detail; the next untraced build gives identical binaries | yes |"
  echo "| damaged copies of a real trace (cuts, flips, empty, future version, torn, mixed sessions; seeds 1-$seeds) | $cases cases, $dfail failures | $([ "$dfail" = 0 ] && echo yes || echo NO) |"
  echo "| fuzzing the trace reader, ${fuzz_s} s | $fr_x executions, $fr_c crashes | $([ "$fr_c" = 0 ] && echo yes || echo NO) |"
  echo "| fuzzing the symbolizer's ELF input, ${fuzz_s} s | $fs_x executions, $fs_c crashes | $([ "$fs_c" = 0 ] && echo yes || echo NO) |"
  echo "| fuzzing the rustc flag parser, ${fuzz_s} s | $ff_x executions, $ff_c crashes | $([ "$ff_c" = 0 ] && echo yes || echo NO) |"
  echo "| fuzzing the toolchain version scan (a compiler library's bytes), ${fuzz_s} s | $ft_x executions, $ft_c crashes | $([ "$ft_c" = 0 ] && echo yes || echo NO) |"
  echo
  echo "Reproduce: \`bench/robustness.sh -t $fuzz_s -k $kills -c $builds -s $seeds\`."
} >"$out"
cat "$out"
bench_write_section "$repo/BENCHMARKS.md" robustness "$out"
