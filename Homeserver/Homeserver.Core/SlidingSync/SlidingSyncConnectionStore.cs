using System.Data.Common;
using Homeserver.Core.Storage;

namespace Homeserver.Core.SlidingSync;

/// <summary>
/// Sliding sync connections and the positions handed out on them (migration 0024). A position's <c>rooms</c> is the
/// JSON of <see cref="ConnectionRooms"/>: what the connection had sent of each room when the position was made.
/// </summary>
public sealed class SlidingSyncConnectionStore(Database db)
{
    private const string DeleteConnection = "DELETE FROM sliding_sync_connections WHERE user_id = @UserId AND device_id = @DeviceId AND conn_id = @ConnId";
    private const string InsertConnection = """
        INSERT INTO sliding_sync_connections (user_id, device_id, conn_id, created_ts, last_used_ts) VALUES (@UserId, @DeviceId, @ConnId, @Now, @Now)
        RETURNING connection_id
        """;
    private const string InsertPosition = "INSERT INTO sliding_sync_positions (connection_id, rooms) VALUES (@ConnectionId, @Rooms) RETURNING position_id";
    private const string SelectPosition = """
        SELECT c.connection_id AS ConnectionId, c.last_used_ts AS LastUsedTs, p.rooms AS Rooms
        FROM sliding_sync_positions p JOIN sliding_sync_connections c ON c.connection_id = p.connection_id
        WHERE p.position_id = @PositionId AND c.user_id = @UserId AND c.device_id = @DeviceId AND c.conn_id = @ConnId
        """;
    private const string DeleteOtherPositions = "DELETE FROM sliding_sync_positions WHERE connection_id = @ConnectionId AND position_id <> @PositionId";
    private const string Touch = "UPDATE sliding_sync_connections SET last_used_ts = @Now WHERE connection_id = @ConnectionId";
    private const string DeleteUnused = "DELETE FROM sliding_sync_connections WHERE last_used_ts < @Before";
    private const string DeleteOfDevice = "DELETE FROM sliding_sync_connections WHERE user_id = @UserId AND device_id = @DeviceId";

    public sealed class Position
    {
        public long ConnectionId { get; set; }
        public long LastUsedTs { get; set; }
        public string Rooms { get; set; } = "";
    }

    /// <summary>The position <paramref name="positionId"/> of this user's device's connection <paramref name="connId"/>; null when it is not theirs or gone.</summary>
    public Task<Position?> GetAsync(string userId, string deviceId, string connId, long positionId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<Position>(SelectPosition, new { PositionId = positionId, UserId = userId, DeviceId = deviceId, ConnId = connId }, ct), ct);

    /// <summary>Replaces the device's connection of that name with a new one holding one position of <paramref name="rooms"/>; its (connection, position) IDs.</summary>
    public Task<(long ConnectionId, long PositionId)> CreateAsync(string userId, string deviceId, string connId, string rooms, long now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var args = new { UserId = userId, DeviceId = deviceId, ConnId = connId, Now = now };
            await c.RunAsync(DeleteConnection, args, ct, tx);
            var connectionId = await c.ScalarAsync<long>(InsertConnection, args, ct, tx);
            return (connectionId, await c.ScalarAsync<long>(InsertPosition, new { ConnectionId = connectionId, Rooms = rooms }, ct, tx));
        }, ct);

    /// <summary>
    /// The client presented <paramref name="positionId"/>: every other position of the connection goes (older ones are
    /// superseded, newer ones never reached the client). Marks the connection used when <paramref name="now"/> is given.
    /// </summary>
    public Task AcknowledgeAsync(long connectionId, long positionId, long? now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await c.RunAsync(DeleteOtherPositions, new { ConnectionId = connectionId, PositionId = positionId }, ct, tx);
            if (now is { } ts)
                await c.RunAsync(Touch, new { ConnectionId = connectionId, Now = ts }, ct, tx);
        }, ct);

    /// <summary>A new position of the connection, holding <paramref name="rooms"/>.</summary>
    public Task<long> AddPositionAsync(long connectionId, string rooms, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.ScalarAsync<long>(InsertPosition, new { ConnectionId = connectionId, Rooms = rooms }, ct, tx), ct);

    /// <summary>Drops the connections last used before <paramref name="before"/>, with their positions; how many.</summary>
    public Task<int> DeleteUnusedAsync(long before, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(DeleteUnused, new { Before = before }, ct, tx), ct);

    public static Task DeleteDeviceAsync(DbConnection c, DbTransaction tx, string userId, string deviceId, CancellationToken ct) =>
        c.RunAsync(DeleteOfDevice, new { UserId = userId, DeviceId = deviceId }, ct, tx);
}
