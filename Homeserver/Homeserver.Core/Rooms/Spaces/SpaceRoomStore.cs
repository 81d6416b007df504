using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Spaces;

/// <summary>
/// The reads behind a room's entry in a space hierarchy: the room with its joined member count, the current state
/// events its summary and its <c>m.space.child</c> links are made of, and which members a server has in it.
/// </summary>
public sealed class SpaceRoomStore(Database db)
{
    private const string SelectRoom = """
        SELECT r.room_id AS RoomId, r.room_version AS RoomVersion,
            (SELECT COUNT(*) FROM room_memberships m WHERE m.room_id = r.room_id AND m.membership = 'join') AS JoinedMembers
        FROM rooms r WHERE r.room_id = @RoomId
        """;

    // A room joined over federation holds the state it was joined with as outliers, which keep no redaction mark.
    private const string SelectState = """
        SELECT cs.event_type AS EventType, cs.state_key AS StateKey, COALESCE(e.json, o.json) AS Json, e.redacted_by AS RedactedBy
        FROM current_state cs
        LEFT JOIN events e ON e.event_id = cs.event_id
        LEFT JOIN outlier_events o ON o.event_id = cs.event_id AND e.event_id IS NULL
        WHERE cs.room_id = @RoomId AND (e.event_id IS NOT NULL OR o.event_id IS NOT NULL)
        AND (cs.event_type = 'm.space.child' OR (cs.state_key = '' AND cs.event_type IN ('m.room.create', 'm.room.name', 'm.room.topic',
            'm.room.canonical_alias', 'm.room.avatar', 'm.room.join_rules', 'm.room.history_visibility', 'm.room.guest_access',
            'm.room.encryption')))
        """;

    // Server names hold no LIKE wildcard; the match is narrowed to the exact server by the caller, since LIKE ignores
    // case on SQLite and a suffix such as ":8448" would match the port of another server's users.
    private const string SelectOfServer = """
        SELECT user_id AS UserId, membership AS Membership FROM room_memberships
        WHERE room_id = @RoomId AND membership IN ('join', 'invite') AND user_id LIKE @Pattern
        """;

    /// <summary>A class rather than a positional record: SQLite reports a COUNT column as whatever type it likes.</summary>
    public sealed class RoomRow
    {
        public string RoomId { get; init; } = "";
        public string RoomVersion { get; init; } = "";
        public long JoinedMembers { get; init; }
    }

    public sealed record StateRow(string EventType, string StateKey, string Json, string? RedactedBy);

    public sealed record MemberRow(string UserId, string Membership);

    public Task<RoomRow?> RoomAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<RoomRow>(SelectRoom, new { RoomId = roomId }, ct), ct);

    public Task<IReadOnlyList<StateRow>> StateAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<StateRow>(SelectState, new { RoomId = roomId }, ct), ct);

    /// <summary>The joined and invited members whose user IDs end with <paramref name="serverName"/> (to be checked exactly).</summary>
    public Task<IReadOnlyList<MemberRow>> MembersEndingWithAsync(string roomId, string serverName, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<MemberRow>(SelectOfServer, new { RoomId = roomId, Pattern = "%:" + serverName }, ct), ct);
}
