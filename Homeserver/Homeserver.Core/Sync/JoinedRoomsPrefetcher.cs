using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Push.Counts;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.Relations;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;
using Homeserver.Core.Rooms.Visibility;

namespace Homeserver.Core.Sync;

/// <summary>Reads a <see cref="JoinedRoomsPrefetch"/>: each kind of row for all the rooms in one query.</summary>
public sealed class JoinedRoomsPrefetcher(EventStore events, CurrentStateStore current, StateService state, Ephemeral.ReceiptStore receipts,
    NotificationCounts counts, RelationAggregator aggregator, VisibilityService visibility, NamedRooms named)
{
    /// <param name="upto">The sync's event and receipt positions; <paramref name="filter"/> sets the timeline page and lazy loading.</param>
    public async Task<JoinedRoomsPrefetch> LoadAsync(UserId userId, IReadOnlyList<string> roomIds, SyncToken upto, SyncFilter filter, CancellationToken ct)
    {
        // The timeline asks for one event more than its limit to learn whether it is limited; the state at its start
        // needs the newest event even when the limit is zero.
        var limit = filter.TimelineLimit;
        // Reads that do not depend on each other run side by side on their own connections (SQLite readers do not
        // block each other); the engines' async calls complete synchronously, hence Task.Run.
        var perRoom = Task.Run(async () => (
            Members: await current.MembersOfRoomsAsync(roomIds, ct),
            Unread: await counts.ByRoomAndThreadAsync(userId.ToString(), roomIds, ct),
            Receipts: await receipts.ChangedInRoomsAsync(roomIds, 0, upto.Receipts, ct),
            Ignored: await visibility.IgnoredUsersAsync(userId, ct),
            Named: await named.AmongAsync(roomIds, ct)), ct);
        var newest = await InPartsAsync(roomIds, part => events.NewestOfRoomsAsync(part, upto.Events, Math.Max(limit + 1, 1), ct), ct);
        var candidates = newest.Values.SelectMany(r => r).ToList();
        var relations = Task.Run(() => aggregator.LoadAsync(userId, candidates.Select(r => r.EventId).ToList(), ct), ct);
        var wanted = new HashSet<string>(candidates.Where(r => r.RedactedBy is not null).Select(r => r.RedactedBy!));
        foreach (var rows in newest.Values)
            wanted.UnionWith(await LikelyStateAsync(userId, rows, limit, filter.State.LazyLoadMembers, ct));
        var readAhead = new EventReadAhead(await InPartsAsync(wanted, part => events.GetManyAsync(part, ct), ct), await relations);
        var (members, unread, changedReceipts, ignored, namedRooms) = await perRoom;
        var rooms = roomIds.ToDictionary(id => id, id => new JoinedRoomsPrefetch.Room(newest.GetValueOrDefault(id) ?? [],
            members.GetValueOrDefault(id) ?? [], unread.GetValueOrDefault(id) ?? [], changedReceipts[id].ToList(), readAhead, namedRooms.Contains(id)));
        return new JoinedRoomsPrefetch(rooms, ignored);
    }

    /// <summary>Fewest keys worth a read of their own: below it, another connection costs more than it spares.</summary>
    internal const int MinPart = 32;

    /// <summary>
    /// <paramref name="read"/> over <paramref name="keys"/> in one part per core, side by side on their own connections: most of
    /// the time of reading thousands of events is the engine turning rows into objects, which one connection does on one core.
    /// </summary>
    internal static async Task<Dictionary<TKey, TValue>> InPartsAsync<TKey, TValue>(IReadOnlyCollection<TKey> keys,
        Func<TKey[], Task<IReadOnlyDictionary<TKey, TValue>>> read, CancellationToken ct) where TKey : notnull
    {
        var partSize = Math.Max(MinPart, (keys.Count + Environment.ProcessorCount - 1) / Environment.ProcessorCount);
        var parts = await Task.WhenAll(keys.Chunk(partSize).Select(part => Task.Run(() => read(part), ct)));
        var merged = new Dictionary<TKey, TValue>(keys.Count);
        foreach (var part in parts)
            foreach (var (key, value) in part)
                merged[key] = value;
        return merged;
    }

    /// <summary>
    /// The state events the room's state section most likely shows: the state before the oldest event a full timeline
    /// page would hold (after its newest event when the timeline is empty). A section that starts elsewhere, because
    /// events were filtered out or hidden, reads what it lacks itself.
    /// </summary>
    private async Task<IEnumerable<string>> LikelyStateAsync(UserId userId, IReadOnlyList<EventRow> newestFirst, int limit, bool lazyMembers, CancellationToken ct)
    {
        if (newestFirst.Count == 0)
            return [];
        var group = limit == 0 ? newestFirst[0].StateGroup : newestFirst[Math.Min(limit, newestFirst.Count) - 1].StateGroupBefore;
        if (group is null)
            return [];
        HashSet<string>? members = lazyMembers ? [userId.ToString(), .. newestFirst.Select(e => e.Sender)] : null;
        return (await state.GetGroupAsync(group.Value, ct))
            .Where(kv => kv.Key.Type != EventTypes.Member || members is null || members.Contains(kv.Key.StateKey))
            .Select(kv => kv.Value);
    }
}
