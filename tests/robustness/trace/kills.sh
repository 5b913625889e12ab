#!/usr/bin/env bash
# Kills: ROUNDS times (default 50, seeded), a traced `cargo build` of
# examples/hello-workspace gets SIGINT (to its process group, as Ctrl-C
# sends it) or SIGKILL (to cargo alone, as the OOM killer does, or to the
# whole group, as a CI timeout does) at a random moment early in the
# build (20-800 ms: each round stays short; rustc runs by then).  Each
# round:
#   - cargo's exit status is in the class it has untraced: 0 (it had
#     finished), 101 (SIGINT: rustc reports "compilation was interrupted"
#     and cargo fails), 130/137 (died of the signal);
#   - btrace report writes a report (or, if the build died before any
#     trace file was whole, exits 2 with one line), and session.complete
#     is false exactly when dump finds a process without an end; a build
#     whose cargo was SIGKILLed is never complete, and every compilation
#     left without an end is a unit marked incomplete.
# Then an untraced `cargo build` in the same target directory succeeds and
# gives the binaries an untraced clean build gave (non-incremental, so
# they are deterministic).
# usage: kills.sh BTRACE LIBBTRACE EXAMPLES_DIR [ROUNDS] [SEED]
source "$(dirname "$0")/../../cargo/common.sh" "$@"
rounds=${4:-50}
RANDOM=${5:-1414}
export CARGO_INCREMENTAL=0
# A link killed half-way leaves gcc's collect2 temporaries (ccXXXX.res,
# .cdtor.c, .cdtor.o) in $TMPDIR: keep them in the test's own directory.
mkdir "$work/tmp"
export TMPDIR=$work/tmp
command -v jq >/dev/null || { echo "SKIP: needs jq"; exit 77; }

# The reference: an untraced clean build, and how long it takes.
t0=$(date +%s%N)
cargo build --offline -q
dur_ms=$((($(date +%s%N) - t0) / 1000000))
mkdir "$work/ref"
cp target/debug/app target/debug/deps/*.rlib "$work/ref/"
((dur_ms > 200)) || dur_ms=200

# Waits until no process of session SID is left running (SIGKILLed cargo
# leaves its rustc children running; zombies left to init do not count).
wait_session() {
  for _ in $(seq 1 600); do
    ps -o stat= -s "$1" | grep -qv '^Z' || return 0
    sleep 0.05
  done
  fail "processes of the killed build still running after 30 s: $(ps -o pid,stat,args -s "$1")"
}

killed=0 finished=0 interrupted=0 gap_units=0
for ((i = 1; i <= rounds; i++)); do
  # Every crate is rebuilt: the kill lands in real work.
  touch app/src/main.rs greet/src/lib.rs greet/build.rs shout-macro/src/lib.rs stats/src/lib.rs
  trace="$work/t$i"
  delay_ms=$((20 + RANDOM % (dur_ms < 780 ? dur_ms : 780)))
  how=$((RANDOM % 3))
  sig=INT; ((how > 0)) && sig=KILL
  BTRACE_DIR="$trace" LD_PRELOAD="$LIB" setsid cargo build --offline -q >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  case $how in
    0) kill -INT -- "-$pid" 2>/dev/null || true ;;
    1) kill -KILL "$pid" 2>/dev/null || true ;;
    2) kill -KILL -- "-$pid" 2>/dev/null || true ;;
  esac
  st=0
  wait "$pid" || st=$?
  wait_session "$pid"
  case "$sig:$st" in
    *:0) finished=$((finished + 1)) ;;
    INT:101 | INT:130) interrupted=$((interrupted + 1)) ;;
    KILL:137) killed=$((killed + 1)) ;;
    *) fail "round $i: cargo exit $st after SIG$sig at ${delay_ms} ms" ;;
  esac
  rc=0
  "$BTRACE" report -q -o "$work/r" "$trace" >/dev/null 2>"$work/err" || rc=$?
  if [ "$rc" = 2 ]; then
    [ "$(wc -l <"$work/err")" = 1 ] || fail "round $i: exit 2 with: $(cat "$work/err")"
    [ "$st" != 0 ] || fail "round $i: a finished build has no usable trace: $(cat "$work/err")"
    rm -rf "$trace" "$work/r"
    continue
  fi
  [ "$rc" = 0 ] || fail "round $i: btrace report exit $rc: $(head -c 2000 "$work/err")"
  drc=0
  "$BTRACE" dump -w "$trace" >"$work/dump" 2>/dev/null || drc=$?
  [ "$drc" = 0 ] || [ "$drc" = 1 ] || fail "round $i: dump exit $drc"
  complete=$(jq -r .session.complete "$work/r/summary.json")
  noend=$(grep -c ' no-end ' "$work/dump" || true)
  # Compilations (cargo's probes, --crate-name ___, are not units).
  noend_rustc=$(grep ' no-end ' "$work/dump" | grep -- '--crate-name' | grep -vc -- '--crate-name ___' || true)
  units=$(jq '[.units[] | select(.complete == false)] | length' "$work/r/summary.json")
  if ((noend > 0)); then
    [ "$complete" = false ] || fail "round $i: $noend processes without an end, session.complete = $complete"
    grep -q 'warning: .*has no end' "$work/err" || fail "round $i: no warning: $(head -c 1000 "$work/err")"
  fi
  [ "$sig:$st" != KILL:137 ] || [ "$complete" = false ] ||
    fail "round $i: cargo was SIGKILLed, session.complete = $complete"
  [ "$st" != 0 ] || [ "$complete" = true ] ||
    fail "round $i: the build finished, session.complete = $complete: $(head -c 1000 "$work/err")"
  ((units >= noend_rustc)) ||
    fail "round $i: $noend_rustc compilations without an end, $units units marked incomplete"
  gap_units=$((gap_units + units))
  rm -rf "$trace" "$work/r"
done

# The killed builds' leftovers do not break an untraced build, and it
# gives the reference binaries.
cargo build --offline -q || fail "the untraced build after the kills failed"
for f in "$work"/ref/*; do
  b=$(basename "$f")
  t=target/debug/deps/$b; [ "$b" = app ] && t=target/debug/app
  cmp -s "$t" "$f" || fail "$b differs from the untraced clean build's"
done
[ "$(target/debug/app x)" = "$("$work/ref/app" x)" ] || fail "app's output differs"
echo "ok: $rounds rounds: $killed SIGKILLed, $interrupted interrupted, $finished finished first; $gap_units units marked incomplete; the next untraced build is identical"
