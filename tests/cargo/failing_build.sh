#!/usr/bin/env bash
# A failing build returns the same exit code traced and untraced, and its
# trace is still readable.
source "$(dirname "$0")/common.sh" "$@"
set +e
cargo build --offline -q --features broken 2>/dev/null
untraced=$?
cargo clean -q
"$BTRACE" record -o "$work/trace" -- cargo build --offline -q --features broken 2>/dev/null
traced=$?
LD_PRELOAD="$LIB" BTRACE_DIR="$work/trace2" cargo build --offline -q --features broken 2>/dev/null
preloaded=$?
set -e
[ "$untraced" -ne 0 ] || fail "the broken build did not fail"
[ "$traced" -eq "$untraced" ] || fail "exit $traced traced, $untraced untraced"
[ "$preloaded" -eq "$untraced" ] || fail "exit $preloaded with LD_PRELOAD, $untraced untraced"
"$BTRACE" dump -w "$work/trace" >"$work/dump" || fail "dump of the failed build's trace found problems"
grep -E -- "--crate-name app .*" "$work/dump" | grep -qE '^ *[0-9]+ +[0-9]+ +[0-9.]+s +[0-9.]+s +1 ' ||
  fail "the failing rustc is not recorded with exit status 1"
echo "ok: exit code $untraced both ways"
