using Homeserver.Core.Ephemeral;
using Homeserver.Core.Push.Counts;
using Homeserver.Core.Rooms;
using Homeserver.Core.Rooms.State;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Sync;

/// <summary>
/// What the sections of many joined rooms need, read for all of them in a few queries: an initial or full-state
/// sync visits every joined room, and several queries per room made it cost about ten round trips a room.
/// Made by <see cref="JoinedRoomsPrefetcher"/> for one user, one <c>upto</c> and one filter.
/// </summary>
public sealed class JoinedRoomsPrefetch(IReadOnlyDictionary<string, JoinedRoomsPrefetch.Room> rooms, IReadOnlySet<string> ignoredUsers)
{
    /// <param name="Newest">The room's newest events up to the sync's position, newest first, as many as the timeline's first page.</param>
    /// <param name="Receipts">Every receipt of the room up to the sync's receipt position, in stream order.</param>
    /// <param name="ReadAhead">Rows and relation aggregations of the events these rooms' sections most likely show.</param>
    /// <param name="Named">Whether the room has a name or canonical alias (see <see cref="NamedRooms"/>).</param>
    public sealed record Room(IReadOnlyList<EventRow> Newest, IReadOnlyList<CurrentStateStore.Member> Members,
        IReadOnlyList<NotificationCounts.ThreadCount> UnreadCounts, IReadOnlyList<ReceiptStore.Receipt> Receipts, EventReadAhead ReadAhead, bool Named)
    {
        /// <summary>The first timeline page after <paramref name="after"/>: what <see cref="EventStore.PageAsync"/> would return backwards from the sync's position.</summary>
        public IReadOnlyList<EventRow> FirstPage(long after) => Newest.Where(r => r.StreamOrdering > after).ToList();

        public string? MembershipOf(string userId) => Members.FirstOrDefault(m => m.UserId == userId)?.Membership;
    }

    /// <summary>The viewer's <c>m.ignored_user_list</c>, read once for every room.</summary>
    public IReadOnlySet<string> IgnoredUsers { get; } = ignoredUsers;

    public Room? For(string roomId) => rooms.GetValueOrDefault(roomId);
}
