#!/usr/bin/env bash
# A real build with a proc macro that works at expansion: btrace's
# proc_macros (summary.json) finds the macro, names its package, and puts
# the expansion in the crates that ran it, the one expanding three times
# as much work with the larger share; the critical path, the dependency
# costs and the cores are there, the CPU count from the trace.
source "$(dirname "$0")/common.sh" "$@"
ws="$work/spin"
mkdir -p "$ws/mac/src" "$ws/u1/src" "$ws/u2/src"
printf '[workspace]\nresolver = "2"\nmembers = ["mac", "u1", "u2"]\n' >"$ws/Cargo.toml"
printf '[package]\nname = "mac"\nversion = "0.1.0"\nedition = "2021"\n[lib]\nproc-macro = true\n' >"$ws/mac/Cargo.toml"
cat >"$ws/mac/src/lib.rs" <<'RS'
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
for u in u1:90 u2:30; do
  printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\n[dependencies]\nmac = { path = "../mac" }\n' "${u%%:*}" >"$ws/${u%%:*}/Cargo.toml"
  printf 'pub fn f() -> u64 { mac::spin!(%s) }\n' "${u#*:}" >"$ws/${u%%:*}/src/lib.rs"
done
cd "$ws"
"$BTRACE" record -o "$work/t" -- cargo build -q 2>/dev/null || fail "the build failed"
"$BTRACE" report -q "$work/t" 2>/dev/null || fail "btrace report failed"
python3 - "$work/t/report/summary.json" <<'PY' || fail "summary.json's proc_macros (above)"
import json, sys
s = json.load(open(sys.argv[1]))
pm = s['proc_macros']
m = [x for x in pm['macros'] if x['crate'] == 'mac']
assert m and m[0]['package'] == 'mac' and m[0]['expand_s'] > 0, pm['macros']
assert m[0]['users'] == 2, m[0]
use = {x['label'].split()[0]: x['expand_s'] for x in pm['uses'] if x['macro'] == 'mac'}
assert set(use) == {'u1', 'u2'}, use
assert use['u1'] > use['u2'], use  # 90 against 30 million rounds
assert pm['expand_s'] <= pm['sampled_s'], pm
assert s['critical_path']['units'], 'no critical path'
assert s['cores']['cores_from'] == 'trace' and s['cores']['cores'] >= 1, s['cores']
# every package is a workspace member here: none is a removable dependency
assert s['dependencies'] == [], s['dependencies']
print(f"ok: mac expanded {use['u1']:.2f} s in u1, {use['u2']:.2f} s in u2")
PY
