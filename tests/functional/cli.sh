#!/usr/bin/env bash
# The command line, the same for every command (README "Exit codes"):
# -h/--help prints the usage on stdout and exits 0; --opt VALUE and
# --opt=VALUE both work; a bad option or value is one line on stderr that
# names it; record returns the command's own status, 125 for its own
# failures, and makes the missing parents of -o DIR like mkdir -p (0700);
# out of memory exits 4 whichever stage runs out (3 is a regression, for
# diff --fail-above and history --check: CI must never take one for the
# other).
source "$(dirname "$0")/common.sh" "$@"

# one_line WANT_RC WHAT CMD...: exits WANT_RC with exactly one line on
# stderr that says WHAT (a grep pattern), nothing on stdout.
one_line() {
  local want=$1 what=$2 rc=0
  shift 2
  "$@" >"$work/out" 2>"$work/err" || rc=$?
  [ "$rc" = "$want" ] || fail "$*: exit $rc, want $want ($(cat "$work/err"))"
  [ "$(wc -l <"$work/err")" = 1 ] || fail "$*: want one line on stderr, got: $(cat "$work/err")"
  grep -q -- "$what" "$work/err" || fail "$*: stderr does not say '$what': $(cat "$work/err")"
  [ ! -s "$work/out" ] || fail "$*: wrote to stdout: $(head -c 200 "$work/out")"
}

# The command table: every command listed, help exits 0.
for h in help -h --help; do
  expect_rc 0 "$BTRACE" $h >"$work/help"
  for cmd in record report experiment dump; do
    grep -q "^  $cmd " "$work/help" || fail "btrace $h does not list $cmd"
  done
done
one_line 2 "unknown command 'frobnicate'" "$BTRACE" frobnicate

# -h and --help on every command: usage on stdout, nothing on stderr, 0.
for cmd in record report experiment dump; do
  for h in -h --help; do
    rc=0
    "$BTRACE" $cmd $h >"$work/out" 2>"$work/err" || rc=$?
    [ "$rc" = 0 ] || fail "btrace $cmd $h: exit $rc: $(cat "$work/err")"
    head -n 1 "$work/out" | grep -q "^usage: btrace $cmd " || fail "btrace $cmd $h: no usage on stdout: $(head -n 3 "$work/out")"
    [ ! -s "$work/err" ] || fail "btrace $cmd $h: wrote to stderr: $(cat "$work/err")"
  done
done

# Unknown options: one line naming the option; record's is 125.
one_line 125 "unknown option '--bogus'" "$BTRACE" record --bogus -- true
one_line 2 "unknown option '--bogus'" "$BTRACE" report --bogus
one_line 2 "unknown option '-x'" "$BTRACE" dump -x
one_line 2 "unknown option '--bogus'" "$BTRACE" experiment --bogus -- true
one_line 2 "'--wide' takes no value" "$BTRACE" dump --wide=1
one_line 2 "'--output' needs a value" "$BTRACE" report --output
one_line 125 "'-o' needs a value" "$BTRACE" record -o

# Bad values: one line naming the option and the value.
one_line 125 '--hz: "abc" is not a number' "$BTRACE" record --hz abc -- true
one_line 125 '--hz: "0" is not a number' "$BTRACE" record --hz=0 -- true
one_line 125 '--sample: "most" is not one of' "$BTRACE" record --sample most -- true
one_line 2 '--group: "crates" is not one of' "$BTRACE" report --group=crates
one_line 2 '--runs: "abc" is not a number' "$BTRACE" experiment --runs abc -- true
one_line 2 '--runs: "0" is not a number' "$BTRACE" experiment --runs=0 -- true
one_line 2 '--only: "nope" is not one of' "$BTRACE" experiment --only nope -- true
one_line 2 "no cargo command after --" "$BTRACE" experiment --runs 2 cargo build

# --opt VALUE and --opt=VALUE: record's --output and --hz (the command
# sees the rate in its environment), report's --output and --group.
n=0
for o in "-o" "--output" "--output="; do
  n=$((n + 1))
  hz=$((n * 10 + 1))
  if [ "$o" = "--output=" ]; then
    set -- "--output=$work/rec$n" "--hz=$hz"
  else
    set -- "$o" "$work/rec$n" --hz "$hz"
  fi
  expect_rc 0 "$BTRACE" record "$@" -- sh -c 'echo "hz=$BTRACE_HZ"' >"$work/out" 2>/dev/null
  grep -qx "hz=$hz" "$work/out" || fail "record $*: the command saw $(cat "$work/out")"
  [ -n "$(ls "$work/rec$n"/*.btr)" ] || fail "record $*: no trace in $work/rec$n"
done
for o in "-o" "--output" "--output="; do
  n=$((n + 1))
  if [ "$o" = "--output=" ]; then
    set -- "--output=$work/rep$n" "--group=category"
  else
    set -- "$o" "$work/rep$n" --group category
  fi
  expect_rc 0 "$BTRACE" report -q "$@" "$work/rec1" 2>/dev/null
  [ -s "$work/rep$n/summary.txt" ] || fail "report $*: no summary.txt in $work/rep$n"
