using Homeserver.Core.Events;
using Homeserver.Core.Identifiers;
using Homeserver.Core.Rooms.AuthRules;

namespace Homeserver.Core.Rooms.State.Resolution;

/// <summary>
/// The iterative auth checks (state resolution v2): each event in turn is checked by the authorisation rules
/// against the state built so far and, if allowed, put into it; a refused event is left out. A key the rules need
/// that the state lacks is taken from the event's own auth events. From room version 12 the create event, never
/// an auth event, is the one the room ID names.
/// </summary>
public static class IterativeAuthChecks
{
    public static async Task<Dictionary<StateEventKey, EventId>> ApplyAsync(
        ResolutionEvents events, IReadOnlyDictionary<StateEventKey, EventId> initial, IEnumerable<Pdu> sorted, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(sorted);
        var state = new Dictionary<StateEventKey, EventId>(initial);
        foreach (Pdu ev in sorted)
        {
            if (!ev.IsState)
            {
                continue;
            }

            var authState = new AuthStateMap((await events.FindAllAsync(ev.AuthEvents, ct)).Where(e => e.IsState));
            foreach (StateEventKey key in AuthEventSelection.Keys(ev))
            {
                if (state.TryGetValue(key, out EventId id) && await events.FindAsync(id, ct) is { } current)
                {
                    authState.Set(current);
                }
            }

            if (await events.ImpliedCreateEventAsync(ev, ct) is { } create)
            {
                authState.Set(create);
            }

            if (EventAuthRules.Check(ev.RoomVersion, ev, authState).IsAllowed)
            {
                state[StateMap.KeyOf(ev)] = ev.EventId;
            }
        }

        return state;
    }
}
