using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Federation.Keys;

/// <summary>
/// Fetches a server's keys afresh into the cache. A server is asked at most once a minute, whoever asks (a signature
/// to check, a notary query from anyone), so signatures naming keys that do not exist, or queries about any server
/// name, cannot make us hammer it.
/// </summary>
public sealed class ServerKeyRefresher(ServerKeyStore store, ServerKeyFetcher fetcher, TimeProvider time, ILogger<ServerKeyRefresher> log)
{
    private static readonly TimeSpan FetchInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastFetch = new(StringComparer.Ordinal);

    /// <summary>The keys fetched and saved; empty when the server was asked less than a minute ago or gave none.</summary>
    public async Task<IReadOnlyList<ServerKey>> RefreshAsync(string serverName, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_lastFetch.TryGetValue(serverName, out var last) && now - last < FetchInterval)
            return [];
        _lastFetch[serverName] = now;
        FetchedServerKeys fetched;
        try
        {
            fetched = await fetcher.FetchAsync(serverName, ct);
        }
        catch (HttpRequestException e)
        {
            log.LogInformation("Keys of {Server} could not be fetched: {Reason}", serverName, e.Message);
            return [];
        }
        await store.SaveAsync(fetched.Keys, fetched, now.ToUnixTimeMilliseconds(), ct);
        return fetched.Keys;
    }
}
