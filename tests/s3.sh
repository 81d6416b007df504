#!/usr/bin/env bash
# Throwaway S3-compatible server for the media tests: npm's s3rver (pinned in tests/s3/package.json), since
# Debian packages none. Node.js and npm must be installed (tests/run.sh installs them).
#   tests/s3.sh start DIR   -> installs s3rver when missing, starts it with its data in DIR on a free loopback
#                              port, prints the endpoint (127.0.0.1:PORT) on stdout; its access and secret key
#                              are both S3RVER
#   tests/s3.sh stop DIR    -> stops it
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?data directory}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/s3"
source "$here/../free-port.sh"

case "$cmd" in
  start)
    if [ ! -x "$here/node_modules/.bin/s3rver" ]; then
      (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2) \
        || { echo "could not install s3rver from npm (npm ci in tests/s3 failed, see above); the media tests on S3 need it" >&2; exit 1; }
    fi
    mkdir -p "$dir/data"
    free_port port
    nohup node "$here/node_modules/.bin/s3rver" -d "$dir/data" -a 127.0.0.1 -p "$port" --silent >"$dir/server.log" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 1 100); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "127.0.0.1:$port"; exit 0; fi
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
      sleep 0.1
    done
    echo "s3rver did not start:" >&2; cat "$dir/server.log" >&2; exit 1
    ;;
  stop)
    if [ -f "$dir/pid" ]; then kill "$(cat "$dir/pid")" 2>/dev/null || true; rm -f "$dir/pid"; fi
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
