namespace Homeserver.Core.Observability;

/// <summary>The tag values of <see cref="HomeserverMetrics"/>, built once so that recording a measurement allocates nothing.</summary>
public static class MetricTags
{
    public static readonly KeyValuePair<string, object?> LocalOrigin = new("origin", "local");
    public static readonly KeyValuePair<string, object?> RemoteOrigin = new("origin", "remote");

    public static readonly KeyValuePair<string, object?> LongPoll = new("matrix.sync.transport", "long_poll");
    public static readonly KeyValuePair<string, object?> WebSocket = new("matrix.sync.transport", "websocket");
    public static readonly KeyValuePair<string, object?> InitialSync = new("matrix.sync.type", "initial");
    public static readonly KeyValuePair<string, object?> IncrementalSync = new("matrix.sync.type", "incremental");

    public static readonly KeyValuePair<string, object?> Delivered = new("outcome", "delivered");
    public static readonly KeyValuePair<string, object?> Failed = new("outcome", "failed");
    public static readonly KeyValuePair<string, object?> Rejected = new("outcome", "rejected");
    public static readonly KeyValuePair<string, object?> Refused = new("outcome", "refused");
    public static readonly KeyValuePair<string, object?> Accepted = new("outcome", "accepted");

    public static readonly KeyValuePair<string, object?> Hit = new("cache.result", "hit");
    public static readonly KeyValuePair<string, object?> Miss = new("cache.result", "miss");
}
