using Homeserver.Core.Events;
using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.State.Resolution;

/// <summary>
/// An event's sender's power level "when looking at their respective auth_events", for the reverse topological
/// power ordering: the power levels event among its auth events, with the room's creators as the room version
/// treats them (100 without power levels before v12, infinite from v12).
/// </summary>
public static class SenderPowerLevel
{
    public static async Task<long> OfAsync(ResolutionEvents events, Pdu ev, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(ev);
        Pdu? powerLevels = null;
        Pdu? create = ev.Type == EventTypes.Create ? ev : null;
        foreach (Pdu authEvent in await events.FindAllAsync(ev.AuthEvents, ct))
        {
            if (authEvent.StateKey == "" && authEvent.Type == EventTypes.PowerLevels)
            {
                powerLevels = authEvent;
            }
            else if (authEvent.StateKey == "" && authEvent.Type == EventTypes.Create)
            {
                create = authEvent;
            }
        }

        create ??= await events.ImpliedCreateEventAsync(ev, ct);
        return PowerLevels.From(ev.RoomVersion, create, powerLevels).GetUserLevel(ev.Sender);
    }
}
