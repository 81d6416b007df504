#!/usr/bin/env bash
# Throwaway PostgreSQL for the test suite, from Debian's postgresql package (installed when missing).
#   tests/postgres.sh start DIR   -> initialises and starts a cluster in DIR on a free loopback port,
#                                    prints the Npgsql connection string on stdout
#   tests/postgres.sh stop DIR    -> stops it
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/free-port.sh"
cmd=${1:?start|stop}
dir=${2:?cluster directory}

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bin" ]; then
    echo "installing PostgreSQL from Debian packages" >&2
    if [ "$(id -u)" -ne 0 ]; then echo "PostgreSQL is missing and installing it needs root" >&2; exit 1; fi
    # Waits up to ten minutes for another apt or dpkg holding the package lock instead of failing at once.
    apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 || echo "apt-get update failed; installing from the package lists already here" >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq postgresql >&2 \
      || { echo "could not install the Debian package postgresql (apt-get install failed, see above)" >&2; exit 1; }
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$bin" ] || { echo "the postgresql package is installed but no /usr/lib/postgresql/*/bin was found" >&2; exit 1; }
  fi
  echo "$bin"
}

# PostgreSQL refuses to run as root; run it as the package's postgres user then.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    bin=$(pg_bin)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    free_port port
    # fsync off: the cluster is thrown away after the run, and our own durability tests kill the homeserver, not PostgreSQL.
    # Many test servers run at once, each with its own pool: room for all of them, and idle connections given back soon.
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000" start >&2 \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Maximum Pool Size=20;Connection Idle Lifetime=10;Connection Pruning Interval=5"
    ;;
  stop)
    bin=$(pg_bin)
    [ -d "$dir/data" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
