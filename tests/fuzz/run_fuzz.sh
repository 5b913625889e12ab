#!/usr/bin/env bash
# Fuzzes one target for a bounded time, starting from the checked-in
# corpus (earlier crashers and seeds) and any seeds given.
# usage: run_fuzz.sh FUZZER SECONDS CORPUS_DIR [--seeds-tool TOOL] [SEED_FILE...]
# A crash fails the test; its input is kept in $BTRACE_FUZZ_CRASHES
# (default: /tmp/btrace-fuzz-crashes) to be fixed and then added to
# CORPUS_DIR.  The last lines are libFuzzer's final stats (executions).
set -euo pipefail
fuzzer=$1 secs=$2 corpus=$3
shift 3
work=$(mktemp -d /tmp/btrace-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
if [ -d "$corpus" ]; then
  find "$corpus" -maxdepth 1 -type f ! -name '.*' -exec cp {} "$work/corpus/" \;
fi
while (($#)); do
  if [ "$1" = --seeds-tool ]; then
    "$2" "$work/corpus"
    shift 2
  else
    cp "$1" "$work/corpus/"
    shift
  fi
done
cd "$work"
rc=0
"$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -print_final_stats=1 corpus >"$work/log" 2>&1 || rc=$?
tail -n 15 "$work/log"
if [ "$rc" != 0 ]; then
  keep=${BTRACE_FUZZ_CRASHES:-/tmp/btrace-fuzz-crashes}
  mkdir -p "$keep"
  for c in crash-* leak-* timeout-* oom-*; do
    [ -e "$c" ] && cp "$c" "$keep/$(basename "$fuzzer")-$c" && echo "kept $keep/$(basename "$fuzzer")-$c"
  done
  grep -m 20 -E 'ERROR|SUMMARY|#[0-9]+ in' "$work/log" || true
  exit 1
fi
