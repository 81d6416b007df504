using Homeserver.Core.Errors;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Rooms.Directory;

/// <summary>Local room aliases (<c>#name:server</c> → room ID).</summary>
public sealed class RoomAliasStore(Database db, TimeProvider time)
{
    public sealed record AliasRow(string RoomAlias, string RoomId, string Creator);

    private const string Insert = "INSERT INTO room_aliases (room_alias, room_id, creator, created_ts) VALUES (@Alias, @RoomId, @Creator, @Ts) ON CONFLICT (room_alias) DO NOTHING";
    private const string Select = "SELECT room_alias AS RoomAlias, room_id AS RoomId, creator AS Creator FROM room_aliases WHERE room_alias = @Alias";
    private const string SelectForRoom = "SELECT room_alias FROM room_aliases WHERE room_id = @RoomId ORDER BY room_alias";
    private const string Delete = "DELETE FROM room_aliases WHERE room_alias = @Alias";
    private const string Move = "UPDATE room_aliases SET room_id = @To WHERE room_id = @From";

    public async Task CreateAsync(string alias, string roomId, string creator, CancellationToken ct)
    {
        var inserted = await db.WriteAsync((c, tx) => c.RunAsync(Insert, new { Alias = alias, RoomId = roomId, Creator = creator, Ts = time.GetUtcNow().ToUnixTimeMilliseconds() }, ct, tx), ct);
        if (inserted == 0)
            throw new MatrixException(409, "M_UNKNOWN", "Room alias already exists");
    }

    public Task<AliasRow?> GetAsync(string alias, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<AliasRow>(Select, new { Alias = alias }, ct), ct);

    public Task<IReadOnlyList<string>> ForRoomAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<string>(SelectForRoom, new { RoomId = roomId }, ct), ct);

    /// <summary>Points every alias of a room at its replacement (room upgrades).</summary>
    public Task MoveAllAsync(string fromRoomId, string toRoomId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Move, new { From = fromRoomId, To = toRoomId }, ct, tx), ct);

    public async Task<bool> DeleteAsync(string alias, CancellationToken ct) =>
        await db.WriteAsync((c, tx) => c.RunAsync(Delete, new { Alias = alias }, ct, tx), ct) == 1;
}
