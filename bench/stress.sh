#!/usr/bin/env bash
# stress.sh - N clean, traced cargo builds of examples/hello-workspace back
# to back (default 50; the test suite runs 10): none may hang or crash,
# each must produce a working binary, and in each every rustc compilation
# must have samples, LLVM worker threads included, that unwind to the root
# (tests/sampling/check_samples cargo).  Writes the result into
# BENCHMARKS.md.
#
# usage: bench/stress.sh [-n BUILDS]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/bench/lib.sh"
export PATH="$HOME/.cargo/bin:$PATH"
builds=50
while getopts "n:" o; do
  case $o in
    n) builds=$OPTARG ;;
    *) echo "usage: $0 [-n BUILDS]" >&2; exit 2 ;;
  esac
done
# check_samples is a test program: build it with the tests.
cmake -S "$repo" -B "$repo/build-bench-tests" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$repo/build-bench-tests" -j"$(nproc)" --target btrace btrace_cli check_samples >/dev/null
bin="$repo/build-bench-tests/bin"
log=$(mktemp /tmp/btrace-stress.XXXXXX)
trap 'rm -f "$log"' EXIT
t0=$(date +%s)
rc=0
bash "$repo/tests/sampling/cargo.sh" "$bin/btrace" "$bin/check_samples" "$repo/examples" "$builds" >"$log" 2>&1 || rc=$?
t1=$(date +%s)
tail -n 3 "$log"
checked=$(grep -c '^cargo: ' "$log" || true)
min_root=$(grep -o '[0-9.]*% to root' "$log" | sort -n | head -n 1)
section=$(mktemp /tmp/btrace-stress-section.XXXXXX)
{
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -sr), $(rustc --version):"
  echo
  echo "| builds | builds checked | result | wall | lowest share of rustc samples unwound to the root |"
  echo "|---|---|---|---|---|"
  if [ "$rc" = 0 ]; then result="all $builds passed (no hang, no crash, working binaries, samples in every rustc)"; else result="FAILED (exit $rc): $(tail -n 1 "$log")"; fi
  echo "| $builds | $checked | $result | $((t1 - t0)) s | ${min_root:-?} |"
  echo
  echo "Reproduce: \`bench/stress.sh -n $builds\`."
} >"$section"
bench_write_section "$repo/BENCHMARKS.md" stress "$section"
rm -f "$section"
exit "$rc"
