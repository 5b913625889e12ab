#!/usr/bin/env bash
# run.sh BTRACE CASE ARGS... - one test of tests/robustness/sampler.
# Every traced program runs under `timeout`, so a hang fails the test
# rather than the whole suite.  Traces go to a mktemp directory.
set -euo pipefail
export BTRACE_HISTORY=0 # no test writes into the user's history (docs/history.md)
btrace=$1 case=$2
shift 2
work=$(mktemp -d /tmp/btrace-rsampler.XXXXXX)
trap 'rm -rf "$work"' EXIT
# record SAMPLE PROG ARGS...: traces PROG; prints its exit status.
record() {
	local sample=$1 rc=0
	shift
	timeout -k 5 30 "$btrace" record -o "$work/trace" --sample "$sample" \
		-- "$@" >&2 || rc=$?
	echo "$rc"
}
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
case $case in
siginterrupt) # PROG: EINTR as untraced, for every sampling mode
	prog=$1
	"$prog" || fail "untraced run failed"
	for mode in off compilers all; do
		rm -rf "$work/trace"
		rc=$(record "$mode" "$prog")
		[ "$rc" = 0 ] || fail "--sample $mode: exit $rc (124: hung)"
	done
	;;
unshare) # PROG: unshare(CLONE_NEWUSER) works traced if it does untraced
	prog=$1 rc=0
	"$prog" || rc=$?
	[ "$rc" = 77 ] && { echo "no user namespaces here: skipped"; exit 77; }
	[ "$rc" = 0 ] || fail "untraced: exit $rc"
	for mode in compilers all; do
		rm -rf "$work/trace"
		rc=$(record "$mode" "$prog")
		[ "$rc" = 0 ] || fail "--sample $mode: exit $rc"
	done
	;;
sigwait) # PROG CHECK: only the signal it sent, main thread, a thread,
	# a mask inherited across exec, and a blocking thread left alone by
	# pthread_exit in main, with both kinds of timer
	prog=$1 check=$2
	for how in main thread exec mainexit; do
		"$prog" "$how" || fail "untraced $how: failed"
		for timer in process thread; do
			rm -rf "$work/trace"
			rc=$(BTRACE_TIMER=$timer record all "$prog" "$how")
			[ "$rc" = 0 ] || fail "$timer timer, $how: exit $rc"
			"$check" samples "$work/trace" "$(basename "$prog")" 0
		done
	done
	;;
truncated) # PROG CHECK BTRACE: samples in code without CFI are truncated
	prog=$1 check=$2
	rc=$(record all "$prog" 0.4)
	[ "$rc" = 0 ] || fail "exit $rc"
	"$check" truncated "$work/trace" "$(basename "$prog")"
	"$btrace" dump "$work/trace" >"$work/dump"
	grep "$(basename "$prog")" "$work/dump"
	grep -Eq "$(basename "$prog").*[0-9.]+% to root, ([89][0-9]|100)\.[0-9]% truncated" \
		"$work/dump" || fail "btrace dump does not show the truncated share"
	"$btrace" report "$work/trace" >"$work/report.out"
	grep -E '! [0-9.]+s \(([89][0-9]|100)\.[0-9]% of the sampled CPU\) in stacks cut short' \
		"$work/trace/report/summary.txt" ||
		fail "the report does not show the truncated share"
	grep -q '\[no unwind info: stack truncated\]' \
		"$work/trace/report/stacks.folded" ||
		fail "the folded stacks do not mark the truncated stacks"
	;;
forked) # PROG CHECK: samples in a fork child, single- and multi-threaded
	prog=$1 check=$2
	for how in one threads; do
		for timer in process thread; do
			rm -rf "$work/trace"
			rc=$(BTRACE_TIMER=$timer record all "$prog" 0.4 "$how")
			[ "$rc" = 0 ] || fail "$timer timer, $how: exit $rc"
			"$check" samples "$work/trace" "$(basename "$prog")" 80 \
				forked
		done
	done
	;;
exec_fail) # PROG CHECK: sampling goes on after a failed exec
	prog=$1 check=$2
	for timer in process thread; do
		rm -rf "$work/trace"
		rc=$(BTRACE_TIMER=$timer record all "$prog" 0.4)
		[ "$rc" = 0 ] || fail "$timer timer: exit $rc"
		"$check" samples "$work/trace" "$(basename "$prog")" 80
	done
	;;
short_threads) # PROG CHECK: threads that end while sampled
	prog=$1 check=$2
	for timer in process thread; do
		rm -rf "$work/trace"
		rc=$(BTRACE_TIMER=$timer BTRACE_HZ=2000 record all "$prog" 300)
		[ "$rc" = 0 ] || fail "BTRACE_TIMER=$timer: exit $rc"
		"$check" samples "$work/trace" "$(basename "$prog")" 1
	done
	;;
