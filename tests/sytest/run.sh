#!/usr/bin/env bash
# Runs SyTest against a freshly built server and compares the outcome with expected-failures.txt.
#
#   tests/sytest/run.sh OUT_DIR [-- RUN_TESTS_ARGS...]   build, run SyTest, summarise
#   tests/sytest/run.sh --summary OUT_DIR                 summarise an earlier run again
#
# SYTEST_HARNESS  the SyTest harness for external homeservers (setup.sh, run.sh and the External driver);
#                 its setup.sh prepares SyTest once, and its SYTEST_SCRATCH passes through.
# HS_BUILD_LOCK   optional file to hold with flock while building, when other builds share the machine.
# HS_BIN          optional folder holding a build of Homeserver.Host to test instead of building one.
# RUN_TESTS_ARGS  go to SyTest's run-tests.pl, e.g. test files to run only those.
#
# OUT_DIR gets bin/ (the build), sytest/ (results.tap, progress.log, each server's work/ and server.log) and
# summary.md: passed of run per area, failures not on the list and listed tests that passed. Exit status 0
# only when the run matches the list: every failure listed and every listed test failing.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
EXPECTED="$HERE/expected-failures.txt"

summarise() {
  local out="$1"
  perl "$HERE/summarise.pl" "$out/sytest/results.tap" "$out/sytest/progress.log" "$EXPECTED" > "$out/summary.md"
  cat "$out/summary.md"
  ! grep -q '^- ' "$out/summary.md"
}

if [ "${1:-}" = --summary ]; then
  summarise "$(cd "$2" && pwd)"
  exit
fi

[ $# -ge 1 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
: "${SYTEST_HARNESS:?set SYTEST_HARNESS to the SyTest harness folder (with setup.sh and run.sh)}"
mkdir -p "$1"
OUT="$(cd "$1" && pwd)"
shift
[ "${1:-}" = -- ] && shift

if [ -n "${HS_BIN:-}" ]; then
  rm -rf "$OUT/bin" && cp -r "$HS_BIN" "$OUT/bin"
else
  build=(dotnet build "$ROOT/Homeserver/Homeserver.Host" -c Release -o "$OUT/bin" -nologo -v:q)
  if [ -n "${HS_BUILD_LOCK:-}" ]; then flock "$HS_BUILD_LOCK" "${build[@]}"; else "${build[@]}"; fi
fi

export HS_START_CMD="exec '$HERE/start-homeserver.sh' '$OUT/bin/Homeserver.Host.dll' {server_name} {port} {hs_dir} {data_dir} {tls_cert} {tls_key} {ca_cert} {shared_secret} {bind_host}"
"$SYTEST_HARNESS/run.sh" -o "$OUT/sytest" -- -B "$EXPECTED" "$@" || true
summarise "$OUT"
