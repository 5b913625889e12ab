#!/usr/bin/env bash
# writes.sh BTRACE: how often a short sampled process opens its trace
# file (issue 19: every system call of a short process counts).  Each
# record used to open, fstat, write and close the file; now the creation
# writes the header with PROC_START, the sampler's start its MODULE
# records with SAMPLING, its stop the THREAD records with SAMPLER_END:
# /bin/true, sampled, opens its file 4 times (5 if it took a sample),
# where it opened it 7 times before.  Counts opens under strace, not
# time; the trace must still read whole (`btrace dump`).
set -euo pipefail
export BTRACE_HISTORY=0
btrace=$1
command -v strace >/dev/null || { echo "needs strace (scripts/deps.sh test): skipped"; exit 77; }
work=$(mktemp -d /tmp/btrace-writes.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
for round in 1 2 3; do
  rm -rf "$work/trace" "$work/log"
  strace -f -qq -e trace=open,openat -o "$work/log" \
    "$btrace" record -o "$work/trace" --sample all -- /bin/true ||
    fail "traced /bin/true failed"
  "$btrace" dump "$work/trace" >"$work/dump" || fail "dump: $(cat "$work/dump")"
  grep -q 'true' "$work/dump" || fail "no /bin/true in the trace"
  # The process files, not btrace record's session file (PID-0-0.btr).
  files=$(cd "$work/trace" && ls | grep -v -- '-0-0\.btr$' || true)
  [ "$(echo "$files" | wc -w)" = 1 ] || fail "expected one process file, got: $files"
  opens=$(grep -c -- "/$files\"\|\"$files\"" "$work/log" || true)
  echo "round $round: $files opened $opens times"
  [ "$opens" -ge 1 ] || fail "no open of $files seen: strace output changed?"
  [ "$opens" -le 5 ] || fail "$files opened $opens times (at most 5: 4, and one more for a sample batch)"
done