thread_names) # PROG PROBE CHECK: every thread named, none from /proc, and
	# the records of 40 ended threads in fewer opens of the trace file
	# than threads (they are written together), with both kinds of timer
	prog=$1 probe=$2 check=$3
	for timer in process thread; do
		rm -rf "$work/trace" "$work/probe.log"
		mkdir -m 700 "$work/trace"
		rc=0
		BTRACE_TIMER=$timer BTRACE_SAMPLE=all BTRACE_DIR="$work/trace" \
			PROBE_DIR="$work/trace/" PROBE_LOG="$work/probe.log" \
			LD_PRELOAD="$probe $BTRACE_LIB" timeout -k 5 30 "$prog" || rc=$?
		[ "$rc" = 0 ] || fail "BTRACE_TIMER=$timer: exit $rc"
		cat "$work/probe.log"
		read -r _ task _ opens <"$work/probe.log"
		[ "$task" = 0 ] || fail "$timer timer: $task opens of /proc/self/task/*"
		[ "$opens" -lt 40 ] ||
			fail "$timer timer: $opens opens of the trace file for 40 threads"
		"$check" threads "$work/trace" "$(basename "$prog")" \
			'short-*40' live-a live-b
	done
	;;
preinit) # PROG CHECK_SAMPLES: the program's early SIGPROF handler stays
	prog=$1 check=$2
	rc=$(record all "$prog")
	[ "$rc" = 0 ] || fail "exit $rc"
	"$check" yielded "$work/trace" "$(basename "$prog")"
	;;
mold) # CHECK: a real mold link has samples in mold's fork child
	check=$1
	[ -x /usr/bin/mold ] || { echo "no /usr/bin/mold: skipped"; exit 77; }
	command -v g++ >/dev/null || { echo "no g++: skipped"; exit 77; }
	# A static link of all of libstdc++ with compressed debug sections:
	# about 50 ms of CPU in mold's fork child (a small link is ~7 ms,
	# one or two ticks of the CPU timer).
	echo 'int main(void) { return 0; }' >"$work/main.c"
	cc -c -o "$work/main.o" "$work/main.c"
	rc=$(BTRACE_HZ=10000 record compilers g++ -static -fuse-ld=mold \
		-Wl,--compress-debug-sections=zlib -o "$work/prog" "$work/main.o" \
		-Wl,--whole-archive -lstdc++ -Wl,--no-whole-archive)
	[ "$rc" = 0 ] || fail "link: exit $rc"
	"$work/prog" || fail "linked program does not run"
	# mold's parent exits as soon as the output is written; its fork
	# child unmaps and exits after that, and writes its end then: wait
	# for it (under load it was seen still running here).
	for _ in $(seq 1 200); do
		pgrep -f "mold .*$work/prog" >/dev/null || break
		sleep 0.05
	done
	"$btrace" dump "$work/trace" | grep -E '/mold .*\[fork\]' | cut -c1-80 ||
		fail "no fork child of mold in the trace"
	# 10 ms of samples at 10 kHz (measured: 34 to 53 ms)
	"$check" samples "$work/trace" mold 100 forked
	;;
lazy) # CHECK: sampled images that end or exec before their first sample
	# (a shell named rustc, its fork child, a /bin/true named ld.lld)
	# start no thread of ours and scan no module, and still say they
	# were sampled: SAMPLING and SAMPLER_END (issue 19)
	check=$1
	command -v strace >/dev/null || {
		echo "needs strace (scripts/deps.sh test): skipped"
		exit 77
	}
	cp /bin/bash "$work/rustc" # forks (dash vforks) for all but its last command
	cp /bin/true "$work/ld.lld"
	for timer in process thread; do
		rm -rf "$work/trace"
		rc=0
		BTRACE_TIMER=$timer strace -f -qq -e trace=clone,clone3 \
			-o "$work/clones" timeout -k 5 30 "$btrace" record \
			-o "$work/trace" --sample compilers -- "$work/rustc" -c \
			"'$work/ld.lld'; '$work/ld.lld'" >&2 || rc=$?
		[ "$rc" = 0 ] || fail "$timer timer: exit $rc"
		threads=$(grep -c CLONE_THREAD "$work/clones" || true)
		[ "$threads" = 0 ] ||
			fail "$timer timer: $threads threads started: $(grep CLONE_THREAD "$work/clones")"
		"$check" lazy "$work/trace" rustc ld.lld
	done
	;;
single_ring) # PROG CHECK: 5 s of CPU on the only thread, more than the
	# ring holds (about 4 s): no flusher, the handler writes the ring out,
	# no sample is lost (issue 19; BTRACE_SAMPLE=all lost them before)
	prog=$1 check=$2
	rc=$(BTRACE_HZ=1000 record all "$prog" 5)
	[ "$rc" = 0 ] || fail "exit $rc"
	"$check" whole "$work/trace" "$(basename "$prog")" 4000
	;;
*)
	echo "run.sh: unknown case $case" >&2
	exit 2
	;;
esac
echo "ok: $case"
