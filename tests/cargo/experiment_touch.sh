#!/usr/bin/env bash
# btrace experiment --touch on examples/hello-workspace (the edit-rebuild
# loop), and linker-mold from a measurement:
#  - every config gets its own target dir (the workspace's target/ is never
#    created), FILE is touched, experiment.json records touch, the
#    baseline's linker and each config's rounds, and its savings are the
#    medians, min and max of the per-round differences, its shares and
#    errors the arithmetic of those (no timing is asserted);
#  - with mold installed it is measured, and its build checked in .comment:
#    RUSTFLAGS in the environment (which beats build.rustflags) leaves the
#    linker unchanged, and that fails the option with the reason;
#  - btrace report takes linker-mold's saving from an experiment.json beside
#    the trace: recommended on a measured saving, "measured slower" on a
#    loss, ignored when its baseline linked with another linker;
#  - the CPU of a process a build leaves running (mold's --fork child) is
#    counted;
#  - --touch of a missing file is a one-line error, exit 2.
source "$(dirname "$0")/common.sh" "$@"
before=$(stat -c %Y.%y app/src/main.rs)
sleep 1.1 # mtimes in whole seconds must show the touch too
"$BTRACE" experiment --touch app/src/main.rs --runs 3 -o "$work/x" -- cargo build --offline -q \
  >"$work/x.out" 2>"$work/x.err" || fail "experiment --touch failed: $(cat "$work/x.err")"
[ ! -e target ] || fail "experiment --touch wrote into the workspace's target/"
[ "$(stat -c %Y.%y app/src/main.rs)" != "$before" ] || fail "app/src/main.rs was never touched"
grep -q "rebuilds after touching app/src/main.rs" "$work/x.out" || fail "no rebuild line: $(cat "$work/x.out")"
mold=0
command -v mold >/dev/null && mold=1
n_opts=$("$BTRACE" experiment --help | grep -cE '^  [a-z][a-z-]+$')
python3 - "$work/x/experiment.json" "$mold" "$n_opts" <<'PY' || fail "experiment --touch: experiment.json check"
import json, sys, statistics
x = json.load(open(sys.argv[1])); mold = sys.argv[2] == "1"; n_opts = int(sys.argv[3])
assert x["format"] == "btrace-experiment" and x["version"] == 4, x
assert x["touch"] == "app/src/main.rs" and x["runs"] == 3, x
assert x["scaled"] is False, "rebuilds are measured plain"
assert isinstance(x["baseline_linker"], str) and x["baseline_linker"], x
cs = {c["id"]: c for c in x["configs"]}
assert x["configs"][0]["id"] == "baseline"
assert "debuginfo-off" in cs and "debuginfo-line-tables-only" in cs, list(cs)
assert ("linker-mold" in cs) == mold, list(cs)
# every option once: measured, or not with the traced rebuild's reason
nm = {n["id"]: n for n in x["not_measured"]}
assert not set(nm) & set(cs), (list(nm), list(cs))
assert n_opts >= 6 and len(nm) + len(cs) - 1 == n_opts and all(n["reason"] for n in nm.values()), (list(nm), list(cs))
assert "codegen-backend-cranelift" in nm, "Cranelift is measured only with --only"
base = cs["baseline"]
for c in x["configs"]:
    assert not c["failed"], c
    assert len(c["wall_s"]) == 3 and len(c["cpu_s"]) == 3, c
    assert all(v > 0 for v in c["wall_s"] + c["cpu_s"]), c
    assert "frontend_s" not in c and "measured_plain" not in c, c
bc, bw = statistics.median(base["cpu_s"]), statistics.median(base["wall_s"])
for id, c in cs.items():
    if id == "baseline":
        continue
    m, e = c["measured"], c["estimate"]
    assert m["method"] == "plain" and m["rounds"] == 3, m
    for key, b, arr in (("cpu", bc, "cpu_s"), ("wall", bw, "wall_s")):
        d = [p - q for p, q in zip(base[arr], c[arr])]
        assert abs(m[key + "_s"] - statistics.median(d)) < 0.0021, (id, key, m, d)
        assert abs(m[key + "_s_min"] - min(d)) < 0.0021 and abs(m[key + "_s_max"] - max(d)) < 0.0021, (m, d)
        assert m[key + "_s_ci"] is None, ("3 rounds are too few for a 95% interval", m)
        assert abs(m[key + "_pct"] - 100 * m[key + "_s"] / b) < 0.1 + 0.3 / b, (m, b)
        # shares rounded to 0.01: the recomputed error is off by at most
        # 100*0.005/|m| + 100*|e|*0.005/(|m|-0.005)^2 (large near m = 0)
        mp, ep = m[key + "_pct"], e[key + "_pct"]
        if abs(mp) > 0.01 and key in c.get("error_pct", {}):
            err = 100 * (ep - mp) / abs(mp)
            tol = 0.01 + 0.5 / abs(mp) + 0.5 * (abs(ep) + 0.005) / (abs(mp) - 0.005) ** 2
            assert abs(c["error_pct"][key] - err) <= tol, (id, key, c["error_pct"], err, tol)
    assert e["cpu_s"] >= 0 and e["method"], e
if mold:
    cfg = cs["linker-mold"]["config"][0]
    assert "-fuse-ld=mold" in cfg, cfg
    if "lld" in x["baseline_linker"]:
        assert "linker-features=-lld" in cfg, cfg
