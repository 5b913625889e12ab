#!/usr/bin/env bash
# suite.sh sqlite|postgres BTRACE GEN_TRACE TRACES - btrace history end to
# end against one backend: the default SQLite file (XDG_DATA_HOME in a
# temporary directory), or a PostgreSQL server started here with initdb
# and pg_ctl in a temporary directory (as the postgres user when run as
# root: the server refuses root) and named by BTRACE_DB.
#   1. report the traced builds of traces.sh: each stored, the report's
#      outputs the same as with --no-history;
#   2. history lists them; --unit lib1 shows its trend, --plot draws it;
#   3. --check flags lib1 in the heavy build (exit 3), judges nothing
#      with too few earlier builds (exit 0), honours --sigma/--min-pct;
#   4. record --history stores a real traced build; a store that is down
#      is a one-line warning for report (password hidden), exit 2 for
#      history;
#   5. 20 reports at once: 20 builds, every one with all its units;
#   6. a report killed (SIGKILL) in the middle of its transaction leaves
#      no build and no unit row, and the next report stores normally;
#   7. --delete ID removes that build with its units and categories, and
#      says so; an unknown ID exits 2; --keep N keeps the newest N.
# Exit 77 (skipped) only when no PostgreSQL server can be started here.
set -euo pipefail
backend=$1 btrace=$2 gen=$3 traces=$4
work=$(mktemp -d /tmp/btrace-history.XXXXXX)
source "$(dirname "$0")/../lib/postgres.sh"
cleanup() {
  pg_stop "$work"
  rm -rf "$work"
}
trap cleanup EXIT
export XDG_DATA_HOME="$work/xdg" TZ=UTC LC_ALL=C
unset BTRACE_DB BTRACE_HISTORY BTRACE_HISTORY_KILL_AFTER
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
skip() { echo "SKIP: $*" >&2; exit 77; }

for t in base1 base2 base3 heavy; do
  [ -d "$traces/$t" ] || { echo "FAIL: no trace $traces/$t (the history_traces test makes them)" >&2; exit 1; }
done

start_postgres() {
  local rc=0
  pg_start "$work" -c fsync=off || rc=$?
  case $rc in
  0) ;;
  2) skip "no PostgreSQL server here (above)" ;;
  *) echo "FAIL: the PostgreSQL server did not start" >&2; exit 1 ;;
  esac
  export BTRACE_DB=$pg_url
  psql_bin="$pg_bin/psql"
}

case $backend in
sqlite)
  sql() { sqlite3 "$XDG_DATA_HOME/btrace/history.db" "$1"; }
  ;;
postgres)
  start_postgres
  sql() { "$psql_bin" "$BTRACE_DB" -Atqc "$1"; }
  ;;
*)
  echo "usage: suite.sh sqlite|postgres BTRACE GEN_TRACE TRACES" >&2
  exit 2
  ;;
esac
echo "== $backend"
mkdir -p "$work/out"

# 1. every report stores its build; its outputs are as without history
for t in base1 base2 base3 heavy; do
  if ! "$btrace" report -q -o "$work/out/$t" "$traces/$t" 2>"$work/$t.err"; then
    cat "$work/$t.err" >&2
    fail "report $t failed"
  fi
  grep -q "^btrace report: history: build [0-9]* stored in " "$work/$t.err" ||
    fail "report $t did not say it stored the build: $(cat "$work/$t.err")"
done
"$btrace" report -q --no-history -o "$work/out/plain" "$traces/heavy" 2>"$work/plain.err"
for f in summary.txt summary.json trace.json flame.svg stacks.folded; do
  cmp -s "$work/out/heavy/$f" "$work/out/plain/$f" || fail "$f differs with history on"
