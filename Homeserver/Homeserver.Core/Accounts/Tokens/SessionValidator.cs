using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;

namespace Homeserver.Core.Accounts.Tokens;

/// <summary>
/// Answers "is this session still live?" for every authenticated request from memory, falling back to the
/// database once per session. Revocations go through <see cref="Revoke"/>, so they take effect at once; those of
/// other nodes through <see cref="ForgetUsers"/> and <see cref="ForgetAll"/>, which send the next check to the database.
/// </summary>
public sealed class SessionValidator(AccessSessionStore store, IMemoryCache cache, TimeProvider time)
{
    private static readonly TimeSpan LiveEntryLifetime = TimeSpan.FromMinutes(10);
    // Orders a lookup's "live" entry against a revocation of the same session: without it, a lookup that read
    // the row just before the revoking transaction committed could overwrite the revocation and keep the
    // deleted session live here for the entry's lifetime.
    private readonly Lock _gate = new();
    // The sessions held live in the cache, per user: another node's revocation names the user, not the sessions.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _liveByUser = new();
    // Moves with every forgetting, so a lookup that read its row before one does not cache what it read.
    private long _forgetting;

    public async ValueTask<bool> IsLiveAsync(string sessionId, CancellationToken ct)
    {
        var key = CacheKey(sessionId);
        if (cache.TryGetValue(key, out bool live))
            return live;
        var forgetting = Interlocked.Read(ref _forgetting);
        var row = await store.GetAsync(sessionId, ct);
        live = row is not null && (row.ExpiresTs is null || row.ExpiresTs > time.GetUtcNow().ToUnixTimeMilliseconds());
        lock (_gate)
        {
            if (cache.TryGetValue(key, out bool revokedMeanwhile) && !revokedMeanwhile)
                return false;
            if (forgetting != _forgetting)
                return live;
            // Session IDs are never reused, so a "dead" answer can be kept as long as a live one.
            cache.Set(key, live, LiveEntryLifetime);
            if (live)
                _liveByUser.GetOrAdd(row!.UserId, _ => new()).TryAdd(sessionId, 0);
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

    /// <summary>Another node revoked sessions of these users: their sessions are checked in the database again.</summary>
    public void ForgetUsers(IEnumerable<string> userIds)
    {
        lock (_gate)
        {
            _forgetting++;
            foreach (var userId in userIds)
                if (_liveByUser.TryRemove(userId, out var sessions))
                    foreach (var id in sessions.Keys)
                        cache.Remove(CacheKey(id));
        }
    }

    /// <summary>Revocations of other nodes may have been missed: every session is checked in the database again.</summary>
    public void ForgetAll() => ForgetUsers(_liveByUser.Keys);

    private static string CacheKey(string sessionId) => "session:" + sessionId;
}
