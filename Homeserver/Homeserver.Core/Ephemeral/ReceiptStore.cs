using Homeserver.Core.Storage;
using Homeserver.Core.Streams;

namespace Homeserver.Core.Ephemeral;

/// <summary>Read receipts on their own stream, so sync can send the receipts that changed since a token.</summary>
public sealed class ReceiptStore(Database db, StreamPublisher writer)
{
    /// <summary>Receipts without a thread are stored under this key, so the primary key stays non-null.</summary>
    public const string Unthreaded = "";

    private const string Upsert = """
        INSERT INTO receipts (room_id, user_id, receipt_type, thread_id, event_id, ts, stream_id)
        VALUES (@RoomId, @UserId, @ReceiptType, @ThreadId, @EventId, @Ts, @StreamId)
        ON CONFLICT (room_id, user_id, receipt_type, thread_id) DO UPDATE SET event_id = excluded.event_id, ts = excluded.ts, stream_id = excluded.stream_id
        """;
    // The position of the event the same receipt is at now, to tell whether a new one moves it forward.
    private const string SelectCurrentPosition = """
        SELECT e.stream_ordering FROM receipts r JOIN events e ON e.event_id = r.event_id
        WHERE r.room_id = @RoomId AND r.user_id = @UserId AND r.receipt_type = @ReceiptType AND r.thread_id = @ThreadId
        """;
    private const string SelectChanged = """
        SELECT room_id, user_id, receipt_type, thread_id, event_id, ts, stream_id FROM receipts
        WHERE room_id = @RoomId AND stream_id > @After AND stream_id <= @Upto ORDER BY stream_id
        """;
    private const string SelectRoomsChanged = "SELECT DISTINCT room_id FROM receipts WHERE stream_id > @After AND stream_id <= @Upto";
    public sealed class Receipt
    {
        public string RoomId { get; set; } = "";
        public string UserId { get; set; } = "";
        public string ReceiptType { get; set; } = "";
        public string ThreadId { get; set; } = "";
        public string EventId { get; set; } = "";
        public long Ts { get; set; }
        public long StreamId { get; set; }
    }

    /// <summary>
    /// Moves the receipt to <paramref name="eventId"/> (at <paramref name="eventPosition"/> in the room's stream) and
    /// returns its new stream ID; null, writing nothing, when the receipt is already there or further on. As in
    /// Synapse, a receipt only moves forward, so repeating one changes nothing and wakes nobody. A private
    /// receipt concerns only its owner; any other, the room's joined members.
    /// </summary>
    public Task<long?> PutAsync(string roomId, string userId, string type, string? threadId, string eventId, long eventPosition, long ts,
        bool isPrivate, CancellationToken ct) =>
        writer.WriteAsync<long?>(async st =>
        {
            var (c, tx) = (st.Connection, st.Transaction);
            var key = new { RoomId = roomId, UserId = userId, ReceiptType = type, ThreadId = threadId ?? Unthreaded };
            if (await c.FirstOrDefaultAsync<long?>(SelectCurrentPosition, key, ct, tx) >= eventPosition)
                return null;
            var streamId = await st.NextAsync(StreamNames.Receipts, ct);
            await c.RunAsync(Upsert, new { key.RoomId, key.UserId, key.ReceiptType, key.ThreadId, EventId = eventId, Ts = ts, StreamId = streamId }, ct, tx);
            st.PublishAfterCommit(new StreamUpdate(StreamNames.Receipts, streamId, [userId]) { RoomId = roomId, ToRoomMembers = !isPrivate });
            return streamId;
        }, ct);

    public async Task<IReadOnlyList<Receipt>> ChangedAsync(string roomId, long after, long upto, CancellationToken ct) =>
        upto <= after ? [] : await db.ReadAsync(c => c.ListAsync<Receipt>(SelectChanged, new { RoomId = roomId, After = after, Upto = upto }, ct), ct);

    /// <summary><see cref="ChangedAsync"/> for many rooms in one query, each room's receipts in stream order.</summary>
    public async Task<ILookup<string, Receipt>> ChangedInRoomsAsync(IReadOnlyCollection<string> roomIds, long after, long upto, CancellationToken ct)
    {
        var sql = $"""
            SELECT room_id, user_id, receipt_type, thread_id, event_id, ts, stream_id FROM receipts
            WHERE {db.Dialect.InLongList("room_id", "RoomIds")} AND stream_id > @After AND stream_id <= @Upto ORDER BY stream_id
            """;
        var rows = roomIds.Count == 0 ? [] : await db.ReadAsync(c => c.ListAsync<Receipt>(sql, new { RoomIds = db.Dialect.ListParameter(roomIds), After = after, Upto = upto }, ct), ct);
        return rows.ToLookup(r => r.RoomId);
    }

    /// <summary>The rooms whose receipts changed in (<paramref name="after"/>, <paramref name="upto"/>].</summary>
    public async Task<IReadOnlyList<string>> RoomsChangedAsync(long after, long upto, CancellationToken ct) =>
        upto <= after ? [] : await db.ReadAsync(c => c.ListAsync<string>(SelectRoomsChanged, new { After = after, Upto = upto }, ct), ct);

}
