namespace Homeserver.Core.Federation.Discovery;

/// <summary>
/// Where requests for a server go: the host to connect to (resolved to addresses when connecting, so the address
/// policy sees them) and its port, and the <c>Host</c> header, whose host part is also the name the certificate must
/// carry and the TLS SNI (none for an IP literal).
/// </summary>
public sealed record ResolvedServer(ServerAddress Connect, string HostHeader)
{
    /// <summary>The spec's port when neither the name, the delegation nor an SRV record gives one.</summary>
    public const int DefaultPort = 8448;

    public Uri UriFor(string pathAndQuery) => new($"https://{Connect.UriHost}:{Connect.Port ?? DefaultPort}{pathAndQuery}");
}
