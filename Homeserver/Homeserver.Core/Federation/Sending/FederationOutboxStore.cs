using System.Data.Common;
using Homeserver.Core.Storage;

namespace Homeserver.Core.Federation.Sending;

/// <summary>
/// What each destination server still needs (<c>federation_outbox_pdus</c>, <c>federation_outbox_edus</c>) and where
/// its transactions and backoff stand (<c>federation_destinations</c>), read and moved by <see cref="DestinationQueue"/>.
/// </summary>
public sealed class FederationOutboxStore(Database db)
{
    public sealed class Destination
    {
        public string Name { get; set; } = "";
        public long RetryLastTs { get; set; }
        public long RetryInterval { get; set; }
        public long LastTxnId { get; set; }
        public string? PendingTxnId { get; set; }
        public long? LastSuccessTs { get; set; }
        public string? LastError { get; set; }
        public long QueuedPdus { get; set; }
        public long QueuedEdus { get; set; }
        public long? FailureTs { get; set; }
        public long? LastSuccessfulStreamOrdering { get; set; }
    }

    public sealed class DestinationRoom
    {
        public string RoomId { get; set; } = "";
        public long StreamOrdering { get; set; }
    }

    public sealed class QueuedPdu
    {
        public long StreamOrdering { get; set; }
        public string EventId { get; set; } = "";
    }

    public sealed class QueuedEdu
    {
        public long EduId { get; set; }
        public string EduType { get; set; } = "";
        public string Content { get; set; } = "";
    }

