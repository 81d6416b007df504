# Sourced by the test scripts that start servers. free_port NAME [ADDRESS] sets the variable NAME to a port free
# on ADDRESS (default 127.0.0.1) and not yet handed out in this shell ($taken; a variable, not printed, so that
# no subshell loses it). Ports are below the kernel's ephemeral range (32768 up): an outgoing connection may hold
# an ephemeral port, so binding one fails although nothing listens there.
free_port() {
    local address=${2:-127.0.0.1} candidate=$((20000 + RANDOM % 12000))
    while (exec 3<>"/dev/tcp/$address/$candidate") 2>/dev/null || [[ " ${taken:-} " == *" $candidate "* ]]; do
        candidate=$((20000 + RANDOM % 12000))
    done
    taken="${taken:-} $candidate"
    printf -v "$1" '%s' "$candidate"
}
