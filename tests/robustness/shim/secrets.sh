#!/usr/bin/env bash
# Defect 9: credentials in argv and in system()/popen() command strings
# never reach the trace: URL userinfo, Authorization headers, --password=
# and --token VALUE, NAME=value with secret-sounding names.  Arguments
# around them (--release, -p tokenizers) and rustc's arguments stay intact.
source "$(dirname "$0")/../../functional/common.sh" "$@"
secrets='hunter2|tok-AAAA|pw-BBBB|tok-CCCC|tok-DDDD|tok-EEEE|tok-FFFF|pw-GGGG|tok-HHHH'
LD_PRELOAD="$LIB" BTRACE_DIR="$work/t" "$BIN/adversary" secrets >"$work/out" ||
  fail "traced: $(cat "$work/out")"
# Not a byte of them anywhere in the trace files.
if grep -r -a -E -l "$secrets" "$work/t"; then fail "a secret is in the trace"; fi
"$BIN/trace_lines" "$work/t" >"$work/lines"
"$BTRACE" dump -w "$work/t" >"$work/dump" 2>&1 || true
if grep -E "$secrets" "$work/dump"; then fail "a secret is in btrace dump"; fi
# What is kept, and how the redaction shows.
pid=$(awk '$1 == "arg" && $3 == 2 && $4 ~ /example.com/ {print $2}' "$work/lines")
[ -n "$pid" ] || fail "the child with secrets was not recorded: $(cat "$work/lines")"
args=$(awk -v p="$pid" '$1 == "arg" && $2 == p && $3 > 0 {sub(/^arg [0-9]+ [0-9]+ /, ""); print}' "$work/lines")
want='noop
https://<redacted>@example.com/x.git
-H
Authorization: <redacted>
--password=<redacted>
--token
<redacted>
GITHUB_TOKEN=<redacted>
--release
-p
tokenizers'
[ "$args" = "$want" ] || fail "argv recorded as:
$args
want:
$want"
grep -qF "spawn $(awk '$1 == "arg" && $3 == 1 && $4 == "secrets" {print $2}' "$work/lines") system true --token <redacted> 'Authorization: <redacted>' https://<redacted>@example.org/" "$work/lines" ||
  fail "system() string: $(grep ' system ' "$work/lines")"
grep -qF "popen API_KEY=<redacted> echo popen-ok" "$work/lines" || fail "popen() string: $(grep ' popen ' "$work/lines")"
# btrace record writes the session's command itself: redacted too.
"$BTRACE" record -o "$work/t3" -- "$BIN/adversary" noop --token tok-IIII 2>/dev/null ||
  fail "btrace record failed"
if grep -r -a -l "tok-IIII" "$work/t3"; then fail "a secret is in btrace record's session record"; fi
"$BTRACE" dump -w "$work/t3" 2>/dev/null | grep -q -- '--token <redacted>' || fail "btrace record: $("$BTRACE" dump -w "$work/t3")"
# rustc's arguments are its own: recorded as they are.
cp "$BIN/adversary" "$work/rustc"
LD_PRELOAD="$LIB" BTRACE_DIR="$work/t2" "$work/rustc" noop --extern tokenizers=/x/libtokenizers.rlib --token keep-me ||
  fail "rustc-named program failed"
"$BIN/trace_lines" "$work/t2" | grep -q '^arg [0-9]* 5 keep-me$' || fail "rustc's arguments were changed: $("$BIN/trace_lines" "$work/t2")"
echo "ok: secrets redacted at record time, other arguments intact"
