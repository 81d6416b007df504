using System.Data.Common;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms;

public sealed class RoomStore(Database db)
{
    private const string Insert = """
        INSERT INTO rooms (room_id, room_version, creator, name, is_public, created_ts) VALUES (@RoomId, @RoomVersion, @Creator, @Name, @IsPublic, @CreatedTs)
        """;
    private const string Select = "SELECT * FROM rooms WHERE room_id = @RoomId";
    private const string UpdateName = "UPDATE rooms SET name = @Name WHERE room_id = @RoomId";
    private const string UpdatePublic = "UPDATE rooms SET is_public = @IsPublic WHERE room_id = @RoomId";
    private const string SelectExtremities = "SELECT event_id FROM room_forward_extremities WHERE room_id = @RoomId";
    private const string DeleteExtremity = "DELETE FROM room_forward_extremities WHERE room_id = @RoomId AND event_id = @EventId";
    private const string InsertExtremity = "INSERT INTO room_forward_extremities (room_id, event_id) VALUES (@RoomId, @EventId)";

    public static Task InsertAsync(DbConnection c, DbTransaction tx, RoomRecord room, CancellationToken ct) => c.RunAsync(Insert, room, ct, tx);

    public Task<RoomRecord?> GetAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<RoomRecord>(Select, new { RoomId = roomId }, ct), ct);

    public static Task SetNameAsync(DbConnection c, DbTransaction tx, string roomId, string? name, CancellationToken ct) =>
        c.RunAsync(UpdateName, new { RoomId = roomId, Name = name }, ct, tx);

    public Task SetPublicAsync(string roomId, bool isPublic, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(UpdatePublic, new { RoomId = roomId, IsPublic = isPublic }, ct, tx), ct);

    public Task<IReadOnlyList<string>> ForwardExtremitiesAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<string>(SelectExtremities, new { RoomId = roomId }, ct), ct);

    /// <summary>The new event replaces the extremities it points at.</summary>
    public static async Task AdvanceExtremitiesAsync(DbConnection c, DbTransaction tx, string roomId, string eventId, IEnumerable<string> prevEvents, CancellationToken ct)
    {
        foreach (var prev in prevEvents)
            await c.RunAsync(DeleteExtremity, new { RoomId = roomId, EventId = prev }, ct, tx);
        await c.RunAsync(InsertExtremity, new { RoomId = roomId, EventId = eventId }, ct, tx);
    }
}
