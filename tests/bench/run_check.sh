#!/usr/bin/env bash
# run_check.sh REPO: bench/run.sh --check passes on the tree, and fails,
# naming the problem, on copies broken in each way it guards against: a
# section script gone, an option a script no longer takes, a section
# missing from BENCHMARKS.md, a table plot.py cannot read (and a grid
# cell of the scale section that says it was not measured is left out of
# report_scale.svg, not a failure), a plan whose estimated times add up
# to more than the budget (45 min, 5 with --quick).  Also: --list shows
# every section in both modes with its estimate and the total against
# the budget, and plot.py draws its plots from the tree's BENCHMARKS.md.
set -euo pipefail
repo=$1
t=$(mktemp -d /tmp/btrace-bench-check.XXXXXX)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$(bash "$repo/bench/run.sh" --check 2>&1) || fail "run.sh --check on the tree: $out"
echo "$out"

# --list: one line per section in the plan, both modes.
n=$(grep -c '^  "[a-z-]*|' "$repo/bench/run.sh")
[ "$n" -ge 10 ] || fail "the plan has $n sections"
l=$(bash "$repo/bench/run.sh" --list)
[ "$(echo "$l" | grep -c ' bench/')" = "$n" ] || fail "--list does not show the $n sections"
echo "$l" | tail -n 1 | grep -q '^total .* min  estimated, against a budget of 45 min' || fail "--list has no total against 45 min: $(echo "$l" | tail -n 1)"
q=$(bash "$repo/bench/run.sh" --list --quick)
[ "$(echo "$q" | grep -vc '^(build) \|^total ')" = "$n" ] || fail "--list --quick does not show the $n sections"
echo "$q" | tail -n 1 | grep -q 'against a budget of 5 min' || fail "--list --quick has no total against 5 min"
echo "$l" | tail -n 1
echo "$q" | grep -q 'bench/peers.sh -n 3' || fail "--quick does not run peers.sh"
echo "$q" | grep -q 'not run with --quick' || fail "--quick runs every section"

# plot.py on the tree's tables: the plots whose sections have tables.
python3 "$repo/bench/plot.py" "$repo/BENCHMARKS.md" "$t/plots" >"$t/plot.out" || fail "plot.py: $(cat "$t/plot.out")"
for p in estimates report_scale; do
  grep -q "wrote $p.svg ([1-9][0-9]* points)" "$t/plot.out" || fail "plot.py drew no $p.svg: $(cat "$t/plot.out")"
  python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$t/plots/$p.svg" || fail "$p.svg is not XML"
done

# broken copies: each must fail with its reason
copy() {
  rm -rf "$t/r" && mkdir -p "$t/r/bench"
  cp "$repo"/bench/*.sh "$repo"/bench/*.py "$t/r/bench/" && cp "$repo/BENCHMARKS.md" "$t/r/"
}
expect() { # WHAT PATTERN
  local rc=0 o
  o=$(bash "$t/r/bench/run.sh" --check 2>&1) || rc=$?
  [ "$rc" = 1 ] || fail "$1: --check exited $rc: $o"
  echo "$o" | grep -q "$2" || fail "$1: --check did not say '$2': $o"
  echo "ok: $1 -> $(echo "$o" | grep "$2" | head -n 1)"
}
copy && rm "$t/r/bench/stress.sh"
expect "a section script gone" "stress: bench/stress.sh does not exist"
copy && sed -i 's/while getopts "n:"/while getopts "N:"/' "$t/r/bench/stress.sh"
expect "an option a script no longer takes" "stress: bench/stress.sh has no option -n"
copy && sed -i 's/^  "history|history.sh|-b 10000/  "history|history.sh|-b/' "$t/r/bench/run.sh"
expect "an option without its value" "history: .*option word '50'"
copy && sed -i 's/<!-- rebuild:begin -->//' "$t/r/BENCHMARKS.md"
expect "a section gone from BENCHMARKS.md" "rebuild: BENCHMARKS.md has no section rebuild"
copy && sed -i '/bench_write_section "$repo\/BENCHMARKS.md" report /s/ report / report-x /' "$t/r/bench/report.sh"
expect "a script writing another section" "report: bench/report.sh does not write section report"
copy && sed -i '/<!-- scale:begin -->/,/<!-- scale:end -->/s/^| \([0-9]*\) | \([0-9]*\) | \([0-9]* MB\) | /| \1 | many | \3 | /' "$t/r/BENCHMARKS.md"
expect "a table plot.py cannot read" "plot.py cannot read"
# a grid cell that was not measured is said in its row, and plot.py
# leaves it out of the plot rather than failing
copy && sed -i '/<!-- scale:begin -->/,/<!-- scale:end -->/{0,/^| \([0-9]*\) | \([0-9]*\) | \([0-9]* MB\) | [^|]* | [^|]* | [^|]* | [0-9]* |/s//| \1 | \2 | \3 | **did not finish** in 900 s | - | - | 0 |/}' "$t/r/BENCHMARKS.md"
grep -q '| \*\*did not finish\*\* in 900 s | - | - | 0 |' "$t/r/BENCHMARKS.md" || fail "could not make a cell unmeasured"
n_all=$(grep -o 'report_scale.svg ([0-9]* points)' "$t/plot.out")
python3 "$t/r/bench/plot.py" "$t/r/BENCHMARKS.md" "$t/plots2" >"$t/plot2.out" || fail "plot.py failed on an unmeasured cell: $(cat "$t/plot2.out")"
n_one=$(grep -o 'report_scale.svg ([0-9]* points)' "$t/plot2.out")
[ "${n_all//[^0-9]/}" = $((${n_one//[^0-9]/} + 1)) ] || fail "an unmeasured cell: $n_all before, $n_one after"
echo "ok: an unmeasured grid cell -> $n_one"
copy && sed -i 's/^\(  "peers|.*|\)[0-9]*\(|[0-9]*"\)$/\13000\2/' "$t/r/bench/run.sh"
expect "estimates over the budget" "estimates add up to .* over the budget of 45 min"
copy && echo 'if then' >>"$t/r/bench/history.sh"
expect "a script that does not parse" "history: bench/history.sh does not parse"
echo "bench_run_check: passed"
