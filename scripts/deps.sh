#!/usr/bin/env bash
# deps.sh [test|bench] - install what btrace needs from Debian, only if
# missing.  With "bench", also what bench/run.sh measures with (perf from
# linux-perf, GNU time, mold, clang for the fuzzers).  With "test", also
# what the test suite needs (clang's libFuzzer, a
# PostgreSQL server and the sqlite3 shell for tests/history, the crate
# sources of ../shared/workloads/cli-app when they are there).
# man-db: `man btrace-report` after the install; dpkg-dev and file: cpack's
# dpkg-shlibdeps for the .deb's dependencies; groff-base: the man page test.
# time: GNU time, for bench/startup.sh's resident set.
# strace: tests/sampling/writes.sh counts the trace file's opens.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libelf-dev libcjson-dev libcmocka-dev libiberty-dev libc6-dbg python3 man-db libsqlite3-dev libpq-dev)
if [ "${1:-}" = test ]; then
  pkgs+=(clang clang-format libclang-rt-14-dev chromium mold xz-utils dpkg-dev file groff-base postgresql sqlite3 time strace)
fi
if [ "${1:-}" = bench ]; then
  pkgs+=(linux-perf time mold clang libclang-rt-14-dev)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  echo "deps: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Rust: the toolchains live in ~/.cargo/bin when they are not on PATH.
if ! command -v cargo >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/cargo" ]; then
  echo "deps: no cargo found on PATH or in ~/.cargo/bin; install Rust with rustup" >&2
  exit 1
fi
shared="$(cd "$(dirname "$0")/../.." && pwd)/shared"
if [ "${1:-}" = test ] || [ "${1:-}" = bench ] && [ -x "$shared/workloads/install-debian-crates.sh" ]; then
  "$shared/workloads/install-debian-crates.sh" >/dev/null
fi
