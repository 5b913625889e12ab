# common.sh - set-up shared by the diff tests.
# Usage: source common.sh BTRACE TRACES (the diff_traces fixture's folder)
set -euo pipefail
export BTRACE_HISTORY=0 # no test writes into the user's history (docs/history.md)
BTRACE=$1
T=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -f "$T/skip" ] && { echo "SKIP: the fixture had no workspace generator"; exit 77; }
[ -f "$T/ok" ] || fail "no traces in $T (the diff_traces fixture failed)"
out=$(mktemp -d /tmp/btrace-diff-check.XXXXXX)
trap 'rm -rf "$out"' EXIT
