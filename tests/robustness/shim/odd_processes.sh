#!/usr/bin/env bash
# Odd processes: a child with 512 KiB of argv and 512 KiB of environment
# (no LD_PRELOAD in it: repaired in an mmap'ed area), vfork + exec (also
# with such an environment) and vfork + _exit, and setuid and setcap
# programs (secure execution: the shim stays inert, nothing is written).
source "$(dirname "$0")/../../functional/common.sh" "$@"
"$BIN/adversary" bigargv >"$work/out.plain" || fail "untraced: $(cat "$work/out.plain")"
LD_PRELOAD="$LIB" BTRACE_DIR="$work/t" "$BIN/adversary" bigargv >"$work/out" || fail "traced: $(cat "$work/out")"
cmp -s "$work/out.plain" "$work/out" || fail "bigargv output differs: $(cat "$work/out")"
"$BIN/trace_lines" "$work/t" >"$work/lines"
# The child is recorded, its argv cut (flag 2) within the record limit.
awk '$1 == "arg" && $3 == 1 && $4 == "argcount" {print $2}' "$work/lines" >"$work/pid"
[ "$(wc -l <"$work/pid")" = 1 ] || fail "the big child was not recorded once"
awk -v p="$(cat "$work/pid")" '$1 == "image" && $2 == p && int($4 / 2) % 2 == 1' "$work/lines" | grep -q . ||
  fail "the big child's argv is not marked as cut"

"$BIN/adversary" vfork >"$work/out.plain" || fail "vfork untraced: $(cat "$work/out.plain")"
LD_PRELOAD="$LIB" BTRACE_DIR="$work/t2" "$BIN/adversary" vfork >"$work/out" || fail "vfork traced: $(cat "$work/out")"
cmp -s "$work/out.plain" "$work/out" || fail "vfork output differs"
n=$("$BIN/trace_lines" "$work/t2" | awk '$1 == "arg" && $3 == 1 && $4 == "code"' | wc -l)
[ "$n" = 2 ] || fail "$n vfork+exec children recorded, want 2"

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
  echo "ok: big argv and environment, vfork (setuid/setcap skipped: not root)"
  exit 0
fi
chmod 0755 "$work"
mkdir -m 0777 "$work/s" && chmod 0777 "$work/s"
cp "$BIN/adversary" "$work/suid" && chmod 4755 "$work/suid"
cp "$BIN/adversary" "$work/caps" && chmod 0755 "$work/caps"
progs=(suid)
if command -v setcap >/dev/null && setcap cap_net_raw+ep "$work/caps" 2>/dev/null; then progs+=(caps); fi
for p in "${progs[@]}"; do
  as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
  as_nobody "$work/$p" smallstack >"$work/ref.out" 2>"$work/ref.err" || fail "$p untraced: $(cat "$work/ref.out")"
  rc=0
  as_nobody env LD_PRELOAD="$LIB" BTRACE_DIR="$work/s/t" BTRACE_DEBUG=1 "$work/$p" smallstack \
    >"$work/p.out" 2>"$work/p.err" || rc=$?
  [ "$rc" = 0 ] || fail "$p traced: exit $rc"
  cmp -s "$work/ref.out" "$work/p.out" || fail "$p: output differs"
  cmp -s "$work/ref.err" "$work/p.err" || fail "$p: stderr differs: $(cat "$work/p.err")"
  [ -z "$(ls -A "$work/s")" ] || fail "$p: the shim wrote: $(ls -R "$work/s")"
done
echo "ok: big argv and environment, vfork, ${progs[*]} inert"
