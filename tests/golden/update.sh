#!/usr/bin/env bash
# update.sh [BUILD_DIR] - regenerate the golden test's expected outputs
# (expected.sha256, the readable texts in expected/, and env.txt, this
# machine's fingerprint) with the btrace and gen_trace of BUILD_DIR
# (default: build/ of this checkout).  Run it only when an output changes
# by design, in a commit of its own that says why; never in a refactor
# commit: there, a golden failure is the bug.  See README.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build=$(cd "${1:-$repo/build}" && pwd)
. "$here/lib.sh"
for b in btrace gen_trace; do
  [ -x "$build/bin/$b" ] || { echo "update.sh: no $build/bin/$b (build first)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/btrace-golden-update.XXXXXX)
trap 'rm -rf "$work"' EXIT
golden_traces "$build/bin/gen_trace" "$here" "$work"
golden_outputs "$build/bin/btrace" "$work"
# made twice: an output that changes between two runs cannot be golden
mv "$work/out" "$work/out1"
golden_outputs "$build/bin/btrace" "$work"
if ! diff -r "$work/out1" "$work/out" >/dev/null; then
  echo "update.sh: outputs differ between two runs:" >&2
  diff -rq "$work/out1" "$work/out" >&2 || true
  exit 1
fi
golden_fingerprint "$work" >"$here/env.txt"
golden_sums "$work" >"$here/expected.sha256"
rm -rf "$here/expected"
# the texts, at the same paths as in the outputs, for readable diffs
for c in gen-real gen-diverse cli-app; do
  for rel in "$c/report/summary.txt" "$c/report.stderr"; do
    mkdir -p "$here/expected/$(dirname "$rel")"
    cp "$work/out/$rel" "$here/expected/$rel"
  done
done
echo "update.sh: $(wc -l <"$here/expected.sha256") outputs; review with git diff tests/golden"
