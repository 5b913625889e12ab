#!/usr/bin/env bash
# report_html.sh - report.html's size and load time (issue 18's targets:
# under 5 MB for cli-app, loaded in under 2 s in headless Chromium for a
# 1,000-process trace).
#
#  1. Size: report.html of the golden cli-app trace (tests/golden), and
#     of a generated 1,000-process trace (bench/gen_trace -p 1000, -s
#     SAMPLES samples).
#  2. Load: each page opened in headless Chromium ROUNDS times; a script
#     appended to a copy of the page reads the Navigation Timing entry at
#     the load event (responseStart to loadEventStart: parsing, styling,
#     layout and the page's own scripts, after the file was read) into the
#     DOM that --dump-dom prints.  Also the whole headless run's wall time
#     (browser start and exit included), an upper bound, and the same for
#     an empty page (Chromium's own start and exit).  Medians.
# Writes the table into BENCHMARKS.md (section report-html).
#
# usage: bench/report_html.sh [-r ROUNDS] [-s SAMPLES]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/bench/lib.sh"
rounds=5 samples=500000
while getopts "r:s:" o; do
  case $o in
    r) rounds=$OPTARG ;;
    s) samples=$OPTARG ;;
    *) echo "usage: $0 [-r ROUNDS] [-s SAMPLES]" >&2; exit 2 ;;
  esac
done
btrace=$(bench_btrace "$repo")
gen=$(dirname "$btrace")/gen_trace
[ -x "$gen" ] || {
  cmake -S "$repo" -B "$repo/build-bench" -DBUILD_TESTING=ON >/dev/null
  cmake --build "$repo/build-bench" -j"$(nproc)" --target gen_trace >/dev/null
}
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
work=$(mktemp -d /tmp/btrace-bench-html.XXXXXX)
trap 'rm -rf "$work"' EXIT

tar -C "$work" -xJf "$repo/tests/golden/cli-app.tar.xz"
"$gen" -o "$work/gen1000" -p 1000 -s "$samples" --seed 18 >/dev/null
for c in cli-app gen1000; do
  "$btrace" report -q -o "$work/$c.out" "$work/$c" 2>/dev/null
done

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.0f", m}'; }

# load CASE: prints "LOAD_MS WALL_MS" medians over the rounds
load() {
  local c=$1 page="$work/$1.out/timed.html" l w t0 t1
  if [ "$c" = empty ]; then
    mkdir -p "$work/empty.out"
    printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n' >"$page"
  else
    sed '/^<\/body>$/,$d' "$work/$c.out/report.html" >"$page"
  fi
  cat >>"$page" <<'EOF'
<script>
window.addEventListener("load", function () {
	var n = performance.getEntriesByType("navigation")[0];
	var p = document.createElement("p");
	p.id = "bench-load";
	p.textContent = "LOADMS " + (n.loadEventStart - n.responseStart).toFixed(1);
	document.body.appendChild(p);
});
</script>
</body>
</html>
EOF
  : >"$work/$c.load"
  : >"$work/$c.wall"
  for _ in $(seq "$rounds"); do
    t0=$(date +%s%N)
    timeout 60 "$chrome" --headless --no-sandbox --disable-gpu --no-first-run \
      --user-data-dir="$work/profile" --dump-dom \
      "file://$page" >"$work/$c.dom" 2>/dev/null
    t1=$(date +%s%N)
    grep -o 'LOADMS [0-9.]*' "$work/$c.dom" | awk '{print $2}' >>"$work/$c.load"
    echo $(((t1 - t0) / 1000000)) >>"$work/$c.wall"
  done
  echo "$(median <"$work/$c.load") $(median <"$work/$c.wall")"
}

{
  echo "Command: \`bench/report_html.sh -r $rounds -s $samples\` ($(date -u +%Y-%m-%d), $(nproc) cores, $("$chrome" --version 2>/dev/null | head -1))."
  echo
  echo "| trace | processes | units | report.html | flame.svg | load (page) | headless run (wall) |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for c in cli-app gen1000; do
    read -r l w < <(load "$c")
    procs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["session"]["processes"])' "$work/$c.out/summary.json")
    units=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["units"]))' "$work/$c.out/summary.json")
    size=$(stat -c %s "$work/$c.out/report.html")
    fsize=$(stat -c %s "$work/$c.out/flame.svg")
    printf '| %s | %s | %s | %.2f MB | %.2f MB | %s ms | %s ms |\n' "$c" "$procs" "$units" \
      "$(echo "$size / 1000000" | bc -l)" "$(echo "$fsize / 1000000" | bc -l)" "$l" "$w"
  done
  read -r l w < <(load empty)
  printf '| (an empty page) | | | | | %s ms | %s ms |\n' "$l" "$w"
  echo
  echo "Load: Navigation Timing, responseStart to loadEventStart, median of $rounds; the headless run adds Chromium's start and exit."
} >"$work/section.md"
cat "$work/section.md"
bench_write_section "$repo/BENCHMARKS.md" report-html "$work/section.md"
