#!/usr/bin/env bash
# proc_macro_profile.sh - issue 17's proc-macro check: btrace's expansion
# time (summary.json proc_macros: CPU sampled inside the dlopen()ed macro
# libraries), per macro and per crate that used it, against rustc's own
# `-Z self-profile` `expand_proc_macro` events for the same builds
# (target: within +-25%).
#
# Traced builds with RUSTC_BOOTSTRAP=1 and RUSTFLAGS="-Zself-profile=DIR
# -Zself-profile-events=default,args" on the stable toolchain (the
# compiler btrace traces everywhere else), so both tools measure the same
# rustc processes (matched by pid):
#  - a workspace made here whose proc macro spins at expansion (seconds
#    of it: enough samples to compare on one build);
#  - ../shared/workloads/cli-app: one clean build, then REBUILDS rebuilds
#    of its binary (`touch src/main.rs`: the proc macros run again, the
#    rest is reused).  Its expansions are short (serde_derive,
#    clap_derive, thiserror-impl and tokio-macros in the binary take
#    about 15 ms of wall in all), and the sampler's CPU timer fires on
#    the kernel's 4 ms tick whatever BTRACE_HZ says, so one build gives a
#    handful of samples: the rebuilds are summed.
# bench/mmprof.py reads the .mm_profdata files (measureme's format,
# without its tools); the macro of an event is its argument (the
# derive's or attribute's name), mapped to its crate below.
#
# self-profile's times are wall time of rustc's main thread, btrace's are
# CPU, and on a loaded machine the thread gets a fraction of a CPU.  That
# fraction is taken where the proc macros ran: btrace's CPU in
# MacroExpander::expand_crate (its stacks.folded) over self-profile's
# macro_expand_crate wall, in the same rustc, summed over the builds.  So
# the check is that both tools give the same share of expansion to the
# proc macros, which no load changes.
#
# usage: bench/proc_macro_profile.sh [-n REBUILDS] [-k DIR]
#   -n  rebuilds of cli-app's binary after the clean build (default 60)
#   -k  keep the builds in DIR; builds DIR holds already are not made
#       again (a larger -n adds rebuilds to them)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="$(cd "$repo/.." && pwd)/shared"
source "$repo/bench/lib.sh"
export PATH="$HOME/.cargo/bin:$PATH"
rebuilds=60 keep=""
while getopts "n:k:" o; do
  case $o in
    n) rebuilds=$OPTARG ;;
    k) keep=$OPTARG ;;
    *) echo "usage: $0 [-n REBUILDS] [-k DIR]" >&2; exit 2 ;;
  esac
done
btrace=$(bench_btrace "$repo")
if [ -n "$keep" ]; then
  work=$keep
  mkdir -p "$work"
