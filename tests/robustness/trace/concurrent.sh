#!/usr/bin/env bash
# Load: N (default 20) traced builds of examples/hello-workspace at once,
# each with its own target and trace directory.  Every build succeeds,
# and every trace is whole (`btrace dump` exit 0: no record cut or lost,
# no file of another session, every process ended) with the processes a
# lone traced build has: the same number of compilations and of rustc
# runs.
# usage: concurrent.sh BTRACE LIBBTRACE EXAMPLES_DIR [N]
source "$(dirname "$0")/../../cargo/common.sh" "$@"
n=${4:-20}
count() { # DUMP: compilations, rustc runs, processes
  printf '%s %s %s\n' "$(grep -c -- ' --crate-name ' "$1" || true)" \
    "$(grep -cE '/rustc ' "$1" || true)" "$(tail -n 1 "$1" | cut -d' ' -f1)"
}
"$BTRACE" record -o "$work/ref" -- cargo build --offline -q --target-dir "$work/target-ref" >/dev/null 2>&1 ||
  fail "the lone traced build failed"
"$BTRACE" dump -w "$work/ref" >"$work/ref.dump" || fail "the lone build's trace is not whole"
want=$(count "$work/ref.dump")
pids=()
for ((i = 1; i <= n; i++)); do
  "$BTRACE" record -o "$work/t$i" -- cargo build --offline -q --target-dir "$work/target$i" \
    >"$work/out$i" 2>&1 &
  pids+=($!)
done
for ((i = 1; i <= n; i++)); do
  wait "${pids[i - 1]}" || fail "build $i failed: $(head -c 2000 "$work/out$i")"
done
for ((i = 1; i <= n; i++)); do
  rc=0
  "$BTRACE" dump -w "$work/t$i" >"$work/d$i" 2>"$work/e$i" || rc=$?
  [ "$rc" = 0 ] || fail "trace $i: dump exit $rc: $(head -c 2000 "$work/e$i")"
  got=$(count "$work/d$i")
  [ "$got" = "$want" ] || fail "trace $i: compilations, rustc runs, processes: $got; a lone build: $want"
done
echo "ok: $n concurrent traced builds, each whole with $want (compilations, rustc runs, processes)"
