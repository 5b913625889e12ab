# lib.sh - what golden.sh (the test) and update.sh (the regeneration)
# share: the cases, how their outputs are made, and the fingerprint of
# the machine files the symbolizer reads.  Sourced, not run.
#
# Every output is made in WORK with relative paths (the trace dirs and
# the report dirs are named after the case), so that no absolute path of
# this run gets into them, and with the analyzer's environment knobs
# unset, the C locale and UTC.

# The report looks for mold on PATH (linker-mold's advice depends on it):
# PATH names no directory, so every machine gives the same advice.
# BTRACE_HISTORY=0: report stores nothing in the user's history.
golden_env() { # CMD...: run CMD (an absolute path) without the BTRACE_* knobs
  env -u BTRACE_DEBUG -u BTRACE_THREADS -u BTRACE_PROFILE_NODES \
    -u BTRACE_PROFILE_MERGE_US -u BTRACE_PROFILE_PREMERGE -u BTRACE_DB \
    BTRACE_HISTORY=0 \
    PATH=/nonexistent LC_ALL=C TZ=UTC "$@"
}

# golden_traces GEN SRC WORK: the traces of the cases, in WORK/traces/CASE
#   gen-real     bench/gen_trace, 150 processes, 12000 samples, seed 15
#   gen-diverse  bench/gen_trace --stacks diverse --backend cranelift,
#                60 processes, 4000 samples, seed 4
#   cli-app      a clean `cargo build` of ../shared/workloads/cli-app,
#                recorded at 49 Hz (cli-app.tar.xz; README.md says how)
golden_traces() {
  local gen=$1 src=$2 work=$3
  mkdir -p "$work/traces"
  "$gen" -o "$work/traces/gen-real" -p 150 -s 12000 --seed 15 >/dev/null
  "$gen" -o "$work/traces/gen-diverse" -p 60 -s 4000 --seed 4 \
    --stacks diverse --backend cranelift >/dev/null
  tar -C "$work/traces" -xJf "$src/cli-app.tar.xz"
}

# golden_outputs BTRACE WORK: every output of every case, in WORK/out:
#   CASE/report/{summary.txt,summary.json,trace.json,flame.svg,stacks.folded,
#                report.html}
#   CASE/report.stdout  what btrace report printed (stdout, then stderr)
#   CASE/dump, CASE/dump-wide  btrace dump and btrace dump -w
#   gen-real/report-category/...  the flame graph grouped by category
golden_outputs() {
  local btrace=$1 work=$2 c
  mkdir -p "$work/out"
  (
    cd "$work/traces"
    for c in gen-real gen-diverse cli-app; do
      mkdir -p "../out/$c"
      golden_env "$btrace" report -o "../out/$c/report" "$c" \
        >"../out/$c/report.stdout" 2>"../out/$c/report.stderr"
      golden_env "$btrace" dump "$c" >"../out/$c/dump" 2>&1
      golden_env "$btrace" dump -w "$c" >"../out/$c/dump-wide" 2>&1
    done
    golden_env "$btrace" report -q --group category \
      -o ../out/gen-real/report-category gen-real \
      >../out/gen-real/report-category.stdout 2>&1
  )
}

# golden_sums WORK: sha256sum of every output, one line each, sorted
golden_sums() {
  (cd "$1/out" && find . -type f | LC_ALL=C sort | sed 's|^\./||' | xargs sha256sum)
}

# golden_fingerprint WORK: the machine files the outputs depend on.  The
# symbolizer reads the modules at the paths the traces name (the Rust
# toolchain's libraries have no build-id: a new toolchain at the same path
# changes the names in the outputs), the /usr/lib/debug build-id tree and
# the running kernel's vDSO.  One line per absolute path the traces name
# that is an ELF file or an ar archive here (size and mtime), "absent" for module-like
# paths that are not here, the kernel release and the debug tree's
# listing.
golden_fingerprint() {
  local work=$1 p magic
  cat "$work"/traces/*/*.btr | strings -n 4 | grep -oE '^/[^ =:]+' |
    LC_ALL=C sort -u | while IFS= read -r p; do
    if [ -f "$p" ]; then
      # only ELF files and ar archives (rlibs): the symbolizer and the
      # link-input counter (link_inputs.c) read nothing else
      magic=$(head -c 7 "$p" 2>/dev/null | od -An -c | tr -d ' \n')
      if [[ $magic == 177ELF* || $magic == '!<arch>' ]]; then
        printf '%s %s\n' "$p" "$(stat -L -c '%s %Y' "$p")"
      fi
    elif [[ $p =~ \.so(\.[0-9.]+)?$|/bin/|/deps/|collect2|build-script ]]; then
      printf '%s absent\n' "$p"
    fi
  done
  printf 'kernel %s\n' "$(uname -r)"
  printf 'debug-tree %s\n' "$( (find /usr/lib/debug/.build-id -name '*.debug' 2>/dev/null || true) |
    LC_ALL=C sort | sha256sum | cut -c1-16)"
}
