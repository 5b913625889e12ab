#!/usr/bin/env bash
# Damaged traces: records a small real trace (a program that samples and
# starts children through posix_spawn and fork+exec) and a second
# session, then lets `damage` cut, flip, empty, age and mix its files and
# check every `btrace dump` and `btrace report` on them.
# usage: damaged.sh BTRACE LIBBTRACE TINY DAMAGE [SEED [EVERY]]
set -euo pipefail
export BTRACE_HISTORY=0 # no test writes into the user's history (docs/history.md)
unset BTRACE_DIR BTRACE_SESSION BTRACE_DEBUG BTRACE_SAMPLE LD_PRELOAD
btrace=$1 lib=$2 tiny=$3 damage=$4 seed=${5:-1414} every=${6:-1}
export BTRACE_LIB="$lib"
work=$(mktemp -d "${TMPDIR:-/tmp}/btrace-damage.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$btrace" record -o "$work/a" --sample all -- "$tiny" 4 >/dev/null 2>&1 ||
  { echo "FAIL: the traced program failed" >&2; exit 1; }
"$btrace" record -o "$work/b" -- "$tiny" 2 >/dev/null 2>&1 ||
  { echo "FAIL: the second traced program failed" >&2; exit 1; }
"$damage" "$btrace" "$work/a" "$work/b" "$work" "$seed" "$every"
