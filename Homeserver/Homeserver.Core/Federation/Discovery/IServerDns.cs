namespace Homeserver.Core.Federation.Discovery;

/// <summary>SRV lookups for server discovery; A and AAAA records are looked up when connecting.</summary>
public interface IServerDns
{
    /// <summary>The preferred target of the SRV records of <paramref name="name"/> (e.g. <c>_matrix-fed._tcp.example.org</c>); null when there are none.</summary>
    Task<SrvTarget?> FindSrvAsync(string name, CancellationToken ct);
}
