using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Directory;

/// <summary>
/// Bulk reads behind the published room directory (<c>rooms.is_public</c>): each published room's joined
/// member count and the current state events a directory entry is made of. Two queries for the whole
/// directory rather than a few per room; a maintained summary table becomes worthwhile once the event
/// persister can notify directory-relevant state changes.
/// </summary>
public sealed class PublishedRoomStore(Database db)
{
    private const string SelectRooms = """
        SELECT r.room_id AS RoomId, r.room_version AS RoomVersion, COUNT(m.user_id) AS JoinedMembers
        FROM rooms r LEFT JOIN room_memberships m ON m.room_id = r.room_id AND m.membership = 'join'
        WHERE r.is_public = TRUE
        GROUP BY r.room_id, r.room_version
        """;
    private const string SelectState = """
        SELECT cs.room_id AS RoomId, cs.event_type AS EventType, e.json AS Json, e.redacted_by AS RedactedBy
        FROM rooms r
        JOIN current_state cs ON cs.room_id = r.room_id AND cs.state_key = ''
        JOIN events e ON e.event_id = cs.event_id
        WHERE r.is_public = TRUE AND cs.event_type IN ('m.room.create', 'm.room.name', 'm.room.topic', 'm.room.canonical_alias',
            'm.room.avatar', 'm.room.join_rules', 'm.room.history_visibility', 'm.room.guest_access')
        """;

    /// <summary>
    /// A class rather than a positional record: Dapper matches record constructors by column type, and SQLite
    /// reports the COUNT column of an empty result as a blob.
    /// </summary>
    public sealed class PublishedRoom
    {
        public string RoomId { get; init; } = "";
        public string RoomVersion { get; init; } = "";
        public long JoinedMembers { get; init; }
    }

    public sealed record StateRow(string RoomId, string EventType, string Json, string? RedactedBy);

    public sealed record Snapshot(IReadOnlyList<PublishedRoom> Rooms, ILookup<string, StateRow> State);

    public Task<Snapshot> LoadAsync(CancellationToken ct) =>
        db.ReadAsync(async c =>
        {
            var rooms = await c.ListAsync<PublishedRoom>(SelectRooms, null, ct);
            var state = await c.ListAsync<StateRow>(SelectState, null, ct);
            return new Snapshot(rooms, state.ToLookup(s => s.RoomId));
        }, ct);
}
