#!/usr/bin/env bash
# history.sh - btrace history's speed over a big store: BUILDS synthetic
# builds of UNITS units each (bench/history_fill.c, through the store's
# own interface), in a fresh SQLite file, then the median wall time of
# RUNS runs of each query: the default list (last 30), the whole list
# (--all), one crate's trend (--unit), and --check of the newest build.
# With -p, the same against a PostgreSQL server started in a temporary
# directory (as the postgres user when root).  Writes the table into
# BENCHMARKS.md (section history).  Issue 16's target: btrace history over
# 10,000 stored builds in under 200 ms.
#
# usage: bench/history.sh [-b BUILDS] [-u UNITS] [-n RUNS] [-p]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/bench/lib.sh"
builds=10000 units=50 runs=7 pg=0
while getopts "b:u:n:p" o; do
  case $o in
    b) builds=$OPTARG ;;
    u) units=$OPTARG ;;
    n) runs=$OPTARG ;;
    p) pg=1 ;;
    *) echo "usage: $0 [-b BUILDS] [-u UNITS] [-n RUNS] [-p]" >&2; exit 2 ;;
  esac
done
pg_asked=$pg
btrace=$(bench_btrace "$repo")
fill="$(dirname "$btrace")/history_fill"
work=$(mktemp -d /tmp/btrace-bench-history.XXXXXX)
source "$repo/tests/lib/postgres.sh"
cleanup() {
  pg_stop "$work"
  rm -rf "$work"
}
trap cleanup EXIT
export XDG_DATA_HOME="$work/xdg"
unset BTRACE_DB

# median_ms CMD...: the median wall time of RUNS runs, in ms
median_ms() {
  local i t0 t1 ts=()
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || [ $? = 3 ]
    t1=$(date +%s%N)
    ts+=($(((t1 - t0) / 1000)))
  done
  printf '%s\n' "${ts[@]}" | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2) { printf "%.1f", $1 / 1000 }'
}

out="$work/section.md"
{
  echo "## btrace history: speed over a big store"
  echo
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores (load average $(cut -d' ' -f1 /proc/loadavg) at the start), $builds builds"
  echo "of $units units each (bench/history_fill.c: one transaction per build, one"
  echo "statement per row). Median of $runs runs, wall time of the whole command, output"
  echo "to /dev/null. Issue 16's target: \`btrace history\` over 10,000 stored builds in"
  echo "under 200 ms, in every mode (the list, --all, --unit, --check)."
  ((pg)) && echo "PostgreSQL twice: right after the bulk fill, before the server has table" \
    "statistics (it then plans --check's per-unit queries badly), and after ANALYZE," \
    "the state of a store filled one build at a time."
  echo
  echo "| store | fill | history (last 30) | history --all | history --unit crate3 | history --check |"
  echo "|---|---|---|---|---|---|"
} >"$out"

measure() { # NAME DB [FILL]: FILL 0 measures the store as it is
  local t0 t1 fill_s="-"
  if [ "${3:-1}" = 1 ]; then
    t0=$(date +%s%N)
    "$fill" --db "$2" "$builds" "$units"
    t1=$(date +%s%N)
    fill_s=$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f s", d / 1e9 }')
  fi
  printf '| %s | %s | %s ms | %s ms | %s ms | %s ms |\n' "$1" "$fill_s" \
    "$(median_ms "$btrace" history --db "$2")" \
    "$(median_ms "$btrace" history --db "$2" --all)" \
    "$(median_ms "$btrace" history --db "$2" --unit crate3)" \
    "$(median_ms "$btrace" history --db "$2" --check)" >>"$out"
}

measure SQLite "$work/history.db"
if ((pg)); then
  rc=0
  pg_start "$work" 2>"$work/pg.err" || rc=$?
  if [ "$rc" = 2 ]; then # none can run here: said in the table, not a failure
    printf '| PostgreSQL | not measured: %s | | | | |\n' "$(tail -n 1 "$work/pg.err")" >>"$out"
    pg=0
  elif [ "$rc" != 0 ]; then
    cat "$work/pg.err" >&2
    echo "bench/history.sh: the PostgreSQL server for -p did not start" >&2
    exit 1
  fi
fi
if ((pg)); then
  measure "PostgreSQL, just filled" "$pg_url"
  # A server plans by its table statistics, which a bulk fill leaves
  # empty until autovacuum's ANALYZE (after about 10% of a table
  # changed); PostgreSQL's "Populating a Database" advises ANALYZE after a
  # bulk load.  Both rows are shown: a team's store, filled one build at a
  # time, is in the second state.
  "$pg_bin/psql" -q -d "$pg_url" -c ANALYZE
  measure "PostgreSQL, after ANALYZE" "$pg_url" 0
fi
{
  echo
  echo "Reproduce: \`bench/history.sh -b $builds -u $units -n $runs$( ((pg_asked)) && echo ' -p')\`."
} >>"$out"
cat "$out"
bench_write_section "$repo/BENCHMARKS.md" history "$out"
