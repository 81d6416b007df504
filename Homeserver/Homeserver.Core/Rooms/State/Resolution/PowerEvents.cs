using Homeserver.Core.Events;
using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.State.Resolution;

/// <summary>
/// Power events (state resolution v2, "Definitions"): the events that can take an ability away from someone, which
/// are resolved first: power levels, join rules, and a kick or ban (a leave or ban sent about someone else). The
/// create event counts too, as Synapse and ruma count it, so that a room whose create event were ever in conflict
/// would resolve alike everywhere.
/// </summary>
public static class PowerEvents
{
    public static bool IsPowerEvent(Pdu ev)
    {
        ArgumentNullException.ThrowIfNull(ev);
        return ev.StateKey switch
        {
            null => false,
            "" when ev.Type is EventTypes.PowerLevels or EventTypes.JoinRules or EventTypes.Create => true,
            { } target => ev.Type == EventTypes.Member && Membership.Read(ev) is Membership.Leave or Membership.Ban
                && target != ev.Sender.ToString(),
        };
    }
}
