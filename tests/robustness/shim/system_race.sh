#!/usr/bin/env bash
# Defect 5: 4 threads calling system() at once, 100 times each, with an
# environment that needs repair (the shim's own system path).  SIGINT and
# SIGQUIT are back to SIG_DFL afterwards, as with glibc's system(), which
# counts its callers.  (Before the fix, each call saved and restored them
# on its own: an overlap left them ignored for good.)
source "$(dirname "$0")/../../functional/common.sh" "$@"
"$BIN/adversary" sysrace 4 100 >"$work/out" || fail "untraced: $(cat "$work/out")"
for round in 1 2 3; do
  rc=0
  LD_PRELOAD="$LIB" BTRACE_DIR="$work/t$round" "$BIN/adversary" sysrace 4 100 >"$work/out" || rc=$?
  [ "$rc" = 0 ] || fail "round $round: $(cat "$work/out")"
done
# The calls went through the repaired path: their shells were traced.
"$BIN/trace_lines" "$work/t1" >"$work/lines"
n=$(grep -c '^spawn [0-9]* system true$' "$work/lines" || true)
[ "$n" = 400 ] || fail "$n system() calls recorded, want 400"
# A thread cancelled while its system() waits: restored all the same.
"$BIN/adversary" syscancel >"$work/out" || fail "syscancel untraced: $(cat "$work/out")"
LD_PRELOAD="$LIB" BTRACE_DIR="$work/tc" "$BIN/adversary" syscancel >"$work/out" ||
  fail "syscancel traced: $(cat "$work/out")"
echo "ok: SIGINT and SIGQUIT restored after 3 x 400 concurrent system() calls, and a cancelled one"
