#!/usr/bin/env bash
# 1000 short processes spawned from 4 threads at once: none lost, none
# corrupt.
source "$(dirname "$0")/common.sh" "$@"
"$BTRACE" record -o "$work/t" -- "$BIN/storm" parent 4 250 || fail "storm failed"
"$BIN/check_trace" storm "$work/t" 1000
"$BTRACE" dump "$work/t" >"$work/dump" || fail "dump found problems: $(tail -1 "$work/dump")"
grep -q '^1001 processes' "$work/dump" || fail "dump: $(tail -1 "$work/dump")"
