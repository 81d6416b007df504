#!/usr/bin/env bash
# matrix-js-sdk smoke test: register (UIA) -> login -> whoami against $HOMESERVER_URL.
# Usage: HOMESERVER_URL=http://127.0.0.1:8008 tests/js-sdk/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if [ ! -d node_modules/matrix-js-sdk ]; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

exec node smoke.mjs
