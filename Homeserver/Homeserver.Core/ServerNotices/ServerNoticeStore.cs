using Homeserver.Core.Storage;

namespace Homeserver.Core.ServerNotices;

/// <summary>Each user's server notices room, and the transaction IDs of notices sent with one, so a retry sends nothing twice.</summary>
public sealed class ServerNoticeStore(Database db, TimeProvider time)
{
    private const string SelectRoom = "SELECT room_id FROM server_notice_rooms WHERE user_id = @UserId";
    private const string UpsertRoom = """
        INSERT INTO server_notice_rooms (user_id, room_id) VALUES (@UserId, @RoomId) ON CONFLICT (user_id) DO UPDATE SET room_id = excluded.room_id
        """;
    private const string SelectTxn = "SELECT event_id FROM server_notice_txns WHERE txn_id = @TxnId";
    private const string InsertTxn = "INSERT INTO server_notice_txns (txn_id, event_id, created_ts) VALUES (@TxnId, @EventId, @Ts) ON CONFLICT (txn_id) DO NOTHING";

    public Task<string?> RoomOfAsync(string userId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string>(SelectRoom, new { UserId = userId }, ct), ct);

    public Task SetRoomAsync(string userId, string roomId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(UpsertRoom, new { UserId = userId, RoomId = roomId }, ct, tx), ct);

    public Task<string?> EventOfTxnAsync(string txnKey, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<string>(SelectTxn, new { TxnId = txnKey }, ct), ct);

    public Task AddTxnAsync(string txnKey, string eventId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(InsertTxn, new { TxnId = txnKey, EventId = eventId, Ts = time.GetUtcNow().ToUnixTimeMilliseconds() }, ct, tx), ct);
}
