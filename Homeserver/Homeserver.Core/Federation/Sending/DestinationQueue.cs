using System.Text.Json.Nodes;
using Homeserver.Core.Observability;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Federation.Sending;

/// <summary>
/// One destination's delivery loop: one transaction in flight at a time, recorded before it is sent and sent again,
/// the same under the same ID, until the destination takes it or refuses it for good. A failure backs the
/// destination off (kept in <c>federation_destinations</c>); it is tried again when the wait is over, or at once
/// when it contacts us. Coming back from an outage, what piled up is first cut to each room's newest event.
/// </summary>
internal sealed class DestinationQueue(
    string destination,
    FederationOutboxStore store,
    FederationPdus pdus,
    FederationTransactionClient transactions,
    DestinationBackoff backoff,
    TimeProvider time,
    ILogger log,
    Action<string, bool> backedOff,
    Action<FederationOutboxStore.Destination> observed)
{
    /// <summary>The spec's limits on one transaction.</summary>
    public const int MaxPdus = 50;
    public const int MaxEdus = 100;
    private static readonly TimeSpan ErrorPause = TimeSpan.FromSeconds(5);
    private const long MaxWaitMs = 24 * 60 * 60 * 1000;

    private readonly SemaphoreSlim _wake = new(0, 1);
    private bool _catchingUp;

    public string Destination => destination;

    public void Wake()
    {
        if (_wake.CurrentCount > 0)
            return;
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Woken by another caller at the same moment; one wake-up is enough.
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var first = true;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var state = await store.GetAsync(destination, ct);
                if (state is null)
                {
                    await _wake.WaitAsync(ct);
                    continue;
                }
                observed(state);
                if (first)
                    _catchingUp = state.RetryInterval > 0;
                first = false;
                if (state.RetryInterval > 0)
                {
                    var wait = state.RetryLastTs + state.RetryInterval - time.GetUtcNow().ToUnixTimeMilliseconds();
                    if (wait > 0)
                    {
                        // Capped so the wait stays within what a timer takes however long the configured backoff.
                        await _wake.WaitAsync(TimeSpan.FromMilliseconds(Math.Min(wait, MaxWaitMs)), ct);
                        continue;
                    }
                }
                if (await DeliverAsync(ct))
                    await _wake.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Our side failed (the database, say): the queue is intact, so pause and look again.
                log.LogError(e, "Sending to {Destination} failed on our side", destination);
                try
                {
                    await Task.Delay(ErrorPause, time, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Sends transactions until nothing waits (true) or the destination fails (false, backed off).</summary>
    private async Task<bool> DeliverAsync(CancellationToken ct)
    {
        while (true)
        {
            var state = await store.GetAsync(destination, ct) ?? throw new InvalidOperationException($"no state for {destination}");
            observed(state);
            var txnId = state.PendingTxnId;
            if (txnId is null)
            {
                if (_catchingUp)
                {
                    await CatchUpAsync(ct);
                    _catchingUp = false;
                }
                // A time-based ID stays unique should the database be replaced, as the receiver may remember old ones.
                var counter = Math.Max(state.LastTxnId + 1, time.GetUtcNow().ToUnixTimeMilliseconds());
                txnId = counter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!await store.StartTransactionAsync(destination, txnId, counter, MaxPdus, MaxEdus, ct))
                    return true;
            }
            var queued = await store.PdusOfAsync(destination, txnId, ct);
            var edus = await store.EdusOfAsync(destination, txnId, ct);
            var body = await pdus.ReadAsync(queued.Select(p => p.EventId).ToList(), ct);
            var eduBodies = edus.Select(e => new JsonObject { ["edu_type"] = e.EduType, ["content"] = JsonNode.Parse(e.Content) }).ToList();
            var result = await transactions.SendAsync(destination, txnId, body, eduBodies, ct);
            var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            switch (result.Outcome)
            {
                case TransactionOutcome.Accepted:
                    await store.CompleteAsync(destination, txnId, nowMs, null, ct);
                    HomeserverMetrics.FederationTransactionsSent.Add(1, MetricTags.Accepted);
                    HomeserverMetrics.FederationPdusSent.Add(body.Count);
                    HomeserverMetrics.FederationEdusSent.Add(edus.Count);
                    backedOff(destination, false);
                    log.LogDebug("{Destination} took transaction {TxnId} ({Pdus} PDUs, {Edus} EDUs)", destination, txnId, body.Count, edus.Count);
                    break;
                case TransactionOutcome.Refused:
                    await store.CompleteAsync(destination, txnId, nowMs, result.Error, ct);
                    HomeserverMetrics.FederationTransactionsSent.Add(1, MetricTags.Refused);
                    backedOff(destination, false);
                    log.LogWarning("Dropped transaction {TxnId} to {Destination} ({Pdus} PDUs, {Edus} EDUs): {Error}", txnId, destination,
                        body.Count, edus.Count, result.Error);
                    break;
                default:
                    var interval = backoff.NextIntervalMs(state.RetryInterval);
                    await store.RecordFailureAsync(destination, nowMs, interval, result.Error ?? "failed", ct);
                    HomeserverMetrics.FederationTransactionsSent.Add(1, MetricTags.Failed);
                    backedOff(destination, true);
                    _catchingUp = true;
                    log.LogWarning("Transaction {TxnId} to {Destination} failed ({Error}); retrying in {Interval} ms", txnId, destination,
                        result.Error, interval);
                    return false;
            }
        }
    }

    /// <summary>After an outage, a backlog longer than one transaction is cut to each room's newest event, not replayed.</summary>
    private async Task CatchUpAsync(CancellationToken ct)
    {
        if (await store.CountUnassignedAsync(destination, ct) <= MaxPdus)
            return;
        var dropped = await store.KeepNewestPerRoomAsync(destination, ct);
        log.LogInformation("Catching up {Destination}: sending each room's newest event, {Dropped} older ones left for it to fetch", destination, dropped);
    }
}
