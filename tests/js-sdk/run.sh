#!/usr/bin/env bash
# matrix-js-sdk tests against $HOMESERVER_URL:
#   smoke.mjs  register (UIA) -> login -> whoami
#   media.mjs  upload image + video, m.image/m.video, authenticated download, thumbnails,
#              Range seeking, decompression bomb and oversized upload refused (needs ffmpeg)
#   rooms.mjs  DM (is_direct) and group room: invite, join, messages, edit, reaction,
#              redaction (own allowed, other's 403), paging /messages back and forth
#              through 60 messages, thread reply and /threads (about 5 minutes: the
#              message rate limit allows one event per 5 s per account after a burst of 10)
#   sync.mjs   startClient (long polling) and a plain WebSocket both receive every message,
#              in order and once, across a WebSocket reconnect and a server restart
#              (HOMESERVER_RESTART: command that restarts the server; tests/run.sh sets it)
#   slidingsync.mjs  SlidingSync (MSC4186) with startClient: the room list, messages, receipts, typing and
#              to-device messages, and the connection carrying on across a server restart
#   e2ee.mjs   two clients with the sdk's Rust crypto: keys uploaded, queried and claimed,
#              the room key sent to-device, an encrypted message decrypted both ways
#   federation.mjs  two of our servers federating (FEDERATION_SERVER1_URL, FEDERATION_SERVER2_URL; federation.sh
#              starts them): a user of each with the sdk's Rust crypto in an encrypted room joined over
#              federation, keys queried and claimed across servers, messages decrypted both ways, typing,
#              read receipts and presence seen on the other server, an image uploaded to server 1 downloaded
#              byte-identical and thumbnailed through server 2
# Each script ends with "<name>: N passed, M failed"; this sums them into one last line
#   js-sdk: N passed, M failed
# and exits non-zero if anything failed.
# Usage: HOMESERVER_URL=http://127.0.0.1:8008 FEDERATION_SERVER1_URL=http://127.0.0.1:8009 \
#        FEDERATION_SERVER2_URL=http://127.0.0.2:8010 tests/js-sdk/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if [ ! -d node_modules/matrix-js-sdk ]; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT

total_passed=0
total_failed=0
for script in smoke media rooms sync slidingsync e2ee federation; do
    set +e
    node "$script.mjs" | tee "$out"
    status=${PIPESTATUS[0]}
    set -e
    line=$(grep -E "^$script: [0-9]+ passed, [0-9]+ failed$" "$out" | tail -n 1 || true)
    if [ -n "$line" ]; then
        passed=$(echo "$line" | sed -E 's/^[a-z0-9]+: ([0-9]+) passed.*/\1/')
        failed=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
    else
        echo "FAIL $script.mjs - exited with status $status without its summary line"
        passed=0
        failed=1
    fi
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        echo "FAIL $script.mjs - exited with status $status although no check failed"
        failed=1
    fi
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
done

echo "js-sdk: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ] && [ "$total_passed" -gt 0 ]
