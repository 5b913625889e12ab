#!/usr/bin/env bash
# Defect 3: the hooks' stack use is bounded.  posix_spawn (with the
# environment as it is, repaired, and repaired with 300 extra variables),
# system, popen and fork+execve from a thread with a 32 KiB stack work
# traced as they do untraced, and the shim adds at most 6 KiB of stack to
# them.  (Before the fix each hook put 36 KiB on the stack: a segfault;
# measured: +37 KiB before, +2.4 KiB after.)
source "$(dirname "$0")/../../functional/common.sh" "$@"
"$BIN/adversary" smallstack >"$work/out.plain" 2>&1 || fail "untraced: $(cat "$work/out.plain")"
rc=0
LD_PRELOAD="$LIB" BTRACE_DIR="$work/t" "$BIN/adversary" smallstack >"$work/out" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "traced: exit $rc (139 = SIGSEGV): $(cat "$work/out")"
cmp -s "$work/out.plain" "$work/out" || fail "output differs: $(cat "$work/out")"
"$BIN/trace_lines" "$work/t" >"$work/lines" || fail "trace does not load"
noops=$(awk '$1 == "arg" && $3 == 1 && $4 == "noop"' "$work/lines" | wc -l)
[ "$noops" = 3 ] || fail "$noops spawned children recorded, want 3 (repaired ones traced too)"
grep -q '^arg [0-9]* 1 code$' "$work/lines" || fail "the fork+execve child was not traced"
# How much stack the shim adds: to the deepest of these calls, and to a
# fork child whose first record (a failed execve's) creates its trace
# file.  Measured on a painted stack: a deterministic count of bytes, not
# a timing.
"$BIN/adversary" stackuse >"$work/plain.stack"
LD_PRELOAD="$LIB" BTRACE_DIR="$work/t2" "$BIN/adversary" stackuse >"$work/traced.stack"
[ "$(wc -l <"$work/plain.stack")" = 2 ] || fail "stackuse: $(cat "$work/plain.stack")"
paste "$work/plain.stack" "$work/traced.stack" | while IFS=$'\t' read -r a b; do
  plain=$(awk '{print $(NF-1)}' <<<"$a") traced=$(awk '{print $(NF-1)}' <<<"$b")
  extra=$((traced - plain))
  echo "${a%%:*}: $plain bytes untraced, $traced traced (+$extra)"
  [ "$extra" -le 6144 ] || fail "the shim adds $extra bytes of stack (${a%%:*}), want at most 6 KiB"
done
echo "ok: every hook works from a 32 KiB thread stack"
