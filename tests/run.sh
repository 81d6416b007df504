#!/usr/bin/env bash
# The whole test suite, on a fresh machine that has only the .NET SDK:
#   1. installs what is missing (PostgreSQL, Node.js, ffmpeg) from Debian packages,
#   2. starts a throwaway PostgreSQL on a loopback port,
#   3. runs every .NET test project (unit and integration; each storage test on SQLite and PostgreSQL),
#   4. runs the matrix-js-sdk client against a freshly started server,
#   5. stops everything and prints one "N passed, M failed" line.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
work=$(mktemp -d /tmp/homeserver-tests.XXXXXX)
chmod 755 "$work"
server_pid=""

cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    tests/postgres.sh stop "$work/pg" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

apt_install() {
    if [ "$(id -u)" -ne 0 ]; then echo "missing $*; install it or run as root" >&2; exit 1; fi
    if [ -z "${apt_updated:-}" ]; then apt-get update -qq; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
# Video thumbnails use ffmpeg; its tests run, not skip, so it must be here.
command -v ffmpeg >/dev/null || apt_install ffmpeg

echo "== starting PostgreSQL"
HOMESERVER_TEST_POSTGRES=$(tests/postgres.sh start "$work/pg") || { echo "could not start PostgreSQL" >&2; exit 1; }
export HOMESERVER_TEST_POSTGRES

echo "== .NET tests"
dotnet test Homeserver.sln -c Release -m:1 --logger "console;verbosity=normal" 2>&1 | tee "$work/dotnet-test.log"
dotnet_status=${PIPESTATUS[0]}

# Totals from the per-assembly summaries ("Total tests: N" then "     Passed: N" / "     Failed: N").
net_passed=$(grep -E '^ +Passed: [0-9]+$' "$work/dotnet-test.log" | awk '{s+=$2} END {print s+0}')
net_failed=$(grep -E '^ +Failed: [0-9]+$' "$work/dotnet-test.log" | awk '{s+=$2} END {print s+0}')
if [ "$dotnet_status" -ne 0 ] && [ "$net_failed" -eq 0 ]; then net_failed=1; fi

echo "== matrix-js-sdk against a running server"
js_passed=0; js_failed=1
port=$((20000 + RANDOM % 20000))
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((20000 + RANDOM % 20000)); done
host_dll=Homeserver/Homeserver.Host/bin/Release/net10.0/Homeserver.Host.dll
if [ -f "$host_dll" ]; then
    dotnet "$host_dll" generate-config --server-name localhost --port "$port" --data-dir "$work/js-data" > "$work/js.yaml"
    # Synapse's default message limit (0.2/s) would make the scripted conversations wait minutes; the
    # registration and login limits stay at their defaults, and the scripts honour Retry-After.
    HOMESERVER__REGISTRATION__ENABLED=true HOMESERVER__LOG_LEVEL=warning \
        HOMESERVER__RATE_LIMITS__MESSAGE__PER_SECOND=50 HOMESERVER__RATE_LIMITS__MESSAGE__BURST_COUNT=200 \
        dotnet "$host_dll" run --config "$work/js.yaml" > "$work/js-server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 60); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET /_matrix/client/versions HTTP/1.0\r\n\r\n' >&3 && head -n 1 <&3 | grep -q ' 200 ') 2>/dev/null && break
        sleep 0.5
    done
    HOMESERVER_URL="http://127.0.0.1:$port" tests/js-sdk/run.sh | tee "$work/js.log"
    line=$(grep -E '^js-sdk: [0-9]+ passed, [0-9]+ failed' "$work/js.log" | tail -n 1)
    if [ -n "$line" ]; then
        js_passed=$(echo "$line" | sed -E 's/js-sdk: ([0-9]+) passed.*/\1/')
        js_failed=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    else
        cat "$work/js-server.log"
    fi
    kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=""
else
    echo "server was not built" >&2
fi

passed=$((net_passed + js_passed))
failed=$((net_failed + js_failed))
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
