# lib.sh - shared by the benchmark scripts.  Source it.

# bench_btrace REPO: builds btrace for benchmarking (optimized, no tests)
# in REPO/build-bench and prints the path of the btrace command.
bench_btrace() {
  cmake -S "$1" -B "$1/build-bench" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
  cmake --build "$1/build-bench" -j"$(nproc)" >/dev/null
  echo "$1/build-bench/bin/btrace"
}

# bench_write_section BENCHMARKS_MD NAME FILE: puts FILE's text between
# <!-- NAME:begin --> and <!-- NAME:end --> in BENCHMARKS_MD (appending
# the markers if missing), leaving the rest of the file alone.
bench_write_section() {
  local bm=$1 name=$2 file=$3
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
  echo "wrote $bm ($name)"
}
