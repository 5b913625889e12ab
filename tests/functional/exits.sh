#!/usr/bin/env bash
# Every way out (_exit, _Exit, exit, return from main, exit from a thread)
# leaves an end record with how and, where the process knows it, its
# status.
source "$(dirname "$0")/common.sh" "$@"
"$BTRACE" record -o "$work/t" -- "$BIN/ends" exits >"$work/out" 2>&1 ||
  fail "ends exits failed: $(cat "$work/out")"
"$BIN/check_trace" exits "$work/t"
