# deb.sh SOURCE_DIR BUILD_DIR EXAMPLES_DIR - the Debian package, end to end:
#  1. build it: a tree configured with -DCMAKE_INSTALL_PREFIX=/usr in
#     BUILD_DIR/pkg (kept, so later runs are incremental), cpack -G DEB;
#  2. inspect it with dpkg-deb: control fields, dependencies (libelf1,
#     libcjson1, no libiberty; libpq5 suggested, not a dependency: btrace
#     dlopens it), the exact file list with modes and owners,
#     the postinst/postrm running ldconfig;
#  3. install it with dpkg -i for real, in a throwaway mount namespace
#     whose /usr, /etc and /var are overlays (nothing reaches the machine;
#     /usr/local is hidden so an earlier install cannot answer): the
#     linker cache gets libbtrace.so from the postinst, so
#     LD_PRELOAD=libbtrace.so cargo build works with no path; btrace
#     record finds libbtrace.so where the package put it; btrace, cargo
#     btrace and man btrace-report work from PATH; dpkg -r takes it all
#     away again.
# (grep in a pipeline reads to the end, never -q: under pipefail an early
# exit would fail the writer with SIGPIPE.)
# Part 3 needs root and unshare/overlayfs; without them it is skipped,
# said so, and parts 1-2 still decide.
set -euo pipefail
SRC=$1
BUILD=$2
EXAMPLES=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v dpkg-deb >/dev/null && command -v cpack >/dev/null || { echo "SKIP: no dpkg-deb or cpack"; exit 77; }
pkg=$BUILD/pkg
work=$(mktemp -d /tmp/btrace-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT

# 1. build
mkdir -p "$pkg"
cmake -S "$SRC" -B "$pkg" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
  -DBUILD_TESTING=OFF -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >"$pkg/configure.log" 2>&1 ||
  { cat "$pkg/configure.log"; fail "configure"; }
cmake --build "$pkg" -j2 --target btrace_cli btrace cargo_btrace man_pages >"$pkg/build.log" 2>&1 ||
  { tail -30 "$pkg/build.log"; fail "build"; }
rm -f "$pkg"/btrace_*.deb
(cd "$pkg" && cpack -G DEB >"$pkg/cpack.log" 2>&1) || { cat "$pkg/cpack.log"; fail "cpack -G DEB"; }
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
deb=$(ls "$pkg"/btrace_*_"$arch".deb)
[ -f "$deb" ] || fail "no btrace_*_$arch.deb"

# 2. inspect
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = btrace ] || fail "Package: $(field Package)"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture: $(field Architecture)"
version=$(sed -n 's/^project(btrace VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version), CMakeLists.txt says $version"
[ -n "$(field Maintainer)" ] && [ -n "$(field Description)" ] || fail "no Maintainer or Description"
deps=$(field Depends)
for d in libc6 libelf1 libcjson1; do
  echo "$deps" | grep -E "(^|, )$d( |,|$)" >/dev/null || fail "Depends lacks $d: $deps"
done
echo "$deps" | grep -E 'iberty|cmocka|-dev' >/dev/null && fail "Depends names a static or build-only library: $deps"
echo "$deps" | grep -E 'libpq' >/dev/null && fail "Depends names libpq, which btrace loads only for a postgresql:// store: $deps"
[ "$(field Suggests)" = libpq5 ] || fail "Suggests: '$(field Suggests)', not libpq5"
# every file: mode, owner, path (directories apart)
want=$work/want
{
  echo "-rwxr-xr-x root/root ./usr/bin/btrace"
  echo "-rwxr-xr-x root/root ./usr/bin/cargo-btrace"
  echo "-rw-r--r-- root/root ./usr/lib/$multiarch/libbtrace.so"
  for p in "$SRC"/man/*.[1-8]; do
    b=$(basename "$p")
    echo "-rw-r--r-- root/root ./usr/share/man/man${b##*.}/$b.gz"
  done
} | sort >"$want"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $1, $2, $6}' | sort >"$work/got"
diff -u "$want" "$work/got" || fail "the package's files differ from the list above"
dpkg-deb -c "$deb" | awk '$1 ~ /^d/ && ($1 != "drwxr-xr-x" || $2 != "root/root") {print; bad=1} END {exit bad}' ||
  fail "a directory that is not drwxr-xr-x root/root"
mkdir "$work/ctl" "$work/x"
dpkg-deb -e "$deb" "$work/ctl"
for s in postinst postrm; do
  [ "$(stat -c %a "$work/ctl/$s")" = 755 ] || fail "$s is not 0755"
  grep -q '^[[:space:]]*ldconfig$' "$work/ctl/$s" || fail "$s does not run ldconfig"
  sh -n "$work/ctl/$s" || fail "$s: not valid sh"
done
dpkg-deb -x "$deb" "$work/x"
readelf -d "$work/x/usr/bin/btrace" | grep NEEDED | grep iberty && fail "btrace needs a shared libiberty"
readelf -d "$work/x/usr/bin/btrace" | grep NEEDED | grep libpq && fail "btrace links libpq"
readelf -d "$work/x/usr/lib/$multiarch/libbtrace.so" | grep NEEDED | grep -Ev 'libc\.so|ld-linux' &&
  fail "libbtrace.so needs more than libc"
"$work/x/usr/bin/btrace" --help >/dev/null || fail "the packaged btrace --help does not run"
echo "dpkg-deb: $(basename "$deb"): Depends: $deps; Suggests: $(field Suggests); $(wc -l <"$want") files as listed"

# 3. install for real, in a throwaway mount namespace
if [ "$(id -u)" != 0 ] || ! unshare -m --propagation private true 2>/dev/null; then
  echo "SKIP (install part): needs root and unshare -m"; echo PASS; exit 0
fi
export PATH="$HOME/.cargo/bin:$PATH"
gen="$(cd "$EXAMPLES/../.." && pwd)/shared/workloads/gen-synthetic.sh"
if command -v cargo >/dev/null && [ -f "$gen" ]; then
  bash "$gen" "$work/ws" 2 3 >/dev/null
else
  echo "note: no cargo or gen-synthetic.sh: the traced cargo build is left out"
fi
cat >"$work/inside.sh" <<'INSIDE'
set -euo pipefail
work=$1 deb=$2 multiarch=$3
fail() { echo "FAIL (installed): $*" >&2; exit 1; }
for d in usr etc var; do
  mkdir -p "$work/ov/$d/u" "$work/ov/$d/w"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$work/ov/$d/u,workdir=$work/ov/$d/w" "/$d"
done
mount -t tmpfs tmpfs /usr/local   # an earlier `cmake --install` cannot answer
cargo_bin=$(dirname "$(readlink -f "$(command -v cargo 2>/dev/null || echo /nonexistent)")")
export PATH="/usr/bin:/bin:/usr/sbin:/sbin:$HOME/.cargo/bin"
ldconfig
ldconfig -p | grep 'libbtrace\.so' >/dev/null && fail "libbtrace.so in the linker cache before the install"
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i"; }
dpkg -s btrace | grep '^Status: install ok installed' >/dev/null || fail "dpkg -s: not installed"
ldconfig -p | grep -E "libbtrace\.so .*=> (/usr)?/lib/$multiarch/libbtrace\.so$" >/dev/null ||
  fail "the postinst did not put libbtrace.so in the linker cache"
[ "$(command -v btrace)" = /usr/bin/btrace ] || fail "btrace on PATH is $(command -v btrace)"
btrace --help | grep '^usage: btrace' >/dev/null || fail "btrace --help"
[ "$(man -w btrace-report)" = /usr/share/man/man1/btrace-report.1.gz ] || fail "man -w btrace-report: $(man -w btrace-report 2>&1)"
MANWIDTH=200 man -P cat btrace-report 2>"$work/man.err" | tr -s " " | grep "^ btrace-report - where the build" >/dev/null || fail "man btrace-report does not show the page: $(cat "$work/man.err")"
man -w 7 libbtrace >/dev/null || fail "man 7 libbtrace"
unset BTRACE_LIB
btrace record -o "$work/rec" -- true 2>"$work/rec.err" || { cat "$work/rec.err"; fail "btrace record does not find the packaged libbtrace.so"; }
if [ -d "$work/ws" ]; then
  cd "$work/ws"
  LD_PRELOAD=libbtrace.so cargo build --offline -q 2>"$work/ld.err" || { cat "$work/ld.err"; fail "LD_PRELOAD=libbtrace.so cargo build"; }
  grep -q 'ERROR: ld.so' "$work/ld.err" && fail "ld.so could not preload libbtrace.so: $(cat "$work/ld.err")"
  [ -L btrace.data/latest ] || fail "LD_PRELOAD=libbtrace.so cargo build wrote no trace"
  btrace dump >"$work/dump" || fail "btrace dump of the installed library's trace"
  grep -q 'crate-name lib1' "$work/dump" || fail "no rustc of lib1 in the trace"
  cargo clean -q
  cargo btrace build --offline >"$work/out" 2>&1 || { cat "$work/out"; fail "cargo btrace build"; }
  grep -q '^Build: ' "$work/out" || fail "cargo btrace build printed no report"
  [ "$(find btrace.data -mindepth 1 -maxdepth 1 -type d | wc -l)" = 2 ] || fail "cargo btrace build: no second trace"
fi
dpkg -r btrace >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -r"; }
[ ! -e /usr/bin/btrace ] && [ ! -e /usr/bin/cargo-btrace ] && [ ! -e "/usr/lib/$multiarch/libbtrace.so" ] &&
  [ ! -e /usr/share/man/man1/btrace.1.gz ] || fail "dpkg -r left files behind"
ldconfig -p | grep 'libbtrace\.so' >/dev/null && fail "libbtrace.so still in the linker cache after dpkg -r"
echo "installed, used and removed: dpkg -i, ldconfig cache, btrace, cargo btrace, man, dpkg -r"
INSIDE
unshare -m --propagation private bash ${DEB_TRACE:+-x} "$work/inside.sh" "$work" "$deb" "$multiarch" || fail "the install part"
echo PASS
