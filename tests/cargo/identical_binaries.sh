#!/usr/bin/env bash
# The binaries built with and without the shim are byte-identical (same
# directory, so embedded paths match).  Incremental builds put session
# hashes into rlibs even untraced, so rlibs are compared without
# incremental compilation; the binary is compared in the default profile.
source "$(dirname "$0")/common.sh" "$@"
cargo build --offline -q
cp target/debug/app "$work/app.untraced"
cargo clean -q
"$BTRACE" record -o "$work/trace" -- cargo build --offline -q
cmp target/debug/app "$work/app.untraced" || fail "app differs when traced"
[ "$(target/debug/app x)" = "$("$work/app.untraced" x)" ] || fail "output differs"

cargo clean -q
CARGO_INCREMENTAL=0 cargo build --offline -q
mkdir "$work/untraced"
cp target/debug/deps/*.rlib target/debug/deps/*.so target/debug/app "$work/untraced/"
cargo clean -q
CARGO_INCREMENTAL=0 "$BTRACE" record -o "$work/trace2" -- cargo build --offline -q
n=0
for f in "$work"/untraced/*; do
  b=$(basename "$f")
  t=target/debug/deps/$b; [ "$b" = app ] && t=target/debug/app
  cmp "$t" "$f" || fail "$b differs when traced"
  n=$((n + 1))
done
[ "$n" -ge 4 ] || fail "only $n artifacts compared"
echo "ok: traced and untraced binaries are identical ($n artifacts)"
