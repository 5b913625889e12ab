#!/usr/bin/env bash
# btrace diff's bad input: a clear one-line error and exit 2, never a
# crash.  Needs no trace.
set -uo pipefail
BTRACE=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
d=$(mktemp -d /tmp/btrace-diff-usage.XXXXXX)
trap 'rm -rf "$d"' EXIT
mkdir "$d/empty"
expect() { # WANT_RC PATTERN ARGS...: exit status and the one line
	local want=$1 pat=$2 rc=0
	shift 2
	"$BTRACE" diff "$@" >"$d/out" 2>"$d/err" || rc=$?
	[ "$rc" = "$want" ] || fail "diff $*: exit $rc, want $want"
	[ "$(wc -l <"$d/err")" = 1 ] || fail "diff $*: not one line: $(cat "$d/err")"
	grep -q "$pat" "$d/err" || fail "diff $*: $(cat "$d/err")"
	echo "ok: diff $*: $(cat "$d/err")"
}
expect 2 'give BASE NEW' "$d/empty"
expect 2 'give BASE NEW' a b c
expect 2 'each side of' a b --
expect 2 'each side of' -- a b
expect 2 '"xml" is not one of text, json, markdown' --format xml a b
expect 2 'is not a percentage' --fail-above -3 a b
expect 2 'is not a percentage' --fail-above 5x a b
expect 2 "unknown option '--bogus'" --bogus a b
expect 2 "$d/nope" "$d/nope" "$d/empty"
expect 2 "$d/empty" "$d/empty" "$d/empty"
"$BTRACE" diff --help | grep -q 'usage: btrace diff' || fail "--help"
"$BTRACE" --help | grep -q '^  diff ' || fail "diff not in btrace --help"
echo "ok: bad input gets one line and exit 2"
