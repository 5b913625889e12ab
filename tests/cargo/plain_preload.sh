#!/usr/bin/env bash
# LD_PRELOAD=libbtrace.so cargo build, with no BTRACE_DIR: the trace goes to
# ./btrace.data/<session>/ (0700, files 0600), ./btrace.data/latest points
# at it, and `btrace dump` with no argument reads it; the session record
# the shim wrote carries the CPU count.
source "$(dirname "$0")/common.sh" "$@"
unset BTRACE_DIR BTRACE_SESSION
LD_PRELOAD="$LIB" cargo build --offline -q
[ -L btrace.data/latest ] || fail "no btrace.data/latest"
s=$(readlink btrace.data/latest)
[ "$(stat -c %a "btrace.data/$s")" = 700 ] || fail "session dir is not 0700"
[ "$(ls btrace.data | wc -l)" = 2 ] || fail "expected one session and latest: $(ls btrace.data)"
bad=$(find "btrace.data/$s" -name '*.btr' ! -perm 600 | wc -l)
[ "$bad" = 0 ] || fail "$bad trace files are not 0600"
"$BTRACE" dump -w >"$work/dump" || fail "dump found problems"
grep -q -- '--crate-name stats' "$work/dump" || fail "rustc for stats missing"
grep -q '/cargo ' "$work/dump" || fail "cargo missing"
grep -q ' 0 problems$' "$work/dump" || fail "problems in the trace"
# the first traced process wrote the SESSION record with the CPU count
"$BTRACE" report -q -o "$work/report" "btrace.data/$s" 2>/dev/null || fail "report failed"
grep -q '"cores_from":[[:space:]]*"trace"' "$work/report/summary.json" ||
  fail "the session's CPU count is not in the trace"
echo "ok: $(tail -1 "$work/dump")"
