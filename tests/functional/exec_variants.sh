#!/usr/bin/env bash
# Every way of starting a process is recorded with the right parent, argv
# and exit status.
source "$(dirname "$0")/common.sh" "$@"
"$BTRACE" record -o "$work/t" -- "$BIN/exec_variants" parent || fail "exec_variants failed"
"$BIN/check_trace" exec_variants "$work/t"
