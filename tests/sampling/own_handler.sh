#!/usr/bin/env bash
# A program that installs its own SIGPROF handler keeps it and runs
# correctly; sampling steps aside and says so in the trace.
set -euo pipefail
btrace=$1 prog=$2 check=$3
work=$(mktemp -d /tmp/btrace-sigprof.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$btrace" record -o "$work/trace" --sample all -- "$prog"
"$check" yielded "$work/trace" own_handler
