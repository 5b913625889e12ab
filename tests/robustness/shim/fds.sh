#!/usr/bin/env bash
# Descriptors: the program closes everything with closefrom(3), then with
# a /proc/self/fd loop, and dup2()s its files over 3..9 while children
# are started (posix_spawn, fork+exec, system).  Its files hold exactly
# what it wrote, traced as untraced; the children are recorded.
source "$(dirname "$0")/../../functional/common.sh" "$@"
mkdir "$work/a" "$work/b"
"$BIN/adversary" fds "$work/a" >"$work/out.plain" || fail "untraced: $(cat "$work/out.plain")"
LD_PRELOAD="$LIB" BTRACE_DIR="$work/t" "$BIN/adversary" fds "$work/b" >"$work/out" ||
  fail "traced: $(cat "$work/out")"
cmp -s "$work/out.plain" "$work/out" || fail "output differs: $(cat "$work/out")"
for f in "$work"/a/*; do cmp -s "$f" "$work/b/$(basename "$f")" || fail "$(basename "$f") differs"; done
"$BIN/trace_lines" "$work/t" >"$work/lines"
noops=$(awk '$1 == "arg" && $3 == 1 && $4 == "noop"' "$work/lines" | wc -l)
[ "$noops" = 6 ] || fail "$noops children recorded, want 6"
echo "ok: closefrom, /proc/self/fd loop, dup2: the program's files untouched"
