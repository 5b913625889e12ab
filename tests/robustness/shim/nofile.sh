#!/usr/bin/env bash
# Defect 11: with every descriptor taken (RLIMIT_NOFILE), the records of
# two forks cannot be written; once descriptors are free again, recording
# goes on, and the trace says how many records were dropped.  (Before the
# fix, the first failed open turned recording off for good.)
source "$(dirname "$0")/../../functional/common.sh" "$@"
"$BIN/adversary" nofile >"$work/out.plain" || fail "untraced: $(cat "$work/out.plain")"
LD_PRELOAD="$LIB" BTRACE_DIR="$work/t" "$BIN/adversary" nofile >"$work/out" ||
  fail "traced: $(cat "$work/out")"
cmp -s "$work/out.plain" "$work/out" || fail "output differs: $(cat "$work/out")"
"$BIN/trace_lines" "$work/t" >"$work/lines"
# The program itself: the one image that is not a fork child.
pid=$(awk '$1 == "image" && $4 % 2 == 0 {print $2}' "$work/lines")
line=$(awk -v p="$pid" '$1 == "image" && $2 == p' "$work/lines")
read -r _ _ _ _ spawns reaps end dropped _ <<<"$line"
[ "$spawns" = 1 ] && [ "$reaps" = 1 ] && [ "$end" = 1 ] ||
  fail "after the descriptors were freed: $spawns spawns, $reaps reaps, end $end; want 1 1 1 ($line)"
[ "$dropped" -ge 4 ] || fail "$dropped records counted as dropped, want >= 4 (2 forks, 2 reaps)"
rc=0
"$BTRACE" dump "$work/t" >"$work/dump" 2>"$work/dump.err" || rc=$?
[ "$rc" = 1 ] || fail "btrace dump exited $rc, want 1 (records are missing)"
grep -q "records dropped" "$work/dump" || fail "btrace dump does not show the dropped records: $(cat "$work/dump")"
grep -q "could not be written by the recorder" "$work/dump.err" || fail "no warning: $(cat "$work/dump.err")"
echo "ok: recording resumed after EMFILE, $dropped dropped records counted"
