using System.Collections.Concurrent;
using Homeserver.Core.Configuration;
using Homeserver.Core.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Homeserver.Core.Federation.Sending;

/// <summary>
/// Runs a <see cref="DestinationQueue"/> for every destination with something queued. A commit that queues for a
/// destination wakes its queue; at start, and every <see cref="SweepInterval"/> for what another node queued, the
/// database says which destinations have work. A destination that contacts us is retried at once.
/// </summary>
public sealed class FederationSender(
    FederationOutboxStore store,
    FederationPdus pdus,
    FederationTransactionClient transactions,
    DestinationBackoff backoff,
    FederationOptions options,
    TimeProvider time,
    ILoggerFactory logs) : BackgroundService, IFederationContactSignal
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, DestinationQueue> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _backedOff = new(StringComparer.Ordinal);
    // Each queue's state as it last read it, for the per-destination gauges.
    private readonly ConcurrentDictionary<string, FederationQueueGauges.Destination> _observed = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Task> _running = [];
    private readonly ILogger _log = logs.CreateLogger<FederationSender>();
    private readonly Lock _startLock = new();
    private CancellationToken? _stopping;

    /// <summary>Wakes the queues of <paramref name="destinations"/>, starting those not running yet.</summary>
    public void Wake(IEnumerable<string> destinations)
    {
        foreach (var destination in destinations)
            QueueOf(destination).Wake();
    }

    public async Task ContactedAsync(string origin, CancellationToken ct)
    {
        if (!_backedOff.ContainsKey(origin))
            return;
        SetBackedOff(origin, false);
        if (await store.ResetRetryAsync(origin, ct))
        {
            _log.LogInformation("{Destination} contacted us: retrying it now", origin);
            QueueOf(origin).Wake();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
            return;
        using var gauges = FederationQueueGauges.Register(() => _observed.Values);
        foreach (var destination in await store.BackedOffAsync(stoppingToken))
            SetBackedOff(destination, true);
        lock (_startLock)
        {
            _stopping = stoppingToken;
            foreach (var queue in _queues.Values)
                _running.Add(Task.Run(() => queue.RunAsync(stoppingToken), CancellationToken.None));
        }
        try
        {
            while (true)
            {
                Wake(await store.WithWorkAsync(stoppingToken));
                await Task.Delay(SweepInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await Task.WhenAll(_running);
    }

    private DestinationQueue QueueOf(string destination)
    {
        if (_queues.TryGetValue(destination, out var queue))
            return queue;
        lock (_startLock)
        {
            if (_queues.TryGetValue(destination, out queue))
                return queue;
            queue = new DestinationQueue(destination, store, pdus, transactions, backoff, time, _log, SetBackedOff, Observe);
            _queues[destination] = queue;
            // Before the host starts the sender, queues wait; ExecuteAsync starts every one created by then.
            if (_stopping is { } ct)
                _running.Add(Task.Run(() => queue.RunAsync(ct), CancellationToken.None));
            return queue;
        }
    }

    private void Observe(FederationOutboxStore.Destination d) =>
        _observed[d.Name] = new FederationQueueGauges.Destination(d.Name, d.QueuedPdus + d.QueuedEdus, d.RetryInterval);

    private void SetBackedOff(string destination, bool backedOff)
    {
        if (backedOff ? _backedOff.TryAdd(destination, 0) : _backedOff.TryRemove(destination, out _))
            HomeserverMetrics.FederationDestinationsBackingOff.Add(backedOff ? 1 : -1);
    }
}
