# common.sh - set-up shared by the cargo tests.
# Usage: source common.sh BTRACE LIBBTRACE EXAMPLES_DIR
set -euo pipefail
export BTRACE_HISTORY=0 # no test writes into the user's history (docs/history.md)
BTRACE=$1
LIB=$2
EXAMPLES=$3
export PATH="$HOME/.cargo/bin:$PATH"
export BTRACE_LIB="$LIB"
export CARGO_TERM_COLOR=never
work=$(mktemp -d /tmp/btrace-cargo-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$EXAMPLES/hello-workspace" "$work/ws"
rm -rf "$work/ws/target" "$work/ws/btrace.data"
cd "$work/ws"
fail() { echo "FAIL: $*" >&2; exit 1; }
