using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;

namespace Homeserver.Core.Rooms.State.Resolution;

/// <summary>
/// Where state resolution finds the events the states name and their auth chains: the event store on the server,
/// a map of fixtures in tests. Every event it returns counts as accepted: rejected events are never stored here.
/// </summary>
public interface IStateResolutionEvents
{
    /// <summary>The event, or null when it is unknown; an unknown event takes no part in the resolution.</summary>
    ValueTask<Pdu?> FindAsync(EventId eventId, CancellationToken ct);
}