done
cmp -s "$work/rep4/flame.svg" "$work/rep5/flame.svg" || fail "report -o and --output D made different flame graphs"
cmp -s "$work/rep4/flame.svg" "$work/rep6/flame.svg" || fail "report -o and --output=D made different flame graphs"
expect_rc 0 "$BTRACE" report -q --output "$work/rep7" --group crate "$work/rec1" 2>/dev/null
# -o makes the missing parents, as record -o does, each 0700
expect_rc 0 "$BTRACE" report -q -o "$work/new/sub/rep" "$work/rec1" 2>/dev/null
[ -s "$work/new/sub/rep/summary.json" ] || fail "report -o new/sub/rep: no summary.json"
[ "$(stat -c %a "$work/new/sub")" = 700 ] || fail "report -o made new/sub $(stat -c %a "$work/new/sub"), not 0700"
cmp -s "$work/rep4/summary.json" "$work/rep7/summary.json" || fail "--group changed summary.json"

# record: the command's own status, whatever it is, 128+N for signal N.
for st in 0 1 2 7 124 125; do
  expect_rc $st "$BTRACE" record -o "$work/st$st" -- sh -c "exit $st" 2>/dev/null
done
expect_rc 143 "$BTRACE" record -o "$work/term" -- sh -c 'kill -TERM $$' 2>/dev/null
# ... 127 and 126 when it cannot be found or run, as env does ...
expect_rc 127 "$BTRACE" record -o "$work/nf" -- "$work/no-such-program" 2>/dev/null
printf 'not a program\n' >"$work/plain"
chmod 0644 "$work/plain"
expect_rc 126 "$BTRACE" record -o "$work/nx" -- "$work/plain" 2>/dev/null
# ... and a file of no executable format runs as a shell script, as
# execvp and env run it
printf 'exit 5\n' >"$work/script"
chmod 0755 "$work/script"
expect_rc 5 "$BTRACE" record -o "$work/script-rec" -- "$work/script" 2>/dev/null
# ... and waits for what the command left running (it ended first), so
# that every process of the trace has its end ...
"$BTRACE" record -o "$work/orphan" -- \
  sh -c "(sleep 0.5; echo late >'$work/orphan-out') & exit 0" 2>/dev/null
[ -s "$work/orphan-out" ] || fail "record returned before the command's orphan ended"
"$BTRACE" report -q -o "$work/orphan-rep" "$work/orphan" 2>/dev/null
grep -q '"complete":[[:space:]]*true' "$work/orphan-rep/summary.json" ||
  fail "the orphan's trace has no end: $(grep -o '"complete":[[:space:]]*[a-z]*' "$work/orphan-rep/summary.json")"
# ... and 125 when record itself fails.
one_line 125 "no command" "$BTRACE" record
BTRACE_LIB="$work/no-such-lib.so" one_line 125 "libbtrace.so" "$BTRACE" record -o "$work/nolib" -- true
one_line 125 "$work/plain" "$BTRACE" record -o "$work/plain" -- true
one_line 125 "already holds a trace" "$BTRACE" record -o "$work/rec1" -- true
one_line 125 "parent" "$BTRACE" record -o "$work/plain/sub/dir" -- true

# record -o a/b/c: the missing parents are made (0700), like mkdir -p; a
# parent that exists keeps its mode; the trace directory is 0700.
mkdir -m 0755 "$work/keep"
expect_rc 0 "$BTRACE" record -o "$work/keep/a//b/c/" -- true 2>/dev/null
[ "$(stat -c %a "$work/keep")" = 755 ] || fail "record changed an existing parent's mode: $(stat -c %a "$work/keep")"
for d in a a/b a/b/c; do
  [ "$(stat -c %a "$work/keep/$d")" = 700 ] || fail "$work/keep/$d is $(stat -c %a "$work/keep/$d"), want 700"
done
[ -n "$(ls "$work/keep/a/b/c"/*.btr)" ] || fail "no trace in the directory made like mkdir -p"
(cd "$work" && expect_rc 0 "$BTRACE" record -o rel/x -- true 2>/dev/null)
[ "$(stat -c %a "$work/rel/x")" = 700 ] || fail "relative -o rel/x: $(stat -c %a "$work/rel/x" 2>&1)"

# Out of memory: the same exit code and one line, whichever stage of dump,
# report or diff runs out first (diff with --fail-above 0, so that exit 3
# for a regression could be mistaken for it).  Address-space limits from
# 20 to 60 MB; at the smallest the reader cannot hold the trace.
"$BIN/gen_trace" -o "$work/big" -p 150 -s 12000 --seed 15 >/dev/null 2>&1 || fail "gen_trace failed"
ran_out=0
for cmd in dump report diff; do
  case $cmd in
    dump) args=("$work/big") ;;
    report) args=(-q -o "$work/oom" "$work/big") ;;
    diff) args=(--fail-above 0 -o "$work/oom-diff" "$work/big" "$work/big") ;;
  esac
  for mb in 20 40 60; do
    rc=0
    (ulimit -v $((mb * 1024)) && exec "$BTRACE" $cmd "${args[@]}") >/dev/null 2>"$work/err" || rc=$?
    case $rc in
      0 | 1) ;;
      4)
        ran_out=$((ran_out + 1))
        grep -q "out of memory" "$work/err" || fail "$cmd at $mb MB: exit 4 without 'out of memory': $(cat "$work/err")"
        ;;
      *) fail "$cmd at $mb MB: exit $rc, want 4 for out of memory: $(head -c 500 "$work/err")" ;;
    esac
  done
done
[ "$ran_out" -ge 2 ] || fail "never out of memory at 20 MB: the test proves nothing"
echo "ok: cli"
