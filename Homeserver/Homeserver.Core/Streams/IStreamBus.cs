namespace Homeserver.Core.Streams;

/// <summary>
/// Carries <see cref="StreamUpdate"/>s from writers to subscribers: <see cref="InProcessStreamBus"/> on a single
/// node, <c>Cluster.RedisStreamBus</c> between the nodes sharing one PostgreSQL database.
/// Writers publish through <see cref="StreamPublisher"/>, which publishes only after commit.
/// </summary>
public interface IStreamBus
{
    /// <summary>Delivers the updates to the subscribers of their streams; returns when they have run.</summary>
    Task PublishAsync(IReadOnlyList<StreamUpdate> updates, CancellationToken ct);

    /// <summary>Subscribes a handler to some streams (empty for all) until the returned handle is disposed.</summary>
    IDisposable Subscribe(IReadOnlyCollection<string> streams, Func<StreamUpdate, CancellationToken, ValueTask> handler);
}