PY
if [ "$mold" = 1 ]; then
  RUSTFLAGS="-Cdebuginfo=2" "$BTRACE" experiment --only linker-mold --touch app/src/main.rs --runs 1 -o "$work/y" \
    -- cargo build --offline -q >"$work/y.out" 2>"$work/y.err" || fail "experiment with RUSTFLAGS failed: $(cat "$work/y.err")"
  python3 - "$work/y/experiment.json" <<'PY' || fail "a linker that did not change was not caught"
import json, sys
x = json.load(open(sys.argv[1]))
m = x["configs"][1]
assert m["id"] == "linker-mold" and m["failed"] is True, m
assert m["failure"].startswith("the linker did not change") and "not mold" in m["failure"], m
assert "measured" not in m, m
PY
  grep -q "linker-mold .*not measured: the linker did not change" "$work/y.out" || fail "no table line: $(cat "$work/y.out")"
  [ "$(grep -c . "$work/y.err" | head -1)" -ge 1 ] && grep -q "linker-mold: the linker did not change" "$work/y.err" ||
    fail "no message on stderr: $(cat "$work/y.err")"
fi
# linker-mold in the report, from a measurement beside the trace
"$BTRACE" record -o "$work/t" -- cargo build --offline -q >/dev/null 2>&1 || fail "traced build failed"
linker=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['baseline_linker'])" "$work/x/experiment.json")
mold_of() { # EXPERIMENT_JSON_OR_NOTHING -> linker-mold's entry of summary.json
  rm -f "$work/t/experiment.json"
  [ -z "${1:-}" ] || cp "$1" "$work/t/experiment.json"
  PATH="${REPORT_PATH:-$PATH}" "$BTRACE" report -q "$work/t" >/dev/null 2>&1 || fail "report failed"
  python3 - "$work/t/report/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
r = [r for r in s["recommendations"] + s["considered"] if r["id"] == "linker-mold"][0]
r["recommended"] = r in s["recommendations"]
print(json.dumps(r))
PY
}
fake() { # LINKER CPU_PCT WALL_PCT FILE
  python3 - "$@" <<'PY'
import json, sys
l, c, w, f = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
json.dump({"format": "btrace-experiment", "version": 3, "touch": None, "baseline_linker": l, "runs": 5,
           "configs": [{"id": "baseline", "failed": False},
                       {"id": "linker-mold", "failed": False,
                        "measured": {"method": "plain", "rounds": 5, "cpu_pct": c, "wall_pct": w}}]},
          open(f, "w"))
PY
}
fake "$linker" 30 25 "$work/gain.json"
fake "$linker" -4 -13 "$work/loss.json"
fake "not-$linker" 30 25 "$work/other.json"
python3 - "$(mold_of "$work/gain.json")" "$(mold_of "$work/loss.json")" "$(mold_of "$work/other.json")" \
  "$(mold_of)" "$(REPORT_PATH=/nonexistent mold_of)" "$linker" <<'PY' || fail "linker-mold from a measurement"
import json, sys
gain, loss, other, none, uninstalled = (json.loads(a) for a in sys.argv[1:6])
linker = sys.argv[6]
assert gain["recommended"] and gain["estimate"]["method"] == "measured-here", gain
assert gain["estimate"]["cpu_pct"] == 30 and gain["estimate"]["wall_pct"] == 25, gain
assert "on this machine" in gain["reason"] and "5 rounds of clean builds" in gain["reason"], gain
assert not loss["recommended"] and loss["estimate"]["method"] == "measured-here", loss
assert loss["reason"].startswith("not recommended: measured slower than " + linker), loss
assert "+13.0% wall" in loss["reason"], loss
for r in (other, none):  # no measurement that applies
    assert r["estimate"]["method"] == "published-ratio", r
if "lld" in linker:
    assert not none["recommended"] and none["reason"].startswith("not measured: mold is installed"), none
    assert "published ratio" in uninstalled["reason"] and "not measured on this machine" in uninstalled["reason"], uninstalled
    assert uninstalled["estimate"]["method"] == "published-ratio", uninstalled
PY
# The CPU of what a build leaves running is the build's: mold (--fork)
# returns before its child has finished; a "build" that leaves a child
# burning 0.3 s of CPU measures at least that much.
cat >"$work/orphan.sh" <<'SH'
python3 -c 'import time
while time.process_time() < 0.3: pass' &
exit 0
SH
"$BTRACE" experiment --only debuginfo-off --runs 2 -o "$work/o" -- bash "$work/orphan.sh" >/dev/null 2>"$work/o.err" ||
  fail "experiment of an orphaning build failed: $(cat "$work/o.err")"
python3 - "$work/o/experiment.json" <<'PY' || fail "the CPU of a build's orphan was not counted"
import json, sys
x = json.load(open(sys.argv[1]))
cpu = [v for c in x["configs"] for v in c["cpu_s"]]
assert len(cpu) == 4 and min(cpu) >= 0.3, cpu
PY
rc=0
"$BTRACE" experiment --touch no/such/file.rs -- cargo build --offline -q >/dev/null 2>"$work/bad.err" || rc=$?
[ "$rc" = 2 ] || fail "--touch of a missing file gave exit $rc"
[ "$(wc -l <"$work/bad.err")" = 1 ] && grep -q "touch no/such/file.rs: No such file" "$work/bad.err" ||
  fail "no one-line error: $(cat "$work/bad.err")"
echo "ok: experiment --touch"
