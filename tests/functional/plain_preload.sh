#!/usr/bin/env bash
# Plain LD_PRELOAD=<abs path>/libbtrace.so with no BTRACE_DIR: the first
# process makes ./btrace.data/<session>/ (0700), points
# ./btrace.data/latest at it, writes 0600 files there for the whole tree,
# and `btrace dump` with no argument reads it.  A second run makes a new
# session and moves latest.
source "$(dirname "$0")/common.sh" "$@"
mkdir "$work/cwd"
cd "$work/cwd"
umask 000 # a careless umask must not widen the modes
LD_PRELOAD="$LIB" "$BIN/exec_variants" parent >"$work/out" 2>"$work/err" ||
  fail "exec_variants failed: $(cat "$work/out" "$work/err")"
[ ! -s "$work/err" ] || fail "stderr: $(cat "$work/err")"
[ "$(ls -A)" = btrace.data ] || fail "the working directory holds: $(ls -A)"
[ -d btrace.data ] && [ ! -L btrace.data ] || fail "btrace.data is not a directory"
[ "$(stat -c %a btrace.data)" = 700 ] || fail "btrace.data has mode $(stat -c %a btrace.data)"
sessions=$(find btrace.data -mindepth 1 -maxdepth 1 -type d)
[ "$(echo "$sessions" | wc -l)" = 1 ] || fail "want one session directory, have: $sessions"
session=$(basename "$sessions")
[ -L btrace.data/latest ] || fail "btrace.data/latest is not a symlink"
[ "$(readlink btrace.data/latest)" = "$session" ] ||
  fail "latest points at $(readlink btrace.data/latest), want $session"
[ "$(stat -c %a "btrace.data/$session")" = 700 ] ||
  fail "the session directory has mode $(stat -c %a "btrace.data/$session")"
n=0
for f in "btrace.data/$session"/*; do
  [ -f "$f" ] && [ ! -L "$f" ] || fail "$f is not a regular file"
  case $f in *.btr) ;; *) fail "$f is not a trace file";; esac
  [ "$(stat -c %a "$f")" = 600 ] || fail "$f has mode $(stat -c %a "$f")"
  n=$((n + 1))
done
[ "$(ls -A btrace.data | sort | tr '\n' ' ')" = "$session latest " ] ||
  fail "btrace.data holds: $(ls -A btrace.data)"
# Every process of the tree went to the one session: the full check.
"$BIN/check_trace" exec_variants "btrace.data/$session"
rc=0
"$BTRACE" dump >"$work/dump" 2>"$work/dump.err" || rc=$?
[ "$rc" = 0 ] || fail "btrace dump exited $rc: $(cat "$work/dump.err")"
grep -q '^26 processes, [0-9]* images, [0-9]* records, 0 samples, 0 problems$' "$work/dump" ||
  fail "btrace dump: $(tail -n 1 "$work/dump")"
grep -q "exec_variants child execve 11\$" "$work/dump" || fail "btrace dump does not list the children"

# A second session, one second later (session names are per second and
# pid, so this also tells them apart by name): latest moves to it.
sleep 1
LD_PRELOAD="$LIB" "$BIN/behave" "$work/cwd" >/dev/null 2>&1 || [ $? = 42 ] || fail "behave failed"
rm -f "$work/cwd"/out.* "$work/cwd/noexec"
second=$(readlink btrace.data/latest)
[ "$second" != "$session" ] && [ -d "btrace.data/$second" ] || fail "latest did not move: $second"
[ "$(find btrace.data -mindepth 1 -maxdepth 1 -type d | wc -l)" = 2 ] || fail "want two sessions"
rc=0
"$BTRACE" dump >"$work/dump" 2>"$work/dump.err" || rc=$?
[ "$rc" = 0 ] || fail "btrace dump of the second session exited $rc: $(cat "$work/dump.err")"
grep -q 'behave child errno 3$' "$work/dump" || fail "btrace dump did not read the second session"
echo "ok: session $session then $second, modes 0700/0600, dump reads latest"
