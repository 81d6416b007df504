using Homeserver.Core.Streams;

namespace Homeserver.Core.Cluster;

/// <summary>
/// The bus of a single node on PostgreSQL: in process, but each update waits until readers can see it
/// (<see cref="StreamVisibility"/>), since the node's writes commit side by side under several writer rows and one
/// that commits first may stand above another still in flight.
/// </summary>
public sealed class VisibleStreamBus(InProcessStreamBus local, StreamVisibility visibility) : IStreamBus
{
    public async Task PublishAsync(IReadOnlyList<StreamUpdate> updates, CancellationToken ct)
    {
        visibility.Committed();
        await visibility.WhenReadableAsync(updates, ct);
        await local.PublishAsync(updates, ct);
    }

    public IDisposable Subscribe(IReadOnlyCollection<string> streams, Func<StreamUpdate, CancellationToken, ValueTask> handler) =>
        local.Subscribe(streams, handler);
}
