#!/usr/bin/env bash
# Every rustc compilation that cargo runs (its `Running` lines with -v) is
# a recorded process with the same crate name, and the trace is whole.
source "$(dirname "$0")/common.sh" "$@"
"$BTRACE" record -o "$work/trace" -- cargo build -v --offline 2>"$work/cargo.err" >/dev/null ||
  { cat "$work/cargo.err"; fail "traced build failed"; }
grep -o 'Running `[^`]*rustc --crate-name [A-Za-z0-9_]*' "$work/cargo.err" |
  sed 's/.*--crate-name //' | sort >"$work/expected"
[ -s "$work/expected" ] || fail "cargo -v printed no Running lines"
"$BTRACE" dump -w "$work/trace" >"$work/dump" || { cat "$work/dump"; fail "dump found problems"; }
# A recorded compilation: a rustc process whose argv has --crate-name X and
# is not a probe (probes use --crate-name ___).
# Lines of exec chains ("exec'd from": rustc's fork child that became the
# linker) are not compilations.
grep -v "exec'd from" "$work/dump" |
  grep -E '/rustc +[^ ]*rustc .*--crate-name [A-Za-z0-9_]+' |
  grep -o -- '--crate-name [A-Za-z0-9_]*' | sed 's/--crate-name //' |
  grep -vx '___' | sort >"$work/recorded"
diff -u "$work/expected" "$work/recorded" || fail "recorded compilations differ from cargo's Running lines"
grep -q ' 0 problems$' "$work/dump" || fail "dump reports problems"
echo "ok: $(wc -l <"$work/expected") compilations recorded"
