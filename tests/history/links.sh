# links.sh BTRACE - btrace links only what every command needs: libpq is
# loaded with dlopen() when a postgresql:// store is used
# (analyzer/history/postgres.c), so ldd shows no libpq.
set -euo pipefail
btrace=$1
libs=$(ldd "$btrace") || { echo "FAIL: ldd $btrace"; exit 1; }
echo "$libs"
if echo "$libs" | grep -i 'libpq' >/dev/null; then
  echo "FAIL: $btrace links libpq: it should dlopen it when a postgresql:// store is used"
  exit 1
fi
echo PASS
