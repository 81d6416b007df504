using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Admin;

/// <summary>What the admin API reads of rooms in bulk (counts, current state contents) and the rooms admins blocked.</summary>
public sealed class RoomAdminStore(Database db, TimeProvider time)
{
    public sealed class RoomCounts
    {
        public string RoomId { get; set; } = "";
        public string RoomVersion { get; set; } = "";
        public string Creator { get; set; } = "";
        public bool IsPublic { get; set; }
        public long JoinedMembers { get; set; }
        public long JoinedLocalMembers { get; set; }
        public long StateEvents { get; set; }
    }

    public sealed class StateContent
    {
        public string RoomId { get; set; } = "";
        public string EventType { get; set; } = "";
        public string Json { get; set; } = "";
    }

    public sealed class Block
    {
        public string RoomId { get; set; } = "";
        public string UserId { get; set; } = "";
    }

    public sealed class Extremity
    {
        public string EventId { get; set; } = "";
        public long? StateGroup { get; set; }
        public long Depth { get; set; }
        public long ReceivedTs { get; set; }
    }

    private const string RoomCountColumns = """
        r.room_id AS RoomId, r.room_version AS RoomVersion, r.creator AS Creator, r.is_public AS IsPublic,
        (SELECT COUNT(*) FROM room_memberships m WHERE m.room_id = r.room_id AND m.membership = 'join') AS JoinedMembers,
        (SELECT COUNT(*) FROM room_memberships m WHERE m.room_id = r.room_id AND m.membership = 'join' AND m.user_id LIKE @LocalPattern ESCAPE '\') AS JoinedLocalMembers,
        (SELECT COUNT(*) FROM current_state s WHERE s.room_id = r.room_id) AS StateEvents
        """;
    private const string SelectAllCounts = $"SELECT {RoomCountColumns} FROM rooms r";
    private const string SelectOneCounts = $"SELECT {RoomCountColumns} FROM rooms r WHERE r.room_id = @RoomId";
    // The state held as outliers (a room joined over federation) counts as much as the timeline's.
    private const string StateContentFrom = """
        FROM current_state s JOIN (SELECT event_id, json FROM events UNION ALL SELECT event_id, json FROM outlier_events) e ON e.event_id = s.event_id
        WHERE s.state_key = ''
        """;
    private const string SelectLocalDevices = """
        SELECT COUNT(*) FROM devices d JOIN room_memberships m ON m.user_id = d.user_id WHERE m.room_id = @RoomId AND m.membership = 'join'
        """;
    // A room is forgotten here when no local user still has it unforgotten, as Synapse counts it.
    private const string SelectForgotten = """
        SELECT COUNT(*) FROM room_memberships m WHERE m.room_id = @RoomId AND m.user_id LIKE @LocalPattern ESCAPE '\'
          AND NOT EXISTS (SELECT 1 FROM room_forgotten f WHERE f.room_id = m.room_id AND f.user_id = m.user_id AND f.event_id = m.event_id)
        """;
    private const string SelectBlock = "SELECT room_id AS RoomId, user_id AS UserId FROM blocked_rooms WHERE room_id = @RoomId";
    private const string InsertBlock = """
        INSERT INTO blocked_rooms (room_id, user_id, blocked_ts) VALUES (@RoomId, @UserId, @Ts) ON CONFLICT (room_id) DO NOTHING
        """;
    private const string DeleteBlock = "DELETE FROM blocked_rooms WHERE room_id = @RoomId";
    private const string SelectExtremities = """
        SELECT x.event_id AS EventId, e.state_group AS StateGroup, e.depth AS Depth, e.origin_server_ts AS ReceivedTs
        FROM room_forward_extremities x JOIN events e ON e.event_id = x.event_id WHERE x.room_id = @RoomId ORDER BY e.stream_ordering
        """;
    // Keeps the newest extremity: the room goes on from its latest event, as Synapse's clean-up leaves it.
    private const string DeleteOlderExtremities = """
        DELETE FROM room_forward_extremities WHERE room_id = @RoomId AND event_id NOT IN (
            SELECT x.event_id FROM room_forward_extremities x JOIN events e ON e.event_id = x.event_id
            WHERE x.room_id = @RoomId ORDER BY e.stream_ordering DESC LIMIT 1)
        """;

    private static string LocalPattern(string serverName) => "%:" + LikePattern.Escape(serverName);

    public Task<IReadOnlyList<RoomCounts>> AllCountsAsync(string serverName, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<RoomCounts>(SelectAllCounts, new { LocalPattern = LocalPattern(serverName) }, ct), ct);

    public Task<RoomCounts?> CountsAsync(string roomId, string serverName, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<RoomCounts>(SelectOneCounts, new { RoomId = roomId, LocalPattern = LocalPattern(serverName) }, ct), ct);

    /// <summary>The PDUs of the current state events with an empty state key of the given types, of one room or of all.</summary>
    public Task<IReadOnlyList<StateContent>> StateContentsAsync(string? roomId, IReadOnlyCollection<string> types, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<StateContent>(
            $"SELECT s.room_id AS RoomId, s.event_type AS EventType, e.json AS Json {StateContentFrom} AND {db.Dialect.InList("s.event_type", "Types")}"
            + (roomId is null ? "" : " AND s.room_id = @RoomId"),
            new { Types = types.ToArray(), RoomId = roomId }, ct), ct);

    public Task<long> LocalDevicesAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.ScalarAsync<long>(SelectLocalDevices, new { RoomId = roomId }, ct), ct);

    public async Task<bool> IsForgottenAsync(string roomId, string serverName, CancellationToken ct) =>
        await db.ReadAsync(c => c.ScalarAsync<long>(SelectForgotten, new { RoomId = roomId, LocalPattern = LocalPattern(serverName) }, ct), ct) == 0;

    public Task<Block?> BlockOfAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<Block>(SelectBlock, new { RoomId = roomId }, ct), ct);

    public Task BlockAsync(string roomId, string userId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(InsertBlock, new { RoomId = roomId, UserId = userId, Ts = time.GetUtcNow().ToUnixTimeMilliseconds() }, ct, tx), ct);

    public Task UnblockAsync(string roomId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(DeleteBlock, new { RoomId = roomId }, ct, tx), ct);

    public Task<IReadOnlyList<Extremity>> ExtremitiesAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<Extremity>(SelectExtremities, new { RoomId = roomId }, ct), ct);

    public Task<int> DeleteOlderExtremitiesAsync(string roomId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(DeleteOlderExtremities, new { RoomId = roomId }, ct, tx), ct);
}
