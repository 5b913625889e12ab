#!/usr/bin/env bash
# Fuzzes the trace reader for a bounded time on the seed corpus.
# usage: run_fuzz.sh FUZZER SEEDS_TOOL SECONDS
set -euo pipefail
fuzzer=$1 seeds=$2 secs=${3:-60}
work=$(mktemp -d /tmp/btrace-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
"$seeds" "$work/corpus"
cd "$work"
"$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -print_final_stats=1 corpus 2>&1 | tail -n 15
