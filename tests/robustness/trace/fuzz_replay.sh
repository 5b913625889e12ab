#!/usr/bin/env bash
# Replays the fuzz targets' checked-in inputs (tests/fuzz/corpus/<target>:
# the crashers the fuzzers found, once fixed, and seeds) through the same
# target code, without libFuzzer: a regression crashes here in every
# build.  The symbolizer also gets two real ELF files.
# usage: fuzz_replay.sh CORPUS_DIR BIN_DIR ELF...
set -euo pipefail
corpus=$1 bin=$2
shift 2
total=0
for t in trace_reader symbolize rustc_flags toolchain; do
  files=()
  while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$corpus/$t" -maxdepth 1 -type f ! -name '.*' -print0 | sort -z)
  if [ "$t" = symbolize ]; then files+=("$@"); fi
  [ "${#files[@]}" -gt 0 ] || { echo "FAIL: no inputs for $t in $corpus/$t" >&2; exit 1; }
  "$bin/replay_$t" "${files[@]}" >/dev/null || { echo "FAIL: replay_$t crashed" >&2; exit 1; }
  echo "$t: ${#files[@]} inputs"
  total=$((total + ${#files[@]}))
done
echo "ok: $total inputs replayed"
