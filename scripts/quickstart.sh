#!/usr/bin/env bash
# quickstart.sh - the README's first command: install the dependencies,
# build and install btrace (btrace and cargo-btrace in /usr/local/bin,
# libbtrace.so in /usr/local/lib, the man pages in /usr/local/share/man,
# which man searches by default), trace a real cargo build of
# examples/hello-workspace with LD_PRELOAD=libbtrace.so, and report on it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
"$repo/scripts/deps.sh"

sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
cmake -S "$repo" -B "$repo/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build "$repo/build" -j"$(nproc)" >/dev/null
$sudo cmake --install "$repo/build" >/dev/null
echo "installed: $(command -v btrace), $(command -v cargo-btrace) and libbtrace.so ($(ldconfig -p | grep -m1 libbtrace.so | sed 's/.*=> //'))"
echo "man pages: $(dirname "$(dirname "$(man -w btrace-report)")") (man btrace, man btrace-report, man cargo-btrace, man 7 libbtrace)"

example="$repo/examples/hello-workspace"
cd "$example"
cargo clean -q --offline 2>/dev/null || true
echo "tracing a clean build of examples/hello-workspace:"
LD_PRELOAD=libbtrace.so cargo build --offline
echo
btrace report
echo
echo "trace:  $example/btrace.data/latest   (btrace dump lists every process)"
echo "next:   cargo btrace build   (in any crate: records and reports; or LD_PRELOAD=libbtrace.so cargo build, then btrace report)"
echo "other outputs: $example/btrace.data/latest/report/ (summary.txt, summary.json, flame.svg, stacks.folded, trace.json for ui.perfetto.dev)"
echo "open:   $example/btrace.data/latest/report/report.html"
