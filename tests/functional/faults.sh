#!/usr/bin/env bash
# Faults never change the program: a tiny RLIMIT_FSIZE (no SIGXFSZ), an
# unusable trace directory (silent unless BTRACE_DEBUG=1), a child killed
# by a signal and a child leaving through _exit (both still recorded), and
# a statically linked child (accounted for by its parent's reap).
source "$(dirname "$0")/common.sh" "$@"
mkdir "$work/d"

# RLIMIT_FSIZE of 1 KiB: the shim stops writing, the program is unharmed.
set +e
(ulimit -f 1; LD_PRELOAD="$LIB" BTRACE_DIR="$work/tf" "$BIN/behave" "$work/d" >/dev/null 2>&1); r=$?
set -e
[ "$r" = 42 ] || fail "with ulimit -f 1 the program exited $r (153 = SIGXFSZ)"

# Unusable trace directories: below a regular file, and writable by all.
touch "$work/file"
mkdir -m 0777 "$work/open"; chmod 0777 "$work/open"
for d in "$work/file/sub" "$work/open"; do
  set +e
  LD_PRELOAD="$LIB" BTRACE_DIR="$d" "$BIN/behave" "$work/d" >/dev/null 2>"$work/err"; r=$?
  set -e
  [ "$r" = 42 ] || fail "BTRACE_DIR=$d: exit $r"
  [ "$(cat "$work/err")" = "a line on stderr" ] || fail "BTRACE_DIR=$d: the shim printed: $(cat "$work/err")"
  set +e
  LD_PRELOAD="$LIB" BTRACE_DIR="$d" BTRACE_DEBUG=1 "$BIN/behave" "$work/d" >/dev/null 2>"$work/err"; r=$?
  set -e
  [ "$r" = 42 ] || fail "BTRACE_DIR=$d with BTRACE_DEBUG: exit $r"
  grep -q '^btrace\[[0-9]*\]: ' "$work/err" || fail "BTRACE_DEBUG=1 said nothing for $d"
done
[ -z "$(ls -A "$work/open")" ] || fail "the shim wrote into a directory writable by others"

# A killed child and an _exit child.
set +e
"$BTRACE" record -o "$work/t1" -- sh -c "'$BIN/behave' child kill 0; '$BIN/behave' child _exit 7; exit 0" >/dev/null
set -e
"$BIN/check_trace" status "$work/t1" kill signal 9
"$BIN/check_trace" status "$work/t1" _exit exit 7

# A statically linked child: no shim inside, still accounted for.
if [ -x "$BIN/static_child" ]; then
  "$BTRACE" record -o "$work/t2" -- "$BIN/storm_static_parent" "$BIN/static_child" 3 >/dev/null ||
    fail "static parent failed"
  "$BTRACE" dump -w "$work/t2" >"$work/dump2" || fail "dump: $(tail -1 "$work/dump2")"
  grep -q 'static_child .*\[untraced\]' "$work/dump2" || { cat "$work/dump2"; fail "static child not accounted for"; }
  grep -E 'static_child' "$work/dump2" | grep -qE '^ *[0-9]+ +[0-9]+ +[0-9.]+s +[0-9.]+s +3 ' ||
    { cat "$work/dump2"; fail "static child's exit code 3 not recorded"; }
fi
echo "ok: faults leave the program unchanged"
