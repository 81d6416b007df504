#!/usr/bin/env bash
# npm's matrix-appservice (pinned in tests/bridge/package.json) for the bridge the integration tests run
# (tests/bridge/bridge.cjs). Node.js and npm must be installed (tests/run.sh installs them).
#   tests/bridge.sh install DIR   -> installs the package into DIR (a scratch folder) unless it is there, and
#                                    prints DIR/node_modules: what HOMESERVER_TEST_BRIDGE names for the tests
set -euo pipefail
cmd=${1:?install}
dir=${2:?scratch folder}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bridge"

case "$cmd" in
  install)
    mkdir -p "$dir"
    if [ ! -f "$dir/node_modules/matrix-appservice/package.json" ]; then
      cp "$here/package.json" "$here/package-lock.json" "$dir/"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2) \
        || { echo "could not install matrix-appservice from npm (npm ci of tests/bridge/package.json failed, see above); the application-service bridge test needs it" >&2; exit 1; }
    fi
    echo "$(cd "$dir" && pwd)/node_modules"
    ;;
  *) echo "usage: $0 install DIR" >&2; exit 2 ;;
esac
