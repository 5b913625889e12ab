#!/usr/bin/env bash
# golden.sh BTRACE GEN_TRACE - the golden test: every output of btrace
# report and btrace dump, byte for byte, on fixed traces (lib.sh lists
# them), against expected.sha256.  It proves that a change (a refactor)
# leaves every output as it was.  When an output changes by design, run
# tests/golden/update.sh in its own commit (README.md says when).
#
# The outputs depend on machine files (the symbolizer reads the modules
# the traces name): if env.txt, the fingerprint of those files taken by
# update.sh, does not match this machine, the comparison would prove
# nothing, and the test is skipped (exit 77) saying which files differ.
set -euo pipefail
btrace=$1 gen=$2
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
work=$(mktemp -d /tmp/btrace-golden.XXXXXX)
trap 'rm -rf "$work"' EXIT

golden_traces "$gen" "$here" "$work"
golden_fingerprint "$work" >"$work/env.txt"
if ! diff -u "$here/env.txt" "$work/env.txt" >"$work/env.diff"; then
  echo "SKIP: this machine's files are not those the golden outputs were made with:" >&2
  grep '^[-+][^-+]' "$work/env.diff" | head -n 20 >&2
  echo "SKIP: run tests/golden/update.sh on a known-good commit to take them here" >&2
  exit 77
fi

golden_outputs "$btrace" "$work"
# No absolute path of this run may leak into an output.
if grep -rlF "$work" "$work/out" >"$work/leaks"; then
  echo "FAIL: outputs name the work directory $work: $(tr '\n' ' ' <"$work/leaks")" >&2
  exit 1
fi
golden_sums "$work" >"$work/sums"
if ! diff -u "$here/expected.sha256" "$work/sums" >"$work/sums.diff"; then
  echo "FAIL: outputs differ from tests/golden/expected.sha256:" >&2
  grep '^[-+][^-+]' "$work/sums.diff" >&2
  # the texts are committed too: show how they differ
  (cd "$here/expected" && find . -type f | LC_ALL=C sort) | while IFS= read -r rel; do
    diff -u "$here/expected/$rel" "$work/out/$rel" | head -n 40 >&2 || true
  done
  exit 1
fi
echo "ok: $(wc -l <"$work/sums") outputs of 3 traces byte-identical to expected.sha256"
