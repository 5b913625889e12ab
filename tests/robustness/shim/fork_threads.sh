#!/usr/bin/env bash
# Defect 1: fork children whose 8 threads all start a child at the same
# moment.  Each fork child gets one trace file, holding all 8 SPAWN and 8
# REAP records and its PROC_END.  (Before the fix, threads raced to create
# the file through one static buffer: 20 such children gave two files to
# some, and lost every record of others.)
source "$(dirname "$0")/../../functional/common.sh" "$@"
"$BIN/adversary" forkthreads 20 8 >"$work/out.plain" || fail "untraced: $(cat "$work/out.plain")"
for round in 1 2; do
  t="$work/t$round"
  LD_PRELOAD="$LIB" BTRACE_DIR="$t" "$BIN/adversary" forkthreads 20 8 >"$work/out" ||
    fail "traced: $(cat "$work/out")"
  cmp -s "$work/out.plain" "$work/out" || fail "output differs: $(cat "$work/out")"
  "$BIN/trace_lines" "$t" >"$work/lines" || fail "trace does not load"
  # Fork children: flags bit 0 (BT_START_FORKED).
  awk '$1 == "image" && $4 % 2 == 1' "$work/lines" >"$work/forked"
  n=$(wc -l <"$work/forked")
  [ "$n" = 20 ] || fail "round $round: $n fork-child files, want 20: $(cat "$work/forked")"
  pids=$(awk '{print $2}' "$work/forked" | sort -u | wc -l)
  [ "$pids" = 20 ] || fail "round $round: $pids fork children have files, want 20 (two files for one?)"
  bad=$(awk '$5 != 8 || $6 != 8 || $7 != 1 || $8 != 0 || $9 != 0 || $10 != 0' "$work/forked")
  [ -z "$bad" ] || fail "round $round: fork children with lost records (pid ppid flags spawns reaps end dropped trunc corrupt):
$bad"
  noops=$(awk '$1 == "arg" && $3 == 1 && $4 == "noop"' "$work/lines" | wc -l)
  [ "$noops" = 160 ] || fail "round $round: $noops noop children recorded, want 160"
done
# A thread cancelled inside the file's creation (open and write are
# cancellation points) must not leave the child's other threads waiting
# for the file for good.
"$BIN/adversary" cancel >"$work/out.plain" || fail "cancel untraced: $(cat "$work/out.plain")"
rc=0
LD_PRELOAD="$LIB" BTRACE_DIR="$work/tc" timeout 30 "$BIN/adversary" cancel >"$work/out" || rc=$?
[ "$rc" = 0 ] || fail "cancel traced: exit $rc (124: hung): $(cat "$work/out")"
echo "ok: 2 x 20 fork children with 8 spawning threads each: one whole file each; a cancelled creator"
