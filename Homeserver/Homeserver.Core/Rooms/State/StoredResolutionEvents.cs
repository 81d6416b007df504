using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.State.Resolution;

namespace Homeserver.Core.Rooms.State;

/// <summary>
/// The stored events of one room, for state resolution: an event of another room, which a forged
/// <c>auth_events</c> entry could name, is as good as unknown.
/// </summary>
public sealed class StoredResolutionEvents(StateService state, RoomId roomId, RoomVersion version) : IStateResolutionEvents
{
    public async ValueTask<Pdu?> FindAsync(EventId eventId, CancellationToken ct) =>
        await state.GetEventAsync(eventId.ToString(), version, ct) is { } pdu && pdu.RoomId == roomId ? pdu : null;
}
