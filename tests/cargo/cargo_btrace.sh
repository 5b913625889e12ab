# cargo_btrace.sh CARGO_BTRACE BTRACE EXAMPLES_DIR - `cargo btrace`
# through real cargo (the subcommand found on PATH) on a generated
# workspace: where btrace.data goes (the workspace, --manifest-path,
# --target-dir, CARGO_TARGET_DIR), cargo's exit status, --color and
# CARGO_TERM_COLOR, and the btrace commands passed through (with a btrace
# stand-in that prints its arguments, and the real one).
set -euo pipefail
CARGO_BTRACE=$1
BTRACE=$2
EXAMPLES=$3
export PATH="$HOME/.cargo/bin:$PATH"
export BTRACE_HISTORY=0 # no test writes into the user's history (docs/history.md)
command -v cargo >/dev/null || { echo "SKIP: no cargo"; exit 77; }
gen="$(cd "$EXAMPLES/../.." && pwd)/shared/workloads/gen-synthetic.sh"
[ -f "$gen" ] || { echo "SKIP: no gen-synthetic.sh next to the repository"; exit 77; }
work=$(mktemp -d /tmp/btrace-cargo-btrace.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
unset CARGO_TARGET_DIR CARGO_TERM_COLOR CARGO_BUILD_TARGET_DIR
# cargo finds cargo-btrace on PATH; it finds btrace beside its real path
mkdir "$work/bin"
ln -s "$CARGO_BTRACE" "$work/bin/cargo-btrace"
export PATH="$work/bin:$PATH"
[ "$(dirname "$(readlink -f "$CARGO_BTRACE")")" = "$(dirname "$(readlink -f "$BTRACE")")" ] ||
  fail "cargo-btrace and btrace are not in one directory"
bash "$gen" "$work/ws" 3 5 >/dev/null
ws=$work/ws
sessions() { find "$1" -mindepth 1 -maxdepth 1 -type d | wc -l; }

# 1. From a member's directory: the trace goes to the workspace root,
#    beside target/, and the report is printed.
(cd "$ws/app" && cargo btrace build --offline >"$work/out" 2>"$work/err") ||
  { cat "$work/err"; fail "cargo btrace build failed"; }
[ -d "$ws/target/debug" ] || fail "no target/ at the workspace root"
[ -L "$ws/btrace.data/latest" ] || fail "no btrace.data/latest beside target/"
[ ! -e "$ws/app/btrace.data" ] || fail "btrace.data in the member's directory"
[ -s "$ws/btrace.data/latest/report/summary.json" ] || fail "no report written"
grep -q '^Build: ' "$work/out" || fail "the report was not printed"
grep -q 'cargo build --offline' "$work/out" || fail "the report is not of cargo build"
grep -q '^ *Recording cargo build' "$work/err" || fail "no Recording line"
grep -q $'\033' "$work/err" && fail "color on stderr that is not a terminal"
# the trace holds the workspace's rustc processes
"$BTRACE" dump "$ws/btrace.data/latest" >"$work/dump" || fail "btrace dump: the trace is not whole"
grep -q 'crate-name lib2' "$work/dump" || fail "no rustc of lib2 in the trace"

# 2. cargo btrace test: the same, for cargo test
(cd "$ws" && cargo btrace test --offline >"$work/out" 2>"$work/err") ||
  { cat "$work/err"; fail "cargo btrace test failed"; }
grep -q 'cargo test --offline' "$work/out" || fail "the report is not of cargo test"
[ "$(sessions "$ws/btrace.data")" = 2 ] || fail "cargo btrace test made no second session"

# 3. --manifest-path from elsewhere: the workspace's btrace.data again
(cd "$work" && cargo btrace check --offline --manifest-path ws/Cargo.toml >/dev/null 2>"$work/err") ||
  { cat "$work/err"; fail "--manifest-path"; }
[ "$(sessions "$ws/btrace.data")" = 3 ] || fail "--manifest-path: not in the workspace's btrace.data"
[ ! -e "$work/btrace.data" ] || fail "--manifest-path: btrace.data in the current directory"

# 4. --target-dir (relative, both spellings) and CARGO_TARGET_DIR: beside it
(cd "$ws" && cargo btrace build --offline --target-dir out/t1 >/dev/null 2>&1) || fail "--target-dir DIR"
[ -d "$ws/out/t1/debug" ] && [ -L "$ws/out/btrace.data/latest" ] || fail "--target-dir DIR: not beside out/t1"
(cd "$ws" && cargo btrace build --offline --target-dir="$work/deep/er/t2" >/dev/null 2>&1) || fail "--target-dir=DIR"
[ -L "$work/deep/er/btrace.data/latest" ] || fail "--target-dir=DIR: not beside it"
(cd "$ws" && CARGO_TARGET_DIR=../env/t3 cargo btrace build --offline >/dev/null 2>&1) || fail "CARGO_TARGET_DIR"
[ -d "$work/env/t3/debug" ] && [ -L "$work/env/btrace.data/latest" ] || fail "CARGO_TARGET_DIR: not beside it"
[ "$(sessions "$ws/btrace.data")" = 3 ] || fail "a --target-dir build went to the workspace's btrace.data"

# 5. The exit status is cargo's: a compile error (101), a bad cargo
#    option (1), no Cargo.toml (101, cargo's own message); no report then.
cp -r "$ws" "$work/bad" && rm -rf "$work/bad/btrace.data" "$work/bad/target"
echo 'fn broken( {' >>"$work/bad/lib0/src/lib.rs"
rc=0; (cd "$work/bad" && cargo btrace build --offline >"$work/out" 2>"$work/err") || rc=$?
[ "$rc" = 101 ] || fail "compile error: exit $rc, cargo's is 101"
grep -q 'cargo exited with 101' "$work/err" || fail "compile error: not said"
[ ! -e "$work/bad/btrace.data/latest/report" ] || fail "a report of the failed build"
[ -L "$work/bad/btrace.data/latest" ] || fail "no trace of the failed build"
rc=0; (cd "$ws" && cargo btrace build --no-such-option >/dev/null 2>&1) || rc=$?
[ "$rc" = 1 ] || fail "bad cargo option: exit $rc, cargo's is 1"
mkdir "$work/empty"
rc=0; (cd "$work/empty" && cargo btrace build >/dev/null 2>"$work/err") || rc=$?
[ "$rc" = 101 ] || fail "no Cargo.toml: exit $rc, cargo's is 101"
grep -q 'Cargo.toml' "$work/err" || fail "no Cargo.toml: cargo's message not shown"
[ ! -e "$work/empty/btrace.data" ] && [ ! -e "$work/btrace.data" ] || fail "no Cargo.toml: a trace directory made"

# 6. Color: CARGO_TERM_COLOR=always colors our lines as cargo's; --color
#    never wins over it.
(cd "$ws" && CARGO_TERM_COLOR=always cargo btrace check --offline >/dev/null 2>"$work/err") || fail "color always"
grep -q $'\033\\[1m\033\\[32m   Recording\033\\[0m' "$work/err" || fail "CARGO_TERM_COLOR=always: no color"
(cd "$ws" && CARGO_TERM_COLOR=always cargo btrace check --offline --color never >/dev/null 2>"$work/err") || fail "color never"
grep -q $'\033' "$work/err" && fail "--color never: colored"
grep -q '^   Recording' "$work/err" || fail "--color never: no Recording line"

# 7. Passed through to the real btrace: report and dump read the
#    workspace's last trace, from a member's directory too.
rm -rf "$ws/btrace.data/latest/report"
(cd "$ws/lib1" && cargo btrace report -q) >/dev/null 2>&1 || fail "cargo btrace report"
[ -s "$ws/btrace.data/latest/report/summary.json" ] || fail "cargo btrace report: not the workspace's trace"
(cd "$ws/lib1" && cargo btrace report -q -o "$work/r") >/dev/null 2>&1 || fail "cargo btrace report -o"
[ -s "$work/r/summary.json" ] || fail "cargo btrace report -o: not written there"
(cd "$ws/lib1" && cargo btrace dump) | grep ' 0 problems$' >/dev/null || fail "cargo btrace dump"
rc=0; (cd "$ws" && cargo btrace report "$work/nothing-here") >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "cargo btrace report MISSING_DIR: exit $rc, btrace's is 2"

# 8. The arguments passed through, with a stand-in btrace beside a copy.
mkdir "$work/fake"
cp "$CARGO_BTRACE" "$work/fake/cargo-btrace"
printf '#!/bin/sh\nfor a in "$@"; do printf "<%%s>" "$a"; done; echo\n' >"$work/fake/btrace"
chmod +x "$work/fake/btrace"
fake() { (cd "$ws/app" && "$work/fake/cargo-btrace" btrace "$@"); }
d=$ws/btrace.data
check() { # EXPECTED ARGS...
  local want=$1 got; shift
  got=$(fake "$@") || fail "cargo btrace $*: failed"
  [ "$got" = "$want" ] || fail "cargo btrace $*: ran btrace $got, not $want"
}
check "<report><-q><$d/latest>" report -q
check "<report><--group><crate><$d/latest>" report --group crate
check "<report><-o><x><$d/latest>" report -o x
check "<report><--output=x><$d/latest>" report --output=x
check "<report><some/dir>" report some/dir
check "<report><-q><--><some/dir>" report -q -- some/dir
check "<dump><-w><$d/latest>" dump -w
check "<experiment><-o><$d/experiment><--><cargo><build>" experiment -- cargo build
check "<experiment><--runs><2><-o><x><--><cargo><build>" experiment --runs 2 -o x -- cargo build
check "<experiment><-o><$d/experiment><--only><debuginfo-off><--><cargo><build><-o><y>" experiment --only debuginfo-off -- cargo build -o y
check "<experiment><-o><$d/experiment><--touch><-o><--><cargo><build>" experiment --touch -o -- cargo build
check "<diff><a><b>" diff a b
check "<history><--unit><lib0>" history --unit lib0
# outside a workspace: as typed, btrace's defaults decide
got=$(cd "$work/empty" && "$work/fake/cargo-btrace" btrace report -q) || fail "report outside a workspace"
[ "$got" = "<report><-q>" ] || fail "report outside a workspace: ran btrace $got"

# 9. Our own usage: --help and --version exit 0, nothing at all exits 125.
cargo btrace --help | grep '^usage: cargo btrace' >/dev/null || fail "cargo btrace --help"
cargo btrace --version | grep '^cargo-btrace ' >/dev/null || fail "cargo btrace --version"
rc=0; cargo btrace >/dev/null 2>&1 || rc=$?
[ "$rc" = 125 ] || fail "cargo btrace alone: exit $rc, not 125"
echo "PASS"
