#!/usr/bin/env bash
# Throwaway Redis for the test suite, from Debian's redis-server package (installed when missing).
#   tests/redis.sh start DIR   -> starts a Redis on a free loopback port with its files in DIR,
#                                 prints its address (host:port) on stdout
#   tests/redis.sh stop DIR    -> stops it
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/free-port.sh"
cmd=${1:?start|stop}
dir=${2:?directory}

redis_bin() {
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "installing Redis from Debian packages" >&2
    if [ "$(id -u)" -ne 0 ]; then echo "redis-server is missing and installing it needs root" >&2; exit 1; fi
    # Waits up to ten minutes for another apt or dpkg holding the package lock instead of failing at once.
    apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 || echo "apt-get update failed; installing from the package lists already here" >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq redis-server >&2 \
      || { echo "could not install the Debian package redis-server (apt-get install failed, see above)" >&2; exit 1; }
    command -v redis-server >/dev/null 2>&1 || { echo "the redis-server package is installed but redis-server is not on PATH" >&2; exit 1; }
  fi
  command -v redis-server
}

case "$cmd" in
  start)
    bin=$(redis_bin)
    mkdir -p "$dir"
    free_port port
    # Loopback only, nothing kept on disk: the suite throws it away.
    "$bin" --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" >&2 \
      || { cat "$dir/redis.log" >&2 2>/dev/null; exit 1; }
    for _ in $(seq 1 100); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && { echo "127.0.0.1:$port"; exit 0; }
      sleep 0.1
    done
    echo "Redis did not start listening on 127.0.0.1:$port" >&2; cat "$dir/redis.log" >&2 2>/dev/null; exit 1
    ;;
  stop)
    [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
