using System.Collections.Concurrent;
using Homeserver.Core.Configuration;
using Homeserver.Core.Keys;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Federation.Keys;

/// <summary>
/// Every server's keys: ours, and others' from the persistent cache, fetched from the server itself when the
/// cache does not have the key or it is not valid at the time asked about. A server is asked at most once a
/// minute, so signatures naming keys that do not exist cannot make us hammer it (or a third party it names).
/// </summary>
public sealed class RemoteVerifyKeys(SigningKey key, ServerIdentity server, ServerKeyStore store, ServerKeyFetcher fetcher,
    TimeProvider time, ILogger<RemoteVerifyKeys> log) : IVerifyKeys
{
    public static readonly TimeSpan FetchInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastFetch = new(StringComparer.Ordinal);

    public async ValueTask<byte[]?> FindAsync(string serverName, string keyId, long? atTs, CancellationToken ct)
    {
        if (serverName == server.ServerName)
            return keyId == key.KeyId ? key.PublicKey.ToArray() : null;
        var known = await store.GetAsync(serverName, keyId, ct);
        if (known is not null && known.IsValidAt(atTs))
            return known.PublicKey;
        var now = time.GetUtcNow();
        if (_lastFetch.TryGetValue(serverName, out var last) && now - last < FetchInterval)
            return null;
        _lastFetch[serverName] = now;
        IReadOnlyList<ServerKey> fetched;
        try
        {
            fetched = await fetcher.FetchAsync(serverName, ct);
        }
        catch (HttpRequestException e)
        {
            log.LogInformation("Keys of {Server} could not be fetched: {Reason}", serverName, e.Message);
            return null;
        }
        if (fetched.Count > 0)
            await store.SaveAsync(fetched, now.ToUnixTimeMilliseconds(), ct);
        var found = fetched.FirstOrDefault(k => k.KeyId == keyId) ?? known;
        return found is not null && found.IsValidAt(atTs) ? found.PublicKey : null;
    }
}
