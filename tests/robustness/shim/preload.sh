#!/usr/bin/env bash
# Defect 8: environment repair gives a child back libbtrace only, not
# what else the first process preloaded (a program that cleared its
# environment dropped libadversary_foo.so on purpose); and of two
# LD_PRELOAD= entries it fixes the last, which is the one the loader
# reads.  (Before the fix: "LD_PRELOAD=libbtrace.so libfoo.so", and an
# untraced child.)
source "$(dirname "$0")/../../functional/common.sh" "$@"
FOO="$BIN/libadversary_foo.so"
[ -f "$FOO" ] || fail "no $FOO"
LD_PRELOAD="$LIB $FOO" BTRACE_DIR="$work/t" "$BIN/adversary" preload "$LIB" "$FOO" >"$work/out" ||
  fail "traced: $(cat "$work/out")"
want="cleared: LD_PRELOAD=$LIB traced
duplicates: LD_PRELOAD=$LIB traced
preload: ok"
[ "$(cat "$work/out")" = "$want" ] || fail "got:
$(cat "$work/out")
want:
$want"
# Untraced, nothing is added.
"$BIN/adversary" preload "$LIB" "$FOO" >"$work/out"
grep -q '^cleared: LD_PRELOAD=(unset) untraced$' "$work/out" || fail "untraced: $(cat "$work/out")"
echo "ok: only libbtrace reinstated, the last LD_PRELOAD= fixed"