else
  work=$(mktemp -d /tmp/btrace-bench-pm.XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi
load() { cut -d' ' -f1 /proc/loadavg; }

# BUILD NAME DIR CARGO-ARGS...: one traced build, self-profile into
# $work/sp-<dir's name> (one RUSTFLAGS for all builds of a directory, so
# that a rebuild reuses what the clean build made)
build() {
  local name=$1 dir=$2; shift 2
  local sp="$work/sp-$(basename "$dir")"
  mkdir -p "$sp"
  echo "$name $(load)" >>"$work/loads"
  (cd "$dir" && RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zself-profile=$sp -Zself-profile-events=default,args" \
    nice "$btrace" record -o "$work/t-$name" -- cargo build -q "$@" 2>/dev/null)
  "$btrace" report -q "$work/t-$name" 2>/dev/null
}

if [ ! -f "$work/done" ]; then
  rm -rf "$work"/{spin,app,t-*,sp-*,loads}
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
  build spin "$work/spin"
  cp -r "$shared/workloads/cli-app" "$work/app" && chmod -R u+w "$work/app"
  build cli-0 "$work/app" --offline
  date -u +%Y-%m-%d >"$work/done"
fi
for ((r = 1; r <= rebuilds; r++)); do
  [ -d "$work/t-cli-$r" ] && continue
  touch "$work/app/src/main.rs"
  build "cli-$r" "$work/app" --offline
done

section="$work/section.md"
python3 - "$work" "$repo/bench" "$(cat "$work/done")" "$rebuilds" >"$section" <<'PY'
import collections, glob, json, os, re, struct, subprocess, sys
work, bench, day = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, bench)
import mmprof

# The macro crate of an expansion, by the name self-profile gives it
# (the derive or the attribute; its last path segment).
MACRO = {'Serialize': 'serde_derive', 'Deserialize': 'serde_derive',
         'Parser': 'clap_derive', 'Subcommand': 'clap_derive',
         'Args': 'clap_derive', 'ValueEnum': 'clap_derive',
         'Error': 'thiserror_impl', 'main': 'tokio_macros',
         'test': 'tokio_macros', 'proc_macro_error': 'proc_macro_error_attr',
         'spin': 'mac'}

def events(data):
    """(label, argument, wall seconds) of every interval event of a
    .mm_profdata file's bytes, its string references resolved."""
    p = mmprof.pages(data)
    ev, sd, si = p[0], p[1], p[2]
    index = dict(struct.iter_unpack('<QQ', si[8:]))
    memo = {}
    def text(sid, depth=0):
        if sid in memo:
            return memo[sid]
        addr, out = index.get(sid, sid - mmprof.FIRST_REGULAR), []
        i = addr
        while 0 <= i < len(sd) and sd[i] != 0xFF:
            if sd[i] == 0xFE:  # a reference: tag, then a 64-bit id
                ref = struct.unpack_from('<Q', sd, i + 1)[0]
                out.append(text(ref, depth + 1) if depth < 16 else '?')
                i += 9
                continue
            j = i
            while j < len(sd) and sd[j] not in (0xFE, 0xFF):
                j += 1
            out.append(sd[i:j].decode('utf-8', 'replace'))
            i = j
        memo[sid] = ''.join(out)
        return memo[sid]
    for kind, eid, _th, p1, p2, pu in struct.iter_unpack('<QQIIII', ev[8:]):
        end = p2 | ((pu & 0xFFFF) << 32)
        if end == 0xFFFF_FFFF_FFFF:  # an instant event
            continue
        parts = text(eid).split('\x1e')
        yield parts[0], parts[1] if len(parts) > 1 else '', \
            (end - (p1 | ((pu & 0xFFFF0000) << 16))) / 1e9

def macro_of(arg):
    name = re.split(r'[^A-Za-z0-9_]+', arg.strip())
    name = [n for n in name if n and n != 'derive']
    return MACRO.get(name[-1], arg or '?') if name else (arg or '?')

def expand_cpu(folded, label):
    """btrace's CPU under MacroExpander::expand_crate in unit LABEL."""
    s = 0
    for line in open(folded):
        if (';' + label + ';') in line and 'MacroExpander>::expand_crate' in line:
            s += int(line.rsplit(' ', 1)[1])
    return s / 1e6

def compare(names, sp_dir):
    """Per (using unit, macro): btrace's CPU, self-profile's wall; per
    using unit: the expansion phase's CPU and wall (the thread's share)."""
    sp = {}
    for f in glob.glob(f'{sp_dir}/*.mm_profdata'):
        sp[int(re.search(r'-0*(\d+)\.mm_profdata$', f).group(1))] = f
    bt, spw = collections.Counter(), collections.Counter()
    phase = collections.defaultdict(lambda: [0.0, 0.0])
    for name in names:
        d = f'{work}/t-{name}/report'
        s = json.load(open(f'{d}/summary.json'))
        for u in s['proc_macros']['uses']:
            bt[(u['label'], u['macro'])] += u['expand_s']
        for i, u in enumerate(s['units']):
            if u['pid'] not in sp or u['kind'] != 'rustc':
                continue
            label = [x['label'] for x in s['proc_macros']['uses'] if x['unit'] == i]
            label = label[0] if label else \
                f"{u['package']} {u['version']} {u['target']}" + \
                (f" ({u['crate']})" if u.get('crate') and u['crate'] != u['package']
                 and not u['target'].startswith('build-script') else '')
            pm = exp = 0
            data = open(sp[u['pid']], 'rb').read()
            # a rustc that ran no proc macro never named the event
            if b'expand_proc_macro' not in data and \
                    not any(k[0] == label for k in bt):
                continue
            for ev, arg, t in events(data):
                if ev == 'expand_proc_macro':
                    spw[(label, macro_of(arg))] += t
                    pm += t
                elif ev == 'macro_expand_crate':
                    exp += t
            if pm > 0 or any(k[0] == label for k in bt):
                phase[label][0] += expand_cpu(f'{d}/stacks.folded', label)
                phase[label][1] += exp
    return bt, spw, phase, s

def table(title, bt, spw, phase):
    print(f'| {title} | macro | btrace CPU | self-profile wall | expansion: btrace CPU / self-profile wall | self-profile as CPU | difference |')
    print('|---|---|---|---|---|---|---|')
    tot = [0, 0, 0]
    for key in sorted(set(bt) | set(spw), key=lambda k: (-bt[k] - spw[k], k)):
        label, mac = key
        cpu, wall = phase[label]
        share = cpu / wall if wall > 0 else 0
        est = spw[key] * share
        d = f'{100 * (bt[key] - est) / est:+.0f}%' if est > 0 else '-'
        print(f'| {label} | {mac} | {1000 * bt[key]:.1f} ms | {1000 * spw[key]:.1f} ms | '
              f'{1000 * cpu:.0f} / {1000 * wall:.0f} ms = {share:.2f} | {1000 * est:.1f} ms | {d} |')
        tot[0] += bt[key]; tot[1] += spw[key]; tot[2] += est
    d = f'{100 * (tot[0] - tot[2]) / tot[2]:+.0f}%' if tot[2] > 0 else '-'
    print(f'| **all** | | {1000 * tot[0]:.1f} ms | {1000 * tot[1]:.1f} ms | | {1000 * tot[2]:.1f} ms | **{d}** |')
    return tot

loads = [l.split() for l in open(f'{work}/loads')]
cli = sorted((n for n, _ in loads if n.startswith('cli-') and int(n[4:]) <= int(sys.argv[4])),
             key=lambda n: int(n[4:]))
lv = sorted(float(l) for n, l in loads if n.startswith('cli-'))
rv = subprocess.run(['rustc', '--version'], capture_output=True, text=True).stdout.strip()
print(f'Measured {day} on {os.cpu_count()} cores, {rv}, RUSTC_BOOTSTRAP=1 '
      f'RUSTFLAGS="-Zself-profile -Zself-profile-events=default,args": '
      f'btrace\'s proc-macro expansion (CPU sampled in the macro libraries) '
      f'against rustc\'s `expand_proc_macro` events of the same rustc '
      f'processes, per crate that ran the macro and per macro.  '
      f'self-profile\'s times are wall; "as CPU" scales them by the share '
      f'of a CPU the rustc\'s thread had while expanding: btrace\'s CPU in '
      f'`MacroExpander::expand_crate` over self-profile\'s '
      f'`macro_expand_crate` wall, same processes.  Load average before the '
      f'builds: {lv[0]:.1f} to {lv[-1]:.1f}.')
print()
bt, spw, phase, _ = compare(['spin'], f'{work}/sp-spin')
table('spin workspace (one clean build; a proc macro spinning at expansion)', bt, spw, phase)
print()
bt, spw, phase, s = compare(cli, f'{work}/sp-app')
tot = table(f'cli-app (one clean build and {len(cli) - 1} rebuilds of its binary, summed)', bt, spw, phase)
print()
pm = json.load(open(f'{work}/t-cli-0/report/summary.json'))['proc_macros']
print('cli-app\'s clean build, per macro (btrace, summary.json): ' + ', '.join(
    f"{m['crate']} {1000 * m['expand_s']:.0f} ms in {m['users']} crates "
    f"(builds in {m['own_cpu_s']:.2f} s CPU, its {m['deps']} dependencies {m['deps_cpu_s']:.2f} s)"
    for m in pm['macros']) + '.  cli-app uses clap_derive (`#[derive(Parser)]`), '
    'serde_derive (`Serialize`, `Deserialize`), thiserror-impl (`Error`) and '
    'tokio-macros (`#[tokio::main]`); clap_derive itself uses proc-macro-error-attr.')
print()
print(f'Reproduce: `bench/proc_macro_profile.sh -n {len(cli) - 1}`.')
PY
cat "$section"
bench_write_section "$repo/BENCHMARKS.md" proc-macro "$section"
