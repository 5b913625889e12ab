#!/usr/bin/env bash
# test.sh - the README's second command, and what CI runs: install what
# the tests need, then run every layer:
#   build/       unit, functional and cargo tests (ctest)
#   build-asan/  the analyzer, the format code, the shim core and the unit
#                tests under ASan/UBSan, and the damaged-trace and fuzz
#                replay tests on that analyzer
#   build-tsan/  the whole report pipeline under TSan (the profile is
#                built by two threads)
#   build-fuzz/  the fuzzers (trace reader, symbolizer's ELF input, rustc
#                flags, toolchain version scan), 90 s in all (clang)
# first the format check (clang-format), last the clean-tree check.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
"$repo/scripts/deps.sh" test
# Whatever a test might still store (btrace history) goes to a directory
# of this run, never into the user's own data.
XDG_DATA_HOME=$(mktemp -d /tmp/btrace-test-data.XXXXXX)
export XDG_DATA_HOME
trap 'rm -rf "$XDG_DATA_HOME"' EXIT
jobs=$(nproc)
failed=0

run() { # NAME BUILD_DIR CMAKE_ARGS... -- CTEST_ARGS...
  local name=$1 dir=$2; shift 2
  local cargs=() targs=()
  while (($#)) && [ "$1" != -- ]; do cargs+=("$1"); shift; done
  shift || true
  targs=("$@")
  echo "== $name"
  # the logs live inside the build directory: nothing under the checkout
  # changes when the tests run (the clean-tree check below)
  mkdir -p "$dir"
  cmake -S "$repo" -B "$dir" "${cargs[@]}" >"$dir/configure.log" 2>&1 || { cat "$dir/configure.log"; return 1; }
  # TARGETS (optional): build only these
  cmake --build "$dir" -j"$jobs" ${TARGETS:+--target $TARGETS} >"$dir/build.log" 2>&1 || { tail -n 50 "$dir/build.log"; return 1; }
  ctest --test-dir "$dir" --output-on-failure -j"$jobs" "${targs[@]}"
}

# The format check: the C sources as the checked-in .clang-format wants
# them (clang-format --dry-run -Werror prints where they differ).
echo "== clang-format"
if ! (cd "$repo" && git ls-files -z -- 'analyzer/*.[ch]' 'preload/*.[ch]' 'common/*.[ch]' 'cargo-btrace/*.[ch]' 'bench/*.[ch]' 'tests/*.[ch]' |
  xargs -0 clang-format --dry-run -Werror); then
  echo "test.sh: run clang-format -i on the files above" >&2
  failed=1
fi

run "tests (unit, functional, cargo)" "$repo/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -- -LE fuzz || failed=1
run "unit tests, damaged traces and fuzz inputs under ASan/UBSan" "$repo/build-asan" -DCMAKE_BUILD_TYPE=Debug -DBTRACE_SANITIZE=ON -- -L 'unit|robustness' || failed=1
TARGETS="btrace_cli gen_trace" TSAN_OPTIONS="halt_on_error=1 log_path=$repo/build-tsan/tsan" \
  run "the report pipeline under TSan" "$repo/build-tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBTRACE_TSAN=ON -- -R unit_report_synthetic || failed=1
run "fuzzing the reader, the symbolizer, the flag parser and the version scan" "$repo/build-fuzz" -DCMAKE_C_COMPILER=clang -DBTRACE_FUZZ=ON -DBTRACE_SANITIZE=ON -- -L fuzz || failed=1

# The clean-tree check: the tests wrote only to build dirs and mktemp.
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  dirty=$(git -C "$repo" status --porcelain)
  if [ -n "$dirty" ]; then
    echo "test.sh: the tests left the checkout dirty (git status --porcelain):" >&2
    printf '%s\n' "$dirty" >&2
    failed=1
  fi
fi

if ((failed)); then
  echo "test.sh: FAILED" >&2
  exit 1
fi
echo "test.sh: all test layers passed"