done
grep -q "history:" "$work/plain.err" && fail "--no-history still spoke of history: $(cat "$work/plain.err")"
[ "$(sql 'SELECT count(*) FROM builds')" = 4 ] || fail "4 builds expected in the store, got $(sql 'SELECT count(*) FROM builds')"
if [ "$backend" = sqlite ]; then
  [ "$(stat -c %a "$XDG_DATA_HOME/btrace")" = 700 ] || fail "the history directory is not 0700"
  [ "$(stat -c %a "$XDG_DATA_HOME/btrace/history.db")" = 600 ] || fail "the history file is not 0600"
fi

# 2. the list, newest first: the heavy build on top, 5 units compiled each
"$btrace" history >"$work/list" 2>&1 || fail "history exited $?"
rows=$(grep -c '^ *[0-9]\+  [0-9-]\+ [0-9:]\+ ' "$work/list" || true)
[ "$rows" = 4 ] || fail "history listed $rows builds, not 4: $(cat "$work/list")"
awk '$2 ~ /^[0-9][0-9][0-9][0-9]-/ && $6 != 5 { bad = 1 } END { exit bad }' "$work/list" ||
  fail "a build does not show 5 units compiled: $(cat "$work/list")"
grep -q 'cargo build -q -j2 --offline' "$work/list" || fail "the command is not listed: $(cat "$work/list")"
heavy_id=$(sql "SELECT id FROM builds ORDER BY started_ms DESC LIMIT 1")
base3_id=$(sql "SELECT id FROM builds ORDER BY started_ms DESC LIMIT 1 OFFSET 1")
first=$(awk 'NR == 2 { print $1 }' "$work/list")
[ "$first" = "$heavy_id" ] || fail "the newest build ($heavy_id) is not first (got $first)"

# lib1's trend: 4 rows, the heavy one far above the others; the plot
"$btrace" history --unit lib1 --plot "$work/lib1.svg" >"$work/lib1" 2>&1 || fail "history --unit lib1 exited $?"
n=$(awk '$1 ~ /^[0-9]+$/ && $4 == "lib"' "$work/lib1" | wc -l)
[ "$n" = 4 ] || fail "history --unit lib1 showed $n rows, not 4: $(cat "$work/lib1")"
awk -v h="$heavy_id" '$1 ~ /^[0-9]+$/ && $4 == "lib" { c = $6 + 0; if ($1 == h) heavy = c; else if (c > base) base = c }
  END { exit !(heavy > 2 * base) }' "$work/lib1" || fail "lib1's heavy build is not twice as heavy: $(cat "$work/lib1")"
python3 - "$work/lib1.svg" <<'PY' || fail "lib1.svg is not the plot of 4 builds"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
circles = root.findall(f".//{ns}circle")
assert len(circles) == 4, len(circles)
assert all("lib1" in c.find(f"{ns}title").text for c in circles)
assert root.findall(f".//{ns}polyline")
PY
[ "$(stat -c %a "$work/lib1.svg")" = 600 ] || fail "the plot is not 0600"
# a plot that cannot be written: exit 1, one line naming it, no temporary
set +e
"$btrace" history --unit lib1 --plot "$work/lib1/x.svg" >/dev/null 2>"$work/noplot"
rc=$?
set -e
[ $rc = 1 ] || fail "history --plot into a file's path exited $rc, not 1"
[ "$(wc -l <"$work/noplot")" = 1 ] && grep -q "cannot write $work/lib1/x.svg: Not a directory" "$work/noplot" ||
  fail "history --plot into a file's path said: $(cat "$work/noplot")"
! ls -a "$work" | grep -q '\.tmp\.' || fail "a temporary plot file was left: $(ls -a "$work")"
set +e
"$btrace" history --unit nosuchcrate >/dev/null 2>"$work/nosuch"
rc=$?
set -e
[ $rc = 1 ] || fail "history --unit nosuchcrate exited $rc, not 1"
grep -q "no unit of crate 'nosuchcrate'" "$work/nosuch" || fail "no clear line for an unknown crate: $(cat "$work/nosuch")"

