#!/usr/bin/env bash
# A child killed by a signal never writes its end: it is recorded with the
# signal from its parent's reap, through every wait call.
source "$(dirname "$0")/common.sh" "$@"
"$BTRACE" record -o "$work/t" -- "$BIN/ends" signals >"$work/out" 2>&1 ||
  fail "ends signals failed: $(cat "$work/out")"
"$BIN/check_trace" signals "$work/t"