    private const string EnsureDestination = "INSERT INTO federation_destinations (destination) VALUES (@Destination) ON CONFLICT (destination) DO NOTHING";
    private const string InsertPdu = """
        INSERT INTO federation_outbox_pdus (destination, stream_ordering, room_id, event_id) VALUES (@Destination, @StreamOrdering, @RoomId, @EventId)
        ON CONFLICT (destination, stream_ordering) DO NOTHING
        """;
    private const string InsertEdu = "INSERT INTO federation_outbox_edus (destination, edu_type, content) VALUES (@Destination, @EduType, @Content)";
    private const string DestinationColumns = """
        d.destination AS Name, d.retry_last_ts AS RetryLastTs, d.retry_interval AS RetryInterval, d.last_txn_id AS LastTxnId,
        d.pending_txn_id AS PendingTxnId, d.last_success_ts AS LastSuccessTs, d.last_error AS LastError,
        d.failure_ts AS FailureTs, d.last_successful_stream_ordering AS LastSuccessfulStreamOrdering,
        (SELECT COUNT(*) FROM federation_outbox_pdus p WHERE p.destination = d.destination) AS QueuedPdus,
        (SELECT COUNT(*) FROM federation_outbox_edus e WHERE e.destination = d.destination) AS QueuedEdus
        """;
    private const string SelectDestination = $"SELECT {DestinationColumns} FROM federation_destinations d WHERE d.destination = @Destination";
    private const string SelectDestinations = $"SELECT {DestinationColumns} FROM federation_destinations d ORDER BY d.destination";
    private const string CountDestinations = "SELECT COUNT(*) FROM federation_destinations";
    // The rooms a destination shares with us (one of its users joined), with the newest event each holds.
    private const string SelectRoomsOf = """
        SELECT m.room_id AS RoomId, (SELECT MAX(e.stream_ordering) FROM events e WHERE e.room_id = m.room_id) AS StreamOrdering
        FROM room_memberships m WHERE m.membership = 'join' AND m.user_id LIKE @ServerPattern ESCAPE '\'
        GROUP BY m.room_id ORDER BY m.room_id
        """;
    private const string SelectWithWork = """
        SELECT d.destination FROM federation_destinations d
        WHERE EXISTS (SELECT 1 FROM federation_outbox_pdus p WHERE p.destination = d.destination)
           OR EXISTS (SELECT 1 FROM federation_outbox_edus e WHERE e.destination = d.destination)
        """;
    private const string SelectBackedOff = "SELECT destination FROM federation_destinations WHERE retry_interval > 0";
    private const string CountUnassigned = "SELECT COUNT(*) FROM federation_outbox_pdus WHERE destination = @Destination AND txn_id IS NULL";
    // Catch-up after an outage keeps, of each room's waiting events, the newest: the destination fetches the ones
    // before it with /get_missing_events, as Synapse's catch-up expects.
    private const string KeepNewestPerRoom = """
        DELETE FROM federation_outbox_pdus WHERE destination = @Destination AND txn_id IS NULL AND EXISTS (
            SELECT 1 FROM federation_outbox_pdus n WHERE n.destination = federation_outbox_pdus.destination
            AND n.room_id = federation_outbox_pdus.room_id AND n.txn_id IS NULL AND n.stream_ordering > federation_outbox_pdus.stream_ordering)
        """;
    private const string SelectUnassignedPdus = """
        SELECT stream_ordering AS StreamOrdering, event_id AS EventId FROM federation_outbox_pdus
        WHERE destination = @Destination AND txn_id IS NULL ORDER BY stream_ordering LIMIT @Limit
        """;
    private const string SelectUnassignedEdus = "SELECT edu_id FROM federation_outbox_edus WHERE destination = @Destination AND txn_id IS NULL ORDER BY edu_id LIMIT @Limit";
    private string AssignPdus => "UPDATE federation_outbox_pdus SET txn_id = @TxnId WHERE destination = @Destination AND txn_id IS NULL AND "
        + db.Dialect.InList("stream_ordering", "Orderings");
    private string AssignEdus => "UPDATE federation_outbox_edus SET txn_id = @TxnId WHERE destination = @Destination AND txn_id IS NULL AND "
        + db.Dialect.InList("edu_id", "Ids");
    private const string SetPending = """
        UPDATE federation_destinations SET pending_txn_id = @TxnId, last_txn_id = @Counter WHERE destination = @Destination AND pending_txn_id IS NULL
        """;
    private const string SelectTxnPdus = """
        SELECT stream_ordering AS StreamOrdering, event_id AS EventId FROM federation_outbox_pdus
        WHERE destination = @Destination AND txn_id = @TxnId ORDER BY stream_ordering
        """;
    private const string SelectTxnEdus = """
        SELECT edu_id AS EduId, edu_type AS EduType, content AS Content FROM federation_outbox_edus
        WHERE destination = @Destination AND txn_id = @TxnId ORDER BY edu_id
        """;
    private const string DeleteTxnPdus = "DELETE FROM federation_outbox_pdus WHERE destination = @Destination AND txn_id = @TxnId";
    private const string DeleteTxnEdus = "DELETE FROM federation_outbox_edus WHERE destination = @Destination AND txn_id = @TxnId";
    private const string Complete = """
        UPDATE federation_destinations SET pending_txn_id = NULL, retry_last_ts = 0, retry_interval = 0, failure_ts = NULL, last_success_ts = @Ts,
            last_error = @Error, last_successful_stream_ordering = COALESCE((SELECT MAX(p.stream_ordering) FROM federation_outbox_pdus p
                WHERE p.destination = @Destination AND p.txn_id = @TxnId), last_successful_stream_ordering)
        WHERE destination = @Destination AND pending_txn_id = @TxnId
        """;
    private const string Failed = """
        UPDATE federation_destinations SET retry_last_ts = @Ts, retry_interval = @Interval, failure_ts = COALESCE(failure_ts, @Ts), last_error = @Error
        WHERE destination = @Destination
        """;
    private const string ResetRetry = """
        UPDATE federation_destinations SET retry_last_ts = 0, retry_interval = 0, failure_ts = NULL WHERE destination = @Destination AND retry_interval > 0
        """;

    /// <summary>Queues an event for destinations, inside the transaction that persists it.</summary>
    public static async Task QueuePduAsync(DbConnection c, DbTransaction tx, IEnumerable<string> destinations, long streamOrdering, string roomId,
        string eventId, CancellationToken ct)
    {
        foreach (var destination in destinations)
        {
            await c.RunAsync(EnsureDestination, new { Destination = destination }, ct, tx);
            await c.RunAsync(InsertPdu, new { Destination = destination, StreamOrdering = streamOrdering, RoomId = roomId, EventId = eventId }, ct, tx);
        }
    }

    public Task QueueEduAsync(string destination, string eduType, string content, CancellationToken ct) =>
        db.WriteAsync((c, tx) => QueueEduAsync(c, tx, destination, eduType, content, ct), ct);

    /// <summary>Queues an EDU inside a transaction of the caller's, so it is committed with the change it reports or not at all.</summary>
    public static async Task QueueEduAsync(DbConnection c, DbTransaction tx, string destination, string eduType, string content, CancellationToken ct)
    {
        await c.RunAsync(EnsureDestination, new { Destination = destination }, ct, tx);
        await c.RunAsync(InsertEdu, new { Destination = destination, EduType = eduType, Content = content }, ct, tx);
    }

    public Task<Destination?> GetAsync(string destination, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<Destination>(SelectDestination, new { Destination = destination }, ct), ct);

