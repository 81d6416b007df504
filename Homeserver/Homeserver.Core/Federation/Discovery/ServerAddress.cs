using System.Net;
using System.Net.Sockets;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Federation.Discovery;

/// <summary>A server name (or a delegated one) split into its host and optional port, as the spec's grammar reads it.</summary>
public readonly record struct ServerAddress(string Host, int? Port)
{
    /// <summary>IPv4 and IPv6 literals skip well-known delegation and SRV records.</summary>
    public bool IsIpLiteral => IPAddress.TryParse(Host, out _);

    /// <summary>The host as it is written in a URI or a <c>Host</c> header: an IPv6 literal in brackets.</summary>
    public string UriHost => IPAddress.TryParse(Host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Host}]" : Host;

    /// <summary>The name as written: the host with the port when there is one.</summary>
    public override string ToString() => Port is { } port ? $"{UriHost}:{port}" : UriHost;

    public static bool TryParse(string name, out ServerAddress address)
    {
        address = default;
        if (!ServerNames.IsValid(name))
            return false;
        var close = name.StartsWith('[') ? name.IndexOf(']') : -1;
        var colon = name.LastIndexOf(':');
        if (close >= 0)
            address = new(name[1..close], colon > close ? int.Parse(name[(colon + 1)..]) : null);
        else
            address = colon >= 0 ? new(name[..colon], int.Parse(name[(colon + 1)..])) : new(name, null);
        return true;
    }
}
