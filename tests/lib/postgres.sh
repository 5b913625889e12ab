# postgres.sh - a throwaway PostgreSQL server for the history store's tests
# and benchmark (tests/history/suite.sh, bench/history.sh); source it.
#
# pg_start WORK [SERVER_OPTION...]: initdb and start a server in WORK/pg,
# as the postgres user when root (the server refuses root; WORK becomes
# 0711 so that user can walk into WORK/pg, nothing else), on a private
# socket directory: no TCP, no clash with another server.  Sets pg_url
# (a libpq URL for BTRACE_DB or --db), pg_bin (the server's bin
# directory: psql) and pg_ctl_cmd (for pg_stop).  Returns 0; 2 after one
# line on stderr when no server can run here (none installed, root with
# no postgres user, initdb failed: a test skips); 1 when it did not start.
# pg_stop WORK: stop it, if it was started (for an EXIT trap).
pg_ctl_cmd=()

pg_start() {
  local work=$1 as=()
  shift
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
    echo "no PostgreSQL server installed (Debian's postgresql package; scripts/deps.sh test)" >&2
    return 2
  fi
  mkdir -m 700 "$work/pg"
  if [ "$(id -u)" = 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
      echo "running as root and there is no postgres user to run the server as" >&2
      return 2
    fi
    chmod 711 "$work"
    chown postgres "$work/pg"
    as=(runuser -u postgres --)
  fi
  if ! "${as[@]}" "$pg_bin/initdb" -D "$work/pg/data" -A trust -U postgres --no-sync >"$work/initdb.log" 2>&1; then
    cat "$work/initdb.log" >&2
    echo "initdb failed here" >&2
    return 2
  fi
  pg_ctl_cmd=("${as[@]}" "$pg_bin/pg_ctl")
  if ! "${pg_ctl_cmd[@]}" -D "$work/pg/data" -l "$work/pg/log" -w -t 60 \
    -o "-k $work/pg -c listen_addresses= -p 5432 $*" start >/dev/null 2>&1; then
    cat "$work/pg/log" >&2 || true
    echo "the PostgreSQL server did not start" >&2
    return 1
  fi
  pg_url="postgresql:///postgres?host=$work/pg&port=5432&user=postgres"
}

pg_stop() {
  if ((${#pg_ctl_cmd[@]})); then
    "${pg_ctl_cmd[@]}" -D "$1/pg/data" -m immediate stop >/dev/null 2>&1 || true
  fi
}
