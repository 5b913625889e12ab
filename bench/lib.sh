# lib.sh - shared by the benchmark scripts.  Source it.

# Benchmarks never store their builds in the user's history (docs/history.md).
export BTRACE_HISTORY=0

# bench_btrace REPO: builds btrace for benchmarking (optimized, no tests)
# in REPO/build-bench and prints the path of the btrace command.
bench_btrace() {
  cmake -S "$1" -B "$1/build-bench" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
  cmake --build "$1/build-bench" -j"$(nproc)" >/dev/null
  echo "$1/build-bench/bin/btrace"
}

# bench_synthetic SHARED DIR CRATES FUNCTIONS MEMBER...: a workspace of
# gen-synthetic.sh in DIR whose members are MEMBER... (app and the libraries
# named); the other libraries are path dependencies excluded from the
# members, so that debuginfo-deps-off has dependencies to act on.
bench_synthetic() {
  local shared=$1 dir=$2 crates=$3 funcs=$4; shift 4
  local members libs
  bash "$shared/workloads/gen-synthetic.sh" "$dir" "$crates" "$funcs" >/dev/null
  members=$(printf '"%s", ' "$@"); members=${members%, }
  libs=$(cd "$dir" && ls -d lib* | grep -vxF "$(printf '%s\n' "$@")" | sed 's/.*/"&"/' | paste -sd, -)
  printf '[workspace]\nresolver = "2"\nmembers = [%s]\nexclude = [%s]\n' "$members" "$libs" >"$dir/Cargo.toml"
}

# bench_set_aside PATH DIR [NAME]: moves PATH (a round's trace or data)
# into DIR as NAME (default: its own name) instead of deleting it: on this
# machine's ext4 (no journal) a file created within seconds of many
# deletions costs its creator a scan of the recently deleted inodes
# (recently_deleted()), and deleting one round's trace just before the
# next build charged that to the traced column alone.  A user's traces
# are never deleted by btrace either.  The caller deletes DIR later, with
# its other data.
bench_set_aside() {
  mkdir -p "$2" && mv "$1" "$2/${3:-$(basename "$1")}"
}

# bench_write_section BENCHMARKS_MD NAME FILE: puts FILE's text between
# <!-- NAME:begin --> and <!-- NAME:end --> in BENCHMARKS_MD (appending
# the markers if missing), leaving the rest of the file alone.  Under
# `bench/run.sh --quick` (BENCH_QUICK=1) the text starts with a line that
# says so.
bench_write_section() {
  local bm=$1 name=$2 file=$3
  if [ "${BENCH_QUICK:-0}" = 1 ]; then
    { printf '**Quick run** (`bench/run.sh --quick`: fewer rounds, smaller workloads; not comparable with a full run).\n\n'
      cat "$file"; } >"$file.quick"
    file=$file.quick
  fi
  [ -f "$bm" ] || printf '# Benchmarks\n' >"$bm"
  grep -q "<!-- $name:begin -->" "$bm" ||
    printf '\n<!-- %s:begin -->\n<!-- %s:end -->\n' "$name" "$name" >>"$bm"
  python3 - "$bm" "$name" "$file" <<'PY'
import re, sys
bm, name, sec = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().rstrip('\n')
text = open(bm).read()
begin, end = f'<!-- {name}:begin -->', f'<!-- {name}:end -->'
text = re.sub(re.escape(begin) + '.*?' + re.escape(end),
              lambda m: f'{begin}\n{sec}\n{end}', text, flags=re.S)
open(bm, 'w').write(text)
PY
  if [ "${BENCH_QUICK:-0}" = 1 ]; then rm -f "$file"; fi
  echo "wrote $bm ($name)"
}
