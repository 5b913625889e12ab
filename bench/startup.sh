#!/usr/bin/env bash
# startup.sh - what btrace costs before it does anything: the median wall
# time and resident set (ru_maxrss) of RUNS runs of `btrace --help`, and
# the shared libraries ldd lists.  The wall time is a fork and exec from
# python; the resident set comes from GNU time (/usr/bin/time -f %M),
# because a child forked from python starts with python's pages in its
# ru_maxrss.  Measures the btrace of build-bench, and
# before it each BTRACE given (e.g. one built at an older commit, to
# compare).  Writes the table into BENCHMARKS.md (section startup).
# Issue: linking libpq made every start load 22 more shared libraries; to
# compare with btrace before it was dlopened, build commit 87806f4 in a
# git worktree and pass its build/bin/btrace.
#
# usage: bench/startup.sh [-n RUNS] [BTRACE...]
set -euo pipefail
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time; Debian: time)" >&2; exit 1; }
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/bench/lib.sh"
runs=50
while getopts "n:" o; do
  case $o in
    n) runs=$OPTARG ;;
    *) echo "usage: $0 [-n RUNS] [BTRACE...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
bins=("$@" "$(bench_btrace "$repo")")
out=$(mktemp /tmp/btrace-bench-startup.XXXXXX)
trap 'rm -f "$out"' EXIT
{
  echo "## btrace startup: \`btrace --help\`"
  echo
  echo "Median of $runs runs each, on $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg) at the start ($(date -u +%Y-%m-%d)); \`bench/startup.sh -n $runs${*:+ $*}\`."
  echo
  echo "| btrace | shared libraries (ldd) | wall, median | ru_maxrss, median |"
  echo "|---|---:|---:|---:|"
  for b in "${bins[@]}"; do
    libs=$(ldd "$b" | wc -l)
    python3 - "$b" "$runs" "$libs" <<'PY'
import os, statistics, subprocess, sys, time
exe, n, libs = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ts, rss = [], []
for _ in range(n):
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.execv(exe, [exe, "--help"])
    os.waitpid(pid, 0)
    ts.append(time.perf_counter() - t)
for _ in range(n):
    r = subprocess.run(["/usr/bin/time", "-f", "%M", exe, "--help"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, check=True)
    rss.append(int(r.stderr.split()[-1]))
name = exe.replace(os.path.expanduser("~"), "~")
print(f"| {name} | {libs} | {statistics.median(ts) * 1000:.2f} ms | {statistics.median(rss) / 1024:.1f} MiB |")
PY
  done
} >"$out"
cat "$out"
bench_write_section "$repo/BENCHMARKS.md" startup "$out"
