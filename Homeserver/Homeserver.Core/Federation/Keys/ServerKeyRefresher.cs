using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Federation.Keys;

/// <summary>
/// Fetches a server's keys afresh into the cache: from the server itself, then, to check a signature, when that fails
/// or lacks a key wanted, from the trusted notaries. To check signatures a server is asked about at most once a minute,
/// so signatures naming keys that do not exist cannot make us hammer it or the notaries; a notary query asks whenever
/// the cache cannot answer it (<see cref="KeyRefreshPurpose"/>).
/// </summary>
public sealed class ServerKeyRefresher(ServerKeyStore store, ServerKeyFetcher fetcher, NotaryKeyFetcher notaries, TimeProvider time,
    ILogger<ServerKeyRefresher> log)
{
    private static readonly TimeSpan FetchInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _lastFetch = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<IReadOnlyList<ServerKey>>> _inFlight = new(StringComparer.Ordinal);

    /// <param name="keyIds">Keys wanted: the notaries are asked when the server's own answer lacks one of them.</param>
    /// <returns>
    /// The keys fetched and saved; empty when the server may not be asked again yet or none came. A
    /// caller arriving while a fetch of the same server is under way shares that fetch's outcome: a server's first
    /// requests often come several at once, and each of them needs the key the one fetch brings.
    /// </returns>
    public Task<IReadOnlyList<ServerKey>> RefreshAsync(string serverName, IReadOnlyCollection<string> keyIds, KeyRefreshPurpose purpose,
        CancellationToken ct)
    {
        Task<IReadOnlyList<ServerKey>> fetch;
        lock (_gate)
        {
            if (!_inFlight.TryGetValue(serverName, out fetch!) || fetch.IsCompleted)
            {
                var now = time.GetUtcNow();
                if (purpose == KeyRefreshPurpose.Verifying && _lastFetch.TryGetValue(serverName, out var last) && now - last < FetchInterval)
                    return Task.FromResult<IReadOnlyList<ServerKey>>([]);
                _lastFetch[serverName] = now;
                // Not the first caller's token: the callers that joined it must not lose the fetch when it goes.
                fetch = FetchAndSaveAsync(serverName, keyIds, purpose == KeyRefreshPurpose.Verifying, now);
                _inFlight[serverName] = fetch;
            }
        }
        return fetch.WaitAsync(ct);
    }

    private async Task<IReadOnlyList<ServerKey>> FetchAndSaveAsync(string serverName, IReadOnlyCollection<string> keyIds, bool viaNotaries, DateTimeOffset now)
    {
        await Task.Yield();
        FetchedServerKeys? fetched = null;
        try
        {
            fetched = await fetcher.FetchAsync(serverName, CancellationToken.None);
        }
        catch (HttpRequestException e)
        {
            log.LogInformation("Keys of {Server} could not be fetched from it: {Reason}", serverName, e.Message);
        }
        if (viaNotaries && (fetched is null || !keyIds.All(id => fetched.Keys.Any(k => k.KeyId == id))))
            fetched = await notaries.FetchAsync(serverName, keyIds, CancellationToken.None) ?? fetched;
        if (fetched is null)
            return [];
        await store.SaveAsync(fetched.Keys, fetched, now.ToUnixTimeMilliseconds(), CancellationToken.None);
        return fetched.Keys;
    }
}
