using System.Net;

namespace Homeserver.Core.Outbound;

/// <summary>
/// Which addresses the server may connect to on someone else's say-so (push gateways, Web Push endpoints, other
/// homeservers): not private, loopback, link-local, shared, multicast or documentation ranges, nor the operator's
/// <paramref name="deniedRanges"/>, so a pusher URL or a server name cannot reach the server's own network (SSRF),
/// unless the operator allow-lists a range.
/// </summary>
public sealed class OutboundAddressPolicy(IEnumerable<string> allowedRanges, IEnumerable<string>? deniedRanges = null)
{
    private static readonly IPNetwork[] Denied = Array.ConvertAll(
    [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
        "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16",
        "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    ], IPNetwork.Parse);

    private readonly IPNetwork[] _allowed = allowedRanges.Select(IPNetwork.Parse).ToArray();
    private readonly IPNetwork[] _denied = (deniedRanges ?? []).Select(IPNetwork.Parse).ToArray();

    public bool IsAllowed(IPAddress address)
    {
        // An IPv4-mapped IPv6 address reaches the IPv4 host, so it is judged as that host.
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        return IsAllowListed(address) || !(Denied.Any(n => n.Contains(address)) || _denied.Any(n => n.Contains(address)));
    }

    public bool IsAllowListed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        return _allowed.Any(n => n.Contains(address));
    }
}
