using Homeserver.Core.Streams;

namespace Homeserver.Core.Cluster;

/// <summary>
/// The in-process bus of a node on PostgreSQL, where each update waits until readers can see it
/// (<see cref="StreamVisibility"/>): the node's writes commit side by side under several writer rows
/// (<see cref="WriterSlots"/>), and other nodes' writes are read from the same database. It is the whole bus of a
/// single node, and the local half of <see cref="RedisStreamBus"/>.
/// </summary>
public sealed class VisibleStreamBus(InProcessStreamBus local, StreamVisibility visibility) : IStreamBus
{
    /// <summary>Delivers the updates of a write this node has just committed.</summary>
    public async Task PublishAsync(IReadOnlyList<StreamUpdate> updates, CancellationToken ct)
    {
        visibility.Committed();
        await DeliverAsync(updates, ct);
    }

    /// <summary>Delivers updates written elsewhere (another node's), once readers can see them.</summary>
    public async Task DeliverAsync(IReadOnlyList<StreamUpdate> updates, CancellationToken ct)
    {
        await visibility.WhenReadableAsync(updates, ct);
        await local.PublishAsync(updates, ct);
    }

    public IDisposable Subscribe(IReadOnlyCollection<string> streams, Func<StreamUpdate, CancellationToken, ValueTask> handler) =>
        local.Subscribe(streams, handler);
}
