#!/usr/bin/env bash
# A storm of 10,000 processes (4 threads starting 2,500 children each,
# through posix_spawn, posix_spawnp and fork+exec at once), traced: none
# lost or duplicated, no problem in the trace, and the shim's cost bounded:
# the largest resident set of any process of the storm at most 4 MiB above
# the untraced storm's (each traced process reports its own at its end),
# and the storm parent's open descriptors (watched from outside) at most
# one per spawning thread above untraced (the shim holds a descriptor only
# while it writes a record).  Prints the figures, and the analyzer's
# memory and time on the 10,000-process trace (not judged).
# usage: storm10k.sh BTRACE LIBBTRACE BIN_DIR [THREADS] [PER_THREAD]
set -euo pipefail
export BTRACE_HISTORY=0 # no test writes into the user's history (docs/history.md)
unset BTRACE_DIR BTRACE_SESSION BTRACE_DEBUG BTRACE_SAMPLE LD_PRELOAD
btrace=$1 lib=$2 bin=$3 threads=${4:-4} per=${5:-2500}
export BTRACE_LIB="$lib"
work=$(mktemp -d "${TMPDIR:-/tmp}/btrace-storm.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
n=$((threads * per))
field() { sed -n "s/.*peak: .*$1=\([0-9.]*\).*/\1/p" "$2" | tail -n 1; }

"$bin/trace_peak" "$bin/storm" parent "$threads" "$per" >/dev/null 2>"$work/untraced" ||
  fail "the untraced storm failed: $(cat "$work/untraced")"
"$btrace" record -o "$work/t" -- "$bin/storm" parent "$threads" "$per" >"$work/out" 2>&1 &
rec=$!
# The storm parent's descriptors, watched from outside.
for _ in $(seq 1 1000); do spid=$(pgrep -P "$rec" || true); [ -z "$spid" ] || break; sleep 0.005; done
[ -n "$spid" ] || fail "the traced storm did not start"
"$bin/trace_peak" -p "$spid" 2>"$work/traced" &
watch=$!
wait "$rec" || fail "the traced storm failed: $(cat "$work/out")"
wait "$watch"
"$bin/check_trace" storm "$work/t" "$threads" "$per"
rc=0
"$btrace" dump "$work/t" >"$work/dump" 2>"$work/dump.err" || rc=$?
last=$(tail -n 1 "$work/dump")
[ "$rc" = 0 ] || fail "dump exited $rc: $last $(head -c 2000 "$work/dump.err")"
# The storm's children and the storm parent.
[[ "$last" =~ ^$((n + 1))\ processes,\ [0-9]+\ images,\ [0-9]+\ records,\ 0\ samples,\ 0\ problems$ ]] ||
  fail "dump says: $last"
"$bin/trace_peak" "$btrace" report -q "$work/t" >/dev/null 2>"$work/report" ||
  fail "btrace report failed: $(cat "$work/report")"

"$bin/trace_peaks" "$work/t" >"$work/peaks"
u_rss=$(field maxrss_kib "$work/untraced")
t_rss=$(sed -n 's/.*max_rss_kib=\([0-9]*\).*/\1/p' "$work/peaks")
u_fds=$(field max_fds "$work/untraced") t_fds=$(field max_fds "$work/traced")
r_rss=$(field maxrss_kib "$work/report") r_wall=$(field wall_s "$work/report")
u_wall=$(field wall_s "$work/untraced")
[ -n "$u_rss" ] && [ -n "$t_rss" ] && [ -n "$r_rss" ] || fail "no figures: $(cat "$work/untraced" "$work/traced" "$work/report")"
((t_rss <= u_rss + 4096)) || fail "largest process $t_rss KiB traced, $u_rss KiB untraced"
((t_fds <= u_fds + threads)) || fail "storm parent held $t_fds descriptors traced, $u_fds untraced"
echo "ok: storm of $n processes: largest process ${t_rss} KiB traced, ${u_rss} KiB untraced;" \
  "parent's descriptors at most ${t_fds} traced, ${u_fds} untraced;" \
  "btrace report: ${r_rss} KiB, ${r_wall} s"
