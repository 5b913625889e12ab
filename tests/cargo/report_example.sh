#!/usr/bin/env bash
# btrace report on a whole traced build of the example: the model and
# every output (check_report example), defaults (latest trace, report/
# inside it, summary printed), and the modes of what it writes.
source "$(dirname "$0")/common.sh" "$@"
CHECKS=$4
"$BTRACE" record -- cargo build --offline -q 2>/dev/null
rc=0
"$BTRACE" report >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" = 0 ] || fail "btrace report exited $rc: $(cat "$work/err")"
dir=btrace.data/latest/report
for f in summary.txt summary.json trace.json; do
  [ -f "$dir/$f" ] && [ ! -L "$dir/$f" ] || fail "no $dir/$f"
  [ "$(stat -c %a "$dir/$f")" = 600 ] || fail "$f has mode $(stat -c %a "$dir/$f")"
done
[ "$(stat -c %a "$dir")" = 700 ] || fail "report/ has mode $(stat -c %a "$dir")"
cmp -s "$work/out" "$dir/summary.txt" || fail "stdout differs from summary.txt"
grep -q "wrote .*/report/" "$work/err" || fail "stderr does not say where the report is: $(cat "$work/err")"
[ "$(grep -c warning "$work/err")" = 0 ] || fail "warnings: $(cat "$work/err")"
"$CHECKS/check_report" example "$dir"
# -o puts it elsewhere, -q keeps stdout empty
"$BTRACE" report -q -o "$work/elsewhere" >"$work/out2" 2>/dev/null
[ ! -s "$work/out2" ] || fail "-q printed: $(cat "$work/out2")"
[ ! -s "$work/elsewhere/summary.txt" ] && fail "-o wrote no summary.txt"
cmp -s "$work/elsewhere/summary.json" "$dir/summary.json" || fail "-o wrote a different summary.json"
echo "ok: report of the example"
