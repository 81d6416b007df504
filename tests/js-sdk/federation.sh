#!/usr/bin/env bash
# Two homeservers of ours federating over loopback, for federation.mjs: each started by server.sh in a folder
# of its own, server 1 on 127.0.0.1 and server 2 on 127.0.0.2 (both loopback on Linux), each with a plain client
# listener and a TLS listener for federation whose certificate a CA made here with openssl issues. A server's
# name is ADDRESS:TLS_PORT, an IP literal that other servers reach directly. Each trusts the CA through
# federation.extra_ca_bundle and may reach the other's address through federation.allowed_ip_ranges (loopback
# is refused otherwise); a failed destination is retried within seconds, not the default ten minutes.
#   federation.sh start DIR -> prints "http://127.0.0.1:PORT1 http://127.0.0.2:PORT2", the client URLs
#   federation.sh stop  DIR
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?work directory}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../free-port.sh"
addresses=(127.0.0.1 127.0.0.2)

# A server certificate for ADDRESS (the name the other server checks, no SNI for an IP) signed by the CA.
issue() {
    local address=$1 out=$2
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$address" \
        -keyout "$out/tls.key" -out "$out/tls.csr" 2>/dev/null
    printf 'subjectAltName=IP:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$address" > "$out/tls.ext"
    openssl x509 -req -in "$out/tls.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 7 \
        -extfile "$out/tls.ext" -out "$out/tls.crt" 2>/dev/null
}

start() {
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 -subj "/CN=Homeserver js-sdk test CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null \
        || { echo "could not make the test CA with openssl" >&2; return 1; }
    local urls=() i
    for i in 0 1; do
        local address=${addresses[$i]} other=${addresses[$((1 - i))]} server="$dir/server$((i + 1))"
        mkdir -p "$server"
        issue "$address" "$server" || { echo "could not issue a certificate for $address with openssl" >&2; return 1; }
        local client_port federation_port
        free_port client_port "$address"
        free_port federation_port "$address"
        cat > "$server/js.env" <<ENV
HOMESERVER__SERVER_NAME=$address:$federation_port
HOMESERVER__LISTENERS__0__BIND_ADDRESS=$address
HOMESERVER__LISTENERS__1__BIND_ADDRESS=$address
HOMESERVER__LISTENERS__1__PORT=$federation_port
HOMESERVER__LISTENERS__1__TLS__CERTIFICATE_PATH=$server/tls.crt
HOMESERVER__LISTENERS__1__TLS__KEY_PATH=$server/tls.key
HOMESERVER__FEDERATION__EXTRA_CA_BUNDLE=$dir/ca.pem
HOMESERVER__FEDERATION__ALLOWED_IP_RANGES__0=$other/32
HOMESERVER__FEDERATION__DESTINATION_MIN_RETRY_INTERVAL=200ms
HOMESERVER__FEDERATION__DESTINATION_MAX_RETRY_INTERVAL=2s
ENV
        echo "$client_port" > "$server/client.port"
        urls+=("http://$address:$client_port")
    done
    # Both at once: each start waits for its server to answer.
    "$here/server.sh" start "$dir/server1" "$(cat "$dir/server1/client.port")" >&2 &
    local first=$!
    "$here/server.sh" start "$dir/server2" "$(cat "$dir/server2/client.port")" >&2 || { wait "$first"; return 1; }
    wait "$first" || return 1
    echo "${urls[*]}"
}

stop() {
    local server
    for server in "$dir/server1" "$dir/server2"; do
        [ -d "$server" ] && "$here/server.sh" stop "$server"
    done
    return 0
}

case "$cmd" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