# 3. --check
set +e
"$btrace" history --check >"$work/check" 2>&1
rc=$?
set -e
[ $rc = 3 ] || fail "history --check exited $rc, not 3: $(cat "$work/check")"
grep -q '^  REGRESSED lib1 lib: ' "$work/check" || fail "--check did not flag lib1: $(cat "$work/check")"
set +e
"$btrace" history --check --sigma 100 --min-pct 1000 >"$work/check2" 2>&1
rc=$?
"$btrace" history --check --build "$base3_id" >"$work/check3" 2>&1
rc3=$?
"$btrace" history --check --sigma abc >/dev/null 2>"$work/check4"
rc4=$?
set -e
[ $rc = 0 ] || fail "--check with --sigma 100 --min-pct 1000 exited $rc: $(cat "$work/check2")"
[ $rc3 = 0 ] || fail "--check of the third build (2 earlier ones) exited $rc3: $(cat "$work/check3")"
grep -q '^0 of 5 units regressed (5 with fewer than 3 earlier builds: not judged)' "$work/check3" ||
  fail "--check of the third build judged units: $(cat "$work/check3")"
[ $rc4 = 2 ] && grep -q -- '--sigma: "abc" is not a number' "$work/check4" || fail "--sigma abc: exit $rc4, $(cat "$work/check4")"

# 4. record --history: a real traced build (cargo finds everything fresh)
before=$(sql 'SELECT count(*) FROM builds')
(cd "$traces/ws" && "$btrace" record --history -o "$work/rec" -- cargo build -q --offline) 2>"$work/rec.err" ||
  fail "record --history failed: $(cat "$work/rec.err")"
grep -q "^btrace record: history: build [0-9]* stored" "$work/rec.err" || fail "record --history did not store: $(cat "$work/rec.err")"
[ "$(sql 'SELECT count(*) FROM builds')" = $((before + 1)) ] || fail "record --history stored no build"
[ "$(sql "SELECT command FROM builds ORDER BY started_ms DESC LIMIT 1")" = "cargo build -q --offline" ] ||
  fail "record --history stored another command"

# a store that cannot be opened: report warns and stands, history exits 2
set +e
BTRACE_DB="postgresql://nobody:sekret@127.0.0.1:1/none" "$btrace" report -q -o "$work/out/down" "$traces/base1" >/dev/null 2>"$work/down.err"
rc=$?
BTRACE_DB="postgresql://nobody:sekret@127.0.0.1:1/none" "$btrace" history >/dev/null 2>"$work/down2.err"
rc2=$?
set -e
[ $rc = 0 ] && [ -s "$work/out/down/summary.json" ] || fail "report with its store down exited $rc or wrote nothing"
grep -q '^btrace report: warning: history: not stored: postgresql://nobody:\*\*\*@127.0.0.1:1/none: ' "$work/down.err" ||
  fail "no one-line warning (password hidden) for a store that is down: $(cat "$work/down.err")"
[ $rc2 = 2 ] && [ "$(wc -l <"$work/down2.err")" = 1 ] || fail "history with its store down: exit $rc2, $(cat "$work/down2.err")"
grep -q sekret "$work/down.err" "$work/down2.err" && fail "a password was printed"

# 5. 20 reports at once: none lost, none half written
before=$(sql 'SELECT count(*) FROM builds')
for i in $(seq 1 20); do
  "$gen" -o "$work/c$i" -p 16 -s 200 --seed "$((100 + i))" >/dev/null
done
pids=()
for i in $(seq 1 20); do
  "$btrace" report -q -o "$work/out/c$i" "$work/c$i" >/dev/null 2>"$work/c$i.err" &
  pids+=($!)
done
for i in $(seq 1 20); do
  wait "${pids[$((i - 1))]}" || fail "concurrent report c$i exited $?: $(cat "$work/c$i.err")"
  grep -q "history: build [0-9]* stored" "$work/c$i.err" || fail "concurrent report c$i did not store: $(cat "$work/c$i.err")"
