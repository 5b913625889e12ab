#!/usr/bin/env bash
# writes.sh BTRACE: how often a short sampled process opens its trace
# file, and how many files an exec chain makes (issue 19: every system
# call and every file of a short process counts).
# 1. Each record used to open, fstat, write and close the file; now the
#    creation writes the header with PROC_START, and the sampler's stop
#    the SAMPLING record with the THREAD records and SAMPLER_END (the
#    start is lazy: its SAMPLING record waits, and the modules are
#    scanned only for samples): /bin/true, sampled, opens its file 3
#    times (5 if it took a sample: the modules with SAMPLING, and the
#    samples), where it opened it 7 times before, and 4 before the lazy
#    start.  Counts the opens that succeed under strace, not time.
# 2. One file per process (format version 4): `sh -c 'exec /bin/true'`
#    is one process in two images (dump counts the session file as a
#    third); version 3 wrote a file per image, two.
# The traces must still read whole (`btrace dump`, no problems).
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
  opens=$(grep -- "/$files\"\|\"$files\"" "$work/log" | grep -cv '= -1 ' || true)
  echo "round $round: $files opened $opens times"
  [ "$opens" -ge 1 ] || fail "no open of $files seen: strace output changed?"
  max=3
  grep -q ' samples = ' "$work/dump" && max=5
  [ "$opens" -le "$max" ] || fail "$files opened $opens times (at most $max: 3, and two more if it took a sample)"
done

rm -rf "$work/trace"
"$btrace" record -o "$work/trace" -- sh -c 'exec /bin/true' >/dev/null 2>&1 ||
  fail "traced sh -c failed"
"$btrace" dump "$work/trace" >"$work/dump" 2>&1 || fail "dump: $(cat "$work/dump")"
summary=$(tail -n 1 "$work/dump")
echo "exec chain: $summary"
read -r procs _ images _ <<<"$summary"
files=$(cd "$work/trace" && ls | grep -vc -- '-0-0\.btr$' || true)
grep -q ' 0 problems$' <<<"$summary" || fail "the trace has problems: $(cat "$work/dump")"
[ "$procs" = 1 ] && [ "$images" = 3 ] || fail "want 1 process in 3 images: $summary"
[ "$files" = "$procs" ] || fail "$files process files for $procs processes (one file per image?)"
