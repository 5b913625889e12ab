# common.sh - set-up for the functional tests.
# Usage: source common.sh BTRACE LIBBTRACE BINDIR
set -euo pipefail
BTRACE=$1
LIB=$2
BIN=$3
export BTRACE_LIB="$LIB"
unset BTRACE_DIR BTRACE_SESSION BTRACE_DEBUG
work=$(mktemp -d /tmp/btrace-func.XXXXXX)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
