namespace Homeserver.Core.Federation.Sending;

/// <summary>The destinations we send to and how their delivery stands, for the admin API.</summary>
public sealed class FederationDestinations(FederationOutboxStore store)
{
    /// <param name="RetryLastTs">When the last failure was, in ms since the epoch; 0 when the destination is up.</param>
    /// <param name="RetryIntervalMs">The wait after that failure before the next try; 0 when the destination is up.</param>
    /// <param name="PendingTxnId">The transaction sent and not yet taken, if any.</param>
    public sealed record Status(string Destination, long RetryLastTs, long RetryIntervalMs, string? PendingTxnId, long? LastSuccessTs,
        string? LastError, long QueuedPdus, long QueuedEdus)
    {
        public bool BackingOff => RetryIntervalMs > 0;
    }

    public async Task<IReadOnlyList<Status>> ListAsync(CancellationToken ct) =>
        (await store.ListAsync(ct)).Select(ToStatus).ToList();

    public async Task<Status?> GetAsync(string destination, CancellationToken ct) =>
        await store.GetAsync(destination, ct) is { } d ? ToStatus(d) : null;

    private static Status ToStatus(FederationOutboxStore.Destination d) =>
        new(d.Name, d.RetryLastTs, d.RetryInterval, d.PendingTxnId, d.LastSuccessTs, d.LastError, d.QueuedPdus, d.QueuedEdus);
}
