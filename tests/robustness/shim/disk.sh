#!/usr/bin/env bash
# Disks: a trace directory removed while the build runs, and a full disk
# (a 256 KiB tmpfs in a mount namespace of our own; skipped where it
# cannot be made).  The program behaves as untraced; after the disk is
# freed the trace goes on and counts what it dropped.  (RLIMIT_FSIZE:
# tests/functional/fsize.sh.)
source "$(dirname "$0")/../../functional/common.sh" "$@"
mkdir -m 0700 "$work/v"
"$BIN/adversary" vanish "$work/v/none" >"$work/out.plain" 2>&1 || fail "untraced: $(cat "$work/out.plain")"
mkdir -m 0700 "$work/v/s"
rc=0
LD_PRELOAD="$LIB" BTRACE_DIR="$work/v/s" "$BIN/adversary" vanish "$work/v/s" >"$work/out" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "vanished trace directory: exit $rc: $(cat "$work/out")"
cmp -s "$work/out.plain" "$work/out" || fail "vanished trace directory: output differs: $(cat "$work/out")"

cat >"$work/full.sh" <<'EOS'
set -eu
work=$1 LIB=$2 BIN=$3
mount -t tmpfs -o size=256k,mode=0700 tmpfs "$work/mnt" || exit 77
mkdir -m 0700 "$work/mnt/t"
dd if=/dev/zero of="$work/mnt/filler" bs=4k 2>/dev/null || true
rc=0
LD_PRELOAD="$LIB" BTRACE_DIR="$work/mnt/t" "$BIN/adversary" fulldisk "$work/mnt/filler" >"$work/out.full" 2>&1 || rc=$?
cp -r "$work/mnt/t" "$work/full-trace"
umount "$work/mnt"
exit $rc
EOS
mkdir "$work/mnt"
rc=0
unshare -m bash "$work/full.sh" "$work" "$LIB" "$BIN" || rc=$?
if [ "$rc" = 77 ] || ! [ -e "$work/out.full" ]; then
  echo "ok: vanished trace directory (full disk skipped: no tmpfs mount here)"
  exit 0
fi
[ "$rc" = 0 ] || fail "full disk: exit $rc: $(cat "$work/out.full")"
grep -qx 'fulldisk: done' "$work/out.full" || fail "full disk: $(cat "$work/out.full")"
"$BIN/trace_lines" "$work/full-trace" >"$work/lines" || fail "the full disk's trace does not load"
# The program itself: its own image, not a fork child's (flag 1): the
# session root (flag 8).
pid=$(awk '$1 == "image" && $4 % 2 == 0 && int($4 / 8) % 2 == 1 {print $2}' "$work/lines")
[ -n "$pid" ] || fail "the program's start was never recorded after the disk was freed: $(cat "$work/lines")"
dropped=$(awk -v p="$pid" '$1 == "image" && $2 == p {print $8}' "$work/lines")
[ "$dropped" -ge 1 ] || fail "nothing counted as dropped on a full disk"
echo "ok: vanished trace directory; full disk: program unchanged, $dropped records counted as dropped"
