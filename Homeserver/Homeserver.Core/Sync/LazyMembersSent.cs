using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;

namespace Homeserver.Core.Sync;

/// <summary>
/// The member events a device was sent with lazy-loaded members, per room, so an incremental sync leaves out the ones
/// it already holds (spec "Lazy-loading room members": redundant members are not resent unless
/// <c>include_redundant_members</c>). Best effort and in memory: an entry lost (to expiry, or a sync served by another
/// node) only means a member event is sent again, which the spec allows.
/// </summary>
public sealed class LazyMembersSent(IMemoryCache cache)
{
    private static readonly MemoryCacheEntryOptions Entry = new() { SlidingExpiration = TimeSpan.FromMinutes(30) };

    private static (string, string, string, string) Key(string userId, string deviceId, string roomId) => ("ll_members", userId, deviceId, roomId);

    /// <summary>Forgets what the device was sent in the room: a sync from no token starts the client afresh.</summary>
    public void Forget(string userId, string deviceId, string roomId) => cache.Remove(Key(userId, deviceId, roomId));

    /// <summary>Whether <paramref name="eventId"/> is the member event of <paramref name="member"/> the device was last sent.</summary>
    public bool WasSent(string userId, string deviceId, string roomId, string member, string eventId) =>
        cache.TryGetValue(Key(userId, deviceId, roomId), out ConcurrentDictionary<string, string>? sent)
        && sent!.TryGetValue(member, out var last) && last == eventId;

    public void Record(string userId, string deviceId, string roomId, IEnumerable<(string Member, string EventId)> sentNow)
    {
        var sent = cache.GetOrCreate(Key(userId, deviceId, roomId), e =>
        {
            e.SetOptions(Entry);
            return new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        })!;
        foreach (var (member, eventId) in sentNow)
            sent[member] = eventId;
    }
}
