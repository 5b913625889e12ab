#!/usr/bin/env bash
# traces.sh BTRACE OUT - the traced builds the history suite reports
# (suite.sh): a workspace of ../shared/workloads/gen-synthetic.sh (4
# library crates of 20 generic functions and a binary), in OUT/ws, built
# clean 3 times (OUT/base1..3), then once more with lib1 four times
# heavier (80 functions; OUT/heavy).  Each build is `btrace record` of
# `cargo build -j2` in a fresh target directory.
set -euo pipefail
export BTRACE_HISTORY=0 # the suite stores them, not the recording
btrace=$1 out=$2
repo="$(cd "$(dirname "$0")/../.." && pwd)"
gen="$repo/../shared/workloads/gen-synthetic.sh"
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null; then
  echo "FAIL: no cargo on PATH or in ~/.cargo/bin" >&2
  exit 1
fi
[ -x "$gen" ] || { echo "FAIL: $gen not found" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
bash "$gen" "$out/ws" 4 20 >/dev/null
bash "$gen" "$out/ws-heavy" 4 80 >/dev/null
build() { # NAME
  rm -rf "$out/ws/target"
  (cd "$out/ws" && "$btrace" record -o "$out/$1" -- cargo build -q -j2 --offline) 2>"$out/$1.log" ||
    { cat "$out/$1.log" >&2; echo "FAIL: the traced build $1 failed" >&2; exit 1; }
}
for i in 1 2 3; do build "base$i"; done
cp "$out/ws-heavy/lib1/src/lib.rs" "$out/ws/lib1/src/lib.rs"
build heavy
echo "ok: 4 traced builds in $out"
