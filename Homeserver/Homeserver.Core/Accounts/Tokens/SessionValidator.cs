using Microsoft.Extensions.Caching.Memory;

namespace Homeserver.Core.Accounts.Tokens;

/// <summary>
/// Answers "is this session still live?" for every authenticated request from memory, falling back to the
/// database once per session. Revocations go through <see cref="Revoke"/>, so they take effect at once.
/// </summary>
public sealed class SessionValidator(AccessSessionStore store, IMemoryCache cache, TimeProvider time)
{
    private static readonly TimeSpan LiveEntryLifetime = TimeSpan.FromMinutes(10);
    // Orders a lookup's "live" entry against a revocation of the same session: without it, a lookup that read
    // the row just before the revoking transaction committed could overwrite the revocation and keep the
    // deleted session live here for the entry's lifetime.
    private readonly Lock _gate = new();

    public async ValueTask<bool> IsLiveAsync(string sessionId, CancellationToken ct)
    {
        var key = CacheKey(sessionId);
        if (cache.TryGetValue(key, out bool live))
            return live;
        var row = await store.GetAsync(sessionId, ct);
        live = row is not null && (row.ExpiresTs is null || row.ExpiresTs > time.GetUtcNow().ToUnixTimeMilliseconds());
        lock (_gate)
        {
            if (cache.TryGetValue(key, out bool revokedMeanwhile) && !revokedMeanwhile)
                return false;
            // Session IDs are never reused, so a "dead" answer can be kept as long as a live one.
            cache.Set(key, live, LiveEntryLifetime);
        }
        return live;
    }

    public void Revoke(IEnumerable<string> sessionIds)
    {
        lock (_gate)
        {
            foreach (var id in sessionIds)
                cache.Set(CacheKey(id), false, LiveEntryLifetime);
        }
    }

    private static string CacheKey(string sessionId) => "session:" + sessionId;
}
