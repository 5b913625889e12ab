#!/usr/bin/env bash
# proc_macro_profile.sh - issue 17's proc-macro check: btrace's expansion
# time (summary.json proc_macros: CPU sampled inside the dlopen()ed macro
# libraries) against rustc's own `-Z self-profile` `expand_proc_macro`
# events for the same build (target: within +-25%), in total and per
# using crate.
#
# Two clean traced builds with RUSTC_BOOTSTRAP=1 and
# RUSTFLAGS=-Zself-profile=DIR on the stable toolchain (the compiler btrace
# traces everywhere else), so both tools measure the same build: a
# workspace made here whose proc macro spins at expansion (seconds of
# it: enough samples to compare), and ../shared/workloads/cli-app
# (serde_derive, clap_derive, ...: tens of milliseconds of expansion, a
# few samples at 250 Hz).  bench/mmprof.py reads the .mm_profdata files
# (measureme's format, without its tools).  self-profile's times are wall
# time of rustc's thread and btrace's CPU; the comparison scales the
# first by the rustc's CPU/wall ratio.  The cli-app build's replay
# against its wall time is printed too (the replay target on cli-app).
#
# usage: bench/proc_macro_profile.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$(cd "$repo/.." && pwd)/shared"
source "$repo/bench/lib.sh"
export PATH="$HOME/.cargo/bin:$PATH"
btrace=$(bench_btrace "$repo")
work=$(mktemp -d /tmp/btrace-bench-pm.XXXXXX)
trap 'rm -rf "$work"' EXIT

# A workspace whose proc macro does measurable work: spin!(N) spins N
# million rounds at expansion; u1 expands spin!(300), u2 spin!(100).
mkdir -p "$work/spin/mac/src" "$work/spin/u1/src" "$work/spin/u2/src"
printf '[workspace]\nresolver = "2"\nmembers = ["mac", "u1", "u2"]\n' >"$work/spin/Cargo.toml"
printf '[package]\nname = "mac"\nversion = "0.1.0"\nedition = "2021"\n[lib]\nproc-macro = true\n' >"$work/spin/mac/Cargo.toml"
cat >"$work/spin/mac/src/lib.rs" <<'RS'
use proc_macro::TokenStream;
#[proc_macro]
pub fn spin(input: TokenStream) -> TokenStream {
    let n: u64 = input.to_string().trim().parse().unwrap_or(1);
    let mut x: u64 = 1;
    for i in 0..n * 1_000_000 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(i ^ (x >> 7));
    }
    format!("{}u64 + ({}u64 & 0)", n, x).parse().unwrap()
}
RS
for u in u1:300 u2:100; do
  printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\n[dependencies]\nmac = { path = "../mac" }\n' "${u%%:*}" >"$work/spin/${u%%:*}/Cargo.toml"
  printf 'pub fn f() -> u64 { mac::spin!(%s) }\n' "${u#*:}" >"$work/spin/${u%%:*}/src/lib.rs"
done

# BUILD NAME DIR CARGO-ARGS...: one clean traced build with self-profile
build() {
  local name=$1 dir=$2; shift 2
  mkdir -p "$work/sp-$name"
  (cd "$dir" && RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zself-profile=$work/sp-$name" \
    nice "$btrace" record -o "$work/t-$name" -- cargo build -q "$@" 2>/dev/null)
  "$btrace" report -q "$work/t-$name" 2>/dev/null
}
build spin "$work/spin"
cp -r "$shared/workloads/cli-app" "$work/app" && chmod -R u+w "$work/app"
build cli "$work/app" --offline
section="$work/section.md"
python3 - "$work" "$repo/bench" >"$section" <<'PY'
import glob, json, os, re, subprocess, sys
work = sys.argv[1]
sys.path.insert(0, sys.argv[2])
import mmprof

def compare(name):
    """btrace's expansion CPU per using unit, and self-profile's
    expand_proc_macro wall time of the same rustc (by pid) times that
    rustc's CPU/wall ratio: the CPU it had while expanding, on a loaded
    machine."""
    s = json.load(open(f'{work}/t-{name}/report/summary.json'))
    sp = {}
    for f in glob.glob(f'{work}/sp-{name}/*.mm_profdata'):
        m = re.match(r'(.*)-0*(\d+)\.mm_profdata$', os.path.basename(f))
        sp[int(m.group(2))] = mmprof.total(f, 'expand_proc_macro')
    rows = []
    for i, u in enumerate(s['units']):
        wall = sp.get(u['pid'], 0)
        bt = sum(x['expand_s'] for x in s['proc_macros']['uses'] if x['unit'] == i)
        if wall <= 0 and bt <= 0:
            continue
        ratio = u['cpu_s'] / u['wall_s'] if u['wall_s'] > 0 else 1
        label = f"{u['package']} {u['version']} {u['target']}"
        rows.append((label, bt, wall, wall * ratio))
    return s, sorted(rows, key=lambda r: -r[3])

def row(label, bt, wall, cpu):
    d = f'{100 * (bt - cpu) / cpu:+.0f}%' if cpu > 0 else '-'
    print(f'| {label} | {bt:.3f} s | {wall:.3f} s | {cpu:.3f} s | {d} |')

rv = subprocess.run(['rustc', '--version'], capture_output=True, text=True).stdout.strip()
print(f'Measured on {os.cpu_count()} cores, {rv}, RUSTC_BOOTSTRAP=1 '
      f'RUSTFLAGS=-Zself-profile, one clean traced build each: btrace\'s '
      f'proc-macro expansion (CPU sampled in the macro libraries) against '
      f'rustc\'s `expand_proc_macro` events of the same build.  Those are '
      f'wall time; the "as CPU" column scales them by the rustc\'s CPU/wall '
      f'ratio (on a loaded machine the wall is mostly waiting).')
print()
print('| spin workspace (a proc macro spinning at expansion) | btrace | self-profile wall | as CPU | difference |')
print('|---|---|---|---|---|')
s, rows = compare('spin')
for r in rows:
    row(*r)
row('**all**', *[sum(r[k] for r in rows) for k in (1, 2, 3)])
print()
print('| cli-app (serde_derive, clap_derive, thiserror-impl, tokio-macros) | btrace | self-profile wall | as CPU | difference |')
print('|---|---|---|---|---|')
s, rows = compare('cli')
for r in rows[:8]:
    row(*r)
row('**all**', *[sum(r[k] for r in rows) for k in (1, 2, 3)])
print()
pm = s['proc_macros']
print('cli-app per macro (btrace): ' + ', '.join(
    f"{m['crate']} {m['expand_s']:.3f} s in {m['users']} crates "
    f"(builds in {m['own_cpu_s']:.2f} s CPU, its {m['deps']} dependencies {m['deps_cpu_s']:.2f} s)"
    for m in pm['macros']) + '.')
print()
r, w = s['critical_path']['replay_wall_s'], s['session']['wall_s']
print(f"The cli-app build's replay (issue 17's replay target): {r:.2f} s "
      f"against {w:.2f} s observed ({100 * (r - w) / w:+.1f}%; fitted CPUs "
      f"{s['estimation']['cpus']:.2f} of {s['estimation']['jobs']} jobs).")
print()
print('Reproduce: `bench/proc_macro_profile.sh`.')
PY
cat "$section"
bench_write_section "$repo/BENCHMARKS.md" proc-macro "$section"
