#!/usr/bin/env bash
# hot.c traced with sampling on for every process: shares, stacks, and
# sampled CPU against rusage (check_samples hot).
set -euo pipefail
btrace=$1 hot=$2 check=$3
work=$(mktemp -d /tmp/btrace-hot.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$btrace" record -o "$work/trace" --sample all -- "$hot" "$work/ranges" 1.5
"$check" hot "$work/trace" "$work/ranges"
