#!/bin/sh
# Starts ONE homeserver for SyTest's External driver, in the foreground, as SyTest configures the servers it
# tests: open registration with the shared secret and guest accounts, no rate limits, cheap password hashing, pushes allowed to
# loopback with no online grace, outbound HTTPS trusting SyTest's CA, federation reaching loopback (SyTest's fake
# server and the other server under test) with SyTest's CA trusted, rooms of version 10 by default (SyTest's fake
# server joins only versions 1 to 11, and computes event IDs by the redaction rules before version 11), SyTest's
# application services registered, mail sent to SyTest's SMTP server, and SyTest's identity server (self-signed, on
# loopback) reachable, URL previews on, reaching SyTest's test server on loopback (as SyTest configures Synapse),
# and SyTest's CAS server for single sign-on.
#   start-homeserver.sh HOST_DLL SERVER_NAME PORT HS_DIR DATA_DIR TLS_CERT TLS_KEY CA_CERT SHARED_SECRET BIND_HOST
set -e
DLL="$1"; SERVER_NAME="$2"; PORT="$3"; HS_DIR="$4"; DATA_DIR="$5"; TLS_CERT="$6"; TLS_KEY="$7"; CA_CERT="$8"; SECRET="$9"; shift 9; BIND="$1"
CONF="$HS_DIR/homeserver.yaml"
dotnet "$DLL" generate-config --server-name "$SERVER_NAME" --port "$PORT" --data-dir "$DATA_DIR" > "$CONF"
# .NET on Linux reads its trusted roots from SSL_CERT_FILE, so the bundle is the system's plus SyTest's CA.
cat /etc/ssl/certs/ca-certificates.crt "$CA_CERT" > "$HS_DIR/ca-bundle.crt" 2>/dev/null || cp "$CA_CERT" "$HS_DIR/ca-bundle.crt"
export SSL_CERT_FILE="$HS_DIR/ca-bundle.crt"
export HOMESERVER__LISTENERS__0__BIND_ADDRESS="$BIND" HOMESERVER__LISTENERS__0__PORT="$PORT"
export HOMESERVER__LISTENERS__0__TLS__CERTIFICATE_PATH="$TLS_CERT" HOMESERVER__LISTENERS__0__TLS__KEY_PATH="$TLS_KEY"
export HOMESERVER__PUBLIC_BASEURL="https://$SERVER_NAME"
export HOMESERVER__REGISTRATION__ENABLED=true HOMESERVER__REGISTRATION__SHARED_SECRET="$SECRET" HOMESERVER__REGISTRATION__ALLOW_GUEST_ACCESS=true
export HOMESERVER__RATE_LIMITS__ENABLED=false
export HOMESERVER__AUTH__ARGON2_MEMORY_KIB=64 HOMESERVER__AUTH__ARGON2_ITERATIONS=1
export HOMESERVER__PUSH__ALLOWED_IP_RANGES__0=127.0.0.0/8 HOMESERVER__PUSH__ONLINE_GRACE=0s
export HOMESERVER__DEFAULT_ROOM_VERSION=10
export HOMESERVER__FEDERATION__EXTRA_CA_BUNDLE="$CA_CERT" HOMESERVER__FEDERATION__ALLOWED_IP_RANGES__0=127.0.0.0/8
# SyTest's SMTP server, from the config the External driver writes beside ours (sytest-hs.json, key smtp).
SMTP=$(perl -MJSON::PP -e 'local $/; open my $f, "<", $ARGV[0] or exit; my $s = decode_json(<$f>)->{smtp} or exit; print "$s->{host} $s->{port}"' "$HS_DIR/sytest-hs.json" 2>/dev/null || true)
if [ -n "$SMTP" ]; then
  export HOMESERVER__EMAIL__SMTP_HOST="${SMTP% *}" HOMESERVER__EMAIL__SMTP_PORT="${SMTP#* }" HOMESERVER__EMAIL__NOTIF_FROM=homeserver@localhost
fi
export HOMESERVER__URL_PREVIEW__ENABLED=true HOMESERVER__URL_PREVIEW__ALLOWED_IP_RANGES__0=127.0.0.0/8 HOMESERVER__URL_PREVIEW__ALLOWED_IP_RANGES__1=::1/128
# SyTest's CAS server (its own test HTTPS server, on loopback), from sytest-hs.json's key cas.
CAS=$(perl -MJSON::PP -e 'local $/; open my $f, "<", $ARGV[0] or exit; my $c = decode_json(<$f>)->{cas} or exit; print $c->{server_url} // ""' "$HS_DIR/sytest-hs.json" 2>/dev/null || true)
if [ -n "$CAS" ]; then
  export HOMESERVER__CAS__ENABLED=true HOMESERVER__CAS__SERVER_URL="$CAS" HOMESERVER__CAS__ALLOWED_IP_RANGES__0=127.0.0.0/8
fi
export HOMESERVER__IDENTITY_SERVERS__ALLOWED_IP_RANGES__0=127.0.0.0/8 HOMESERVER__IDENTITY_SERVERS__INSECURE_SKIP_TLS_VERIFY_FOR_TESTS_ONLY=true
# SyTest writes its application services' registrations next to the config (appserv-N.yaml), as Synapse reads them.
i=0
for f in "$HS_DIR"/appserv-*.yaml; do
  [ -e "$f" ] || continue
  export "HOMESERVER__APP_SERVICE_CONFIG_FILES__$i=$f"
  i=$((i + 1))
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet "$DLL" check-config --config "$CONF"
exec dotnet "$DLL" run --config "$CONF"
