using System.Diagnostics.Metrics;

namespace Homeserver.Core.Observability;

/// <summary>
/// Every instrument of the server's own meter, in one place so that the names the Grafana dashboard
/// (docs/grafana-dashboard.json) and docs/operations.md list can be checked against one file. Names follow
/// OpenTelemetry's conventions; the Prometheus exporter turns dots into underscores and appends the unit
/// (<c>_seconds</c>, <c>_bytes</c>) and <c>_total</c> for counters. Tags are a few fixed values, prepared once, so
/// recording allocates nothing.
/// </summary>
public static class HomeserverMetrics
{
    private static readonly Meter M = HomeserverTelemetry.Meter;

    // Event persistence: every event that enters a room's timeline, ours or another server's.
    public static readonly Counter<long> EventsPersisted = M.CreateCounter<long>("matrix.events.persisted", "{event}",
        "Events persisted into rooms' timelines, by origin (local: sent by our users; remote: received over federation).");
    public static readonly Histogram<double> EventPersistDuration = M.CreateHistogram<double>("matrix.events.persist.duration", "s",
        "Time to persist one event: its transaction, queueing for the SQLite writer included.");

    // Sync.
    public static readonly UpDownCounter<long> SyncsActive = M.CreateUpDownCounter<long>("matrix.sync.active", "{connection}",
        "Syncs in progress: long polls (sliding sync included) and open WebSockets, by transport.");
    public static readonly Counter<long> SyncWakeups = M.CreateCounter<long>("matrix.sync.wakeups", "{wakeup}",
        "Waiting syncs woken by news before their timeout.");
    public static readonly Histogram<double> SyncComputeDuration = M.CreateHistogram<double>("matrix.sync.compute.duration", "s",
        "Time to build one sync response (waiting for news excluded), by type (initial or incremental).");

    // Push delivery.
    public static readonly Counter<long> PushesSent = M.CreateCounter<long>("matrix.push.sent", "{notification}",
        "Notifications sent to push gateways and Web Push services, by outcome (delivered, failed: retried later, rejected: pusher deleted, refused: dropped).");

    // Federation sending.
    public static readonly Counter<long> FederationPdusQueued = M.CreateCounter<long>("matrix.federation.pdus.queued", "{pdu}",
        "PDUs queued for other servers, one per destination.");
    public static readonly Counter<long> FederationPdusSent = M.CreateCounter<long>("matrix.federation.pdus.sent", "{pdu}",
        "PDUs other servers took in a transaction.");
    public static readonly Counter<long> FederationEdusSent = M.CreateCounter<long>("matrix.federation.edus.sent", "{edu}",
        "EDUs other servers took in a transaction.");
    public static readonly Counter<long> FederationTransactionsSent = M.CreateCounter<long>("matrix.federation.transactions.sent", "{transaction}",
        "Transactions sent to other servers, by outcome (accepted, refused: dropped, failed: the destination backs off).");
    public static readonly UpDownCounter<long> FederationDestinationsBackingOff = M.CreateUpDownCounter<long>("matrix.federation.destinations.backing_off",
        "{destination}", "Destinations whose last transaction failed and that wait before the next try.");
    public static readonly ObservableGauge<long> FederationDestinationPending = M.CreateObservableGauge("matrix.federation.destination.pending",
        FederationQueueGauges.Pending, "{item}", "PDUs and EDUs waiting for a destination, by destination (those with a backlog or a backoff, the largest 100).");
    public static readonly ObservableGauge<double> FederationDestinationRetryInterval = M.CreateObservableGauge("matrix.federation.destination.retry_interval",
        FederationQueueGauges.RetryInterval, "s", "How long a backed-off destination waits after its last failure before the next try, by destination.");

    // Media.
    public static readonly Counter<long> MediaUploaded = M.CreateCounter<long>("matrix.media.uploaded", "By", "Bytes of media uploaded by our users.");
    public static readonly Counter<long> MediaServed = M.CreateCounter<long>("matrix.media.served", "By",
        "Bytes of media content and thumbnails served to clients and servers.");

    // SQLite's single writer (docs/architecture.md): writes waiting for it and the commits of its batches.
    public static readonly UpDownCounter<long> SqliteWritesQueued = M.CreateUpDownCounter<long>("homeserver.sqlite.write_queue.length", "{write}",
        "Writes waiting for SQLite's writer loop.");
    public static readonly Histogram<double> SqliteCommitDuration = M.CreateHistogram<double>("homeserver.sqlite.commit.duration", "s",
        "Time to commit one SQLite write transaction (a batch of queued writes).");
    public static readonly Histogram<long> SqliteBatchSize = M.CreateHistogram<long>("homeserver.sqlite.transaction.writes", "{write}",
        "Writes sharing one SQLite transaction (group commit).", advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32] });

    // Caches of immutable data.
    public static readonly Counter<long> CacheRequests = M.CreateCounter<long>("homeserver.cache.requests", "{request}",
        "Look-ups in the server's caches, by cache name and result (hit or miss).");
}
