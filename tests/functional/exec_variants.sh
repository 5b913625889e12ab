#!/usr/bin/env bash
# Every way of starting a process is recorded with the right parent, argv
# and exit status, and nothing else is (check_trace exec_variants).
source "$(dirname "$0")/common.sh" "$@"
"$BTRACE" record -o "$work/t" -- "$BIN/exec_variants" parent >"$work/out" 2>"$work/err" ||
  fail "exec_variants failed: $(cat "$work/out" "$work/err")"
"$BIN/check_trace" exec_variants "$work/t"
