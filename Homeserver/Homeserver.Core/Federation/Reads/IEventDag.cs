using Homeserver.Core.Rooms.Timeline;

namespace Homeserver.Core.Federation.Reads;

/// <summary>One room's events as a graph of <c>prev_events</c>: the store on the server, a map in tests.</summary>
public interface IEventDag
{
    /// <summary>The event, when it is one of the room's.</summary>
    Task<EventGraphStore.Node?> FindAsync(string eventId, CancellationToken ct);

    /// <summary>The event's parents that are held and of the room.</summary>
    Task<IReadOnlyList<EventGraphStore.Node>> ParentsAsync(string eventId, CancellationToken ct);
}
