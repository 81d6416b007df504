using System.Data.Common;
using Homeserver.Core.Storage;
using Homeserver.Core.Streams;

namespace Homeserver.Core.ToDevice;

/// <summary>
/// Per-device inboxes of to-device messages on the <c>to_device</c> stream, and the sending devices'
/// transaction IDs, written in one transaction so a retried send is either fully recorded or not at all.
/// </summary>
public sealed class ToDeviceStore(Database db, StreamPublisher writer)
{

    private const string InsertTxn = """
        INSERT INTO to_device_txns (user_id, device_id, scope, txn_id, created_ts) VALUES (@UserId, @DeviceId, @EventType, @TxnId, @Ts)
        ON CONFLICT (user_id, device_id, scope, txn_id) DO NOTHING
        """;
    private const string InsertMessage = """
        INSERT INTO to_device_inbox (stream_id, user_id, device_id, sender, event_type, content)
        VALUES (@StreamId, @UserId, @DeviceId, @Sender, @EventType, @Content)
        """;
    private const string SelectPending = """
        SELECT stream_id, sender, event_type, content FROM to_device_inbox
        WHERE user_id = @UserId AND device_id = @DeviceId AND stream_id > @After AND stream_id <= @Upto
        ORDER BY stream_id LIMIT @Limit
        """;
    private const string SelectAnyUpTo = "SELECT 1 FROM to_device_inbox WHERE user_id = @UserId AND device_id = @DeviceId AND stream_id <= @Upto LIMIT 1";
    private const string DeleteUpTo = "DELETE FROM to_device_inbox WHERE user_id = @UserId AND device_id = @DeviceId AND stream_id <= @Upto";
    private const string SelectInRange = """
        SELECT stream_id, user_id, device_id, sender, event_type, content FROM to_device_inbox
        WHERE stream_id > @After AND stream_id <= @Upto ORDER BY stream_id LIMIT @Limit
        """;
    private const string DeleteDevice = "DELETE FROM to_device_inbox WHERE user_id = @UserId AND device_id = @DeviceId";
    private const string DeleteDeviceTxns = "DELETE FROM to_device_txns WHERE user_id = @UserId AND device_id = @DeviceId";
    /// <summary>One message to one device.</summary>
    public sealed record Delivery(string UserId, string DeviceId, string Content);

    /// <summary>A message with its recipient, for a reader of every inbox (application services).</summary>
    public sealed class AddressedMessage
    {
        public long StreamId { get; set; }
        public string UserId { get; set; } = "";
        public string DeviceId { get; set; } = "";
        public string Sender { get; set; } = "";
        public string EventType { get; set; } = "";
        public string Content { get; set; } = "";
    }

    public sealed class Message
    {
        public long StreamId { get; set; }
        public string Sender { get; set; } = "";
        public string EventType { get; set; } = "";
        public string Content { get; set; } = "";
    }

    /// <summary>
    /// Queues the messages unless the sending device used <paramref name="txnId"/> before for the same event type
    /// (the path's other part); false when it had.
    /// </summary>
    /// <param name="alsoOnce">Run in the same transaction when the transaction ID is new (messages for other servers).</param>
    public Task<bool> EnqueueAsync(string sender, string senderDevice, string txnId, string eventType, IReadOnlyList<Delivery> deliveries, long now,
        Func<StreamTransaction, Task>? alsoOnce, CancellationToken ct) =>
        writer.WriteAsync(async st =>
        {
            var (c, tx) = (st.Connection, st.Transaction);
            if (await c.RunAsync(InsertTxn, new { UserId = sender, DeviceId = senderDevice, EventType = eventType, TxnId = txnId, Ts = now }, ct, tx) == 0)
                return false;
            if (alsoOnce is not null)
                await alsoOnce(st);
            var streamId = 0L;
            foreach (var d in deliveries)
            {
                streamId = await st.NextAsync(StreamNames.ToDevice, ct);
                await c.RunAsync(InsertMessage, new { StreamId = streamId, d.UserId, d.DeviceId, Sender = sender, EventType = eventType, d.Content }, ct, tx);
            }
            if (deliveries.Count > 0)
                st.PublishAfterCommit(new StreamUpdate(StreamNames.ToDevice, streamId, deliveries.Select(d => d.UserId).Distinct().ToList()));
            return true;
        }, ct);

    public async Task<IReadOnlyList<Message>> PendingAsync(string userId, string deviceId, long after, long upto, int limit, CancellationToken ct) =>
        upto <= after ? [] : await db.ReadAsync(c => c.ListAsync<Message>(SelectPending, new { UserId = userId, DeviceId = deviceId, After = after, Upto = upto, Limit = limit }, ct), ct);

    /// <summary>Messages to any device in (<paramref name="after"/>, <paramref name="upto"/>], in stream order.</summary>
    public async Task<IReadOnlyList<AddressedMessage>> InRangeAsync(long after, long upto, int limit, CancellationToken ct) =>
        upto <= after ? [] : await db.ReadAsync(c => c.ListAsync<AddressedMessage>(SelectInRange, new { After = after, Upto = upto, Limit = limit }, ct), ct);

    /// <summary>Removes delivered messages by their stream IDs (each message has its own), inside the caller's transaction.</summary>
    public static Task DeleteDeliveredAsync(DbConnection c, DbTransaction tx, IReadOnlyCollection<long> streamIds, CancellationToken ct)
    {
        if (streamIds.Count == 0)
            return Task.CompletedTask;
        var dialect = SqlDialect.Of(c);
        return c.RunAsync($"DELETE FROM to_device_inbox WHERE {dialect.InLongList("stream_id", "Ids")}", new { Ids = dialect.ListParameter(streamIds) }, ct, tx);
    }

    /// <summary>Drops what the device has confirmed by syncing from a token at <paramref name="upto"/>; a read first spares the write when nothing waits.</summary>
    public async Task AcknowledgeAsync(string userId, string deviceId, long upto, CancellationToken ct)
    {
        var args = new { UserId = userId, DeviceId = deviceId, Upto = upto };
        if (await db.ReadAsync(c => c.FirstOrDefaultAsync<long?>(SelectAnyUpTo, args, ct), ct) is null)
            return;
        await db.WriteAsync((c, tx) => c.RunAsync(DeleteUpTo, args, ct, tx), ct);
    }

    /// <summary>Removes a deleted device's inbox and transaction IDs, inside the deleting transaction.</summary>
    public static async Task DeleteDeviceAsync(DbConnection c, DbTransaction tx, string userId, string deviceId, CancellationToken ct)
    {
        await c.RunAsync(DeleteDevice, new { UserId = userId, DeviceId = deviceId }, ct, tx);
        await c.RunAsync(DeleteDeviceTxns, new { UserId = userId, DeviceId = deviceId }, ct, tx);
    }

}
