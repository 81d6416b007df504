#!/usr/bin/env bash
# Throwaway nginx for the test suite, from Debian's nginx package (installed when missing), running a site config
# such as deploy/nginx/homeserver.conf as the current user, never the system's nginx service.
#   tests/nginx.sh start DIR CONFIG -> renders CONFIG for loopback into DIR: its TLS listener on a free 127.0.0.1
#                                      port with a self-signed certificate made here, its IPv6 and federation port
#                                      listeners dropped, and the servers of its upstream block on free loopback
#                                      ports where the tests start their nodes; starts nginx with its pid, logs
#                                      and temp files in DIR and prints on stdout
#                                      "https://127.0.0.1:PORT DIR/cert.pem 127.0.0.1:NODE1 127.0.0.1:NODE2 ...":
#                                      its address, its certificate for clients to trust, its upstream servers
#   tests/nginx.sh stop DIR         -> stops it
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/free-port.sh"
cmd=${1:?start|stop}
dir=${2:?directory}

nginx_bin() {
  if ! command -v nginx >/dev/null 2>&1; then
    echo "installing nginx from Debian packages" >&2
    if [ "$(id -u)" -ne 0 ]; then echo "nginx is missing and installing it needs root" >&2; exit 1; fi
    # Waits up to ten minutes for another apt or dpkg holding the package lock instead of failing at once.
    apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 || echo "apt-get update failed; installing from the package lists already here" >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq nginx openssl >&2 \
      || { echo "could not install the Debian package nginx (apt-get install failed, see above)" >&2; exit 1; }
    command -v nginx >/dev/null 2>&1 || { echo "the nginx package is installed but nginx is not on PATH" >&2; exit 1; }
  fi
  command -v nginx
}

case "$cmd" in
  start)
    config=${3:?site config, such as deploy/nginx/homeserver.conf}
    bin=$(nginx_bin)
    mkdir -p "$dir/tmp"
    dir=$(cd "$dir" && pwd)
    openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
      -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null \
      || { echo "could not make a certificate with openssl" >&2; exit 1; }
    free_port port
    nodes=$(grep -cE '^[ \t]*server[ \t]+[^ ;]+:[0-9]+' "$config") || { echo "no upstream servers in $config" >&2; exit 1; }
    upstreams=""
    for _ in $(seq 1 "$nodes"); do free_port upstream; upstreams="$upstreams 127.0.0.1:$upstream"; done
    awk -v port="$port" -v dir="$dir" -v upstreams="$upstreams" '
      BEGIN { n = split(upstreams, up, " "); i = 0 }
      /^[ \t]*listen[ \t]+\[::\]:/ || /^[ \t]*listen[ \t]+8448[ ;]/ { next }
      /^[ \t]*listen[ \t]+443[ ;]/ { sub(/443/, "127.0.0.1:" port) }
      /^[ \t]*server[ \t]+[^ ;]+:[0-9]+/ { sub(/[^ ;]+:[0-9]+/, up[++i]) }
      /^[ \t]*ssl_certificate[ \t]/ { sub(/ssl_certificate[ \t]+[^;]+/, "ssl_certificate " dir "/cert.pem") }
      /^[ \t]*ssl_certificate_key[ \t]/ { sub(/ssl_certificate_key[ \t]+[^;]+/, "ssl_certificate_key " dir "/key.pem") }
      { print }
    ' "$config" > "$dir/site.conf"
    # As root, nginx would hand its workers to an unprivileged user that cannot read DIR; keep them as root then.
    user=""
    [ "$(id -u)" -eq 0 ] && user="user root root;"
    cat > "$dir/nginx.conf" <<CONF
$user
pid $dir/nginx.pid;
error_log $dir/error.log;
worker_processes 1;
events { worker_connections 1024; }
http {
    access_log $dir/access.log;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    include $dir/site.conf;
}
CONF
    "$bin" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >&2 || { cat "$dir/error.log" >&2 2>/dev/null; exit 1; }
    for _ in $(seq 1 100); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && { echo "https://127.0.0.1:$port $dir/cert.pem$upstreams"; exit 0; }
      sleep 0.1
    done
    echo "nginx did not start listening on 127.0.0.1:$port" >&2; cat "$dir/error.log" >&2 2>/dev/null; exit 1
    ;;
  stop)
    [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
    ;;
  *) echo "usage: $0 start DIR CONFIG | stop DIR" >&2; exit 2 ;;
esac
