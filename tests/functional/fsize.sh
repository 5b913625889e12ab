#!/usr/bin/env bash
# Never break the build: a small RLIMIT_FSIZE never gets the traced
# program killed by SIGXFSZ (exit 153), even when many threads write
# records at once; the trace files stay within the limit.
source "$(dirname "$0")/common.sh" "$@"
mkdir "$work/a" "$work/b"
# 1 KiB: too small even for a start record.  Output goes through a pipe,
# since the limit binds the program's own files too.
rc=0
(cd "$work/a" && "$BIN/behave" "$work/a" 2>/dev/null) >"$work/a.out" || rc=$?
[ "$rc" = 42 ] || fail "untraced behave exited $rc"
rc=0
(ulimit -f 1; cd "$work/b" && LD_PRELOAD="$LIB" BTRACE_DIR="$work/t1" exec "$BIN/behave" "$work/b" 2>/dev/null) |
  cat >"$work/b.out" || rc=$? # pipefail: the program's status
[ "$rc" = 42 ] || fail "with ulimit -f 1 behave exited $rc (153 = SIGXFSZ)"
cmp "$work/a.out" "$work/b.out" || fail "with ulimit -f 1 the output differs"
for f in "$work"/t1/*; do
  [ -e "$f" ] || continue
  [ "$(stat -c %s "$f")" -le 1024 ] || fail "$f is larger than the limit"
done

# Without a limit, this writes well over 16 KiB of records from 8 threads.
"$BIN/ends" records 8 400 >/dev/null || fail "ends records failed untraced"
LD_PRELOAD="$LIB" BTRACE_DIR="$work/t2" "$BIN/ends" records 8 400 >/dev/null ||
  fail "ends records failed traced"
big=$(find "$work/t2" -name '*.btr' -size +16k | wc -l)
[ "$big" -ge 1 ] || fail "the unlimited trace never reached 16 KiB: the test tests nothing"
# With 16 KiB, the parent's trace reaches the limit while 8 threads write.
for i in 1 2 3 4 5; do
  rc=0
  (ulimit -f 16; LD_PRELOAD="$LIB" BTRACE_DIR="$work/t3.$i" exec "$BIN/ends" records 8 400 >/dev/null) || rc=$?
  [ "$rc" = 0 ] || fail "run $i: with ulimit -f 16 ends records exited $rc (153 = SIGXFSZ)"
  for f in "$work/t3.$i"/*.btr; do
    [ "$(stat -c %s "$f")" -le 16384 ] || fail "$f: $(stat -c %s "$f") bytes, over the limit"
  done
  # The trace is cut short but still reads: dump reports, never crashes.
  rc=0
  "$BTRACE" dump "$work/t3.$i" >"$work/dump" 2>/dev/null || rc=$?
  [ "$rc" -le 1 ] || fail "dump of the cut trace exited $rc"
  tail -n 1 "$work/dump" | grep -q '^[0-9]* processes' || fail "dump: $(tail -n 1 "$work/dump")"
done
echo "ok: no SIGXFSZ, trace files within RLIMIT_FSIZE"
