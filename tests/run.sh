#!/usr/bin/env bash
# The whole test suite, on a fresh machine that has only the .NET SDK:
#   1. installs what is missing (PostgreSQL, Redis, nginx, Node.js, ffmpeg, Chromium, python3-signedjson) from Debian packages,
#   2. starts a throwaway PostgreSQL, a Redis, an S3-compatible server (npm's s3rver) and nginx on the shipped
#      deploy/nginx/homeserver.conf on loopback ports, and installs npm's matrix-appservice for the bridge test into a
#      scratch folder,
#   3. runs every .NET test project (unit and integration; each storage test on SQLite and PostgreSQL),
#   4. runs the matrix-js-sdk client against a freshly started server, and against two more of our servers
#      federating with each other over loopback TLS (certificates of a CA made by openssl for the run),
#   5. stops everything and prints one "N passed, M failed" line.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
source tests/free-port.sh
work=$(mktemp -d /tmp/homeserver-tests.XXXXXX)
chmod 755 "$work"

cleanup() {
    tests/js-sdk/server.sh stop "$work" >/dev/null 2>&1
    tests/js-sdk/federation.sh stop "$work/federation" >/dev/null 2>&1
    tests/postgres.sh stop "$work/pg" >/dev/null 2>&1
    tests/s3.sh stop "$work/s3" >/dev/null 2>&1
    tests/redis.sh stop "$work/redis" >/dev/null 2>&1
    tests/nginx.sh stop "$work/nginx" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

# Another apt or dpkg (unattended upgrades, a second test run) may hold the package lock: wait for it, up to
# ten minutes, instead of failing at once. A failed install stops the run naming the package, rather than
# leaving tests to fail later on a missing program.
apt_lock_wait=(-o DPkg::Lock::Timeout=600)
apt_install() {
    if [ "$(id -u)" -ne 0 ]; then echo "missing $*; install it or run as root" >&2; exit 1; fi
    if [ -z "${apt_updated:-}" ]; then
        apt-get "${apt_lock_wait[@]}" update -qq || echo "apt-get update failed; installing from the package lists already here" >&2
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get "${apt_lock_wait[@]}" install -y -qq "$@" >/dev/null \
        || { echo "could not install the Debian package(s) $* (apt-get install failed, see above); the tests need them" >&2; exit 1; }
}
# require COMMAND PACKAGE...: installs the packages when COMMAND is missing, and stops the run if it still is.
require() {
    local cmd=$1; shift
    command -v "$cmd" >/dev/null || apt_install "$@"
    command -v "$cmd" >/dev/null || { echo "$cmd is still missing after installing $*; the tests need it" >&2; exit 1; }
}
require node nodejs npm
require npm nodejs npm
# Video thumbnails use ffmpeg; its tests run, not skip, so it must be here.
require ffmpeg ffmpeg
# The web console is driven in a real browser: Debian's Chromium, launched by Playwright (no browser download).
require chromium chromium
HOMESERVER_TEST_CHROMIUM=$(command -v chromium)
export HOMESERVER_TEST_CHROMIUM
# Three nodes run behind the shipped nginx config, with a certificate made by openssl for the run.
require nginx nginx
require openssl openssl
# Our PDUs are checked with the reference signing library, installed for Debian's own interpreter.
/usr/bin/python3 -c 'import signedjson.sign, canonicaljson' 2>/dev/null || apt_install python3 python3-signedjson
/usr/bin/python3 -c 'import signedjson.sign, canonicaljson' \
    || { echo "python3-signedjson is still missing after installing it; the reference signature tests need it" >&2; exit 1; }

echo "== starting PostgreSQL"
HOMESERVER_TEST_POSTGRES=$(tests/postgres.sh start "$work/pg") || { echo "could not start PostgreSQL" >&2; exit 1; }
export HOMESERVER_TEST_POSTGRES

echo "== starting Redis"
HOMESERVER_TEST_REDIS=$(tests/redis.sh start "$work/redis") || { echo "could not start Redis (Debian's redis-server, see above); the tests of several nodes need it" >&2; exit 1; }
export HOMESERVER_TEST_REDIS

echo "== starting the S3 server (s3rver)"
HOMESERVER_TEST_S3=$(tests/s3.sh start "$work/s3") || { echo "could not start the S3 server (s3rver from npm, see above); the media tests on S3 need it" >&2; exit 1; }
export HOMESERVER_TEST_S3

echo "== starting nginx (deploy/nginx/homeserver.conf)"
HOMESERVER_TEST_NGINX=$(tests/nginx.sh start "$work/nginx" deploy/nginx/homeserver.conf) || { echo "could not start nginx on deploy/nginx/homeserver.conf (see above); the tests of nodes behind nginx need it" >&2; exit 1; }
export HOMESERVER_TEST_NGINX

echo "== installing the bridge library (matrix-appservice)"
HOMESERVER_TEST_BRIDGE=$(tests/bridge.sh install "$work/bridge") || { echo "could not install matrix-appservice from npm (see above); the application-service bridge test needs it" >&2; exit 1; }
export HOMESERVER_TEST_BRIDGE

echo "== .NET tests"
# Tests make a data folder per server under the temp folder; pointing it into the scratch folder lets the
# cleanup above remove them all, however a test ends.
mkdir -p "$work/tmp"
TMPDIR="$work/tmp" dotnet test Homeserver.sln -c Release -m:1 --logger "console;verbosity=normal" 2>&1 | tee "$work/dotnet-test.log"
dotnet_status=${PIPESTATUS[0]}

# Totals from the per-assembly summaries ("Total tests: N" then "     Passed: N" / "     Failed: N").
net_passed=$(grep -E '^ +Passed: [0-9]+$' "$work/dotnet-test.log" | awk '{s+=$2} END {print s+0}')
net_failed=$(grep -E '^ +Failed: [0-9]+$' "$work/dotnet-test.log" | awk '{s+=$2} END {print s+0}')
if [ "$dotnet_status" -ne 0 ] && [ "$net_failed" -eq 0 ]; then net_failed=1; fi

echo "== matrix-js-sdk against a running server"
js_passed=0; js_failed=1
# federation.mjs's two servers; without them it fails, saying so.
federation_urls=$(tests/js-sdk/federation.sh start "$work/federation") \
    || { echo "the two federating servers for the js-sdk tests did not start" >&2; cat "$work"/federation/server*/js-server.log 2>/dev/null; }
read -r federation_url1 federation_url2 <<< "$federation_urls"
free_port port
if tests/js-sdk/server.sh start "$work" "$port"; then
    HOMESERVER_URL="http://127.0.0.1:$port" HOMESERVER_RESTART="$root/tests/js-sdk/server.sh restart $work $port" \
        FEDERATION_SERVER1_URL="${federation_url1:-}" FEDERATION_SERVER2_URL="${federation_url2:-}" \
        tests/js-sdk/run.sh | tee "$work/js.log"
    line=$(grep -E '^js-sdk: [0-9]+ passed, [0-9]+ failed' "$work/js.log" | tail -n 1)
    if [ -n "$line" ]; then
        js_passed=$(echo "$line" | sed -E 's/js-sdk: ([0-9]+) passed.*/\1/')
        js_failed=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    else
        cat "$work/js-server.log"
    fi
    if ! grep -qE '^federation: [0-9]+ passed, 0 failed$' "$work/js.log"; then
        echo "== logs of the federating servers"
        cat "$work"/federation/server*/js-server.log 2>/dev/null
    fi
    tests/js-sdk/server.sh stop "$work"
else
    echo "the server for the js-sdk tests did not start" >&2
    cat "$work/js-server.log" 2>/dev/null
fi
tests/js-sdk/federation.sh stop "$work/federation"

passed=$((net_passed + js_passed))
failed=$((net_failed + js_failed))
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
