using Homeserver.Core.Errors;

namespace Homeserver.Core.Federation.Sending;

/// <summary>The destinations we send to and how their delivery stands, for the admin API.</summary>
public sealed class FederationDestinations(FederationOutboxStore store, FederationSender sender)
{
    /// <summary>The columns an admin may order the list by, as Synapse names them.</summary>
    private static readonly Dictionary<string, string> OrderColumns = new(StringComparer.Ordinal)
    {
        ["destination"] = "destination",
        ["retry_last_ts"] = "retry_last_ts",
        ["retry_interval"] = "retry_interval",
        ["failure_ts"] = "failure_ts",
        ["last_successful_stream_ordering"] = "last_successful_stream_ordering",
    };

    /// <param name="RetryLastTs">When the last failure was, in ms since the epoch; 0 when the destination is up.</param>
    /// <param name="RetryIntervalMs">The wait after that failure before the next try; 0 when the destination is up.</param>
    /// <param name="PendingTxnId">The transaction sent and not yet taken, if any.</param>
    /// <param name="FailureTs">When the current run of failures began; null while the destination is up.</param>
    public sealed record Status(string Destination, long RetryLastTs, long RetryIntervalMs, string? PendingTxnId, long? LastSuccessTs,
        string? LastError, long QueuedPdus, long QueuedEdus, long? FailureTs, long? LastSuccessfulStreamOrdering)
    {
        public bool BackingOff => RetryIntervalMs > 0;
    }

    public sealed record Page(IReadOnlyList<Status> Destinations, long Total);

    public sealed record Room(string RoomId, long StreamOrdering);

    public async Task<IReadOnlyList<Status>> ListAsync(CancellationToken ct) =>
        (await store.ListAsync(ct)).Select(ToStatus).ToList();

    /// <summary>A page of the destinations ordered by one of Synapse's columns (400 for another).</summary>
    public async Task<Page> PageAsync(string orderBy, bool descending, int from, int limit, CancellationToken ct)
    {
        if (!OrderColumns.TryGetValue(orderBy, out var column))
            throw MatrixException.InvalidParam($"Unknown value for order_by: {orderBy}");
        var (page, total) = await store.PageAsync(column, descending, from, limit, ct);
        return new Page(page.Select(ToStatus).ToList(), total);
    }

    public async Task<Status?> GetAsync(string destination, CancellationToken ct) =>
        await store.GetAsync(destination, ct) is { } d ? ToStatus(d) : null;

    public async Task<Status> GetKnownAsync(string destination, CancellationToken ct) =>
        await GetAsync(destination, ct) ?? throw MatrixException.NotFound("Unknown destination");

    public async Task<IReadOnlyList<Room>> RoomsOfAsync(string destination, CancellationToken ct)
    {
        await GetKnownAsync(destination, ct);
        return (await store.RoomsOfAsync(destination, ct)).Select(r => new Room(r.RoomId, r.StreamOrdering)).ToList();
    }

    /// <summary>
    /// Ends a destination's backoff and wakes its queue, answering before the retry happens, as Synapse does: 404 for
    /// a destination we never sent to, 400 for one that is not backing off.
    /// </summary>
    public async Task ResetConnectionAsync(string destination, CancellationToken ct)
    {
        var status = await GetKnownAsync(destination, ct);
        if (!status.BackingOff || !await store.ResetRetryAsync(destination, ct))
            throw MatrixException.InvalidParam("The retry timing does not need to be reset for this destination.");
        sender.Wake([destination]);
    }

    private static Status ToStatus(FederationOutboxStore.Destination d) =>
        new(d.Name, d.RetryLastTs, d.RetryInterval, d.PendingTxnId, d.LastSuccessTs, d.LastError, d.QueuedPdus, d.QueuedEdus, d.FailureTs,
            d.LastSuccessfulStreamOrdering);
}
