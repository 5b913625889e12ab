#!/usr/bin/env bash
# A statically linked child never loads the shim: it is still accounted
# for, from its parent's spawn and reap.  Skipped (77) without libc.a.
source "$(dirname "$0")/common.sh" "$@"
[ -x "$BIN/static_child" ] || { echo "no static libc: skipped"; exit 77; }
"$BTRACE" record -o "$work/t" -- "$BIN/storm_static_parent" "$BIN/static_child" 3 >"$work/out" 2>&1 ||
  fail "static parent failed: $(cat "$work/out")"
"$BIN/check_trace" untraced "$work/t" static_child 3
