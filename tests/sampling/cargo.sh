#!/usr/bin/env bash
# N clean, traced cargo builds of the example back to back: none hangs or
# crashes, each produces a working binary, and in each every rustc
# compilation has samples (LLVM worker threads included) that unwind to
# the root (check_samples cargo).
set -euo pipefail
btrace=$1 check=$2 examples=$3 runs=${4:-1}
export PATH="$HOME/.cargo/bin:$PATH"
work=$(mktemp -d /tmp/btrace-sampling-cargo.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$examples/hello-workspace" "$work/ws"
rm -rf "$work/ws/target" "$work/ws/btrace.data"
cd "$work/ws"
for ((i = 1; i <= runs; i++)); do
  cargo clean -q
  timeout 300 "$btrace" record -o "$work/trace$i" -- cargo build --offline -q
  [ "$(./target/debug/app x | head -n 1)" = "hallo, X!" ] || { echo "FAIL: run $i: wrong output" >&2; exit 1; }
  "$check" cargo "$work/trace$i"
  rm -rf "$work/trace$i"
done
echo "ok: $runs traced builds"
