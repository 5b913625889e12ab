#!/usr/bin/env bash
# Never break the build: with a trace directory the shim must refuse (a
# regular file, a path below one, a directory others can write to, a
# symlink, another user's directory) the program runs as untraced, the
# shim writes nothing anywhere and says nothing, unless BTRACE_DEBUG=1,
# when it says why on stderr.
source "$(dirname "$0")/common.sh" "$@"
mkdir "$work/ref" "$work/good"
chmod 0700 "$work/good"
rc=0
(cd "$work/ref" && "$BIN/behave" "$work/ref") >"$work/ref.out" 2>"$work/ref.err" || rc=$?
[ "$rc" = 42 ] || fail "untraced behave exited $rc"
echo "not a directory" >"$work/file"
mkdir -m 0777 "$work/open" && chmod 0777 "$work/open"
mkdir -m 0770 "$work/group" && chmod 0770 "$work/group"
ln -s "$work/good" "$work/link"
bad=("$work/file" "$work/file/sub" "$work/open" "$work/group" "$work/link")
if [ "$(id -u)" = 0 ]; then
  mkdir -m 0700 "$work/other" && chown 65534:65534 "$work/other"
  bad+=("$work/other")
fi
# What the refused directories hold (nothing may change there).
snapshot() { find "$work/file" "$work/open" "$work/group" "$work/good" "$work/link" \
  ${bad[5]:+"$work/other"} -printf '%p %y %m %s %U\n' | sort >"$1"; }
snapshot "$work/before"
for d in "${bad[@]}"; do
  for debug in 0 1; do
    rm -rf "$work/run" && mkdir "$work/run"
    rc=0
    (cd "$work/run" && env LD_PRELOAD="$LIB" BTRACE_DIR="$d" BTRACE_DEBUG=$debug \
      "$BIN/behave" "$work/run") >"$work/out" 2>"$work/err" || rc=$?
    [ "$rc" = 42 ] || fail "BTRACE_DIR=$d BTRACE_DEBUG=$debug: exit $rc"
    cmp -s "$work/ref.out" "$work/out" || fail "BTRACE_DIR=$d BTRACE_DEBUG=$debug: stdout differs"
    # Nothing written: no fallback to ./btrace.data, nothing in $d.
    [ "$(cd "$work/run" && ls | sort | tr '\n' ' ')" = "noexec out.3 out.4 out.5 out.6 out.7 out.8 out.9 " ] ||
      fail "BTRACE_DIR=$d: files in the working directory: $(ls -a "$work/run")"
    snapshot "$work/after"
    cmp -s "$work/before" "$work/after" || { diff "$work/before" "$work/after" >&2; fail "BTRACE_DIR=$d: something was written"; }
    if [ "$debug" = 0 ]; then
      cmp -s "$work/ref.err" "$work/err" || fail "BTRACE_DIR=$d: the shim printed: $(cat "$work/err")"
    else
      # The program's own line, and at least one line of the shim's.
      grep -v '^btrace\[[0-9]*\]: ' "$work/err" | cmp -s "$work/ref.err" - ||
        fail "BTRACE_DIR=$d BTRACE_DEBUG=1: stderr has more: $(cat "$work/err")"
      grep -q '^btrace\[[0-9]*\]: .' "$work/err" || fail "BTRACE_DEBUG=1 said nothing for BTRACE_DIR=$d"
    fi
  done
done
echo "ok: ${#bad[@]} refused trace directories, the program unchanged and the shim silent"
