using System.Collections.Concurrent;
using System.Data.Common;
using Homeserver.Core.Errors;
using Homeserver.Core.Events;
using Homeserver.Core.Storage;
using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Rooms;

public sealed class RoomStore(Database db)
{
    private const string Insert = """
        INSERT INTO rooms (room_id, room_version, creator, name, is_public, created_ts) VALUES (@RoomId, @RoomVersion, @Creator, @Name, @IsPublic, @CreatedTs)
        """;
    private const string Select = "SELECT * FROM rooms WHERE room_id = @RoomId";
    private const string UpdateName = "UPDATE rooms SET name = @Name WHERE room_id = @RoomId";
    private const string UpdatePublic = "UPDATE rooms SET is_public = @IsPublic WHERE room_id = @RoomId";
    private const string SelectExtremities = """
        SELECT e.* FROM room_forward_extremities x JOIN events e ON e.event_id = x.event_id WHERE x.room_id = @RoomId
        """;
    private const string LockRoom = "SELECT room_id FROM rooms WHERE room_id = @RoomId FOR UPDATE";
    private const string DeleteExtremity = "DELETE FROM room_forward_extremities WHERE room_id = @RoomId AND event_id = @EventId";
    private const string InsertExtremity = "INSERT INTO room_forward_extremities (room_id, event_id) VALUES (@RoomId, @EventId)";

    public static Task InsertAsync(DbConnection c, DbTransaction tx, RoomRecord room, CancellationToken ct) => c.RunAsync(Insert, room, ct, tx);

    public Task<RoomRecord?> GetAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<RoomRecord>(Select, new { RoomId = roomId }, ct), ct);

    public static Task SetNameAsync(DbConnection c, DbTransaction tx, string roomId, string? name, CancellationToken ct) =>
        c.RunAsync(UpdateName, new { RoomId = roomId, Name = StoredText.Column(name) }, ct, tx);

    public Task SetPublicAsync(string roomId, bool isPublic, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(UpdatePublic, new { RoomId = roomId, IsPublic = isPublic }, ct, tx), ct);

    /// <summary>The events the room's next event will point at.</summary>
    public Task<IReadOnlyList<EventRow>> ForwardExtremitiesAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<EventRow>(SelectExtremities, new { RoomId = roomId }, ct), ct);

    // A room's version never changes, and every send and sync asks for it.
    private readonly ConcurrentDictionary<string, RoomVersion> _versions = new();

    public async Task<RoomVersion> VersionOfAsync(string roomId, CancellationToken ct)
    {
        if (_versions.TryGetValue(roomId, out var known))
            return known;
        var room = await GetAsync(roomId, ct) ?? throw MatrixException.NotFound("Unknown room");
        var version = RoomVersions.TryGet(room.RoomVersion, out var v) ? v! : throw new InvalidOperationException($"stored room version {room.RoomVersion} is not supported");
        return _versions.GetOrAdd(roomId, version);
    }

    /// <summary>The new event replaces the extremities it points at.</summary>
    /// <summary>
    /// Holds the room's row until the transaction ends, so writers of one room on several nodes take turns at its
    /// extremities and current state. SQLite has one writer, so there is nothing to hold.
    /// </summary>
    public static Task LockAsync(DbConnection c, DbTransaction tx, string roomId, CancellationToken ct) =>
        SqlDialect.Of(c).Engine == DatabaseEngine.Postgres ? c.RunAsync(LockRoom, new { RoomId = roomId }, ct, tx) : Task.CompletedTask;

    public static async Task AdvanceExtremitiesAsync(DbConnection c, DbTransaction tx, string roomId, string eventId, IEnumerable<string> prevEvents, CancellationToken ct)
    {
        foreach (var prev in prevEvents)
            await c.RunAsync(DeleteExtremity, new { RoomId = roomId, EventId = prev }, ct, tx);
        await c.RunAsync(InsertExtremity, new { RoomId = roomId, EventId = eventId }, ct, tx);
    }
}
