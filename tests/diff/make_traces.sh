#!/usr/bin/env bash
# make_traces.sh BTRACE LIBBTRACE EXAMPLES OUT - the traces that the diff
# tests compare (ctest fixture diff_traces): clean builds of a generated
# workspace (../shared/workloads/gen-synthetic.sh, 4 crates of 60 generic
# functions), recorded at 1000 Hz so that a unit's categories hold
# hundreds of samples:
#   base1..3   the workspace as generated
#   same1..3   the same workspace again (nothing changed)
#   heavy1..3  lib1 heavier: 120 generic functions instead of 60 (the
#              rest byte for byte the same).  Twice the functions give
#              less than twice the CPU (a crate's fixed costs, start-up,
#              metadata and std's, do not grow with them; docs/diff.md)
#   debug0     the workspace at debug = 0 (base is cargo's dev default,
#              debug = 2)
#   nightly    the workspace built by the nightly toolchain (base: the
#              default, stable), when rustup has one
# Built interleaved (base, same, heavy, base, ...) so that a change in the
# machine's load spreads over every side instead of biasing one, and with
# -j1, so that no other rustc shares the cores with lib1 (one source less
# of spread in its CPU time; rustc's own codegen threads still run in
# parallel).  A CI run of diff_regression had one heavy build 10% above
# the others, which at 3 builds a side put an injected 30% (90 functions)
# within the 99% noise; with -j1 it passed 7 of 8 runs, so the injected
# change is now about twice that, beyond what one outlier hides.
set -euo pipefail
BTRACE=$1
LIB=$2
EXAMPLES=$3
OUT=$4
export PATH="$HOME/.cargo/bin:$PATH"
export BTRACE_LIB="$LIB" BTRACE_HZ=1000 CARGO_TERM_COLOR=never
gen="$(cd "$EXAMPLES/../.." && pwd)/shared/workloads/gen-synthetic.sh"
rm -rf "$OUT"
mkdir -p "$OUT"
if [ ! -f "$gen" ]; then
	echo "SKIP: no gen-synthetic.sh next to the repository"
	touch "$OUT/skip"
	exit 0
fi
work=$(mktemp -d /tmp/btrace-diff-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
bash "$gen" "$work/base" 4 60 >/dev/null
cp -r "$work/base" "$work/heavy"
bash "$gen" "$work/gen120" 4 120 >/dev/null
cp "$work/gen120/lib1/src/lib.rs" "$work/heavy/lib1/src/lib.rs"

trace() { # WORKSPACE NAME [ENV...]
	local ws=$1 name=$2
	shift 2
	(cd "$work/$ws" && cargo clean -q &&
		env "$@" "$BTRACE" record -o "$OUT/$name" -- \
			cargo build --offline -q -j1 >/dev/null 2>&1) ||
		{ echo "FAIL: traced build $name"; exit 1; }
}
for i in 1 2 3; do
	trace base "base$i"
	trace base "same$i"
	trace heavy "heavy$i"
done
trace base debug0 CARGO_PROFILE_DEV_DEBUG=0
if rustup run nightly rustc -V >/dev/null 2>&1; then
	trace base nightly RUSTUP_TOOLCHAIN=nightly
fi
touch "$OUT/ok"
echo "ok: traced builds in $OUT: $(ls "$OUT" | grep -cv ok)"
