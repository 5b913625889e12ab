#!/usr/bin/env bash
# The traced program's stdout, stderr, errno, exit code and files are the
# same as untraced, even when it closes every descriptor and dup2()s over
# them; and its children are still recorded.
source "$(dirname "$0")/common.sh" "$@"
mkdir "$work/a" "$work/b"
set +e
"$BIN/behave" "$work/a" >"$work/a.out" 2>"$work/a.err"; ra=$?
LD_PRELOAD="$LIB" BTRACE_DIR="$work/t" "$BIN/behave" "$work/b" >"$work/b.out" 2>"$work/b.err"; rb=$?
set -e
[ "$ra" = 42 ] || fail "untraced exit $ra: $(cat "$work/a.out")"
[ "$rb" = 42 ] || fail "traced exit $rb: $(cat "$work/b.out")"
cmp "$work/a.out" "$work/b.out" || fail "stdout differs"
cmp "$work/a.err" "$work/b.err" || fail "stderr differs"
for f in "$work"/a/out.*; do cmp "$f" "$work/b/$(basename "$f")" || fail "$f differs"; done
"$BIN/check_trace" status "$work/t" dup2 exit 5
n=$(grep -c . <("$BTRACE" dump -w "$work/t" | grep ' child dup2 5'))
[ "$n" = 3 ] || fail "$n of 3 children recorded after close_range/dup2"
echo "ok: same output, files and exit code; 3 children recorded"
