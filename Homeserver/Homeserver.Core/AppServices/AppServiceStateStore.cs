using Homeserver.Core.Storage;
using Homeserver.Core.Streams;
using Homeserver.Core.ToDevice;

namespace Homeserver.Core.AppServices;

/// <summary>Where each application service's transactions stand (<c>appservice_states</c>), read and moved by <see cref="AppServiceSender"/>.</summary>
public sealed class AppServiceStateStore(Database db)
{
    public sealed class State
    {
        public string AsId { get; set; } = "";
        public long EventsPosition { get; set; }
        public long LastTxnId { get; set; }
        public long? PendingTxnId { get; set; }
        public long? PendingPosition { get; set; }
        public string? PendingEventIds { get; set; }
        public long? LastSuccessTs { get; set; }
        public long? LastFailureTs { get; set; }
        public string? LastError { get; set; }
        public string? StreamPositions { get; set; }
        public string? PendingStreamPositions { get; set; }
        public string? PendingExtra { get; set; }
        public string? PendingToDevice { get; set; }
    }

    /// <summary>A transaction to record before it is sent: its events, the fields besides them, and where it moves the service.</summary>
    public sealed record Pending(long TxnId, long EventsPosition, string EventIds, AppServiceStreamPositions Positions, string? Extra, string? ToDevice);

    private const string Columns = """
        as_id AS AsId, events_position AS EventsPosition, last_txn_id AS LastTxnId, pending_txn_id AS PendingTxnId,
        pending_position AS PendingPosition, pending_event_ids AS PendingEventIds, last_success_ts AS LastSuccessTs,
        last_failure_ts AS LastFailureTs, last_error AS LastError, stream_positions AS StreamPositions,
        pending_stream_positions AS PendingStreamPositions, pending_extra AS PendingExtra, pending_to_device AS PendingToDevice
        """;
    private const string InsertNew = "INSERT INTO appservice_states (as_id, events_position, last_txn_id) VALUES (@AsId, @Position, 0) ON CONFLICT (as_id) DO NOTHING";
    // A service that had only events (before the other streams were sent) starts on them at the present too.
    private const string StartStreams = "UPDATE appservice_states SET stream_positions = @Streams WHERE as_id = @AsId AND stream_positions IS NULL";
    private const string Select = $"SELECT {Columns} FROM appservice_states WHERE as_id = @AsId";
    private const string SelectAll = $"SELECT {Columns} FROM appservice_states ORDER BY as_id";
    private const string SetPending = """
        UPDATE appservice_states SET pending_txn_id = @TxnId, pending_position = @EventsPosition, pending_event_ids = @EventIds,
            pending_stream_positions = @Positions, pending_extra = @Extra, pending_to_device = @ToDevice
        WHERE as_id = @AsId AND pending_txn_id IS NULL
        """;
    private const string Skip = """
        UPDATE appservice_states SET events_position = @Position, stream_positions = @Streams WHERE as_id = @AsId AND pending_txn_id IS NULL
        """;
    private const string Complete = """
        UPDATE appservice_states SET events_position = pending_position, stream_positions = pending_stream_positions,
            last_txn_id = pending_txn_id, pending_txn_id = NULL, pending_position = NULL, pending_event_ids = NULL,
            pending_stream_positions = NULL, pending_extra = NULL, pending_to_device = NULL, last_success_ts = @Ts, last_error = NULL
        WHERE as_id = @AsId AND pending_txn_id = @TxnId
        """;
    private const string Failed = "UPDATE appservice_states SET last_failure_ts = @Ts, last_error = @Error WHERE as_id = @AsId";

    /// <summary>A service seen for the first time starts at <paramref name="position"/>: it gets what happens from now on, not the history before it.</summary>
    public Task EnsureAsync(string asId, StreamPositions.Snapshot now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await c.RunAsync(InsertNew, new { AsId = asId, Position = now.Of(StreamNames.Events) }, ct, tx);
            await c.RunAsync(StartStreams, new { AsId = asId, Streams = AppServiceStreamPositions.At(now).ToJson() }, ct, tx);
        }, ct);

    public Task<State?> GetAsync(string asId, CancellationToken ct) =>
        db.ReadAsync(c => c.FirstOrDefaultAsync<State>(Select, new { AsId = asId }, ct), ct);

    public Task<IReadOnlyList<State>> ListAsync(CancellationToken ct) =>
        db.ReadAsync(c => c.ListAsync<State>(SelectAll, null, ct), ct);

    /// <summary>Records the next transaction before it is sent, so it is sent again, the same, until the service takes it.</summary>
    public Task SetPendingAsync(string asId, Pending p, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(SetPending, new
        {
            AsId = asId, p.TxnId, p.EventsPosition, p.EventIds, Positions = p.Positions.ToJson(), p.Extra, p.ToDevice,
        }, ct, tx), ct);

    /// <summary>Moves past events the service has no interest in, with no transaction.</summary>
    public Task SkipToAsync(string asId, long position, AppServiceStreamPositions streams, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Skip, new { AsId = asId, Position = position, Streams = streams.ToJson() }, ct, tx), ct);

    /// <summary>
    /// The service took the transaction: it moves past it, and the to-device messages it carried leave their inboxes
    /// in the same commit, so none is lost or delivered twice by a crash in between.
    /// </summary>
    public Task CompleteAsync(string asId, long txnId, IReadOnlyCollection<long> toDevice, long ts, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            if (await c.RunAsync(Complete, new { AsId = asId, TxnId = txnId, Ts = ts }, ct, tx) > 0)
                await ToDeviceStore.DeleteDeliveredAsync(c, tx, toDevice, ct);
        }, ct);

    public Task RecordFailureAsync(string asId, string error, long ts, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.RunAsync(Failed, new { AsId = asId, Error = error, Ts = ts }, ct, tx), ct);
}