done
after=$(sql 'SELECT count(*) FROM builds')
[ "$after" = $((before + 20)) ] || fail "20 concurrent reports stored $((after - before)) builds"
bad=$(sql "SELECT count(*) FROM builds b WHERE b.units <> (SELECT count(*) FROM units u WHERE u.build_id = b.id) OR (b.session LIKE '%:c%' AND b.units = 0)")
[ "$bad" = 0 ] || fail "$bad builds without all their unit rows"

# 6. a writer killed inside its transaction leaves nothing behind
"$gen" -o "$work/killed" -p 16 -s 200 --seed 7 >/dev/null
before=$(sql 'SELECT count(*) FROM builds')
units_before=$(sql 'SELECT count(*) FROM units')
set +e
BTRACE_HISTORY_KILL_AFTER=3 "$btrace" report -q -o "$work/out/killed" "$work/killed" >/dev/null 2>&1
rc=$?
set -e
[ $rc = 137 ] || fail "the report was not killed in its transaction (exit $rc)"
[ "$(sql 'SELECT count(*) FROM builds')" = "$before" ] || fail "the killed report left a build"
[ "$(sql 'SELECT count(*) FROM units')" = "$units_before" ] || fail "the killed report left unit rows"
"$btrace" report -q -o "$work/out/killed" "$work/killed" >/dev/null 2>"$work/killed.err" ||
  fail "the report after the killed one failed: $(cat "$work/killed.err")"
[ "$(sql 'SELECT count(*) FROM builds')" = $((before + 1)) ] || fail "the report after the killed one stored nothing"
bad=$(sql 'SELECT count(*) FROM builds b WHERE b.units <> (SELECT count(*) FROM units u WHERE u.build_id = b.id)')
[ "$bad" = 0 ] || fail "$bad builds without all their unit rows after the kill"

# 7. --delete and --keep
n=$(sql 'SELECT count(*) FROM builds')
newest=$(sql 'SELECT id FROM builds ORDER BY started_ms DESC, id DESC LIMIT 1')
victim=$(sql 'SELECT id FROM builds ORDER BY started_ms DESC, id DESC LIMIT 1 OFFSET 1')
"$btrace" history --delete "$victim" >"$work/del.out" 2>&1 || fail "--delete $victim: $(cat "$work/del.out")"
grep -q "^deleted 1 build from " "$work/del.out" || fail "--delete said: $(cat "$work/del.out")"
[ "$(sql 'SELECT count(*) FROM builds')" = $((n - 1)) ] || fail "--delete did not remove one build"
for t in units build_categories; do
  [ "$(sql "SELECT count(*) FROM $t WHERE build_id = $victim")" = 0 ] || fail "--delete left rows in $t"
done
[ "$(sql "SELECT count(*) FROM units WHERE build_id = $newest")" -gt 0 ] || fail "--delete took another build's units"
set +e
"$btrace" history --delete "$victim" >/dev/null 2>"$work/del2.err"
rc=$?
set -e
[ $rc = 2 ] && grep -q "no build $victim in" "$work/del2.err" || fail "--delete of a gone build: exit $rc, $(cat "$work/del2.err")"
"$btrace" history --keep 2 >"$work/keep.out" 2>&1 || fail "--keep 2: $(cat "$work/keep.out")"
grep -q "^deleted $((n - 3)) builds from " "$work/keep.out" || fail "--keep 2 said: $(cat "$work/keep.out")"
[ "$(sql 'SELECT count(*) FROM builds')" = 2 ] || fail "--keep 2 left $(sql 'SELECT count(*) FROM builds') builds"
[ "$(sql "SELECT count(*) FROM builds WHERE id = $newest")" = 1 ] || fail "--keep 2 removed the newest build"
[ "$(sql 'SELECT count(*) FROM units WHERE build_id NOT IN (SELECT id FROM builds)')" = 0 ] || fail "--keep left orphan unit rows"

if ((fails)); then
  echo "$backend: $fails checks failed" >&2
  exit 1
fi
echo "ok: $backend: report stores, history lists/trends/plots/checks, record --history, 20 at once, a killed writer, --delete and --keep"
