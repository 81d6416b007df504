#!/usr/bin/env bash
# The homeserver the js-sdk scripts run against, as a background process with a pid file, so a script can
# restart it mid-test (sync.mjs checks that nothing is lost or repeated across a restart).
#   server.sh start   DIR PORT  -> writes DIR/js.yaml on first start, starts the server, waits until it answers
#                                  on 127.0.0.1:PORT. A DIR/js.env (KEY=value lines, written by federation.sh) adds
#                                  to the server's environment: its name, address, TLS listener and federation peers.
#   server.sh restart DIR PORT  -> kill -9 (a crash: acknowledged messages must survive it), then start
#   server.sh stop    DIR
# The built server is Homeserver/Homeserver.Host/bin/Release (tests/run.sh builds it first).
set -euo pipefail
cmd=${1:?start|restart|stop}
dir=${2:?work directory}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
host_dll="$root/Homeserver/Homeserver.Host/bin/Release/net10.0/Homeserver.Host.dll"

stop() {
    if [ -f "$dir/server.pid" ]; then
        pid=$(cat "$dir/server.pid")
        kill -9 "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
        rm -f "$dir/server.pid"
    fi
}

start() {
    port=${1:?port}
    local server_name=localhost address=127.0.0.1
    if [ -f "$dir/js.env" ]; then
        set -a
        # shellcheck source=/dev/null
        . "$dir/js.env"
        set +a
        server_name=$HOMESERVER__SERVER_NAME
        address=$HOMESERVER__LISTENERS__0__BIND_ADDRESS
    fi
    [ -f "$dir/js.yaml" ] || dotnet "$host_dll" generate-config --server-name "$server_name" --port "$port" --data-dir "$dir/js-data" > "$dir/js.yaml"
    # Synapse's default message limit (0.2/s) would make the scripted conversations wait minutes; the
    # registration and login limits stay at their defaults, and the scripts honour Retry-After.
    HOMESERVER__REGISTRATION__ENABLED=true HOMESERVER__LOG_LEVEL=warning \
        HOMESERVER__RATE_LIMITS__MESSAGE__PER_SECOND=50 HOMESERVER__RATE_LIMITS__MESSAGE__BURST_COUNT=200 \
        setsid dotnet "$host_dll" run --config "$dir/js.yaml" >> "$dir/js-server.log" 2>&1 < /dev/null &
    echo $! > "$dir/server.pid"
    for _ in $(seq 1 120); do
        (exec 3<>"/dev/tcp/$address/$port" && printf 'GET /_matrix/client/versions HTTP/1.0\r\n\r\n' >&3 && head -n 1 <&3 | grep -q ' 200 ') 2>/dev/null && return 0
        sleep 0.5
    done
    echo "server did not answer on $address:$port" >&2
    return 1
}

case "$cmd" in
    start) start "${3:?port}" ;;
    restart) stop; start "${3:?port}" ;;
    stop) stop ;;
    *) echo "usage: $0 start|restart|stop DIR [PORT]" >&2; exit 2 ;;
esac
