#!/usr/bin/env bash
# Defect 12: the trace directory is renamed away and a new one put in its
# place, holding files with the names the trace files had (as someone
# who can write the project directory could).  Later records of the
# running process and its fork children must not land there.  (Before
# the fix they were appended to the planted files.)
source "$(dirname "$0")/../../functional/common.sh" "$@"
mkdir -m 0700 "$work/proj"
d="$work/proj/btrace.data"
LD_PRELOAD="$LIB" BTRACE_DIR="$d" "$BIN/adversary" dirswap "$d" >"$work/out" ||
  fail "traced: $(cat "$work/out")"
planted=$(find "$d" -type f | wc -l)
[ "$planted" -ge 2 ] || fail "only $planted planted files: the test tests nothing"
written=$(find "$d" -type f -size +0c)
[ -z "$written" ] || fail "records went into the replaced directory: $written"
[ "$(find "$d" -type f | wc -l)" = "$planted" ] || fail "new files in the replaced directory"
# The moved directory still reads.
"$BIN/trace_lines" "$d.moved" >/dev/null || fail "the moved trace does not load"
echo "ok: nothing written to a swapped trace directory ($planted planted files stay empty)"
