using System.Collections.Concurrent;

namespace Homeserver.Core.Federation.Discovery;

/// <summary>
/// Resolves a server name to where its requests go, in the order of the spec's "Resolving server names": IP
/// literals and names with a port directly, then <c>/.well-known/matrix/server</c> delegation, then SRV records
/// (<c>_matrix-fed._tcp</c>, then the deprecated <c>_matrix._tcp</c>), then port 8448. Well-known answers are
/// kept as long as they say (a day by default, two at most); failures for a minute, doubling per repeated failure
/// up to an hour, so a server without delegation is not asked on every request.
/// </summary>
public sealed class ServerResolver(IWellKnownSource wellKnown, IServerDns dns, TimeProvider time)
{
    public static readonly TimeSpan FirstFailureBackoff = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxFailureBackoff = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, CachedAnswer> _wellKnown = new(StringComparer.OrdinalIgnoreCase);

    /// <exception cref="ArgumentException"><paramref name="serverName"/> is not a server name.</exception>
    public async Task<ResolvedServer> ResolveAsync(string serverName, CancellationToken ct)
    {
        if (!ServerAddress.TryParse(serverName, out var name))
            throw new ArgumentException($"'{serverName}' is not a server name", nameof(serverName));
        if (name.IsIpLiteral || name.Port is not null)
            return new ResolvedServer(name, name.ToString());
        if (await DelegationAsync(name.Host, ct) is { } delegated)
            return delegated.IsIpLiteral || delegated.Port is not null
                ? new ResolvedServer(delegated, delegated.ToString())
                : await BySrvAsync(delegated.Host, ct);
        return await BySrvAsync(name.Host, ct);
    }

    private async Task<ResolvedServer> BySrvAsync(string host, CancellationToken ct)
    {
        var srv = await dns.FindSrvAsync($"_matrix-fed._tcp.{host}", ct) ?? await dns.FindSrvAsync($"_matrix._tcp.{host}", ct);
        // The certificate and Host header stay those of the name that was looked up: DNS cannot vouch for a delegate.
        return new ResolvedServer(srv is null ? new ServerAddress(host, ResolvedServer.DefaultPort) : new ServerAddress(srv.Host, srv.Port), host);
    }

    private async Task<ServerAddress?> DelegationAsync(string host, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!_wellKnown.TryGetValue(host, out var cached) || cached.Until <= now)
        {
            var answer = await wellKnown.FetchAsync(host, ct);
            var failures = answer.Server is null ? (cached?.Answer.Server is null ? cached?.Failures ?? 0 : 0) + 1 : 0;
            var keep = answer.CacheFor ?? Backoff(failures);
            cached = new CachedAnswer(answer, now + keep, failures);
            _wellKnown[host] = cached;
        }
        return cached.Answer.Server is { } server && ServerAddress.TryParse(server, out var delegated) ? delegated : null;
    }

    private static TimeSpan Backoff(int failures) =>
        TimeSpan.FromTicks(Math.Min(MaxFailureBackoff.Ticks, FirstFailureBackoff.Ticks << Math.Min(failures - 1, 16)));

    private sealed record CachedAnswer(WellKnownAnswer Answer, DateTimeOffset Until, int Failures);
}
