#!/usr/bin/env bash
# Security: the trace holds allow-listed environment variables only.  A
# secret in the environment (also under CARGO_ names that cargo uses for
# tokens) appears in no trace file; CARGO_PKG_NAME is recorded.
source "$(dirname "$0")/common.sh" "$@"
secret=xyz-btrace-secret-7f3a9c
export SECRET_TOKEN=$secret
export CARGO_REGISTRY_TOKEN=$secret-registry
export CARGO_REGISTRIES_MINE_TOKEN=$secret-mine
export AWS_SECRET_ACCESS_KEY=$secret-aws
export CARGO_PKG_NAME=foo-pkg-5d2e
"$BTRACE" record -o "$work/t" -- "$BIN/exec_variants" parent >"$work/out" 2>&1 ||
  fail "exec_variants failed: $(cat "$work/out")"
ls "$work"/t/*.btr >/dev/null || fail "no trace files"
if grep -l -a -F "$secret" "$work"/t/*; then fail "a secret is in the trace (files above)"; fi
if grep -l -a -F "xyz" "$work"/t/*; then fail "xyz is in the trace (files above)"; fi
grep -q -a -F "CARGO_PKG_NAME=foo-pkg-5d2e" "$work"/t/*.btr || fail "CARGO_PKG_NAME not in the trace"
# Every image recorded it, but those the program gave an environment
# without it; no image recorded anything off the allow-list.
"$BIN/check_trace" env "$work/t" CARGO_PKG_NAME=foo-pkg-5d2e \
  execle spawn_bare_env spawnp_empty_preload clearenv
echo "ok: no secret in the trace, CARGO_PKG_NAME recorded"
