#!/usr/bin/env bash
# Never break the build: a traced program's stdout, stderr, errno values,
# exit code and files are the same as untraced, even when it closes every
# descriptor and dup2()s files over them; and its children are recorded.
source "$(dirname "$0")/common.sh" "$@"
mkdir "$work/a" "$work/b" "$work/c"
rc=0
(cd "$work/a" && "$BIN/behave" "$work/a") >"$work/a.out" 2>"$work/a.err" || rc=$?
[ "$rc" = 42 ] || fail "untraced exit $rc: $(cat "$work/a.out")"
grep -q 'UNEXPECTED\|corrupt' "$work/a.out" && fail "untraced run: $(cat "$work/a.out")"
check_same() { # DIR RC: the run in DIR behaved as the untraced one
  local d=$1 rc=$2
  [ "$rc" = 42 ] || fail "$d: traced exit $rc: $(cat "$work/$d.out")"
  cmp "$work/a.out" "$work/$d.out" || { diff "$work/a.out" "$work/$d.out" >&2; fail "$d: stdout differs"; }
  cmp "$work/a.err" "$work/$d.err" || { diff "$work/a.err" "$work/$d.err" >&2; fail "$d: stderr differs"; }
  for f in "$work"/a/*; do
    cmp "$f" "$work/$d/$(basename "$f")" || fail "$d: $(basename "$f") differs"
  done
  [ "$(ls "$work/a")" = "$(ls "$work/$d")" ] || fail "$d: other files: $(ls "$work/$d")"
}
# Plain LD_PRELOAD with BTRACE_DIR, and under btrace record.
rc=0
(cd "$work/b" && LD_PRELOAD="$LIB" BTRACE_DIR="$work/t" "$BIN/behave" "$work/b") \
  >"$work/b.out" 2>"$work/b.err" || rc=$?
check_same b "$rc"
rc=0
(cd "$work/c" && "$BTRACE" record -o "$work/t2" -- "$BIN/behave" "$work/c") \
  >"$work/c.out" 2>"$work/c.err.all" || rc=$?
# btrace record adds one line of its own on stderr: where the trace is.
grep -v '^btrace: trace of ' "$work/c.err.all" >"$work/c.err" || true
check_same c "$rc"
for t in "$work/t" "$work/t2"; do
  "$BIN/check_trace" children "$t" errno 1 3
  "$BIN/check_trace" children "$t" dup2 3 5
  "$BIN/check_trace" children "$t" dup2fork 3 5
  "$BIN/check_trace" children "$t" dup2sh 3 5
done
echo "ok: same output, errno, files and exit code; children recorded"
