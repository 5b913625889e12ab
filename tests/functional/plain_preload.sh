#!/usr/bin/env bash
# Plain LD_PRELOAD=<abs path>/libbtrace.so with no BTRACE_DIR: the first
# process makes ./btrace.data/<session>/ (0700), points
# ./btrace.data/latest at it, writes 0600 files there for its whole tree,
# and `btrace dump` with no argument reads it.  A second run makes a new
# session and moves latest.  Finally every way of starting a child
# (exec_variants, popen included) stays in the one session.
source "$(dirname "$0")/common.sh" "$@"
mkdir "$work/cwd" "$work/cwd2"
cd "$work/cwd"
umask 000 # a careless umask must not widen the modes

# check_session DIR: DIR/btrace.data holds one session, latest points at
# it, modes are right; prints the session name.
check_session() {
  local d=$1/btrace.data sessions session f
  [ -d "$d" ] && [ ! -L "$d" ] || fail "$d is not a directory"
  [ "$(stat -c %a "$d")" = 700 ] || fail "$d has mode $(stat -c %a "$d")"
  sessions=$(find "$d" -mindepth 1 -maxdepth 1 -type d | sort)
  [ "$(echo "$sessions" | wc -l)" = 1 ] || fail "want one session directory, have: $(echo $sessions)"
  session=$(basename "$sessions")
  [ -L "$d/latest" ] || fail "$d/latest is not a symlink"
  [ "$(readlink "$d/latest")" = "$session" ] ||
    fail "latest points at $(readlink "$d/latest"), want $session"
  [ "$(ls -A "$d" | sort | tr '\n' ' ')" = "$session latest " ] || fail "$d holds: $(ls -A "$d")"
  [ "$(stat -c %a "$d/$session")" = 700 ] ||
    fail "the session directory has mode $(stat -c %a "$d/$session")"
  for f in "$d/$session"/*; do
    [ -f "$f" ] && [ ! -L "$f" ] || fail "$f is not a regular file"
    case $f in *.btr) ;; *) fail "$f is not a trace file" ;; esac
    [ "$(stat -c %a "$f")" = 600 ] || fail "$f has mode $(stat -c %a "$f")"
  done
  echo "$session"
}

# posix_spawn, posix_spawnp and fork+exec children, from 4 threads.
LD_PRELOAD="$LIB" "$BIN/storm" parent 4 5 >"$work/out" 2>"$work/err" ||
  fail "storm failed: $(cat "$work/out" "$work/err")"
[ ! -s "$work/err" ] || fail "stderr: $(cat "$work/err")"
[ "$(ls -A)" = btrace.data ] || fail "the working directory holds: $(ls -A)"
first=$(check_session .)
"$BIN/check_trace" storm "btrace.data/$first" 4 5
rc=0
"$BTRACE" dump >"$work/dump" 2>"$work/dump.err" || rc=$?
[ "$rc" = 0 ] || fail "btrace dump exited $rc: $(cat "$work/dump.err")"
grep -q '^21 processes, [0-9]* images, [0-9]* records, 0 samples, 0 problems$' "$work/dump" ||
  fail "btrace dump: $(tail -n 1 "$work/dump")"
[ "$(grep -c '/storm child [0-3] [0-4]$' "$work/dump")" = 20 ] || fail "btrace dump does not list the 20 children"

# A second session (session names hold the second and the pid):
# latest moves to it, and dump reads that one.
sleep 1
LD_PRELOAD="$LIB" "$BIN/ends" exits >/dev/null 2>&1 || fail "ends exits failed"
second=$(readlink btrace.data/latest)
[ "$second" != "$first" ] && [ -d "btrace.data/$second" ] || fail "latest did not move: $second"
[ "$(find btrace.data -mindepth 1 -maxdepth 1 -type d | wc -l)" = 2 ] || fail "want two sessions"
"$BIN/check_trace" exits "btrace.data/$second"
rc=0
"$BTRACE" dump >"$work/dump" 2>"$work/dump.err" || rc=$?
[ "$rc" = 0 ] || fail "btrace dump of the second session exited $rc: $(cat "$work/dump.err")"
grep -q '/ends leave leave_exit exit 9$' "$work/dump" || fail "btrace dump did not read the second session"

# Every way of starting a child, in a fresh directory: one session.
cd "$work/cwd2"
LD_PRELOAD="$LIB" "$BIN/exec_variants" parent >"$work/out" 2>"$work/err" ||
  fail "exec_variants failed: $(cat "$work/out" "$work/err")"
s=$(check_session .)
"$BIN/check_trace" exec_variants "btrace.data/$s"
echo "ok: sessions $first and $second, then $s; modes 0700/0600, dump reads latest"
