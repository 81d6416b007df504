using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Federation.Reads;

/// <summary>The stored events of one room as an <see cref="IEventDag"/>.</summary>
public sealed class StoredEventDag(EventGraphStore store, string roomId) : IEventDag
{
    public Task<EventGraphStore.Node?> FindAsync(string eventId, CancellationToken ct) => store.FindAsync(roomId, eventId, ct);

    public Task<IReadOnlyList<EventGraphStore.Node>> ParentsAsync(string eventId, CancellationToken ct) => store.ParentsAsync(roomId, eventId, ct);
}
