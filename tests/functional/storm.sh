#!/usr/bin/env bash
# 1000 short processes started from 4 threads at once (posix_spawn,
# posix_spawnp, fork+execv): none lost, none duplicated, none corrupt.
source "$(dirname "$0")/common.sh" "$@"
"$BTRACE" record -o "$work/t" -- "$BIN/storm" parent 4 250 >"$work/out" 2>&1 ||
  fail "storm failed: $(cat "$work/out")"
"$BIN/check_trace" storm "$work/t" 4 250
rc=0
"$BTRACE" dump "$work/t" >"$work/dump" 2>"$work/dump.err" || rc=$?
last=$(tail -n 1 "$work/dump")
[ "$rc" = 0 ] || fail "dump exited $rc: $last $(head -c 2000 "$work/dump.err")"
[[ "$last" =~ ^1001\ processes,\ [0-9]+\ images,\ [0-9]+\ records,\ 0\ samples,\ 0\ problems$ ]] ||
  fail "dump says: $last"
[ ! -s "$work/dump.err" ] || fail "dump warned: $(head -c 2000 "$work/dump.err")"
echo "ok: $last"
