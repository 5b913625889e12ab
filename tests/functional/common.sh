# common.sh - set-up for the functional tests.
# Usage: source common.sh BTRACE LIBBTRACE BINDIR
# Gives: $BTRACE (the command), $LIB (libbtrace.so), $BIN (the test
# programs), $work (a fresh directory, removed on exit), fail MSG.
set -euo pipefail
export BTRACE_HISTORY=0 # no test writes into the user's history (docs/history.md)
unset BTRACE BTRACE_DIR BTRACE_SESSION BTRACE_DEBUG BTRACE_SAMPLE LD_PRELOAD
BTRACE=$1
LIB=$2
BIN=$3
export BTRACE_LIB="$LIB"
work=$(mktemp -d "${TMPDIR:-/tmp}/btrace-func.XXXXXX")
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_rc WANT CMD...: runs CMD and fails unless it exits WANT.
expect_rc() {
  local want=$1 rc=0
  shift
  "$@" || rc=$?
  [ "$rc" = "$want" ] || fail "exit $rc, want $want: $*"
}
