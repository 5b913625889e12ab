#!/usr/bin/env bash
# Bad input to btrace dump and btrace report: a missing directory, an empty
# one, garbage, a newer format, a file cut short.  Unusable input gets one
# line on stderr and exit 2, never a crash; a usable trace with a cut file
# gets a report whose gap is marked, a warning line, and exit 0.  An
# unwritable report directory gets one line and exit 1.
source "$(dirname "$0")/common.sh" "$@"

# one_line_error WANT_RC WHAT CMD...: exits WANT_RC with exactly one line
# on stderr, naming the problem, nothing on stdout.
one_line_error() {
  local want=$1 what=$2 rc=0
  shift 2
  "$@" >"$work/out" 2>"$work/err" || rc=$?
  [ "$rc" = "$want" ] || fail "$*: exit $rc, want $want ($(cat "$work/err"))"
  [ "$(wc -l <"$work/err")" = 1 ] || fail "$*: want one line on stderr, got: $(cat "$work/err")"
  grep -qi -- "$what" "$work/err" || fail "$*: stderr does not say '$what': $(cat "$work/err")"
  [ ! -s "$work/out" ] || fail "$*: wrote to stdout: $(head -c 200 "$work/out")"
}

# A good trace to damage: a parent and its children.
"$BTRACE" record -o "$work/good" -- "$BIN/storm" parent 2 3 >/dev/null 2>&1 || fail "storm failed"
n=$(ls "$work/good" | wc -l)
[ "$n" -ge 7 ] || fail "only $n files in the good trace"

for cmd in dump report; do
  one_line_error 2 "no such\|not found\|cannot" "$BTRACE" $cmd "$work/missing"
  mkdir -p "$work/empty"
  one_line_error 2 "no trace" "$BTRACE" $cmd "$work/empty"
  mkdir -p "$work/garbage"
  head -c 4096 /dev/urandom >"$work/garbage/1-2-1.btr"
  printf 'not a trace\n' >"$work/garbage/3-4-1.btr"
  one_line_error 2 "trace" "$BTRACE" $cmd "$work/garbage"
  # A newer writer that this reader cannot read: min_reader_version 99
  # (bytes 10-11 of the header) in every file.
  rm -rf "$work/newer" && cp -r "$work/good" "$work/newer"
  for f in "$work/newer"/*.btr; do
    printf '\x63\x00' | dd of="$f" bs=1 seek=10 conv=notrunc status=none
  done
  one_line_error 2 "newer\|version" "$BTRACE" $cmd "$work/newer"
done
(cd "$work" && one_line_error 2 "no trace" "$BTRACE" report)

# Cut one child's file in the middle of its last record: the report is
# written, marks the gap, warns, and exits 0.
rm -rf "$work/cut" && cp -r "$work/good" "$work/cut"
victim=$(ls -S "$work/cut"/*.btr | tail -n 1)
size=$(stat -c %s "$victim")
truncate -s $((size - 7)) "$victim"
rc=0
"$BTRACE" report -q "$work/cut" >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" = 0 ] || fail "report of a cut trace exited $rc: $(cat "$work/err")"
grep -q "warning: .*$(basename "$victim")" "$work/err" || fail "no warning names the cut file: $(cat "$work/err")"
grep -Eq '"complete":[[:space:]]*false' "$work/cut/report/summary.json" || fail "summary.json does not say incomplete"
grep -q "INCOMPLETE TRACE" "$work/cut/report/summary.txt" || fail "summary.txt does not say incomplete"
grep -q "$(basename "$victim")" "$work/cut/report/summary.txt" || fail "summary.txt does not name the cut file"
grep -q '"complete":false' "$work/cut/report/trace.json" || fail "trace.json does not say incomplete"

# An output directory that cannot be written.
if [ "$(id -u)" = 0 ]; then
  out="$work/good/report-is-a-file"
  touch "$out"
else
  out="$work/ro/report"
  mkdir -p "$work/ro" && chmod 500 "$work/ro"
fi
one_line_error 1 "cannot create" "$BTRACE" report -q -o "$out" "$work/good"
echo "ok: bad input gets one line and the right exit status"
