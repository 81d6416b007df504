using System.Data.Common;
using Homeserver.Core.Storage;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Sync.Peeks;

/// <summary>
/// <c>room_peeks</c>: which device follows which room it is not in. A peek takes a position of the account-data
/// stream (per user, like the peek), so a sync tells a peek begun since its token from one it already showed.
/// It does not publish itself: the sync waker reads it, and the bus the publisher needs holds the waker.
/// </summary>
public sealed class PeekStore(Database db)
{
    private const string Upsert = """
        INSERT INTO room_peeks (user_id, device_id, room_id, stream_id) VALUES (@UserId, @DeviceId, @RoomId, @StreamId)
        ON CONFLICT (user_id, device_id, room_id) DO UPDATE SET stream_id = excluded.stream_id
        """;
    private const string Delete = "DELETE FROM room_peeks WHERE user_id = @UserId AND device_id = @DeviceId AND room_id = @RoomId";
    private const string DeleteOfDevice = "DELETE FROM room_peeks WHERE user_id = @UserId AND device_id = @DeviceId";
    private const string SelectOfDevice = "SELECT room_id, stream_id FROM room_peeks WHERE user_id = @UserId AND device_id = @DeviceId";
    private const string SelectPeekers = "SELECT DISTINCT user_id FROM room_peeks WHERE room_id = @RoomId";

    public sealed class Peek
    {
        public string RoomId { get; set; } = "";
        public long StreamId { get; set; }
    }

    /// <summary>Starts (or restarts) a peek in <paramref name="st"/>, which wakes the user's syncs once it commits.</summary>
    public static async Task AddAsync(StreamTransaction st, string userId, string deviceId, string roomId, CancellationToken ct)
    {
        var streamId = await st.NextAsync(StreamNames.AccountData, ct);
        await st.Connection.RunAsync(Upsert, new { UserId = userId, DeviceId = deviceId, RoomId = roomId, StreamId = streamId }, ct, st.Transaction);
        st.PublishAfterCommit(new StreamUpdate(StreamNames.AccountData, streamId, [userId]));
    }

    public Task RemoveAsync(string userId, string deviceId, string roomId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Delete, new { UserId = userId, DeviceId = deviceId, RoomId = roomId }, ct, tx), ct);

    public static Task DeleteDeviceAsync(DbConnection c, DbTransaction tx, string userId, string deviceId, CancellationToken ct) =>
        c.RunAsync(DeleteOfDevice, new { UserId = userId, DeviceId = deviceId }, ct, tx);

    public Task<IReadOnlyList<Peek>> OfDeviceAsync(string userId, string deviceId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<Peek>(SelectOfDevice, new { UserId = userId, DeviceId = deviceId }, ct), ct);

    /// <summary>The users with a device peeking into the room, whose syncs its events wake.</summary>
    public Task<IReadOnlyList<string>> PeekersAsync(string roomId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<string>(SelectPeekers, new { RoomId = roomId }, ct), ct);
}
