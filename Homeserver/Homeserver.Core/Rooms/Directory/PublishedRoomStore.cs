using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Directory;

/// <summary>
/// Bulk reads behind the published room directory (<c>rooms.is_public</c>, and the application services' network
/// lists in <c>appservice_room_list</c>): each published room's joined
/// member count and the current state events a directory entry is made of. Two queries for the whole
/// directory rather than a few per room; a maintained summary table becomes worthwhile once the event
/// persister can notify directory-relevant state changes.
/// </summary>
public sealed class PublishedRoomStore(Database db)
{
    private const string InMain = "r.is_public = TRUE";
    private const string InNetwork = """
        r.room_id IN (SELECT l.room_id FROM appservice_room_list l WHERE l.appservice_id = @AppServiceId AND l.network_id = @NetworkId)
        """;
    private const string InAny = "(r.is_public = TRUE OR r.room_id IN (SELECT l.room_id FROM appservice_room_list l))";

    private static string SelectRooms(string inScope) => $"""
        SELECT r.room_id AS RoomId, r.room_version AS RoomVersion, COUNT(m.user_id) AS JoinedMembers
        FROM rooms r LEFT JOIN room_memberships m ON m.room_id = r.room_id AND m.membership = 'join'
        WHERE {inScope}
        GROUP BY r.room_id, r.room_version
        """;

    private const string DirectoryTypes = """
        cs.event_type IN ('m.room.create', 'm.room.name', 'm.room.topic', 'm.room.canonical_alias',
            'm.room.avatar', 'm.room.join_rules', 'm.room.history_visibility', 'm.room.guest_access')
        """;

    // A room joined over federation holds the state it was joined with as outliers, so its entry reads them too. A
    // union rather than a COALESCE of two joins: SQLite types an expression column of an empty result as a blob, which
    // Dapper cannot match to the record's constructor.
    private static string SelectState(string inScope) => $"""
        SELECT cs.room_id AS RoomId, cs.event_type AS EventType, e.json AS Json, e.redacted_by AS RedactedBy
        FROM rooms r
        JOIN current_state cs ON cs.room_id = r.room_id AND cs.state_key = ''
        JOIN events e ON e.event_id = cs.event_id
        WHERE {inScope} AND {DirectoryTypes}
        UNION ALL
        SELECT cs.room_id, cs.event_type, o.json, NULL
        FROM rooms r
        JOIN current_state cs ON cs.room_id = r.room_id AND cs.state_key = ''
        JOIN outlier_events o ON o.event_id = cs.event_id
        WHERE {inScope} AND {DirectoryTypes} AND NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = cs.event_id)
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

    public Task<Snapshot> LoadAsync(PublicRoomsScope scope, CancellationToken ct)
    {
        var inScope = scope.IsNetwork ? InNetwork : scope.AllNetworks ? InAny : InMain;
        var args = new { scope.AppServiceId, scope.NetworkId };
        return db.ReadAsync(async c =>
        {
            var rooms = await c.ListAsync<PublishedRoom>(SelectRooms(inScope), args, ct);
            var state = await c.ListAsync<StateRow>(SelectState(inScope), args, ct);
            return new Snapshot(rooms, state.ToLookup(s => s.RoomId));
        }, ct);
    }
}