    public Task<IReadOnlyList<Destination>> ListAsync(CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<Destination>(SelectDestinations, null, ct), ct);

    /// <summary>A page of destinations in the order an admin asked for (ties by name), and how many there are.</summary>
    public Task<(IReadOnlyList<Destination> Page, long Total)> PageAsync(string orderColumn, bool descending, int from, int limit, CancellationToken ct) =>
        db.ReadAsync(async c =>
        {
            var dir = descending ? "DESC" : "ASC";
            var sql = $"SELECT {DestinationColumns} FROM federation_destinations d ORDER BY d.{orderColumn} {dir}, d.destination {dir} LIMIT @Limit OFFSET @From";
            var page = await c.ListAsync<Destination>(sql, new { Limit = limit, From = from }, ct);
            return (page, await c.ScalarAsync<long>(CountDestinations, null, ct));
        }, ct);

    public Task<IReadOnlyList<DestinationRoom>> RoomsOfAsync(string destination, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<DestinationRoom>(SelectRoomsOf, new { ServerPattern = "%:" + LikePattern.Escape(destination) }, ct), ct);

    /// <summary>Destinations with something queued, sent or not.</summary>
    public Task<IReadOnlyList<string>> WithWorkAsync(CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<string>(SelectWithWork, null, ct), ct);

    public Task<IReadOnlyList<string>> BackedOffAsync(CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<string>(SelectBackedOff, null, ct), ct);

    public Task<long> CountUnassignedAsync(string destination, CancellationToken ct) =>
        db.ReadAsync(c => c.ScalarAsync<long>(CountUnassigned, new { Destination = destination }, ct), ct);

    public Task<int> KeepNewestPerRoomAsync(string destination, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(KeepNewestPerRoom, new { Destination = destination }, ct, tx), ct);

    /// <summary>
    /// Records the next transaction: the oldest waiting PDUs and EDUs, up to the limits, marked with its ID before it
    /// is sent. False when nothing waits (no transaction is recorded).
    /// </summary>
    public Task<bool> StartTransactionAsync(string destination, string txnId, long counter, int maxPdus, int maxEdus, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            var pdus = await c.ListAsync<QueuedPdu>(SelectUnassignedPdus, new { Destination = destination, Limit = maxPdus }, ct, tx);
            var edus = await c.ListAsync<long>(SelectUnassignedEdus, new { Destination = destination, Limit = maxEdus }, ct, tx);
            if (pdus.Count == 0 && edus.Count == 0)
                return false;
            if (pdus.Count > 0)
                await c.RunAsync(AssignPdus, new { Destination = destination, TxnId = txnId, Orderings = pdus.Select(p => p.StreamOrdering).ToArray() }, ct, tx);
            if (edus.Count > 0)
                await c.RunAsync(AssignEdus, new { Destination = destination, TxnId = txnId, Ids = edus.ToArray() }, ct, tx);
            await c.RunAsync(SetPending, new { Destination = destination, TxnId = txnId, Counter = counter }, ct, tx);
            return true;
        }, ct);

    public Task<IReadOnlyList<QueuedPdu>> PdusOfAsync(string destination, string txnId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<QueuedPdu>(SelectTxnPdus, new { Destination = destination, TxnId = txnId }, ct), ct);

    public Task<IReadOnlyList<QueuedEdu>> EdusOfAsync(string destination, string txnId, CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<QueuedEdu>(SelectTxnEdus, new { Destination = destination, TxnId = txnId }, ct), ct);

    /// <summary>
    /// Ends a transaction the destination took (or refused for good, <paramref name="error"/> saying why): its PDUs
    /// and EDUs leave the queue and the destination counts as up.
    /// </summary>
    public Task CompleteAsync(string destination, string txnId, long nowMs, string? error, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await c.RunAsync(Complete, new { Destination = destination, TxnId = txnId, Ts = nowMs, Error = error }, ct, tx);
            await c.RunAsync(DeleteTxnPdus, new { Destination = destination, TxnId = txnId }, ct, tx);
            await c.RunAsync(DeleteTxnEdus, new { Destination = destination, TxnId = txnId }, ct, tx);
        }, ct);

    public Task RecordFailureAsync(string destination, long nowMs, long retryInterval, string error, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Failed, new { Destination = destination, Ts = nowMs, Interval = retryInterval, Error = error }, ct, tx), ct);

    /// <summary>Ends a destination's backoff; true when it was backing off.</summary>
    public Task<bool> ResetRetryAsync(string destination, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) => await c.RunAsync(ResetRetry, new { Destination = destination }, ct, tx) > 0, ct);
}
