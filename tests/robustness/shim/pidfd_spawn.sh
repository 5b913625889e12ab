#!/usr/bin/env bash
# pidfd_spawn (glibc 2.39): the child is started, waited for and traced
# (it inherits the environment).  Skipped (77) where glibc lacks it.
source "$(dirname "$0")/../../functional/common.sh" "$@"
rc=0
"$BIN/adversary" pidfd >"$work/out.plain" || rc=$?
[ "$rc" = 77 ] && { cat "$work/out.plain"; exit 77; }
[ "$rc" = 0 ] || fail "untraced: $(cat "$work/out.plain")"
LD_PRELOAD="$LIB" BTRACE_DIR="$work/t" "$BIN/adversary" pidfd >"$work/out" || fail "traced: $(cat "$work/out")"
cmp -s "$work/out.plain" "$work/out" || fail "output differs"
"$BIN/trace_lines" "$work/t" | grep -q '^arg [0-9]* 1 code$' || fail "the pidfd_spawn child was not traced"
echo "ok: pidfd_spawn"
